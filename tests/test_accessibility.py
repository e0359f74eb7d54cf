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

from browsing import chromium, outside, serve
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
FAILING = ("critical", "serious", "moderate")
SETTLED = "window.encryptcontent_done === true"
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


@pytest.fixture(scope="module")
def audit(site: Site, browser: Browser) -> dict[str, list[dict[str, Any]]]:
    """axe on every page of every example, locked then unlocked, at both sizes; screenshots."""
    found: dict[str, list[dict[str, Any]]] = {}
    for size in SIZES:
        for slug in EXAMPLES:
            context = _context(browser, size)
            page = context.new_page()
            page.goto(site.url(slug))
            page.wait_for_function(SETTLED)
            found[f"{slug}/verrou/{size}"] = _axe(page)
            _capture(page, f"{slug}-verrou-{size}")
            _unlock(page, site.built.passphrases[slug])
            for name in site.pages(slug):
                page.goto(site.url(slug, name))
                page.wait_for_function(UNLOCKED)
                page.wait_for_load_state("networkidle")
                found[f"{slug}/{name}/{size}"] = _axe(page)
                _capture(page, f"{slug}-{name[:-5]}-{size}")
            context.close()
    CAPTURES.mkdir(parents=True, exist_ok=True)
    (CAPTURES / "axe.json").write_text(json.dumps(found, ensure_ascii=False, indent=1))
    return found


def test_axe_finds_no_critical_serious_or_moderate_violation(
    audit: dict[str, list[dict[str, Any]]],
) -> None:
    counts = Counter(v["impact"] for violations in audit.values() for v in violations)
    bad = {
        where: [f"{v['id']} ({v['impact']}): {v['nodes'][:3]}" for v in failing]
        for where, violations in audit.items()
        if (failing := [v for v in violations if v["impact"] in FAILING])
    }
    assert not bad, (dict(counts), bad)


def test_audit_saw_every_page(site: Site, audit: dict[str, list[dict[str, Any]]]) -> None:
    expected = sum(len(site.pages(slug)) + 1 for slug in EXAMPLES) * len(SIZES)
    assert len(audit) == expected
    assert outside([], site.port) == []
