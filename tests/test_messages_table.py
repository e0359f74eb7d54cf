"""The French messages table (`livret/data/messages.toml`) and the codes agree, both ways.

Every error code has a message, every message answers a code or a pydantic type, every
wording is used by the code with exactly the placeholders it fills: a renamed code or a
typo in a placeholder fails here, not in front of a consultant.
"""

from __future__ import annotations

import ast
import fnmatch
import string
import tomllib
import typing
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic_core.core_schema import ErrorType

from conftest import FIXTURES, ROOT, make_repo
from livret.cli import cli
from livret.sources import messages
from livret.sources.codes import ErrorCode, ProblemCode
from livret.sources.messages import FALLBACK, PLAIN_ENTRIES, message_table
from livret.sources.yamlpos import parse_yaml

PYDANTIC_TYPES = frozenset(typing.get_args(ErrorType))
PLAIN_PLACEHOLDERS = {"field", "subject", "value", "code", "msg"}


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _say_calls() -> list[tuple[str, str, set[str]]]:
    """Every `_say("entry", "wording", name=…)` in messages.py: entry, wording, names given."""
    tree = ast.parse(Path(messages.__file__).read_text(encoding="utf-8"))
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_say":
            entry, wording = (arg.value for arg in node.args if isinstance(arg, ast.Constant))
            calls.append((str(entry), str(wording), {kw.arg for kw in node.keywords if kw.arg}))
    return calls


def test_every_code_has_exactly_one_message() -> None:
    table = message_table()
    for code in ErrorCode:
        answering = [entry for entry, kinds in table.types.items() if code.value in kinds]
        assert len(answering) == 1, (code, answering)


def test_every_message_answers_a_code_or_a_pydantic_type() -> None:
    table = message_table()
    seen: dict[str, str] = {}
    for entry, kinds in table.types.items():
        if entry == FALLBACK:
            assert kinds == (), "the fallback answers every type the table does not list"
            continue
        assert kinds, f"[{entry}] answers no type"
        for kind in kinds:
            assert kind in PYDANTIC_TYPES or kind in set(ErrorCode), (entry, kind)
            assert kind not in seen, f"{kind} is in [{seen.get(kind)}] and [{entry}]"
            seen[kind] = entry


def test_our_codes_are_not_pydantic_types() -> None:
    assert not {code.value for code in ErrorCode} & PYDANTIC_TYPES


def test_every_wording_is_used_and_filled_exactly() -> None:
    table = message_table()
    used: set[tuple[str, str]] = set()
    for entry, wording, given in _say_calls():
        assert wording in table.wordings.get(entry, {}), f"no wording [{entry}] {wording}"
        assert _placeholders(table.wordings[entry][wording]) == given, (entry, wording)
        used.add((entry, wording))
    for entry in PLAIN_ENTRIES:
        assert set(table.wordings[entry]) == {"text"}, entry
        assert _placeholders(table.wordings[entry]["text"]) <= PLAIN_PLACEHOLDERS, entry
        used.add((entry, "text"))
    written = {(e, w) for e, wordings in table.wordings.items() for w in wordings}
    assert written == used, f"unused: {written - used}, missing: {used - written}"


def test_every_entry_has_its_function_or_is_plain() -> None:
    table = message_table()
    handled = set(messages._HANDLERS)
    assert not handled & PLAIN_ENTRIES
    assert handled | PLAIN_ENTRIES == set(table.types)


def test_every_pydantic_date_type_gets_the_date_message() -> None:
    # The old code matched the prefix; a pydantic upgrade adding a date type shows up here.
    dates = {kind for kind in PYDANTIC_TYPES if kind.startswith(("date_", "datetime_"))}
    assert dates and dates <= set(message_table().types["date"])


def test_table_ships_with_the_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["livret"]
    shipped = "/".join(messages.TABLE_PATH)
    assert any(fnmatch.fnmatch(shipped, pattern) for pattern in patterns), patterns
    assert (ROOT / "scripts" / "livret" / shipped).is_file()


@pytest.mark.parametrize("text", ["", "\n", "# rien\n", "  \n\n# a\n", "# a\n# b\n"])
def test_an_empty_file_is_marked_by_its_code(text: str) -> None:
    doc, problems = parse_yaml("x.yml", text)
    assert doc is None
    assert [p.code for p in problems] == [ProblemCode.FICHIER_VIDE]


@pytest.mark.parametrize("text", ["a: [\n", "a: 1\na: 2\n", "a: b: c\n", "\ta: 1\n", "a: *x\n"])
def test_other_yaml_problems_carry_no_code(text: str) -> None:
    _, problems = parse_yaml("x.yml", text)
    assert problems
    assert all(p.code is None for p in problems)


# Durations whose conversion to minutes overflowed a float: once a traceback, now the
# bounds message (one `check` over every variant).
HUGE = {
    "huge-float": "1e308",
    "huge-negative": "-1e308",
    "huge-mantissa": "1.5e308",
    "huge-text": '"1e308"',
    "huge-comma": '"1,5e308"',
    "huge-int": "9" * 400,
    "infinite-text": '"inf"',
    "minus-infinite-text": '"-inf"',
    "not-a-number-text": '"nan"',
    "huge-minutes": "9" * 5000 + "min",
    "huge-hours": "9" * 5000 + "h",
    "huge-hours-minutes": "9" * 5000 + "h30",
    "many-digits": "9" * 5000,
}


@pytest.fixture(scope="module")
def huge_check(tmp_path_factory: pytest.TempPathFactory) -> str:
    repo = make_repo(tmp_path_factory.mktemp("huge") / "repo")
    bilan = (FIXTURES / "minimal" / "bilan.yml").read_text(encoding="utf-8")
    assert bilan.count("duree: 2h\n") == 1
    for slug, duree in HUGE.items():
        folder = repo / "dossiers" / f"duree-{slug}"
        (folder / "notes").mkdir(parents=True)
        (folder / "bilan.yml").write_text(bilan.replace("duree: 2h\n", f"duree: {duree}\n"))
        (folder / "synthese.yml").write_bytes((FIXTURES / "minimal" / "synthese.yml").read_bytes())
    result = CliRunner().invoke(cli, ["-C", str(repo), "check"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.stderr


@pytest.mark.parametrize("slug", sorted(HUGE))
def test_a_huge_duration_is_out_of_bounds(huge_check: str, slug: str) -> None:
    lines = [line for line in huge_check.splitlines() if f"/duree-{slug}/" in line]
    assert len(lines) == 1, huge_check
    assert "hors limites : écrivez une durée entre 1min et 8h" in lines[0]
