"""Shared fixtures: throwaway repositories built from the shipped examples and fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = sorted(p.name for p in (ROOT / "dossiers").iterdir() if p.is_dir())


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-expected",
        action="store_true",
        help="rewrite the expected error files of tests/malformed from the current output",
    )


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
