"""Screenshots of an unlocked booklet, desktop and phone, for a person to look at.

Usage: python tests/tools/screenshots.py SLUG OUTDIR [PAGE ...]
Serves site/ on 127.0.0.1, unlocks the booklet with its passphrase in headless Chromium.
"""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from chromium import CHROMIUM_ARGS, UNLOCKED  # noqa: E402


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    slug, outdir = sys.argv[1], Path(sys.argv[2])
    pages = sys.argv[3:] or ["index.html"]
    outdir.mkdir(parents=True, exist_ok=True)
    info = json.loads(
        subprocess.run(
            [sys.executable, "-m", "livret", "access", slug, "--json"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    handler = functools.partial(Quiet, directory=str(ROOT / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/{info['site'].removeprefix('site/')}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for name, viewport in (("bureau", (1280, 900)), ("mobile", (390, 844))):
            context = browser.new_context(
                viewport={"width": viewport[0], "height": viewport[1]},
                device_scale_factor=1,
                is_mobile=name == "mobile",
            )
            page = context.new_page()
            page.goto(base + "index.html")
            page.screenshot(path=str(outdir / f"verrou-{name}.png"))
            page.fill("#mkdocs-content-password", info["passphrase"])
            page.keyboard.press("Enter")
            page.wait_for_function(UNLOCKED, timeout=15000)
            for target in pages:
                page.goto(base + target)
                page.wait_for_function(UNLOCKED, timeout=15000)
                page.wait_for_timeout(300)
                stem = target.removesuffix(".html")
                page.screenshot(path=str(outdir / f"{stem}-{name}.png"), full_page=True)
            context.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
