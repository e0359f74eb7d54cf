"""The committed JSON Schemas match the models and accept the example dossiers."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from conftest import EXAMPLES, ROOT
from livret.cli import cli
from livret.dossier.schema import MODELS, TITLES, schema_path, schema_text
from livret.sources.yamlpos import parse_yaml


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


# --- the schema agrees with `livret check` ---------------------------------------------------

MALFORMED = sorted(p for p in (ROOT / "tests" / "malformed").iterdir() if p.is_dir())
SCHEMA_FOR = {"bilan.yml": "bilan", "synthese.yml": "synthese"}

# Cases `check` rejects and JSON Schema cannot, with why. Anything else check rejects in
# bilan.yml, synthese.yml or a note's header, the schema must reject too.
DATES_COMPARED = "compares two dates of the file: JSON Schema cannot order dates"
FILES = "looks at the dossier's files (pieces/), which a schema cannot see"
RENDERED = "found when the Markdown is rendered (an image from another site)"
NOT_EXPRESSIBLE = {
    "consentement-apres-seance": DATES_COMPARED,
    "fin-avant-debut": DATES_COMPARED,
    "seance-hors-periode": DATES_COMPARED,
    "suivi-avant-fin": DATES_COMPARED,
    "duree-12h": (
        "a duration written as text (12h) is bounded by its value in minutes; the schema "
        "checks its form, and bounds it only when it is a number of hours"
    ),
    "image-externe": RENDERED,
    "image-externe-note": RENDERED,
    "piece-introuvable": FILES,
    "piece-lien-symbolique": FILES,
    "piece-nom-mal-orthographie": FILES,
    "piece-nom-sans-suggestion": FILES,
    "piece-sans-prefixe-pieces": FILES,
}


def _yaml_of(path: Path) -> Any:
    """The YAML a schema applies to (a note's header), or None when it is not YAML at all."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None
    if path.suffix == ".md":
        lines = text.split("\n")
        if lines[0].strip() != "---" or "---" not in [x.strip() for x in lines[1:]]:
            return None
        end = [x.strip() for x in lines[1:]].index("---") + 1
        text = "\n".join(lines[1:end])
    doc, problems = parse_yaml(str(path), text)
    return None if doc is None or problems else _as_json(doc.data)


def _schema_name(relative: str) -> str | None:
    if relative.startswith("notes/") and relative.endswith(".md"):
        return "note"
    return SCHEMA_FOR.get(relative)


def _schema_rejects(name: str, data: Any) -> bool:
    schema = json.loads(schema_path(name).read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    return any(True for _ in validator.iter_errors(data))


@pytest.mark.parametrize("case", MALFORMED, ids=[c.name for c in MALFORMED])
def test_schema_agrees_with_check(case: Path) -> None:
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    prefix = f"dossiers/{case.name}/"
    refused = {
        line.removeprefix(prefix).split(":")[0]
        for line in expected
        if line.startswith(prefix) and "avertissement" not in line
    }
    disagreements = []
    for path in sorted(case.rglob("*")):
        relative = path.relative_to(case).as_posix()
        name = _schema_name(relative)
        if name is None or path.is_symlink() or not path.is_file():
            continue
        data = _yaml_of(path)
        if data is None:  # YAML syntax, encoding: what no schema sees
            continue
        if _schema_rejects(name, data) != (relative in refused):
            disagreements.append(
                f"{relative}: check {'refuse' if relative in refused else 'accepte'}"
            )
    if case.name in NOT_EXPRESSIBLE:
        assert disagreements, f"{case.name} is listed as not expressible but the schema agrees"
    else:
        assert disagreements == []


def test_piece_pattern_mirrors_check() -> None:
    schema = json.loads(schema_path("synthese").read_text(encoding="utf-8"))
    pattern = schema["$defs"]["Outil"]["properties"]["piece"]["anyOf"][0]["pattern"]
    good = ["pieces/riasec.pdf", "pieces/a b/carte.PNG", "riasec.jpeg", "pieces/x.webp", "a..b.jpg"]
    bad = [
        "/etc/passwd.pdf", "~/x.pdf", "C:/x.pdf", "c:x.pdf", "../autre/secret.pdf",
        "pieces/../../x.pdf", "pieces/..", "pieces/cv.docx", "pieces/x.pdf.exe", "pieces/x",
        "\\\\serveur\\x.pdf",
    ]  # fmt: skip
    for value in good:
        assert re.search(pattern, value), value
    for value in bad:
        assert not re.search(pattern, value), value


def test_titles_are_french_and_defaults_valid() -> None:
    for name in MODELS:
        schema = json.loads(schema_text(name))
        validator = jsonschema.Draft202012Validator(schema)
        for definition in [schema, *schema.get("$defs", {}).values()]:
            for field, spec in definition.get("properties", {}).items():
                # Chosen by hand, with accents: not pydantic's « Plan Action ».
                assert spec["title"] == TITLES[field], f"{name}: {field} sans titre français"
                if "default" in spec and spec["default"] is not None:
                    sub = {"$defs": schema.get("$defs", {}), **spec}
                    assert not list(validator.evolve(schema=sub).iter_errors(spec["default"]))
                for example in spec.get("examples", []):
                    sub = {"$defs": schema.get("$defs", {}), **spec}
                    assert not list(validator.evolve(schema=sub).iter_errors(example)), field
    titles = json.loads(schema_text("synthese"))["properties"]
    assert titles["plan_action"]["title"] == "Plan d'action"
    assert titles["competences"]["title"] == "Compétences"
