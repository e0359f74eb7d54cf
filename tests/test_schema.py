"""The committed JSON Schemas match the models and accept the example dossiers."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from conftest import EXAMPLES, ROOT
from livret.cli import cli
from livret.dossier.schema import MODELS, schema_path, schema_text
from livret.dossier.yamlpos import parse_yaml


@pytest.mark.parametrize("name", sorted(MODELS))
def test_committed_schema_is_up_to_date(name: str) -> None:
    committed = schema_path(name).read_text(encoding="utf-8")
    assert committed == schema_text(name), "schéma périmé : lancez « make schema »"


def _as_json(value: Any) -> Any:
    """YAML dates as the ISO strings a JSON Schema validator expects."""
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@pytest.mark.parametrize("slug", EXAMPLES)
@pytest.mark.parametrize("name", ["bilan", "synthese"])
def test_examples_validate_against_schema(slug: str, name: str) -> None:
    path = ROOT / "dossiers" / slug / f"{name}.yml"
    doc, problems = parse_yaml(str(path), path.read_text(encoding="utf-8"))
    assert doc is not None and not problems
    schema = json.loads(schema_path(name).read_text(encoding="utf-8"))
    jsonschema.validate(_as_json(doc.data), schema)


def test_schema_rejects_unknown_key() -> None:
    schema = json.loads(schema_path("bilan").read_text(encoding="utf-8"))
    path = ROOT / "dossiers" / EXAMPLES[0] / "bilan.yml"
    doc, _ = parse_yaml(str(path), path.read_text(encoding="utf-8"))
    assert doc is not None
    data = _as_json(doc.data)
    data["beneficiaire"]["prenomm"] = "x"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_schema_command_prints_every_schema() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    printed = json.loads(result.stdout)
    assert set(printed) == set(MODELS)
    assert printed["bilan"]["properties"]["beneficiaire"]["description"]
    single = CliRunner().invoke(cli, ["schema", "synthese"])
    assert json.loads(single.stdout) == printed["synthese"]


def test_every_field_has_a_french_description() -> None:
    for name in MODELS:
        schema = json.loads(schema_text(name))
        definitions = [schema, *schema.get("$defs", {}).values()]
        for definition in definitions:
            for field, spec in definition.get("properties", {}).items():
                assert spec.get("description"), f"{name}: {field} sans description"


def test_yaml_language_server_line_points_at_committed_schema() -> None:
    for slug in EXAMPLES:
        for name in ("bilan", "synthese"):
            first = (ROOT / "dossiers" / slug / f"{name}.yml").read_text().splitlines()[0]
            relative = first.split("$schema=")[1]
            assert (ROOT / "dossiers" / slug / relative).resolve() == schema_path(name)
