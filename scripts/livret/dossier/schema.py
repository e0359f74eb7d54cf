"""JSON Schemas of the dossier files, generated from the models.

Copies are committed under `dossier/schema/` so that editors (VS Code with the YAML
extension) can complete fields and show the French descriptions; a test checks that
the committed copies match the models.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from livret.dossier.model import Bilan, NoteMeta, Synthese

SCHEMA_DIR = Path(__file__).parent / "schema"

MODELS: dict[str, type[BaseModel]] = {"bilan": Bilan, "synthese": Synthese, "note": NoteMeta}


def json_schema(name: str) -> dict[str, Any]:
    schema = MODELS[name].model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def schema_text(name: str) -> str:
    return json.dumps(json_schema(name), ensure_ascii=False, indent=2) + "\n"


def schema_path(name: str) -> Path:
    return SCHEMA_DIR / f"{name}.schema.json"


def write_schemas() -> list[Path]:
    """Regenerate the committed copies (used by `make schema`)."""
    written = []
    for name in MODELS:
        path = schema_path(name)
        path.write_text(schema_text(name), encoding="utf-8")
        written.append(path)
    return written
