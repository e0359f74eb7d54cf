"""Click's own words appear in French: help, usage and errors of the command line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from livret.cli import cli

# Words click writes in English when it is not translated (checked as whole words).
ENGLISH = [
    "Usage", "Show this message", "and exit", "No such", "Missing", "Error", "Try", "for help",
    "Invalid value", "is not", "range", "Commands", "COMMAND", "ARGS", "SLUG", "SLUGS",
    "INTEGER", "TEXT", "DIRECTORY", "PATH", "Did you mean", "required", "default",
    "Got unexpected", "requires", "x>=",
]  # fmt: skip

CASES = {
    "help": ["--help"],
    "build help": ["build", "--help"],
    "check help": ["check", "--help"],
    "new help": ["new", "--help"],
    "access help": ["access", "--help"],
    "schema help": ["schema", "--help"],
    "unknown command": ["nope"],
    "close command": ["bild"],
    "missing command": [],
    "missing argument": ["access"],
    "jobs 0": ["build", "--jobs", "0"],
    "jobs not a number": ["build", "--jobs", "deux"],
    "jobs without value": ["build", "--jobs"],
    "unknown option": ["check", "--bogus"],
    "extra argument": ["access", "a", "b"],
    "bad schema": ["schema", "x"],
}


def _english(text: str) -> list[str]:
    return [w for w in ENGLISH if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]


@pytest.mark.parametrize("args", CASES.values(), ids=CASES.keys())
def test_click_speaks_french(repo: Path, args: list[str]) -> None:
    result = CliRunner().invoke(cli, ["-C", str(repo), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    text = result.output + result.stderr
    assert text.strip()
    assert _english(text) == [], text
    if args and args[-1] == "--help":
        assert result.exit_code == 0
        assert "Utilisation : " in text and "Options :" in text
    else:
        assert result.exit_code == 2
        assert "Erreur : " in text


def test_messages_read_well(repo: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(cli, ["-C", str(repo), "build", "--jobs", "0"]).stderr
    assert "0 est hors limites (au moins 1)" in out
    assert "[au moins 1]" in " ".join(runner.invoke(cli, ["build", "--help"]).output.split())
    assert (
        "« deux » n'est pas un nombre entier valide"
        in runner.invoke(cli, ["-C", str(repo), "build", "-j", "deux"]).stderr
    )
    assert "Commande inconnue « nope »" in runner.invoke(cli, ["nope"]).stderr
    assert "Vouliez-vous dire « build » ?" in runner.invoke(cli, ["bild"]).stderr
    assert "Argument manquant 'DOSSIER'" in runner.invoke(cli, ["-C", str(repo), "access"]).stderr
    help_text = runner.invoke(cli, ["--help"]).output
    assert "Commandes :" in help_text and "Affiche cette aide et s'arrête." in help_text
    assert "Affiche la version et s'arrête." in help_text
    assert runner.invoke(cli, ["--version"]).output.startswith("livret ")


def test_shell_completion_documented_and_working(repo: Path) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "_LIVRET_COMPLETE=bash_source livret" in readme
    result = CliRunner().invoke(
        cli, [], prog_name="livret", env={"_LIVRET_COMPLETE": "bash_source"}
    )
    assert "complete" in result.output and "_livret_completion" in result.output
