"""The booklet in a real browser: headless Debian Chromium, served on 127.0.0.1 and from file://.

In a real browser: a wrong passphrase shows the French error; the right one
shows the content; the next page opens without retyping; a new browser context is locked
again; the page makes no request outside 127.0.0.1, nor any network request from
file://. Also the action plan ticks (localStorage) and the phone layout.

One build of the example dossier 2026-durand-claire and one browser for the module;
each test gets a fresh browser context.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from chromium import CHROMIUM_ARGS, UNLOCKED
from conftest import Built as Examples
from livret.dossier.load import load_dossier

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.is_file():
    pytest.skip("Debian chromium is not installed (/usr/bin/chromium)", allow_module_level=True)
pytest.importorskip("playwright.sync_api")

from playwright.sync_api import (  # noqa: E402
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Request,
    sync_playwright,
)

SLUG = "2026-durand-claire"
# Any page, titled or not: the form and the ciphertext are gone.
OPENED = (
    "document.getElementById('mkdocs-decrypt-form') === null"
    " && document.getElementById('mkdocs-encrypted-content') === null"
)
# Opened, navigation decrypted too, and every image it brought in loaded (or failed).
SETTLED_PAGE = (
    OPENED + " && document.querySelector('nav.md-nav--primary a.md-nav__link') !== null"
    " && Array.from(document.images).every((image) => image.complete)"
)
# decrypt-contents.js sets this once it has tried the key kept for this tab, if any.
SETTLED = "window.encryptcontent_done === true"
WRONG = "ceci-nest-pas-la-bonne-phrase"
TIMEOUT = 15_000
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Built:
    folder: Path
    booklet_id: str
    passphrase: str
    plan: list[str]


@pytest.fixture(scope="module")
def built(examples_built: Examples) -> Built:
    """The example booklet of the session's shared build (read only: the browser only reads)."""
    repo = examples_built.repo
    dossier = load_dossier(repo / "dossiers" / SLUG, repo)
    return Built(
        folder=examples_built.booklet(SLUG),
        booklet_id=examples_built.ids[SLUG],
        passphrase=examples_built.passphrases[SLUG],
        plan=[step.etape for step in dossier.synthese.plan_action],
    )


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass(frozen=True)
class Server:
    port: int
    base: str  # http://127.0.0.1:<port>/<booklet id>/


@pytest.fixture(scope="module")
def server(built: Built) -> Iterator[Server]:
    handler = functools.partial(_Quiet, directory=str(built.folder.parent))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    port = httpd.server_address[1]
    yield Server(port, f"http://127.0.0.1:{port}/{built.booklet_id}/")
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    playwright: Playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@dataclass
class Session:
    """A fresh browser context with every request its pages made."""

    context: BrowserContext
    page: Page
    requests: list[str] = field(default_factory=list)


def _open(browser: Browser, **options: object) -> Session:
    context = browser.new_context(**options)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT)
    session = Session(context, context.new_page())

    def record(request: Request) -> None:
        session.requests.append(request.url)

    context.on("request", record)
    return session


@pytest.fixture
def session(browser: Browser) -> Iterator[Session]:
    opened = _open(browser, viewport=DESKTOP)
    yield opened
    opened.context.close()


def _outside(requests: list[str], port: int | None) -> list[str]:
    """Requests that leave 127.0.0.1:<port> (port None: any http(s) request at all)."""
    bad = []
    for url in requests:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or (port is None and parts.scheme == "file"):
            continue
        local = parts.scheme == "http" and parts.hostname == "127.0.0.1"
        if port is not None and local and parts.port == port:
            continue
        bad.append(url)
    return bad


def _unlock(page: Page, passphrase: str) -> None:
    page.wait_for_function(SETTLED)
    page.fill("#mkdocs-content-password", passphrase)
    page.keyboard.press("Enter")
    page.wait_for_function(UNLOCKED)


def _title(page: Page) -> str:
    return " ".join(page.inner_text("#mkdocs-decrypted-content h1").split())


def _nav_links(page: Page) -> list[str]:
    links = page.locator("nav.md-nav--primary a.md-nav__link")
    return [" ".join(t.split()) for t in links.all_inner_texts()]


def _storage(page: Page) -> dict[str, dict[str, str]]:
    result = page.evaluate(
        "() => ({local: Object.assign({}, window.localStorage),"
        " session: Object.assign({}, window.sessionStorage)})"
    )
    assert isinstance(result, dict)
    return result


def _assert_locked(page: Page) -> None:
    page.wait_for_function(SETTLED)
    assert page.locator("#mkdocs-decrypt-form").is_visible()
    assert page.locator("#mkdocs-content-password").is_visible()
    assert page.locator("#mkdocs-encrypted-content").count() == 1
    assert _title(page) == "Livret personnel et confidentiel"
    assert _nav_links(page) == []
    assert page.locator(".livret-cles, .livret-carte, .livret-plan").count() == 0
    text = page.inner_text("body")
    for clear in ("Claire", "Bonjour", "Vos compétences", "Lefèvre"):
        assert clear not in text, clear


# --- Tests ------------------------------------------------------------------------------------


def test_wrong_passphrase_shows_french_error_and_no_content(
    session: Session, server: Server
) -> None:
    page = session.page
    page.goto(server.base + "index.html")
    _assert_locked(page)
    page.fill("#mkdocs-content-password", WRONG)
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('mkdocs-decrypt-msg').textContent !== ''")
    message = page.inner_text("#mkdocs-decrypt-msg")
    assert message.startswith("Phrase de passe incorrecte")
    assert page.locator("#mkdocs-decrypt-msg").is_visible()
    _assert_locked(page)
    assert _storage(page) == {"local": {}, "session": {}}
    assert _outside(session.requests, server.port) == []


def test_right_passphrase_shows_content_and_navigation(
    session: Session, server: Server, built: Built
) -> None:
    page = session.page
    page.goto(server.base + "index.html")
    _assert_locked(page)
    assert not page.locator("nav.md-nav--primary").is_visible()
    _unlock(page, built.passphrase)
    assert _title(page) == "Bonjour Claire,"
    assert page.locator(".livret-cles").is_visible()
    links = _nav_links(page)
    for title in ("Accueil", "Votre démarche", "Vos compétences", "Pistes explorées", "Notes"):
        assert title in links, links
    nav = page.locator("nav.md-nav--primary a.md-nav__link", has_text="Vos compétences")
    assert nav.is_visible()
    stored = _storage(page)
    assert stored["local"] == {}
    assert stored["session"]  # the content key, for the next pages of this tab only
    assert all(key.startswith(f"livret_{built.booklet_id}_") for key in stored["session"])
    assert _outside(session.requests, server.port) == []


def test_next_page_opens_without_retyping(session: Session, server: Server, built: Built) -> None:
    page = session.page
    page.goto(server.base + "index.html")
    _unlock(page, built.passphrase)
    page.locator("nav.md-nav--primary a.md-nav__link", has_text="Vos compétences").click()
    page.wait_for_url(server.base + "competences.html")
    page.wait_for_function(UNLOCKED)
    assert _title(page) == "Vos compétences"
    assert page.locator("article.livret-carte").count() > 0
    assert page.locator("#mkdocs-content-password").count() == 0
    page.goto(server.base + "pistes.html")
    page.wait_for_function(UNLOCKED)
    assert _title(page) == "Pistes explorées"
    assert _outside(session.requests, server.port) == []


def test_new_browser_context_is_locked_again(
    browser: Browser, session: Session, server: Server, built: Built
) -> None:
    session.page.goto(server.base + "index.html")
    _unlock(session.page, built.passphrase)
    other = _open(browser, viewport=DESKTOP)
    try:
        other.page.goto(server.base + "competences.html")
        _assert_locked(other.page)
        assert _storage(other.page) == {"local": {}, "session": {}}
        assert _outside(other.requests, server.port) == []
    finally:
        other.context.close()
    # The first context, still open, keeps its booklet open.
    session.page.goto(server.base + "competences.html")
    session.page.wait_for_function(UNLOCKED)
    assert _title(session.page) == "Vos compétences"


def test_every_request_stays_on_127_0_0_1(session: Session, server: Server, built: Built) -> None:
    page = session.page
    page.goto(server.base + "index.html")
    page.fill("#mkdocs-content-password", WRONG)
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('mkdocs-decrypt-msg').textContent !== ''")
    _unlock(page, built.passphrase)
    pages = sorted(p.name for p in built.folder.glob("*.html") if p.name != "404.html")
    assert len(pages) >= 12
    for name in pages:
        page.goto(server.base + name)
        page.wait_for_function(SETTLED_PAGE)
    page.wait_for_load_state("networkidle")
    assert _outside(session.requests, server.port) == []
    fetched = {urlsplit(url).path.rsplit("/", 1)[-1] for url in session.requests}
    assert {"livret.css", "livret.js", "decrypt-contents.js"} <= fetched  # really recorded
    assert set(pages) <= fetched


def test_file_url_unlock_and_navigation(browser: Browser, built: Built) -> None:
    session = _open(browser, viewport=DESKTOP)
    try:
        page = session.page
        page.goto((built.folder / "index.html").as_uri())
        _assert_locked(page)
        page.fill("#mkdocs-content-password", WRONG)
        page.keyboard.press("Enter")
        page.wait_for_function("document.getElementById('mkdocs-decrypt-msg').textContent !== ''")
        assert page.inner_text("#mkdocs-decrypt-msg").startswith("Phrase de passe incorrecte")
        _unlock(page, built.passphrase)
        assert _title(page) == "Bonjour Claire,"
        page.locator('#mkdocs-decrypted-content a[href="competences.html"]').click()
        page.wait_for_url((built.folder / "competences.html").as_uri())
        page.wait_for_function(UNLOCKED)
        assert _title(page) == "Vos compétences"
        page.goto((built.folder / "plan-action.html").as_uri())
        page.wait_for_function(UNLOCKED)
        assert _title(page) in ("Plan d’action", "Plan d'action")
        schemes = {urlsplit(url).scheme for url in session.requests}
        assert "file" in schemes
        assert _outside(session.requests, None) == []
    finally:
        session.context.close()


def test_plan_ticks_stay_in_local_storage(session: Session, server: Server, built: Built) -> None:
    page = session.page
    steps = len(built.plan)
    page.goto(server.base + "plan-action.html")
    _unlock(page, built.passphrase)
    boxes = page.locator("input[data-livret-etape]")
    assert boxes.count() == steps
    progress = page.locator("[data-livret-progression]")
    assert progress.is_visible()
    assert " ".join(progress.inner_text().split()) == f"Étapes faites : 0 sur {steps}"
    boxes.first.check()
    assert " ".join(progress.inner_text().split()) == f"Étapes faites : 1 sur {steps}"
    page.reload()
    page.wait_for_function(UNLOCKED)  # reopens with the key kept for this tab
    boxes = page.locator("input[data-livret-etape]")
    assert [boxes.nth(i).is_checked() for i in range(steps)] == [True] + [False] * (steps - 1)
    first = page.locator("li.livret-plan__etape").first
    assert "livret-plan__etape--faite" in (first.get_attribute("class") or "")
    progress = page.locator("[data-livret-progression]")
    assert " ".join(progress.inner_text().split()) == f"Étapes faites : 1 sur {steps}"
    local = _storage(page)["local"]
    assert list(local) == [f"livret-plan-{built.booklet_id}"]
    value = local[f"livret-plan-{built.booklet_id}"]
    assert re.fullmatch(r"\[\d+(,\d+)*\]", value), value
    assert json.loads(value) == [1]
    for step in built.plan:
        assert step[:12] not in value
    assert _outside(session.requests, server.port) == []


@pytest.mark.parametrize("name", ["index", "competences", "ce-qui-vous-anime", "pistes"])
def test_phone_layout_has_no_horizontal_scroll(
    browser: Browser, server: Server, built: Built, name: str
) -> None:
    session = _open(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = session.page
        page.goto(server.base + f"{name}.html")
        _unlock(page, built.passphrase)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (name, width)
        for box in page.locator("#mkdocs-decrypted-content svg.livret-chart").all():
            bounds = box.bounding_box()
            assert bounds is not None and bounds["x"] + bounds["width"] <= PHONE["width"] + 0.5
        assert _outside(session.requests, server.port) == []
    finally:
        session.context.close()


def test_request_recorder_sees_outside_requests(session: Session, server: Server) -> None:
    """The checks above would pass vacuously if a request to another host went unrecorded."""
    page = session.page
    page.goto(server.base + "index.html")
    with page.expect_request(lambda request: "192.0.2.1" in request.url):
        page.evaluate(  # TEST-NET-1: never routed, the request just starts and fails
            "() => { const i = new Image(); i.src = 'http://192.0.2.1/sonde.png'; }"
        )
    assert _outside(session.requests, server.port) == ["http://192.0.2.1/sonde.png"]
    assert _outside(["file:///x/index.html", "data:image/png;base64,AA"], None) == []
    assert _outside([server.base + "index.html"], None) == [server.base + "index.html"]
