"""Every malformed dossier under tests/malformed/ gives exactly the error lines stored beside it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import make_repo
from livret.cli import cli

CASES = sorted(p for p in (Path(__file__).parent / "malformed").iterdir() if p.is_dir())


def _copy_case(case: Path, repo: Path) -> None:
    """The case folder minus its expected file becomes dossiers/<case name>/."""
    target = repo / "dossiers" / case.name
    target.mkdir(parents=True)
    for source in sorted(case.rglob("*")):
        relative = source.relative_to(case)
        if relative.as_posix() in ("expected.txt", "README"):
            continue
        dest = target / relative
        if source.is_symlink():
            dest.symlink_to(source.readlink())
        elif source.is_dir():
            dest.mkdir(exist_ok=True)
        else:
            dest.write_bytes(source.read_bytes())


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_case(case: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    repo = make_repo(tmp_path / "repo")
    _copy_case(case, repo)
    result = CliRunner().invoke(cli, ["-C", str(repo), "check"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if not line.endswith("à corriger.")]
    expected_file = case / "expected.txt"
    if request.config.getoption("--update-expected"):
        expected_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8").splitlines()
    assert lines == expected
    for line in lines:
        assert line.startswith(f"dossiers/{case.name}"), line


WARNED = sorted(p for p in (Path(__file__).parent / "warned").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", WARNED, ids=[c.name for c in WARNED])
def test_warned_case(case: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Accepted, but said: `check` exits 0 with exactly these warnings; `--strict` refuses."""
    repo = make_repo(tmp_path / "repo")
    _copy_case(case, repo)
    result = CliRunner().invoke(cli, ["-C", str(repo), "check"])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    expected_file = case / "expected.txt"
    if request.config.getoption("--update-expected"):
        expected_file.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    assert lines == expected_file.read_text(encoding="utf-8").splitlines()
    assert all(line.startswith(f"dossiers/{case.name}/") for line in lines), lines
    assert all(": avertissement : " in line for line in lines), lines
    strict = CliRunner().invoke(cli, ["-C", str(repo), "check", "--strict"])
    assert strict.exit_code == (1 if lines else 0), strict.output


def test_a_new_dossier_passes_check_but_is_never_published(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    _copy_case(Path(__file__).parent / "warned" / "modele-livret-new", repo)
    env = {"LIVRET_ACCESS": str(tmp_path / "acces.json")}
    result = CliRunner(env=env).invoke(cli, ["-C", str(repo), "build", "--json"])
    assert result.exit_code == 1
    (booklet,) = json.loads(result.stdout)["booklets"]
    assert booklet["status"] == "failed"
    assert len(booklet["errors"]) == 5
    assert all("à compléter avant publication" in e for e in booklet["errors"])
    assert not [p for p in (repo / "site").iterdir() if p.is_dir()]
