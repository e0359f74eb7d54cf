"""Hostile links in dossier text: decided on the decoded URL, by allowlist, everywhere.

Each variant is one way a browser can be made to read `javascript:` (or another scheme
that runs, loads or leaves the booklet) from what looks like something else. They are
checked three times: by the renderer alone (every variant in every Markdown form), in a
real build opened in headless Chromium (no script runs, no link keeps a bad scheme, no
request leaves 127.0.0.1), and in the synthèse PDF (no link action but web and mail).
"""

from __future__ import annotations

import json
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from selectolax.lexbor import LexborHTMLParser

from conftest import FIXTURES, make_repo
from decrypt import decrypt_all
from livret.cli import cli
from livret.protect.urls import browser_form, decide
from livret.render.markdown import MarkdownRenderer, Origin

PAYLOAD = "window.__livret_pwned=1"
HOSTILE = [
    f"javascript:{PAYLOAD}",
    f"JavaScript:{PAYLOAD}",
    f"JAVASCRIPT:{PAYLOAD}",
    f"&#106;avascript:{PAYLOAD}",
    f"&#0000106;avascript:{PAYLOAD}",
    f"&#x6A;avascript:{PAYLOAD}",
    f"&#X6a;avascript:{PAYLOAD}",
    f"&#x000006a;avascript:{PAYLOAD}",
    f"&#106&#97&#118&#97&#115&#99&#114&#105&#112&#116&#58{PAYLOAD}",
    f"jav&#x61;script:{PAYLOAD}",
    f"java&#9;script:{PAYLOAD}",
    f"java&#x09;script:{PAYLOAD}",
    f"java&Tab;script:{PAYLOAD}",
    f"java&NewLine;script:{PAYLOAD}",
    f"java&#10;script:{PAYLOAD}",
    f"java&#13;script:{PAYLOAD}",
    f"javascript&colon;{PAYLOAD}",
    f"javascript&#58;{PAYLOAD}",
    f"javascript&#x3a;{PAYLOAD}",
    f"&#x20;javascript:{PAYLOAD}",
    f"&#1;javascript:{PAYLOAD}",
    f"&#x1f;javascript:{PAYLOAD}",
    f"&#0;javascript:{PAYLOAD}",
    f"&#x2028;javascript:{PAYLOAD}",
    f"\x01javascript:{PAYLOAD}",
    f"java\x00script:{PAYLOAD}",
    f"javascript://%0a{PAYLOAD}",
    "vbscript:msgbox(1)",
    "VBScript&colon;msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "&#100;ata:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
    "file:///etc/passwd",
    "&#102;ile:///etc/passwd",
    "//evil.example/x",
    "&#47;/evil.example/x",
    "https:evil.example",
    "https:/\\evil.example",
    "/\\evil.example",
    "blob:https://evil.example/0",
    "intent://evil#Intent;end",
    "about:blank",
    "chrome://settings",
    "ftp://evil.example/",
    "tel:+33600000000",
    "%6Aavascript:x",
    "pieces/inventaire.pdf",
    "../../index.html",
    "/etc/passwd",
]
KEPT = {
    "https://www.francetravail.fr/": "https://www.francetravail.fr/",
    "HTTPS://moncompteformation.gouv.fr/?a=1&b=2": "https://moncompteformation.gouv.fr/?a=1&b=2",
    "http://example.org/page#ancre": "http://example.org/page#ancre",
    "mailto:contact@example.org": "mailto:contact@example.org",
    "plan-action.html": "plan-action.html",
    "pistes.html#piste-1": "pistes.html#piste-1",
    "#haut": "#haut",
}
FORMS = {
    "inline": "Voir [ce lien]({url}) ici.",
    "titled": 'Voir [ce lien]({url} "titre") ici.',
    "angle": "Voir [ce lien](<{url}>) ici.",
    "reference": "Voir [ce lien][ref] ici.\n\n[ref]: {url}",
    "reference-titled": 'Voir [ce lien][ref] ici.\n\n[ref]: {url} "titre"',
}


def _links(fragment: str) -> list[str]:
    """Every href as the browser reads it (decoded by an HTML5 parser)."""
    root = LexborHTMLParser(fragment).root
    assert root is not None
    return [
        str(node.attributes.get("href") or "")
        for node in root.traverse(include_text=False)
        if node.tag == "a" and "href" in node.attributes
    ]


def _allowed(href: str) -> bool:
    link = decide(browser_form(href.replace("&", "&amp;")))
    return link is not None and link.url == href


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_link_loses_its_target(url: str, form: str) -> None:
    renderer = MarkdownRenderer()
    html = str(renderer.render(FORMS[form].format(url=url), Origin("notes/n.md", 7)))
    assert "ce lien" in html or "Voir" in html  # the text stays
    for href in _links(html):
        assert _allowed(href), (url, form, html)
    assert "javascript" not in " ".join(_links(html)).lower()


@pytest.mark.parametrize("url", [u for u in HOSTILE if "\x00" not in u and "\x01" not in u])
def test_removed_link_is_a_warning_at_its_position(url: str) -> None:
    renderer = MarkdownRenderer()
    renderer.render(f"Premier paragraphe.\n\nVoir [ce lien]({url}).", Origin("notes/n.md", 7))
    warnings = [p for p in renderer.problems if p.warning]
    html_links = _links(str(MarkdownRenderer().render(f"[x]({url})", Origin("n.md", 1))))
    if not html_links and not warnings:
        # Python-Markdown did not read it as a link at all: it stays plain text.
        return
    assert len(warnings) == 1, (url, renderer.problems)
    assert (warnings[0].path, warnings[0].line, warnings[0].column) == ("notes/n.md", 9, 16)
    assert "lien retiré" in warnings[0].message


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("url", sorted(KEPT))
def test_ordinary_links_stay(url: str, form: str) -> None:
    renderer = MarkdownRenderer()
    html = str(renderer.render(FORMS[form].format(url=url), Origin("n.md", 1)))
    assert _links(html) == [KEPT[url]], html
    assert not renderer.problems
    if KEPT[url].startswith("http"):
        assert 'rel="noopener noreferrer"' in html and 'target="_blank"' in html


def test_autolinks_and_raw_html_stay_data() -> None:
    renderer = MarkdownRenderer()
    text = (
        "<javascript:alert(1)> <https://exemple.fr/> <contact@example.org> "
        '<a href="javascript:alert(1)">a</a> <img src=x onerror=alert(1)>'
    )
    html = str(renderer.render(text, Origin("n.md", 1)))
    links = _links(html)
    assert "https://exemple.fr/" in links
    assert all(_allowed(h) for h in links), html
    assert "onerror=" not in html.replace("onerror=alert", "")  # escaped text only
    assert "<img" not in html and "&lt;img" in html


# --- through a real build, in a real browser ----------------------------------------------------

SLUG = "2026-martin-lucie"
BUILD_VARIANTS = [u for u in HOSTILE if u.isprintable()][:32]  # raw controls: refused


def _hostile_dossier(folder: Path) -> None:
    """The minimal dossier with hostile links in a note, the demande, a step and a piste."""
    links = " ".join(f"[lien {i}]({url})" for i, url in enumerate(BUILD_VARIANTS))
    references = "\n".join(f"[r{i}]: {url}" for i, url in enumerate(BUILD_VARIANTS))
    uses = " ".join(f"[ref {i}][r{i}]" for i in range(len(BUILD_VARIANTS)))
    note = folder / "notes" / "entretien.md"
    note.write_text(
        note.read_text(encoding="utf-8")
        + f"\n\n{links}\n\n{uses}\n\n{references}\n\n[bon](https://www.francetravail.fr/)\n",
        encoding="utf-8",
    )
    synthese = folder / "synthese.yml"
    text = synthese.read_text(encoding="utf-8")
    text = text.replace(
        "demande: |\n",
        "demande: |\n  Voir [ici](&#106;avascript:window.__livret_pwned=1) et "
        "[là](java&Tab;script:window.__livret_pwned=1), "
        "[France Travail](https://www.francetravail.fr/).\n",
    )
    text = text.replace(
        "  - etape: Contacter un organisme de formation",
        "  - etape: 'Contacter [un organisme](javascript&colon;window.__livret_pwned=1)'",
    )
    synthese.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    base = tmp_path_factory.mktemp("liens")
    repo = make_repo(base / "repo", {SLUG: FIXTURES / "minimal"})
    _hostile_dossier(repo / "dossiers" / SLUG)
    store = base / "acces.json"
    env = {"LIVRET_ACCESS": str(store)}
    check = CliRunner(env=env).invoke(cli, ["-C", str(repo), "check"])
    build = CliRunner(env=env).invoke(cli, ["-C", str(repo), "build", "--json"])
    access = json.loads(store.read_text())["livrets"][SLUG]
    return {"repo": repo, "check": check, "build": build, "access": access}


def test_check_warns_but_accepts(hostile_build: dict[str, object]) -> None:
    check = hostile_build["check"]
    assert check.exit_code == 0, check.output  # type: ignore[attr-defined]
    lines = check.stderr.splitlines()  # type: ignore[attr-defined]
    warned = [line for line in lines if "avertissement : lien retiré" in line]
    # A reference link is reported where its URL is first written: once per URL at least.
    assert len(warned) >= len(BUILD_VARIANTS), lines
    assert any(line.startswith("dossiers/2026-martin-lucie/synthese.yml:2:") for line in warned)
    assert any(line.startswith("dossiers/2026-martin-lucie/notes/entretien.md:") for line in warned)
    assert "avertissement" in check.stdout  # type: ignore[attr-defined]


def test_strict_check_refuses(hostile_build: dict[str, object]) -> None:
    repo = hostile_build["repo"]
    result = CliRunner().invoke(cli, ["-C", str(repo), "check", "--strict"])
    assert result.exit_code == 1
    assert "lien retiré" in result.stderr and "avertissement" not in result.stderr


def test_published_pages_keep_no_hostile_link(hostile_build: dict[str, object]) -> None:
    build = hostile_build["build"]
    assert build.exit_code == 0, build.output  # type: ignore[attr-defined]
    manifest = json.loads(build.stdout)  # type: ignore[attr-defined]
    assert manifest["booklets"][0]["warnings"]
    access = hostile_build["access"]
    assert isinstance(access, dict)
    folder = Path(str(hostile_build["repo"])) / "site" / access["booklet_id"]
    seen = 0
    for page in folder.glob("*.html"):
        if page.name == "404.html":
            continue
        for part in decrypt_all(page.read_text(), access["passphrase"]):
            for href in _links(part):
                seen += 1
                local = href.startswith("#") or (":" not in href.split("#")[0])
                assert local or href.startswith(("https://", "http://", "mailto:")), href
    assert seen > 10


def test_pdf_has_only_web_and_mail_links(hostile_build: dict[str, object]) -> None:
    repo = Path(str(hostile_build["repo"]))
    with pikepdf.open(repo / "syntheses" / f"{SLUG}.pdf") as pdf:
        uris = []
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                action = annot.get("/A")
                if action is not None and action.get("/S") == "/URI":
                    uris.append(str(action.get("/URI")))
                assert action is None or action.get("/S") in ("/URI", "/GoTo"), action
    assert uris, "the good link is kept"
    assert all(u.startswith(("https://", "http://", "mailto:")) for u in uris), uris


@pytest.mark.browser
def test_no_script_runs_and_nothing_leaves_in_chromium(hostile_build: dict[str, object]) -> None:
    pytest.importorskip("playwright.sync_api")
    from browsing import chromium, outside, serve
    from chromium import UNLOCKED

    access = hostile_build["access"]
    assert isinstance(access, dict)
    site = Path(str(hostile_build["repo"])) / "site"
    with serve(site) as port, chromium() as browser:
        context = browser.new_context()  # type: ignore[attr-defined]
        requests: list[str] = []
        dialogs: list[str] = []
        context.on("request", lambda r: requests.append(r.url))
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        base = f"http://127.0.0.1:{port}/{access['booklet_id']}/"
        page.goto(base + "notes.html")
        page.wait_for_function("window.encryptcontent_done === true")
        page.fill("#mkdocs-content-password", access["passphrase"])
        page.keyboard.press("Enter")
        page.wait_for_function(UNLOCKED)
        clicked = 0
        for name in ("notes.html", "index.html", "plan-action.html"):
            page.goto(base + name)
            page.wait_for_function(UNLOCKED)
            protocols = page.evaluate(
                "() => Array.from(document.querySelectorAll('a[href]'), a => a.protocol)"
            )
            assert set(protocols) <= {"http:", "https:", "mailto:"}, (name, protocols)
            # Click every link that lost its target: it must do nothing at all.
            count = page.evaluate(
                "() => { let n = 0; for (const a of document.querySelectorAll("
                "'#mkdocs-decrypted-content a:not([href])')) { a.click(); n++; } return n; }"
            )
            clicked += count
            assert page.evaluate("() => window.__livret_pwned === undefined"), name
        context.close()
    assert clicked >= len(BUILD_VARIANTS)
    assert not dialogs
    assert not outside(requests, port), outside(requests, port)
