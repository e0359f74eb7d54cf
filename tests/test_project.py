"""A broken repository (theme, labels, mkdocs.yml missing or altered) is one French message."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, make_repo
from livret.cli import cli


def _labels(old: str, new: str) -> Callable[[Path], None]:
    def alter(repo: Path) -> None:
        path = repo / "theme" / "libelles.yml"
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")

    return alter


def _remove(*names: str) -> Callable[[Path], None]:
    def alter(repo: Path) -> None:
        for name in names:
            target = repo / name
            shutil.rmtree(target) if target.is_dir() else target.unlink()

    return alter


# case -> (how the repository is broken, words the message must hold)
CASES: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "no theme": (_remove("theme"), ["dossier « theme/ » manquant", "git checkout -- theme/"]),
    "no labels": (_remove("theme/libelles.yml"), ["theme/libelles.yml", "manquant"]),
    "no page template": (_remove("theme/pages/plan.html"), ["theme/pages/plan.html"]),
    "no pages folder": (_remove("theme/pages"), ["theme/pages/accueil.html", "remettez-les"]),
    "no pdf template": (_remove("theme/pdf/synthese.html"), ["theme/pdf/synthese.html"]),
    "no pdf css": (_remove("theme/pdf/synthese.css"), ["theme/pdf/synthese.css"]),
    "no material": (_remove("theme/material"), ["theme/material/main.html"]),
    "no mkdocs.yml": (_remove("mkdocs.yml"), ["« mkdocs.yml » manquant", "git checkout"]),
    "label missing": (
        _labels("  cpf: Compte personnel de formation (CPF)\n", ""),
        ["theme/libelles.yml:", "« financement »", "« cpf: »"],
    ),
    "label section missing": (
        _labels("statuts:\n", "statut:\n"),
        ["theme/libelles.yml:", "statut"],
    ),
    "label wrong type": (
        _labels("  bouton: Ouvrir le livret\n", "  bouton: [Ouvrir]\n"),
        ["theme/libelles.yml:", "« bouton » doit être un texte"],
    ),
    "level missing": (
        _labels("  4: Expertise\n", ""),
        ["theme/libelles.yml:", "niveau 4"],
    ),
    "month missing": (_labels("  - décembre\n", ""), ["« mois » compte 11 noms"]),
    "labels not yaml": (_labels("phases:\n", "phases: [\n"), ["theme/libelles.yml:2:", "crochet"]),
    "labels empty": (
        lambda repo: (repo / "theme" / "libelles.yml").write_text(""),
        ["theme/libelles.yml:"],
    ),
}


@pytest.mark.parametrize("command", ["check", "build"])
@pytest.mark.parametrize("case", CASES, ids=CASES.keys())
def test_broken_repository(tmp_path: Path, case: str, command: str) -> None:
    repo = make_repo(tmp_path / "repo", {"2026-martin-lucie": FIXTURES / "minimal"})
    alter, words = CASES[case]
    alter(repo)
    result = CliRunner().invoke(cli, ["-C", str(repo), command])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.stderr, result.stderr
    assert not (repo / "site").exists() or command == "check"


def test_outside_any_repository(tmp_path: Path) -> None:
    for args in (["check"], ["build"]):
        result = CliRunner().invoke(cli, ["-C", str(tmp_path), *args])
        assert result.exit_code == 1
        assert "aucun dépôt livret trouvé" in result.stderr and "-C CHEMIN" in result.stderr
