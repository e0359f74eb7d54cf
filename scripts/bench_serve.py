"""Benchmark of `livret serve`: from a save to the reloaded page, in a real browser.

Usage: python scripts/bench_serve.py [--n 10] [SLUG ...]
(`make bench` runs it after scripts/bench.py; it needs Chromium and Playwright.)

For each example dossier (all of them by default), on a copy of the repository:
starts `livret serve` on a free port, opens its « Démarche » page in headless Chromium,
then N times writes `synthese.yml` with a new word in `demande` and measures the time
from the end of the write to the `load` event of the reloaded page, which must show the
new word. Prints each dossier's median, 95th percentile and worst time, the rebuild
time the server reported (the rest is noticing the save and reloading the page), then
the same over every edit. It prints numbers; it does not pass or fail.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Debian's Chromium started as the tests start it (tests/chromium.py says why each switch).
sys.path.insert(0, str(ROOT / "tests"))
from chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PAGE = "demarche.html"  # shows `demande`
_REBUILT = re.compile(r"Aperçu à jour \((\d+),(\d+) s\)")


def copy_repo(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    for folder in ("content", "theme", "dossiers"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


class Serve:
    """`livret serve` as a subprocess, its output lines read in a thread."""

    def __init__(self, repo: Path, slug: str, tmp: Path) -> None:
        env = dict(os.environ, TMPDIR=str(tmp), PYTHONPATH=str(ROOT / "scripts"))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "livret", "-C", str(repo), "serve", slug, "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self.wait(re.compile(r"(http://127\.0\.0\.1:\d+/)"))[1]
        self.wait(_REBUILT)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait(self, pattern: re.Pattern[str], timeout: float = 60) -> re.Match[str]:
        end = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.1, end - time.monotonic()))
            match = pattern.search(line)
            if match:
                return match

    def rebuild_times(self) -> list[float]:
        found = []
        while not self.lines.empty():
            match = _REBUILT.search(self.lines.get())
            if match:
                found.append(float(f"{match[1]}.{match[2]}"))
        return found

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def edited(original: str, word: str) -> str:
    """synthese.yml with `word` at the start of the first line of `demande`."""
    return re.sub(r"(?m)^(demande: \|\n  )", rf"\g<1>{word} ", original, count=1)


def measure(browser: object, base: Path, slug: str, n: int) -> tuple[list[float], list[float]]:
    repo = copy_repo(base / slug / "depot")
    tmp = base / slug / "tmp"
    tmp.mkdir()
    server = Serve(repo, slug, tmp)
    times: list[float] = []
    try:
        page = browser.new_page()  # type: ignore[attr-defined]
        page.goto(server.url + PAGE)
        path = repo / "dossiers" / slug / "synthese.yml"
        original = path.read_text(encoding="utf-8")
        for i in range(n + 1):  # the first edit warms up and is not counted
            word = f"Jalon{secrets.token_hex(4)}"
            with page.expect_event("load", timeout=20_000):
                path.write_text(edited(original, word), encoding="utf-8")
                saved = time.perf_counter()
            # A save seen half-written (the editor or the machine paused between emptying
            # the file and writing it) gives two rebuilds: count until the page shows it.
            while not shows(page, word):
                page.wait_for_event("load", timeout=20_000)
            elapsed = time.perf_counter() - saved
            if i:
                times.append(elapsed)
            time.sleep(0.3)  # a person does not save twice in the same instant
        page.close()
    finally:
        server.stop()
    return times, server.rebuild_times()[-n:]


def shows(page: object, word: str) -> bool:
    try:
        return word in page.content()  # type: ignore[attr-defined]
    except Exception:  # the page is reloading again
        return False


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def line(label: str, times: list[float], rebuilds: list[float]) -> str:
    median = statistics.median(times)
    return (
        f"{label:<22} p50 {median:5.2f} s   p95 {percentile(times, 95):5.2f} s   "
        f"max {max(times):5.2f} s   (reconstruction seule p50 {statistics.median(rebuilds):.2f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10, help="modifications par dossier")
    parser.add_argument("slugs", nargs="*")
    args = parser.parse_args()
    slugs = args.slugs or sorted(p.name for p in (ROOT / "dossiers").iterdir() if p.is_dir())
    from playwright.sync_api import sync_playwright

    every: list[float] = []
    every_rebuild: list[float] = []
    print(f"livret serve : de l'enregistrement à la page rechargée ({args.n} modifications)")
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as temp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for slug in slugs:
            times, rebuilds = measure(browser, Path(temp), slug, args.n)
            every += times
            every_rebuild += rebuilds
            print(line(slug, times, rebuilds), flush=True)
        browser.close()
    print(line("tous", every, every_rebuild))
    print(f"({os.cpu_count()} cœurs ; objectif : p50 ≤ 1 s, p95 ≤ 2 s)")


if __name__ == "__main__":
    main()
