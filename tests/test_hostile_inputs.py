"""Hostile or careless input besides links: provider settings, logos, bad bytes, stale state.

Provider texts reach every page in clear (the lock page, 404.html): they are text, never
markup, checked in a real browser before the passphrase is typed. The logo comes from
theme/ only and an SVG logo may only draw. Invisible control characters and absurd nesting
are errors at their position, never tracebacks, and the other dossiers still build. A
dossier `check` rejects is never reported as "unchanged".
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import FIXTURES, ROOT, make_repo
from livret.cli import cli
from livret.pipeline.fingerprint import booklet_fingerprint, shared_fingerprint
from livret.project import Project
from livret.protect.access import AccessStore
from livret.publish.folders import load_state, save_state, state_path

SLUG = "2026-martin-lucie"
OTHER = "2026-durand-claire"
PWNED = "window.__livret_pwned=1"


def _run(repo: Path, *args: str, store: Path | None = None) -> Result:
    env = {"LIVRET_ACCESS": str(store or repo.parent / "acces.json")}
    return CliRunner(env=env).invoke(cli, ["-C", str(repo), *args])


def _set_line(path: Path, key: str, value: str) -> None:
    """Replace the first `key: …` line of a YAML file (a JSON string is valid YAML)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if line.lstrip().startswith(f"{key}:"):
            indent = line[: len(line) - len(line.lstrip())]
            lines[index] = f"{indent}{key}: {json.dumps(value, ensure_ascii=False)}"
            break
    else:
        raise AssertionError(key)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- provider texts -------------------------------------------------------------------------

SITE_NAME = f'Centre <script>{PWNED}</script> & "Fils"'
COPYRIGHT = (
    f'x <script>fetch("https://evil.example/")</script><img src=https://evil.example/i '
    f'onerror="{PWNED}"> <a href="javascript:{PWNED}">a</a>'
)
LOCK_TITLE = f"<img src=x onerror={PWNED}>Livret"


@pytest.fixture(scope="module")
def provider_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    base = tmp_path_factory.mktemp("prestataire")
    repo = make_repo(base / "repo", {SLUG: FIXTURES / "minimal"})
    _set_line(repo / "mkdocs.yml", "site_name", SITE_NAME)
    _set_line(repo / "mkdocs.yml", "copyright", COPYRIGHT)
    labels = repo / "theme" / "libelles.yml"
    text = labels.read_text(encoding="utf-8")
    old = "  titre: Livret personnel et confidentiel"
    assert old in text
    labels.write_text(text.replace(old, f"  titre: {json.dumps(LOCK_TITLE)}"), encoding="utf-8")
    result = _run(repo, "build", "--json")
    access = json.loads((base / "acces.json").read_text())["livrets"][SLUG]
    return {"repo": repo, "result": result, "access": access}


def test_provider_texts_are_text(provider_build: dict[str, object]) -> None:
    result = provider_build["result"]
    assert isinstance(result, Result)
    assert result.exit_code == 0, result.output
    access = provider_build["access"]
    assert isinstance(access, dict)
    folder = Path(str(provider_build["repo"])) / "site" / access["booklet_id"]
    for name in ("index.html", "404.html"):
        page = (folder / name).read_text()
        assert "<script>window.__livret_pwned" not in page
        assert "onerror=" not in page.replace("onerror=window", "") or "&lt;img" in page
        assert "&lt;script&gt;" in page, name
    assert "&lt;img src=x" in (folder / "index.html").read_text()


@pytest.mark.browser
def test_provider_texts_run_nothing_before_unlock(provider_build: dict[str, object]) -> None:
    pytest.importorskip("playwright.sync_api")
    from browsing import chromium, outside, serve

    access = provider_build["access"]
    assert isinstance(access, dict)
    with serve(Path(str(provider_build["repo"])) / "site") as port, chromium() as browser:
        context = browser.new_context()  # type: ignore[attr-defined]
        requests: list[str] = []
        context.on("request", lambda r: requests.append(r.url))
        page = context.new_page()
        for name in ("index.html", "404.html", "nope.html"):
            page.goto(f"http://127.0.0.1:{port}/{access['booklet_id']}/{name}")
            page.wait_for_load_state("load")
            assert page.evaluate("() => window.__livret_pwned === undefined"), name
        page.goto(f"http://127.0.0.1:{port}/{access['booklet_id']}/index.html")
        page.wait_for_function("window.encryptcontent_done === true")
        assert SITE_NAME in page.title()
        body = page.inner_text("body")
        assert "<script>fetch(" in body and "<img src=x" in body
        context.close()
    assert not outside(requests, port), outside(requests, port)


@pytest.mark.parametrize("title", ["Vos <b>droits</b>", "x <script>alert(1)</script>", "a > b"])
def test_markup_in_a_page_title_is_refused(tmp_path: Path, title: str) -> None:
    repo = make_repo(tmp_path / "repo", {SLUG: FIXTURES / "minimal"})
    page = repo / "content" / "vos-droits.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace(text.split("\n")[1], f"titre: {json.dumps(title)}", 1))
    result = _run(repo, "build")
    assert result.exit_code == 1
    assert "les signes < et > sont interdits" in result.stderr
    assert not any(p.is_dir() for p in (repo / "site").iterdir())


# --- logo -------------------------------------------------------------------------------------

SVG_HEADER = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
HOSTILE_LOGOS = {
    "script.svg": f"{SVG_HEADER}<script>alert(1)</script></svg>",
    "onload.svg": SVG_HEADER.replace(">", ' onload="alert(1)">', 1) + "</svg>",
    "lien.svg": f'{SVG_HEADER}<a href="https://evil.example/"><text>x</text></a></svg>',
    "image.svg": f'{SVG_HEADER}<image href="https://evil.example/x.png"/></svg>',
    "style.svg": f"{SVG_HEADER}<style>@import url(https://evil.example/a.css);</style></svg>",
    "attribut.svg": f'{SVG_HEADER}<rect fill="url(https://evil.example/p#a)"/></svg>',
    "entite.svg": '<!DOCTYPE svg [<!ENTITY x "y">]>' + SVG_HEADER + "&x;</svg>",
    "objet.svg": f"{SVG_HEADER}<foreignObject><div>x</div></foreignObject></svg>",
    "faux.png": "ceci n'est pas une image",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_LOGOS))
def test_hostile_logo_is_refused_at_its_line(tmp_path: Path, name: str) -> None:
    repo = make_repo(tmp_path / "repo", {SLUG: FIXTURES / "minimal"})
    (repo / "theme" / name).write_text(HOSTILE_LOGOS[name])
    _set_line(repo / "mkdocs.yml", "logo", f"theme/{name}")
    line = next(
        i for i, t in enumerate((repo / "mkdocs.yml").read_text().splitlines(), 1) if "logo:" in t
    )
    result = _run(repo, "check")
    assert result.exit_code == 1
    assert f"mkdocs.yml:{line}:" in result.stderr and "logo refusé" in result.stderr


@pytest.mark.parametrize(
    "where",
    ["dossiers/2026-martin-lucie/pieces/logo.png", "/etc/hostname", "../dehors.svg", "lien"],
)
def test_logo_from_outside_theme_is_refused(tmp_path: Path, where: str) -> None:
    repo = make_repo(tmp_path / "repo", {SLUG: FIXTURES / "minimal"})
    (repo / "dossiers" / SLUG / "pieces").mkdir(exist_ok=True)
    (repo / "dossiers" / SLUG / "pieces" / "logo.png").write_bytes(
        (ROOT / "dossiers/2026-morel-sophie/pieces/carte-mentale.png").read_bytes()
    )
    (tmp_path / "dehors.svg").write_text(f"{SVG_HEADER}</svg>")
    if where == "lien":  # a link inside theme/ that leads into a dossier
        (repo / "theme" / "lien.png").symlink_to(repo / "dossiers" / SLUG / "pieces" / "logo.png")
        where = "theme/lien.png"
    _set_line(repo / "mkdocs.yml", "logo", where)
    result = _run(repo, "build")
    assert result.exit_code == 1
    assert "le logo doit être un fichier du dossier theme/" in result.stderr
    assert not (repo / "site").exists() or not any((repo / "site").iterdir())


# --- bad bytes --------------------------------------------------------------------------------

INVISIBLE = ["\x0b", "\x00", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\x0c", "\x08"]


@pytest.mark.parametrize("char", INVISIBLE)
def test_invisible_character_is_an_error_and_others_still_build(tmp_path: Path, char: str) -> None:
    repo = make_repo(
        tmp_path / "repo", {SLUG: FIXTURES / "minimal", OTHER: ROOT / "dossiers" / OTHER}
    )
    bilan = repo / "dossiers" / SLUG / "bilan.yml"
    text = bilan.read_text(encoding="utf-8")
    bilan.write_text(text.replace("nom: Martin", f"nom: Mar{char}tin"), encoding="utf-8")
    line = text.splitlines().index("  nom: Martin") + 1
    expected = f"dossiers/{SLUG}/bilan.yml:{line}:11: caractère invisible U+{ord(char):04X}"
    check = _run(repo, "check")
    assert check.exit_code == 1 and expected in check.stderr, check.stderr
    assert "Traceback" not in check.output
    build = _run(repo, "build", "--json", "-j", "1")
    assert build.exit_code == 1
    statuses = {b["slug"]: b["status"] for b in json.loads(build.stdout)["booklets"]}
    assert statuses == {SLUG: "failed", OTHER: "built"}


@pytest.mark.parametrize(
    ("nesting", "message"),
    [
        ("[" * 500, "crochets ou accolades imbriqués"),
        ("{" * 500, "crochets ou accolades imbriqués"),
        ("[" * 40 + "{" * 40, "crochets ou accolades imbriqués"),
        ("\n" + "".join("  " * i + "-\n" for i in range(600)), "structure trop imbriquée"),
    ],
)
def test_absurd_nesting_is_an_error(tmp_path: Path, nesting: str, message: str) -> None:
    repo = make_repo(tmp_path / "repo", {SLUG: FIXTURES / "minimal"})
    synthese = repo / "dossiers" / SLUG / "synthese.yml"
    synthese.write_text(f"bizarre: {nesting}\n" + synthese.read_text(encoding="utf-8"))
    result = _run(repo, "check")
    assert result.exit_code == 1
    assert f"dossiers/{SLUG}/synthese.yml:" in result.stderr and message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "bad", ["Ana\u2028", "A\u2029na", "Ana\x85", "A\nna", "Ana\t", "\x00", " "]
)
def test_new_refuses_names_that_break_the_yaml(tmp_path: Path, bad: str) -> None:
    repo = make_repo(tmp_path / "repo")
    result = _run(repo, "new", "2026-rocha-ana", "--prenom", bad, "--nom", "Rocha")
    assert result.exit_code == 1 and "prénom invalide" in result.stderr
    assert not (repo / "dossiers" / "2026-rocha-ana").exists()


# --- never "unchanged" when check rejects it ---------------------------------------------------


def test_unchanged_fingerprint_but_rejected_dossier_is_failed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {SLUG: FIXTURES / "minimal"})
    store = tmp_path / "acces.json"
    assert _run(repo, "build", store=store).exit_code == 0
    project = Project(repo)
    out = (repo / "site").resolve()
    published = sorted(p for p in out.iterdir() if p.is_dir())
    before = {p: p.read_bytes() for p in published[0].rglob("*") if p.is_file()}
    # The dossier now fails `check`, and its recorded fingerprint says it is the same as
    # what was published (as a rule that the fingerprint does not see would make it).
    synthese = repo / "dossiers" / SLUG / "synthese.yml"
    synthese.write_text(synthese.read_text().replace("niveau: 3", "niveau: 9"))
    os.environ["LIVRET_ACCESS"] = str(store)
    try:
        access = AccessStore(project).get(SLUG)
    finally:
        del os.environ["LIVRET_ACCESS"]
    assert access is not None
    path = state_path(project, out)
    state = load_state(path)
    state[SLUG]["empreinte"] = booklet_fingerprint(
        shared_fingerprint(project), repo / "dossiers" / SLUG, access
    )
    save_state(path, out, state)
    result = _run(repo, "build", "--json", store=store)
    assert result.exit_code == 1
    (booklet,) = json.loads(result.stdout)["booklets"]
    assert booklet["status"] == "failed"
    assert any("synthese.yml" in line and "niveau" in line for line in booklet["errors"])
    assert {p: p.read_bytes() for p in published[0].rglob("*") if p.is_file()} == before


def test_png_logo_is_published_without_its_metadata(tmp_path: Path) -> None:
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    repo = make_repo(tmp_path / "repo", {SLUG: FIXTURES / "minimal"})
    info = PngInfo()
    info.add_text("Comment", "Kanasecretlogo")
    Image.new("RGB", (40, 20), "navy").save(repo / "theme" / "logo.png", pnginfo=info)
    _set_line(repo / "mkdocs.yml", "logo", "theme/logo.png")
    result = _run(repo, "build")
    assert result.exit_code == 0, result.output
    (logo,) = (repo / "site").glob("*/assets/logo.png")
    assert b"Kanasecretlogo" not in logo.read_bytes() and b"tEXt" not in logo.read_bytes()
    with Image.open(logo) as published:
        assert published.size == (40, 20)
