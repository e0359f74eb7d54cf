"""`livret doctor` on this machine (everything there), and with a piece taken away."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import FIXTURES, ROOT, make_repo
from livret.cli import cli
from livret.doctor import Finding, _store, examine, healthy, theme_families
from livret.project import Project

SLUG = "2026-martin-lucie"


def _doctor(repo: Path, **env: str) -> Result:
    return CliRunner(env={"LIVRET_ACCESS": str(repo.parent / "acces.json"), **env}).invoke(
        cli, ["-C", str(repo), "doctor"]
    )


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = make_repo(tmp_path_factory.mktemp("doctor") / "repo", {SLUG: FIXTURES / "minimal"})
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").write_bytes((ROOT / ".gitignore").read_bytes())
    return repo


@pytest.fixture(scope="module")
def healthy_run(repo: Path) -> Result:
    return _doctor(repo)


def test_everything_is_there_on_this_machine(healthy_run: Result) -> None:
    assert healthy_run.exit_code == 0, healthy_run.output
    lines = healthy_run.stdout.splitlines()
    assert lines[-1] == "Tout est prêt pour construire les livrets."
    assert all(line.startswith("✓ ") for line in lines[:-1]), lines
    for expected in ("Python 3.", "Pango 1.", "pikepdf", "Noto Sans, Noto Serif", "git présent"):
        assert any(expected in line for line in lines), expected
    assert any("Chromium : inutile" in line for line in lines)


def test_the_fonts_are_read_from_the_theme(repo: Path) -> None:
    assert theme_families(Project(repo)) == ["Noto Sans", "Noto Serif"]


def test_a_path_without_git_says_how_to_install_it(repo: Path, tmp_path: Path) -> None:
    result = _doctor(repo, PATH=str(tmp_path))  # an empty folder: no git on the way
    assert result.exit_code == 1
    assert "✗ git introuvable : installez git : sudo apt install git" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("Il manque de quoi construire")
    for platform, advice in (("darwin", "xcode-select --install"), ("win32", "winget install")):
        os.environ["PATH"], saved = str(tmp_path), os.environ["PATH"]
        try:
            found = {f.what: f for f in examine(Project(repo), platform)}
        finally:
            os.environ["PATH"] = saved
        assert advice in found["git introuvable"].todo


@pytest.mark.parametrize("missing", ["Police Absente Livret", "Noto Serif Introuvable"])
def test_a_theme_font_the_machine_lacks_is_named(tmp_path: Path, missing: str) -> None:
    repo = make_repo(tmp_path / "repo", {SLUG: FIXTURES / "minimal"})
    css = repo / "theme" / "pdf" / "commun.css"
    css.write_text(css.read_text(encoding="utf-8").replace('"Noto Sans"', f'"{missing}"', 1))
    result = _doctor(repo)
    assert result.exit_code == 1
    assert (
        f"✗ polices du thème absentes : {missing} : installez les polices Noto : "
        "sudo apt install fonts-noto-core"
    ) in result.stdout
    project = Project(repo)
    mac = {f.what: f.todo for f in examine(project, "darwin")}
    assert "brew install --cask font-noto-sans" in mac[f"polices du thème absentes : {missing}"]


def test_a_store_others_can_read_is_reported_not_fixed(tmp_path: Path) -> None:
    store = tmp_path / "acces.json"
    store.write_text('{"livrets": {}}')
    store.chmod(0o644)
    finding = _store(store)
    assert not finding.ok and "chmod 600" in finding.todo
    assert store.stat().st_mode & 0o777 == 0o644  # the doctor only looks
    store.chmod(0o600)
    assert _store(store).ok
    store.write_text("{pas du json")
    assert not _store(store).ok and "sauvegarde" in _store(store).todo


def test_private_paths_git_would_publish_are_reported(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {SLUG: FIXTURES / "minimal"})
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").write_text("/site/\n")
    result = _doctor(repo)
    assert result.exit_code == 1
    assert "✗ chemins privés exposés à git : .livret: ce chemin privé n'est pas ignoré" in (
        result.stdout
    )


def test_outside_a_repository_only_the_machine_is_checked(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["-C", str(tmp_path), "doctor"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Aucun dépôt livret ici : seule la machine est vérifiée.")
    assert "polices" not in result.stdout


def test_only_required_findings_decide() -> None:
    assert healthy([Finding(True, "a"), Finding(False, "b", "c", required=False)])
    assert not healthy([Finding(True, "a"), Finding(False, "b", "c")])
    assert Finding(False, "b", "faites c").line() == "✗ b : faites c"
