"""Shared fixtures: throwaway repositories built from the shipped examples and fixtures."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from click.testing import CliRunner, Result

from livret.cli import cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = sorted(p.name for p in (ROOT / "dossiers").iterdir() if p.is_dir())

# The suite plays consultants at their own machines; when it runs in CI itself, `CI` must not
# make livret behave as a CI build (it would ask for LIVRET_EQUIPE). Tests of the CI behaviour
# set it themselves.
os.environ.pop("CI", None)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-expected",
        action="store_true",
        help="rewrite the expected error files of tests/malformed from the current output",
    )


def snapshot(base: Path) -> dict[str, tuple[object, ...]]:
    """Every path under `base` with its kind, size, times and bytes; links are not followed."""
    seen: dict[str, tuple[object, ...]] = {}
    for top, dirs, files in os.walk(base):
        for name in [*dirs, *files]:
            path = Path(top) / name
            info = path.lstat()
            content: object = None
            if path.is_symlink():
                content = os.readlink(path)
            elif stat.S_ISREG(info.st_mode):
                content = hashlib.sha256(path.read_bytes()).hexdigest()
            key = path.relative_to(base).as_posix()
            seen[key] = (stat.S_IFMT(info.st_mode), info.st_size, info.st_mtime_ns, content)
    return seen


def make_repo(base: Path, dossiers: dict[str, Path] | None = None) -> Path:
    """A repository in `base`: the project's config, content and theme, plus dossiers."""
    base.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "mkdocs.yml", base / "mkdocs.yml")
    for folder in ("content", "theme"):
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, base / folder)
    (base / "dossiers").mkdir(exist_ok=True)
    for slug, source in (dossiers or {}).items():
        shutil.copytree(source, base / "dossiers" / slug, symlinks=True)
    return base


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository holding the three example dossiers."""
    return make_repo(tmp_path / "repo", {slug: ROOT / "dossiers" / slug for slug in EXAMPLES})


@pytest.fixture
def minimal_repo(tmp_path: Path) -> Path:
    """A repository holding one small valid dossier, `2026-martin-lucie`."""
    return make_repo(tmp_path / "repo", {"2026-martin-lucie": FIXTURES / "minimal"})


@dataclass(frozen=True)
class Built:
    """One real `livret build --json` of the three example dossiers, shared by the session.

    Several modules only read what a build of the examples publishes (decrypted pages, PDFs,
    the browser): building it once saves a full build per module. Read only: a test that
    changes a file copies the booklet first, or makes its own build.
    """

    repo: Path
    out: Path  # the published site folder, one sub-folder per booklet id
    store: Path  # the access store the build wrote (ids and passphrases)
    result: Result
    manifest: Mapping[str, Mapping[str, Any]]  # slug -> its entry of the --json manifest
    ids: Mapping[str, str]  # slug -> booklet id
    passphrases: Mapping[str, str]  # slug -> passphrase

    def booklet(self, slug: str) -> Path:
        """The published folder of one booklet."""
        return self.out / self.ids[slug]

    def pdf(self, slug: str) -> Path:
        """The encrypted synthèse the manifest names for one booklet."""
        return self.repo / str(self.manifest[slug]["pdf"])


@pytest.fixture(scope="session")
def examples_built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The three example dossiers built once, through the real CLI."""
    base = tmp_path_factory.mktemp("exemples")
    repo = make_repo(base / "repo", {slug: ROOT / "dossiers" / slug for slug in EXAMPLES})
    store = base / "acces.json"
    result = CliRunner(env={"LIVRET_ACCESS": str(store)}).invoke(
        cli, ["-C", str(repo), "build", "--json"]
    )
    assert result.exit_code == 0, result.output
    manifest = {b["slug"]: MappingProxyType(b) for b in json.loads(result.stdout)["booklets"]}
    assert sorted(manifest) == EXAMPLES
    assert all(entry["status"] == "built" for entry in manifest.values()), manifest
    access = json.loads(store.read_text())["livrets"]
    return Built(
        repo=repo,
        out=repo / "site",
        store=store,
        result=result,
        manifest=MappingProxyType(manifest),
        ids=MappingProxyType({slug: access[slug]["booklet_id"] for slug in EXAMPLES}),
        passphrases=MappingProxyType({slug: access[slug]["passphrase"] for slug in EXAMPLES}),
    )
