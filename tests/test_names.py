"""Real names that occur as words in what livret publishes in clear never stop a build.

The names are found, not chosen: every word of every clear file of a real booklet
(Material's bundle and stylesheets, our scripts, the shell of each page), intersected with
Faker's lists of real first names and surnames. A dossier made of those names must build
and show them once unlocked; the same name written in the clear shell is still a leak.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import material
import pytest
from click.testing import CliRunner
from faker.providers.person.en_US import Provider as English
from faker.providers.person.fr_FR import Provider as French
from faker.providers.person.pt_BR import Provider as Brazilian

from conftest import FIXTURES, ROOT, make_repo
from decrypt import decrypt_all
from livret.cli import cli
from livret.outputs.site import DECRYPT_SCRIPT
from livret.verify import UnsafeBooklet, verify_booklet

SLUG = "2026-martin-lucie"
THEME_DIRS = [ROOT / "theme" / "material", Path(material.__file__).parent / "templates"]


def _real_names() -> set[str]:
    names: set[str] = set()
    for provider in (French, English, Brazilian):
        for attribute in ("first_names", "last_names", "first_names_male", "first_names_female"):
            values = getattr(provider, attribute, ())
            names |= {str(n) for n in values if len(str(n)) >= 4 and str(n).isalpha()}
    return names


def _build(repo: Path, store: Path) -> dict[str, str]:
    result = CliRunner(env={"LIVRET_ACCESS": str(store)}).invoke(
        cli, ["-C", str(repo), "build", "--json"]
    )
    assert result.exit_code == 0, result.output
    return dict(json.loads(store.read_text())["livrets"][SLUG])


@pytest.fixture(scope="module")
def names_in_assets(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Real names spelled by the clear files of an ordinary booklet."""
    base = tmp_path_factory.mktemp("reference")
    repo = make_repo(base / "repo", {SLUG: FIXTURES / "minimal"})
    access = _build(repo, base / "acces.json")
    words: set[str] = set()
    for path in (repo / "site" / access["booklet_id"]).rglob("*"):
        if path.is_file() and path.suffix in (".html", ".js", ".css", ".svg"):
            text = re.sub(r"[A-Za-z0-9+/=]{24,}", " ", path.read_text(errors="replace"))
            words |= set(re.findall(r"[^\W\d_]+", text.casefold()))
    found = sorted(n for n in _real_names() if n.casefold() in words)
    assert len(found) >= 5, found  # "Page", "Rocha", "Mark"… are there today
    return found


@pytest.fixture(scope="module")
def named_build(
    tmp_path_factory: pytest.TempPathFactory, names_in_assets: list[str]
) -> dict[str, object]:
    base = tmp_path_factory.mktemp("noms")
    repo = make_repo(base / "repo", {SLUG: FIXTURES / "minimal"})
    folder = repo / "dossiers" / SLUG
    first, last, *others = names_in_assets
    bilan = (folder / "bilan.yml").read_text(encoding="utf-8")
    bilan = bilan.replace("prenom: Lucie", f"prenom: {first}").replace(
        "nom: Martin", f"nom: {last}"
    )
    (folder / "bilan.yml").write_text(bilan, encoding="utf-8")
    synthese = (folder / "synthese.yml").read_text(encoding="utf-8")
    synthese = synthese.replace("valeurs: [Autonomie]", f"valeurs: [{', '.join(others)}]")
    (folder / "synthese.yml").write_text(synthese, encoding="utf-8")
    access = _build(repo, base / "acces.json")
    return {"repo": repo, "access": access, "names": names_in_assets}


def test_names_found_in_assets_build_and_show(named_build: dict[str, object]) -> None:
    access = named_build["access"]
    names = named_build["names"]
    assert isinstance(access, dict) and isinstance(names, list)
    folder = Path(str(named_build["repo"])) / "site" / access["booklet_id"]
    shown = ""
    for page in folder.glob("*.html"):
        if page.name != "404.html":
            shown += "\n".join(decrypt_all(page.read_text(), access["passphrase"]))
    for name in names:
        assert name in shown, name


def test_the_same_name_in_the_clear_shell_is_a_leak(
    named_build: dict[str, object], tmp_path: Path
) -> None:
    access = named_build["access"]
    names = named_build["names"]
    assert isinstance(access, dict) and isinstance(names, list)
    source = Path(str(named_build["repo"])) / "site" / access["booklet_id"]
    unlock = {DECRYPT_SCRIPT: (source / DECRYPT_SCRIPT).read_bytes()}
    for name in names[:3]:
        copy = tmp_path / name
        shutil.copytree(source, copy)
        page = copy / "index.html"
        page.write_text(page.read_text().replace("</footer>", f"<p>{name}</p></footer>"))
        with pytest.raises(UnsafeBooklet, match="donnée personnelle"):
            verify_booklet(copy, [name], access["passphrase"], THEME_DIRS, unlock)
        # In an attribute too.
        page.write_text(
            (source / "index.html").read_text().replace("<footer", f'<footer title="{name}"')
        )
        with pytest.raises(UnsafeBooklet, match="donnée personnelle"):
            verify_booklet(copy, [name], access["passphrase"], THEME_DIRS, unlock)
