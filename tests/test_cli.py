"""The command line, run in-process: exit codes, messages, the dossier template."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from conftest import EXAMPLES
from livret.cli import cli


def run(repo: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["-C", str(repo), *args])


def test_examples_pass_check(repo: Path) -> None:
    result = run(repo, "check")
    assert result.exit_code == 0, result.output
    assert f"{len(EXAMPLES)} dossiers vérifiés" in result.stdout


def test_check_named_dossier(repo: Path) -> None:
    result = run(repo, "check", EXAMPLES[0])
    assert result.exit_code == 0
    assert "1 dossier vérifié" in result.stdout


def test_check_unknown_dossier(repo: Path) -> None:
    result = run(repo, "check", "2026-inconnu")
    assert result.exit_code == 1
    assert result.stderr.startswith("dossiers/2026-inconnu:1:1: dossier introuvable")


def test_new_dossier_passes_check(repo: Path) -> None:
    result = run(repo, "new", "2027-test-anne", "--prenom", "Anne-Marie", "--nom", "D'Arc: fils")
    assert result.exit_code == 0, result.output
    folder = repo / "dossiers" / "2027-test-anne"
    bilan = (folder / "bilan.yml").read_text(encoding="utf-8")
    assert bilan.startswith("# yaml-language-server: $schema=")
    assert '"D\'Arc: fils"' in bilan
    assert (folder / "pieces").is_dir()
    checked = run(repo, "check", "2027-test-anne")
    assert checked.exit_code == 0, checked.output


def test_new_refuses_existing_and_invalid(repo: Path) -> None:
    again = run(repo, "new", EXAMPLES[0])
    assert again.exit_code == 1
    assert "existe déjà" in again.stderr
    bad = run(repo, "new", "Pas_Bon")
    assert bad.exit_code == 1
    assert "nom de dossier invalide" in bad.stderr
    assert not (repo / "dossiers" / "Pas_Bon").exists()


def test_problems_from_several_files_in_one_run(repo: Path) -> None:
    folder = repo / "dossiers" / EXAMPLES[0]
    bilan = folder / "bilan.yml"
    bilan.write_text(bilan.read_text().replace("situation:", "situaton:", 1))
    synthese = folder / "synthese.yml"
    synthese.write_text(synthese.read_text().replace("competences:", "competence:", 1))
    result = run(repo, "check")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert any("bilan.yml" in line and "« situation »" in line for line in lines)
    assert any("synthese.yml" in line and "« competences »" in line for line in lines)
    assert lines == [*sorted(lines[:-1]), lines[-1]]
    assert lines[-1].endswith("problèmes à corriger.")


def test_outside_a_repository(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["-C", str(tmp_path), "check"])
    assert result.exit_code == 1
    assert "aucun dépôt livret" in result.stderr


def test_bug_keeps_its_traceback(repo: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr("livret.cli.check.check_project", broken)
    result = run(repo, "check")
    assert result.exit_code == 1
    assert isinstance(result.exception, RuntimeError)


def test_removed_dossier_folder(repo: Path) -> None:
    shutil.rmtree(repo / "dossiers" / EXAMPLES[0] / "notes")
    assert run(repo, "check").exit_code == 0
