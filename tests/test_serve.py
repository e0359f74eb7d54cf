"""`livret serve`: a real server on 127.0.0.1, real HTTP, real headless Chromium.

One preview of the example 2026-durand-claire runs for the whole module, as a consultant
would start it (`python -m livret serve`, a subprocess with its own temporary folder);
the tests edit its dossier one after the other, each leaving it as it found it.
"""

from __future__ import annotations

import io
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from selectolax.lexbor import LexborHTMLParser

from conftest import ROOT, make_repo
from livret.cli import cli

SLUG = "2026-durand-claire"
BANNER = "Aperçu — non publié"
REBUILT = re.compile(r"Aperçu à jour \(")
PROBLEMS = re.compile(r"problèmes? à corriger")
CHROMIUM = Path("/usr/bin/chromium")


class Serve:
    """`livret serve` as a subprocess; its output (stdout and stderr) read in a thread."""

    def __init__(self, repo: Path, tmp: Path, slug: str = SLUG, port: int = 0) -> None:
        env = dict(os.environ, TMPDIR=str(tmp), PYTHONPATH=str(ROOT / "scripts"))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "livret", "-C", str(repo), "serve", slug, "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        match = self.wait(re.compile(r"http://127\.0\.0\.1:(\d+)/"))
        self.port = int(match[1])
        self.url = match[0]
        self.wait(REBUILT)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait(self, pattern: re.Pattern[str], timeout: float = 30) -> re.Match[str]:
        """The next output line matching `pattern`; every line read is kept in `seen`."""
        end = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.05, end - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line matching {pattern.pattern}: {self.seen}") from None
            self.seen.append(line)
            match = pattern.search(line)
            if match:
                return match

    def save(self, path: Path, text: str, expect: re.Pattern[str] = REBUILT) -> None:
        """Write `path` as an editor would, and wait for the rebuild it causes."""
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        path.write_text(text, encoding="utf-8")
        self.wait(expect)

    def stop(self, how: int = signal.SIGINT) -> int:
        self.process.send_signal(how)
        try:
            return self.process.wait(timeout=15)
        finally:
            if self.process.poll() is None:
                self.process.kill()


def get(url: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def snapshot(repo: Path) -> dict[str, int]:
    return {str(p.relative_to(repo)): p.stat().st_mtime_ns for p in repo.rglob("*")}


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Serve, Path, Path]]:
    base = tmp_path_factory.mktemp("serve")
    repo = make_repo(base / "repo", {SLUG: ROOT / "dossiers" / SLUG})
    tmp = base / "tmp"
    tmp.mkdir()
    server = Serve(repo, tmp)
    try:
        yield server, repo, tmp
    finally:
        if server.process.poll() is None:
            server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.is_file():
        pytest.skip("Debian chromium is not installed (/usr/bin/chromium)")
    pytest.importorskip("playwright.sync_api")
    from browsing import chromium

    with chromium() as launched:
        yield launched


def synthese(repo: Path) -> Path:
    return repo / "dossiers" / SLUG / "synthese.yml"


@pytest.fixture
def original(preview: tuple[Serve, Path, Path]) -> Iterator[str]:
    """synthese.yml as it was; put back after the test, waiting for the good rebuild."""
    server, repo, _ = preview
    path = synthese(repo)
    text = path.read_text(encoding="utf-8")
    yield text
    if path.read_text(encoding="utf-8") != text:
        server.save(path, text)


def first_line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# --- HTTP --------------------------------------------------------------------------------------


def test_answers_on_loopback_with_the_banner(preview: tuple[Serve, Path, Path]) -> None:
    server, _, _ = preview
    status, headers, body = get(server.url)
    assert status == 200
    page = body.decode()
    assert BANNER in page
    # Not encrypted: the content is in the page, no unlock form, no encryption script.
    assert "Claire" in page and "mkdocs-decrypt-form" not in page
    assert "decrypt-contents" not in page
    # The live-reload script of MkDocs' server.
    assert "/livereload/" in page
    assert headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "no-referrer"
    for name in ("demarche.html", "competences.html", "documents.html"):
        status, _, body = get(server.url + name)
        assert status == 200 and BANNER in body.decode(), name


def test_listens_on_127_0_0_1_only(preview: tuple[Serve, Path, Path]) -> None:
    server, _, _ = preview
    # The listening socket, as the kernel lists it (local address 0100007F = 127.0.0.1).
    table = Path("/proc/net/tcp").read_text().splitlines()[1:]
    ours = [row.split() for row in table if row.split()[1].endswith(f":{server.port:04X}")]
    listening = [row[1] for row in ours if row[3] == "0A"]
    assert listening == [f"0100007F:{server.port:04X}"]
    v6 = Path("/proc/net/tcp6")
    if v6.is_file():
        assert f":{server.port:04X} " not in v6.read_text()


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:{port}",
        "127.0.0.1.evil.example:{port}",
        "localhost.evil.example:{port}",
        "127.0.0.1:1{port}",
        "localhost:1",
        "127.0.0.1",  # no port: not what the browser sends for this address
        "0.0.0.0:{port}",
        "[::1]:{port}",
        "LOCALHOST:{port}.",
        "user@127.0.0.1:{port}",
        "127.0.0.1:{port}/x",
    ],
)
def test_refuses_other_host_names(preview: tuple[Serve, Path, Path], host: str) -> None:
    """A DNS name pointed at 127.0.0.1 (DNS rebinding) gets nothing from the preview."""
    server, _, _ = preview
    status, _, body = get(server.url, host=host.format(port=server.port))
    assert status == 403
    assert b"Claire" not in body
    status, _, _ = get(server.url, host=f"localhost:{server.port}")
    assert status == 200


def test_synthese_pdf_is_made_on_demand(preview: tuple[Serve, Path, Path]) -> None:
    server, repo, _ = preview
    _, _, documents = get(server.url + "documents.html")
    assert 'href="synthese-apercu.pdf"' in documents.decode()
    status, headers, data = get(server.url + "synthese-apercu.pdf")
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    with pikepdf.open(io.BytesIO(data)) as pdf:  # the preview's is not encrypted
        assert not pdf.is_encrypted and len(pdf.pages) >= 2
    assert not (repo / "syntheses").exists()


def test_shared_pages_and_config_are_watched_too(preview: tuple[Serve, Path, Path]) -> None:
    server, repo, _ = preview
    for path, old, new, page in [
        (
            repo / "content" / "ressources.md",
            "Ressources utiles",
            "Adresses utiles",
            "a-savoir-ressources.html",
        ),
        (
            repo / "mkdocs.yml",
            "site_name: Livret de bilan",
            "site_name: Carnet de bilan",
            "index.html",
        ),
    ]:
        text = path.read_text(encoding="utf-8")
        server.save(path, text.replace(old, new, 1))
        try:
            _, _, body = get(server.url + page)
            assert new.split(": ")[-1] in body.decode(), path
        finally:
            server.save(path, text)


# --- in the browser ----------------------------------------------------------------------------


def test_an_edit_reloads_the_page(
    preview: tuple[Serve, Path, Path], browser: object, original: str
) -> None:
    server, repo, _ = preview
    page = browser.new_page()  # type: ignore[attr-defined]
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(server.url + "demarche.html")
    assert BANNER in page.inner_text("body")
    with page.expect_event("load", timeout=20_000):
        server.save(synthese(repo), original.replace("demande: |\n  ", "demande: |\n  Motdetest "))
    assert "Motdetest" in page.inner_text("body")
    assert BANNER in page.inner_text("body")
    # Same theme settings as a booklet: nothing but the preview itself is ever asked for.
    outside = [u for u in requests if not u.startswith(server.url) and not u.startswith("data:")]
    assert outside == []
    page.close()


def test_a_broken_edit_shows_its_problems_then_recovers(
    preview: tuple[Serve, Path, Path], browser: object, original: str
) -> None:
    server, repo, _ = preview
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server.url + "competences.html")
    # An error (an image that is not there) and a warning (HTML written in a text), both
    # found while rendering `demande`, which starts on line 3.
    broken = original.replace(
        "demande: |\n  ", "demande: |\n  <b>gras</b> ![photo](pieces/absente.png) ", 1
    )
    with page.expect_event("load", timeout=20_000):
        server.save(synthese(repo), broken, PROBLEMS)
    # Typeset in French like the booklet: no-break spaces inside « » and before : ;
    shown = re.sub("[\u00a0\u202f]", " ", page.inner_text("#livret-problemes"))
    where = f"dossiers/{SLUG}/synthese.yml:3:"
    assert "1 erreur à corriger" in shown and "1 avertissement" in shown, shown
    assert re.search(rf"{where}\d+ image introuvable", shown), shown
    assert re.search(rf"{where}\d+ balise HTML « <b> »", shown), shown
    assert BANNER in page.inner_text("body")
    terminal = "".join(server.seen)
    assert re.search(rf"{where}\d+: image introuvable", terminal), terminal
    assert re.search(rf"{where}\d+: avertissement : balise HTML", terminal), terminal
    # Every page the browser may be on shows the problems, not an old version.
    status, _, body = get(server.url + "index.html")
    assert status == 200 and "livret-problemes" in body.decode()
    # A model error too: at its line and column.
    line = first_line(original, "niveau: 4")
    with page.expect_event("load", timeout=20_000):
        server.save(synthese(repo), original.replace("niveau: 4", "niveau: 9", 1), PROBLEMS)
    assert f"synthese.yml:{line}:13 « niveau » vaut 9" in re.sub(
        "[\u00a0\u202f]", " ", page.inner_text("#livret-problemes")
    )
    # Fixed: the booklet comes back by itself, still warned about the HTML.
    with page.expect_event("load", timeout=20_000):
        server.save(synthese(repo), original.replace("demande: |\n  ", "demande: |\n  <b>x</b> "))
    assert page.query_selector("#livret-problemes") is None
    assert page.query_selector("article.md-content__inner") is not None
    assert "1 avertissement" in page.inner_text(".livret-apercu")
    page.close()


def test_hostile_links_do_not_run_in_the_preview(
    preview: tuple[Serve, Path, Path], original: str
) -> None:
    server, repo, _ = preview
    links = [
        "javascript:alert(1)",
        "&#106;avascript:alert(1)",
        "java\tscript:alert(1)",
        "JaVaScRiPt&colon;alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
    ]
    words = " ".join(f"[lien{i}]({link})" for i, link in enumerate(links))
    server.save(
        synthese(repo), original.replace("demande: |\n  ", f"demande: |\n  {words}\n\n  ", 1)
    )
    _, _, body = get(server.url + "demarche.html")
    tree = LexborHTMLParser(body.decode())
    content = tree.css_first("article.md-content__inner")
    assert content is not None and "lien0" in content.text()
    # The links are gone (the text stays), and the warnings say so in the banner.
    targets = [a.attributes.get("href") or "" for a in tree.css("[href]")]
    assert not [t for t in targets if re.match(r"\s*(java|vb)?\W*script|data:", t, re.I)]
    assert not tree.css("article script, article [onclick], article iframe")
    banner = tree.css_first(".livret-apercu")
    assert banner is not None and banner.text().count("lien retiré") == len(links)


# --- what it never touches, and how it stops ---------------------------------------------------


def test_stops_cleanly_and_wrote_nothing_in_the_repository(
    preview: tuple[Serve, Path, Path],
) -> None:
    server, repo, tmp = preview
    before = snapshot(repo)
    folders = list(tmp.glob("livret-apercu-*"))
    assert len(folders) == 1 and folders[0].stat().st_mode & 0o077 == 0
    server.save(synthese(repo), synthese(repo).read_text(encoding="utf-8") + "\n")
    assert server.stop(signal.SIGINT) == 0
    server.wait(re.compile("Aperçu arrêté"))
    assert list(tmp.iterdir()) == []  # the temporary folder is gone
    # Nothing published, no clear copy, no access store, no change-detection state.
    for name in ("site", "syntheses", ".livret"):
        assert not (repo / name).exists(), name
    after = snapshot(repo)
    assert set(after) == set(before)
    changed = [p for p in after if after[p] != before[p]]
    assert changed == [f"dossiers/{SLUG}/synthese.yml"]


def test_sigterm_also_removes_the_temporary_folder(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {SLUG: ROOT / "dossiers" / SLUG})
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    # A folder left by a preview that was killed (its process is gone) is removed too.
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphan = tmp / "livret-apercu-orphelin"
    orphan.mkdir(mode=0o700)
    (orphan / "pid").write_text(str(dead.pid))
    (orphan / "index.html").write_text("Claire")
    server = Serve(repo, tmp)
    assert not orphan.exists()
    assert server.stop(signal.SIGTERM) == 0
    assert list(tmp.iterdir()) == []


# --- errors before serving ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp("petit") / "repo", {SLUG: ROOT / "dossiers" / SLUG})


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("2026-inconnu", "dossier introuvable : « 2026-inconnu » n'existe pas dans dossiers/"),
        ("2026-durand-clair", "vouliez-vous dire « 2026-durand-claire » ?"),
        ("../../etc", "n'est pas un nom de dossier"),
        ("/etc", "n'est pas un nom de dossier"),
        ("Durand Claire", "n'est pas un nom de dossier"),
    ],
)
def test_unknown_dossier_is_a_french_error(small_repo: Path, slug: str, expected: str) -> None:
    result = CliRunner().invoke(cli, ["-C", str(small_repo), "serve", slug, "--port", "0"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Erreur : ") and expected in result.stderr
    assert "Traceback" not in result.output


def test_a_linked_dossier_is_refused(small_repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    (small_repo / "dossiers" / "2026-lien-dossier").symlink_to(elsewhere)
    try:
        result = CliRunner().invoke(cli, ["-C", str(small_repo), "serve", "2026-lien-dossier"])
    finally:
        (small_repo / "dossiers" / "2026-lien-dossier").unlink()
    assert result.exit_code == 1 and "lien symbolique" in result.stderr


def test_port_in_use_is_a_french_error(small_repo: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.perf_counter()
        result = CliRunner().invoke(
            cli, ["-C", str(small_repo), "serve", SLUG, "--port", str(port)]
        )
    assert result.exit_code == 1
    assert f"le port {port} est déjà utilisé sur 127.0.0.1" in result.stderr
    assert "--port" in result.stderr and "Traceback" not in result.output
    assert time.perf_counter() - started < 10  # said at once, before any build


@pytest.mark.parametrize(
    "args",
    [
        ["--host", "0.0.0.0"],
        ["--bind", "0.0.0.0"],
        ["-a", "0.0.0.0:8000"],
        ["--port", "0.0.0.0:8000"],
        ["--port", "-1"],
        ["--port", "65536"],
    ],
)
def test_no_way_to_listen_elsewhere(small_repo: Path, args: list[str]) -> None:
    result = CliRunner().invoke(cli, ["-C", str(small_repo), "serve", SLUG, *args])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
