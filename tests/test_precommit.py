"""The pre-commit hook, with the real `pre-commit` tool and real git commits.

Offline by design: this repository's `.pre-commit-config.yaml` is a `repo: local` hook of
`language: script` that runs the repository's own livret (`.venv/bin/livret`), so
pre-commit downloads nothing. `.pre-commit-hooks.yaml` (for other repositories,
`language: python`) needs the network on first install, as any such hook does: it is
checked with pre-commit's own validator and kept in step with the local hook.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import FIXTURES, ROOT, make_repo
from livret.pipeline.staged import HOOK_FILES, dossiers_of_files
from livret.project import Project

SLUG = "2026-martin-lucie"
OTHER = "2026-durand-paul"
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"


def _yaml(path: Path) -> object:
    return YAML(typ="safe").load(path)


# --- the definitions ----------------------------------------------------------------------------


def test_pre_commit_validates_both_files() -> None:
    for command, name in (
        ("validate-manifest", ".pre-commit-hooks.yaml"),
        ("validate-config", ".pre-commit-config.yaml"),
    ):
        result = subprocess.run(
            [str(PRE_COMMIT), command, str(ROOT / name)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_local_hook_is_the_published_one() -> None:
    (published,) = _yaml(ROOT / ".pre-commit-hooks.yaml")  # type: ignore[misc]
    config = _yaml(ROOT / ".pre-commit-config.yaml")
    assert isinstance(config, dict)
    (repo,) = config["repos"]
    assert repo["repo"] == "local"
    (local,) = repo["hooks"]
    for key in ("id", "name", "description", "files", "pass_filenames", "require_serial"):
        assert local[key] == published[key], key
    assert published["id"] == "livret-check" and published["language"] == "python"
    assert published["entry"] == "livret check --fichiers"
    assert published["files"] == HOOK_FILES
    # The local entry runs the same command with the repository's own livret.
    script = (ROOT / local["entry"]).read_text(encoding="utf-8")
    assert script.count('check --fichiers "$@"') == 2
    assert os.access(ROOT / local["entry"], os.X_OK)


# --- which dossiers a list of files concerns ----------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Project:
    repo = make_repo(tmp_path / "repo", {SLUG: FIXTURES / "minimal", OTHER: FIXTURES / "minimal"})
    return Project(repo.resolve())


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        ([f"dossiers/{SLUG}/bilan.yml"], [SLUG]),
        ([f"./dossiers/{SLUG}/notes/entretien.md"], [SLUG]),
        ([f"dossiers/{SLUG}/pieces/a.pdf", f"dossiers/{SLUG}/synthese.yml"], [SLUG]),
        ([f"dossiers/{OTHER}/bilan.yml", f"dossiers/{SLUG}/bilan.yml"], [OTHER, SLUG]),
        ([f"dossiers/{SLUG}/../{OTHER}/bilan.yml"], [OTHER]),
        ([f"dossiers/{SLUG}"], [SLUG]),
        (["dossiers/README.md"], []),
        (["dossiers/.modeles/bilan.yml"], []),
        (["README.md", "scripts/livret/cli/check.py", "theme/pages/accueil.html"], []),
        (["theme/pdf/synthese.css", ".gitignore", "registre-destructions.csv"], []),
        (["../ailleurs/dossiers/x/bilan.yml", "/etc/dossiers/x/bilan.yml"], []),
        ([], []),
        (["mkdocs.yml"], None),
        (["content/droits.md"], None),
        (["theme/libelles.yml"], None),
        ([f"dossiers/{SLUG}/bilan.yml", "mkdocs.yml"], None),
    ],
)
def test_dossiers_of_files(project: Project, paths: list[str], expected: list[str] | None) -> None:
    assert dossiers_of_files(project, paths, cwd=project.root) == expected


def test_paths_are_read_from_the_current_folder(project: Project) -> None:
    inside = project.root / "dossiers" / SLUG
    assert dossiers_of_files(project, ["bilan.yml", "notes/x.md"], cwd=inside) == [SLUG]
    assert dossiers_of_files(project, ["../../mkdocs.yml"], cwd=inside) is None


# --- real commits -------------------------------------------------------------------------------


class GitRepo:
    """A consultant's repository under git, with the hook installed by pre-commit itself."""

    def __init__(self, base: Path) -> None:
        self.root = make_repo(base / "repo", {SLUG: FIXTURES / "minimal"})
        for name in (".gitignore", ".pre-commit-config.yaml", "scripts/pre-commit-livret"):
            (self.root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, self.root / name)
        (self.root / "README.md").write_text("Dépôt de test\n", encoding="utf-8")
        # The repository's .venv as `make demo` makes it; here its livret is this checkout's.
        shim = self.root / ".venv" / "bin" / "livret"
        shim.parent.mkdir(parents=True)
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m livret "$@"\n')
        shim.chmod(0o755)
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT / "scripts"),
            "PRE_COMMIT_HOME": str(base / "cache-pre-commit"),
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Test",
            "GIT_AUTHOR_EMAIL": "test@example.org",
            "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.org",
            "NO_COLOR": "1",
        }
        self.git("init", "-q", "-b", "main")
        self.git("add", "-A")
        self.git("commit", "-q", "--no-verify", "-m", "Dépôt")
        installed = self.run(str(PRE_COMMIT), "install")
        assert installed.returncode == 0, installed.stdout + installed.stderr

    def run(
        self, *command: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, cwd=self.root, env=env or self.env, capture_output=True, text=True
        )

    def git(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = self.run("git", *args)
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    def commit(self, *paths: str, env: dict[str, str] | None = None) -> tuple[int, str]:
        self.git("add", *paths)
        result = self.run("git", "commit", "-m", "Modification", env=env)
        return result.returncode, result.stdout + result.stderr

    def commits(self) -> int:
        return int(self.git("rev-list", "--count", "HEAD").stdout)

    def add_dossier(self, slug: str, *, broken: bool = False) -> Path:
        folder = self.root / "dossiers" / slug
        shutil.copytree(FIXTURES / "minimal", folder)
        if broken:
            _break(folder / "bilan.yml")
        return folder


def _break(bilan: Path) -> None:
    text = bilan.read_text(encoding="utf-8")
    bilan.write_text(text.replace("situation: salarie", "situation: salariee"), encoding="utf-8")


BROKEN = "bilan.yml:4:14: "  # `situation: salariee`, at the value


@pytest.fixture
def git_repo(tmp_path: Path) -> GitRepo:
    return GitRepo(tmp_path)


def test_a_broken_dossier_is_refused_with_its_position(git_repo: GitRepo) -> None:
    _break(git_repo.root / "dossiers" / SLUG / "bilan.yml")
    code, output = git_repo.commit(f"dossiers/{SLUG}")
    assert code != 0
    assert f"dossiers/{SLUG}/{BROKEN}" in output
    assert "salariee" in output and "problème à corriger" in output
    assert git_repo.commits() == 1


def test_a_good_dossier_is_committed(git_repo: GitRepo) -> None:
    git_repo.add_dossier(OTHER)
    code, output = git_repo.commit(f"dossiers/{OTHER}")
    assert code == 0, output
    assert "livret check" in output and "Passed" in output
    assert git_repo.commits() == 2


def test_only_the_staged_dossiers_are_checked(git_repo: GitRepo) -> None:
    """A broken dossier left out of the commit neither blocks it nor is checked."""
    git_repo.add_dossier("2026-brouillon-x", broken=True)  # untracked, not staged
    git_repo.add_dossier(OTHER)
    code, output = git_repo.commit(f"dossiers/{OTHER}")
    assert code == 0, output
    assert "brouillon" not in output


def test_a_commit_outside_the_dossiers_runs_no_check(git_repo: GitRepo) -> None:
    git_repo.add_dossier("2026-brouillon-x", broken=True)
    _break(git_repo.root / "dossiers" / SLUG / "bilan.yml")  # tracked, changed, not staged
    (git_repo.root / "README.md").write_text("Autre texte\n", encoding="utf-8")
    code, output = git_repo.commit("README.md")
    assert code == 0, output
    assert "(no files to check)Skipped" in output


def test_the_staged_version_is_checked_not_the_working_copy(git_repo: GitRepo) -> None:
    folder = git_repo.add_dossier(OTHER)
    git_repo.git("add", f"dossiers/{OTHER}")
    _break(folder / "bilan.yml")  # after staging: pre-commit sets it aside while checking
    code, output = git_repo.commit("README.md")
    assert code == 0, output
    assert "salariee" in (folder / "bilan.yml").read_text(encoding="utf-8")  # given back


def test_a_stricter_cadre_checks_every_dossier(git_repo: GitRepo) -> None:
    config = git_repo.root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("duree_maximale_heures: 24", "duree_maximale_heures: 12")
    config.write_text(text.replace("duree_minimale_heures: 13", "duree_minimale_heures: null"))
    code, output = git_repo.commit("mkdocs.yml")
    assert code != 0
    assert f"dossiers/{SLUG}/bilan.yml:" in output and "L6313-4" in output


def test_without_livret_the_commit_is_refused(git_repo: GitRepo) -> None:
    shutil.rmtree(git_repo.root / ".venv")
    path = "/usr/bin:/bin"
    if shutil.which("livret", path=path):
        pytest.skip("livret est installé pour tout le système")
    git_repo.add_dossier(OTHER)
    code, output = git_repo.commit(f"dossiers/{OTHER}", env={**git_repo.env, "PATH": path})
    assert code != 0
    assert "livret introuvable" in output and "make demo" in output
