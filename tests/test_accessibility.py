"""Accessibility of the booklet in a real browser: axe-core, keyboard, lock form, screenshots.

axe-core (pinned in package.json, installed by `make` with `npm ci` into node_modules/) runs
in Debian's Chromium on every page of every example booklet, lock page included, at a
desktop and a phone size: no violation of impact critical, serious or moderate. The keyboard
walks check what axe cannot see: a skip link, focus after unlocking, the phone menu, the lock
form's label, live region and busy state.

Screenshots of every page at both sizes go to build/captures/ (git-ignored): look at them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from browsing import chromium, serve
from chromium import CHROMIUM, UNLOCKED
from conftest import EXAMPLES, ROOT, Built

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).is_file():
    pytest.skip("Debian chromium is not installed (/usr/bin/chromium)", allow_module_level=True)
pytest.importorskip("playwright.sync_api")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
if not AXE.is_file():
    pytest.skip("axe-core is not installed: run `make test` (npm ci)", allow_module_level=True)

from playwright.sync_api import Browser, BrowserContext, Page  # noqa: E402

CAPTURES = ROOT / "build" / "captures"
SIZES = {"bureau": {"width": 1280, "height": 900}, "telephone": {"width": 390, "height": 844}}
ZOOM_200 = {"width": 640, "height": 450}  # 1280 x 900 at 200 %: the same CSS pixels
FAILING = ("critical", "serious", "moderate")
SETTLED = "window.encryptcontent_done === true"
IMAGES = "Array.from(document.images).every((image) => image.complete)"
# The smallest chart text on the page, in CSS pixels as drawn (the SVG scales to its box).
CHART_TEXT_PX = """() => Math.min(Infinity, ...Array.from(
  document.querySelectorAll('#mkdocs-decrypted-content svg.livret-chart')).map((svg) =>
  parseFloat(svg.getAttribute('font-size')) * svg.getBoundingClientRect().width
  / svg.viewBox.baseVal.width))"""
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
# What has the focus, in a few words a failing assertion can show.
FOCUSED = """() => { const e = document.activeElement; if (!e || e === document.body) return null;
  const box = e.getBoundingClientRect();
  return {tag: e.tagName.toLowerCase(), id: e.id, cls: String(e.className),
    text: (e.innerText || e.value || '').trim().slice(0, 40),
    drawer: !!e.closest('.md-sidebar--primary'), x: box.x, width: box.width,
    visible: box.width > 0 && box.height > 0 && box.right > 0 && box.x < innerWidth}; }"""
WRONG = "ceci-nest-pas-la-bonne-phrase"
TIMEOUT = 15_000


@dataclass(frozen=True)
class Site:
    base: str  # http://127.0.0.1:<port>/
    port: int
    built: Built

    def url(self, slug: str, page: str = "index.html") -> str:
        return f"{self.base}{self.built.ids[slug]}/{page}"

    def pages(self, slug: str) -> list[str]:
        folder = self.built.booklet(slug)
        return sorted(p.name for p in folder.glob("*.html") if p.name != "404.html")


@pytest.fixture(scope="module")
def site(examples_built: Built) -> Iterator[Site]:
    with serve(examples_built.out) as port:
        yield Site(f"http://127.0.0.1:{port}/", port, examples_built)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as opened:
        yield opened  # type: ignore[misc]


def _context(browser: Browser, size: str) -> BrowserContext:
    phone = size == "telephone"
    context = browser.new_context(viewport=SIZES[size], is_mobile=phone, has_touch=phone)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT)
    return context


def _axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (WCAG 2.x A/AA and best practices)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ') + ' | ' + n.failureSummary)}))"
    )
    assert isinstance(result, list)
    return result


def _unlock(page: Page, passphrase: str) -> None:
    page.wait_for_function(SETTLED)
    page.fill("#mkdocs-content-password", passphrase)
    page.keyboard.press("Enter")
    page.wait_for_function(UNLOCKED)


def _capture(page: Page, name: str) -> None:
    CAPTURES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(CAPTURES / f"{name}.png"), full_page=True)


@dataclass
class Audit:
    violations: dict[str, list[dict[str, Any]]]
    overflow: dict[str, int]  # page -> horizontal scroll in px (0: none)
    chart_px: dict[str, float]  # phone page -> its smallest chart text, px


@pytest.fixture(scope="module")
def audit(site: Site, browser: Browser) -> Audit:
    """axe on every page of every example, locked then unlocked, at both sizes; screenshots."""
    found = Audit({}, {}, {})
    for size in SIZES:
        for slug in EXAMPLES:
            context = _context(browser, size)
            page = context.new_page()
            page.goto(site.url(slug))
            page.wait_for_function(SETTLED)
            found.violations[f"{slug}/verrou/{size}"] = _axe(page)
            found.overflow[f"{slug}/verrou/{size}"] = page.evaluate(OVERFLOW)
            _capture(page, f"{slug}-verrou-{size}")
            _unlock(page, site.built.passphrases[slug])
            for name in site.pages(slug):
                where = f"{slug}/{name}/{size}"
                page.goto(site.url(slug, name))
                page.wait_for_function(UNLOCKED)
                page.wait_for_function(IMAGES)
                found.violations[where] = _axe(page)
                found.overflow[where] = page.evaluate(OVERFLOW)
                if size == "telephone":
                    found.chart_px[where] = page.evaluate(CHART_TEXT_PX)
                _capture(page, f"{slug}-{name[:-5]}-{size}")
            context.close()
    CAPTURES.mkdir(parents=True, exist_ok=True)
    (CAPTURES / "axe.json").write_text(json.dumps(found.violations, ensure_ascii=False, indent=1))
    return found


def test_axe_finds_no_critical_serious_or_moderate_violation(audit: Audit) -> None:
    counts = Counter(v["impact"] for found in audit.violations.values() for v in found)
    bad = {
        where: [f"{v['id']} ({v['impact']}): {v['nodes'][:3]}" for v in failing]
        for where, violations in audit.violations.items()
        if (failing := [v for v in violations if v["impact"] in FAILING])
    }
    assert not bad, (dict(counts), bad)


def test_audit_saw_every_page(site: Site, audit: Audit) -> None:
    expected = sum(len(site.pages(slug)) + 1 for slug in EXAMPLES) * len(SIZES)
    assert len(audit.violations) == expected
    assert any(px != float("inf") for px in audit.chart_px.values())  # charts were measured


def test_no_page_scrolls_sideways(audit: Audit) -> None:
    assert {where: px for where, px in audit.overflow.items() if px > 0} == {}


def test_chart_text_is_at_least_12_px_on_a_phone(audit: Audit) -> None:
    small = {where: round(px, 1) for where, px in audit.chart_px.items() if px < 12}
    assert small == {}


def test_200_percent_zoom_needs_no_sideways_scroll(site: Site, browser: Browser) -> None:
    """A 1280 px screen at 200 % lays out as 640 CSS pixels: every page must fit them."""
    slug = EXAMPLES[0]
    context = browser.new_context(viewport=ZOOM_200, device_scale_factor=2)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.goto(site.url(slug))
    page.wait_for_function(SETTLED)
    wide = {"verrou": page.evaluate(OVERFLOW)}
    _unlock(page, site.built.passphrases[slug])
    for name in site.pages(slug):
        page.goto(site.url(slug, name))
        page.wait_for_function(UNLOCKED)
        wide[name] = page.evaluate(OVERFLOW)
    context.close()
    assert {name: px for name, px in wide.items() if px > 0} == {}


# --- Keyboard and lock form ----------------------------------------------------------------


def _tab_until(page: Page, wanted: str, limit: int = 40) -> tuple[int, list[dict[str, Any]]]:
    """Press Tab until the focused element matches the CSS selector `wanted`."""
    walk = []
    for count in range(1, limit + 1):
        page.keyboard.press("Tab")
        walk.append(page.evaluate(FOCUSED))
        if page.evaluate(f"document.activeElement.matches({json.dumps(wanted)})"):
            return count, walk
    raise AssertionError(f"{wanted} not reached in {limit} Tabs: {walk}")


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    context = _context(browser, "bureau")
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = _context(browser, "telephone")
    yield context.new_page()
    context.close()


def test_lock_form_has_label_autocomplete_and_the_provider_name(desktop: Page, site: Site) -> None:
    page = desktop
    page.goto(site.url(EXAMPLES[0]))
    page.wait_for_function(SETTLED)
    field = page.get_by_label("Phrase de passe", exact=True)
    assert field.get_attribute("id") == "mkdocs-content-password"
    assert field.get_attribute("autocomplete") == "current-password"
    user = page.locator('#mkdocs-decrypt-form input[autocomplete="username"]')
    assert user.get_attribute("value") == site.built.ids[EXAMPLES[0]]  # neutral, not a name
    assert "Horizons Compétences" in page.inner_text("#mkdocs-decrypt-form")
    # The first Tab reaches the skip link; it leads to the passphrase field.
    count, walk = _tab_until(page, "a.lv-saut")
    assert count == 1, walk
    assert page.locator("a.lv-saut").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "mkdocs-content-password"
    # A visible focus ring on the field.
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineWidth")
    assert ring == "3px"
    # « Afficher la phrase » shows what is typed, and hides it again.
    page.keyboard.type("abc")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Afficher la phrase"
    page.keyboard.press("Enter")
    assert field.get_attribute("type") == "text"
    assert page.locator(".lv-verrou__afficher").get_attribute("aria-pressed") == "true"
    page.keyboard.press("Enter")
    assert field.get_attribute("type") == "password"
    # No menu on the lock page: the navigation is encrypted, the drawer would be empty.
    assert not page.locator('.md-header label[for="__drawer"]').is_visible()


def test_wrong_passphrase_is_announced_and_busy_state_shows(phone: Page, site: Site) -> None:
    page = phone
    page.goto(site.url(EXAMPLES[1]))
    page.wait_for_function(SETTLED)
    assert not page.locator('.md-header label[for="__drawer"]').is_visible()  # phone too
    page.evaluate(
        """() => { window.lvSeen = [];
        const form = document.getElementById('mkdocs-decrypt-form');
        new MutationObserver(() => window.lvSeen.push([form.getAttribute('aria-busy'),
          document.getElementById('lv-verrou-attente').textContent]))
        .observe(form, {attributes: true, childList: true, subtree: true}); }"""
    )
    page.fill("#mkdocs-content-password", WRONG)
    for _attempt in range(2):  # the same error twice: announced twice
        page.keyboard.press("Enter")
        page.wait_for_function(
            "document.getElementById('mkdocs-decrypt-msg').textContent.length > 0"
            " && !document.getElementById('mkdocs-decrypt-form').hasAttribute('aria-busy')"
        )
        message = page.locator("#mkdocs-decrypt-msg")
        assert message.get_attribute("role") == "alert"
        assert message.inner_text() == "Phrase de passe incorrecte : vérifiez-la et réessayez."
        assert page.evaluate("document.activeElement.id") == "mkdocs-content-password"
        page.keyboard.type(WRONG)
    seen = page.evaluate("window.lvSeen")
    assert ["true", "Vérification de la phrase de passe…"] in seen, seen
    assert page.locator("#lv-verrou-attente").get_attribute("role") == "status"
    assert page.locator("#lv-verrou-attente").inner_text() == ""


def test_spinner_stops_when_reduced_motion_is_asked(browser: Browser, site: Site) -> None:
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    page.goto(site.url(EXAMPLES[0]))
    page.wait_for_function(SETTLED)
    duration = page.evaluate(
        "getComputedStyle(document.getElementById('lv-verrou-attente'), '::before')"
        ".animationDuration"
    )
    context.close()
    assert duration in ("1e-05s", "0.00001s"), duration


def test_desktop_keyboard_walk_after_unlock(desktop: Page, site: Site) -> None:
    page = desktop
    slug = EXAMPLES[2]
    page.goto(site.url(slug))
    page.wait_for_function(SETTLED)
    page.focus("#mkdocs-content-password")
    page.keyboard.type(site.built.passphrases[slug])
    page.keyboard.press("Enter")
    page.wait_for_function(UNLOCKED)
    focused = page.evaluate(FOCUSED)
    assert focused and focused["tag"] == "h1", focused  # the page's main heading
    assert page.evaluate("document.activeElement.closest('#mkdocs-decrypted-content') !== null")
    # From the heading, Tab reaches the content's first link.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#mkdocs-decrypted-content') !== null")
    # From the top of the next page: skip link first, then the menu within a few Tabs.
    page.goto(site.url(slug, "competences.html"))
    page.wait_for_function(UNLOCKED)
    count, walk = _tab_until(page, "a.lv-saut")
    assert count == 1, walk
    count, walk = _tab_until(page, "nav.md-nav--primary a.md-nav__link")
    assert count <= 4, walk


def test_phone_menu_is_a_button_and_hidden_links_are_not_focusable(phone: Page, site: Site) -> None:
    page = phone
    slug = EXAMPLES[0]
    page.goto(site.url(slug))
    _unlock(page, site.built.passphrases[slug])
    page.goto(site.url(slug, "pistes.html"))
    page.wait_for_function(UNLOCKED)
    count, walk = _tab_until(page, "button.lv-menu")
    assert count <= 3, walk
    menu = page.locator("button.lv-menu")
    assert menu.get_attribute("aria-expanded") == "false"
    assert menu.get_attribute("aria-label") == "Menu"
    # The closed drawer: every Tab lands on something on screen, never in the drawer.
    _count, walk = _tab_until(page, "a.md-footer__link", limit=80)
    assert [w for w in walk if w is None or w["drawer"] or not w["visible"]] == [], walk
    # Open it with the keyboard: focus goes into the drawer; Escape closes and comes back.
    menu.focus()
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    page.wait_for_function("document.activeElement.closest('.md-sidebar--primary') !== null")
    # The drawer slides in (Material's transition): the focused link is on screen once it has,
    # which takes longer than the transition's 250 ms on a loaded machine.
    page.wait_for_function(f"({FOCUSED})()?.visible === true", timeout=TIMEOUT)
    focused = page.evaluate(FOCUSED)
    assert focused and focused["visible"], focused
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('lv-menu')")
