"""Dossiers written on Windows: CRLF line endings and a UTF-8 byte order mark.

They must pass `check`, report errors at the same line and column, and build the same
booklet text as the same dossier written with LF.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT, make_repo
from decrypt import decrypt_all
from livret.cli import cli
from livret.dossier.rules import check_piece
from livret.sources.yamlpos import decode_text

SLUG = "2026-durand-claire"  # has notes, lists and long folded texts


def _windows(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.suffix in (".yml", ".md"):
            text = path.read_text(encoding="utf-8")
            path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))


def _run(repo: Path, *args: str) -> tuple[int, str, str]:
    env = {"LIVRET_ACCESS": str(repo.parent / "acces.json")}
    result = CliRunner(env=env).invoke(cli, ["-C", str(repo), *args])
    return result.exit_code, result.stdout, result.stderr


def _texts(repo: Path) -> dict[str, str]:
    """Every page of the booklet, decrypted, with the parts that differ by build removed."""
    entry = json.loads((repo.parent / "acces.json").read_text())["livrets"][SLUG]
    folder = repo / "site" / entry["booklet_id"]
    pages = {}
    for page in sorted(folder.glob("*.html")):
        if page.name == "404.html":  # the one page in clear, the same for every booklet
            continue
        clear = "\n".join(decrypt_all(page.read_text(encoding="utf-8"), entry["passphrase"]))
        pages[page.name] = re.sub(r"[0-9a-f]{16,}|[a-z2-7]{24}|[a-z2-7]{16}\.pdf", "ID", clear)
    return pages


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("crlf")
    unix = make_repo(base / "lf" / "repo", {SLUG: ROOT / "dossiers" / SLUG})
    windows = make_repo(base / "crlf" / "repo", {SLUG: ROOT / "dossiers" / SLUG})
    _windows(windows / "dossiers" / SLUG)
    assert b"\r\n" in (windows / "dossiers" / SLUG / "bilan.yml").read_bytes()
    for repo in (unix, windows):
        code, _, stderr = _run(repo, "build", SLUG)
        assert code == 0, stderr
    return unix, windows


def test_crlf_and_bom_dossier_passes_check(both: tuple[Path, Path]) -> None:
    code, stdout, stderr = _run(both[1], "check")
    assert code == 0 and "aucun problème" in stdout and not stderr


def test_crlf_and_bom_dossier_builds_the_same_booklet_text(both: tuple[Path, Path]) -> None:
    unix, windows = _texts(both[0]), _texts(both[1])
    assert unix.keys() == windows.keys() and len(unix) > 3
    for name, text in unix.items():
        assert windows[name] == text, name
        assert "\r" not in windows[name] and "\ufeff" not in windows[name]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("duree: 2h", "duree: deux heures"),  # a value the model refuses
        ("  prenom: Claire", "  prenom Claire"),  # a YAML error (no colon)
        ("montant: 1600", "montant: mille"),  # not a number
    ],
)
def test_errors_keep_their_line_and_column(tmp_path: Path, old: str, new: str) -> None:
    shown = {}
    for kind in ("lf", "crlf"):
        repo = make_repo(tmp_path / kind / "repo", {SLUG: ROOT / "dossiers" / SLUG})
        bilan = repo / "dossiers" / SLUG / "bilan.yml"
        bilan.write_text(bilan.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        if kind == "crlf":
            _windows(repo / "dossiers" / SLUG)
        code, _, stderr = _run(repo, "check")
        assert code == 1
        shown[kind] = stderr
    assert shown["crlf"] == shown["lf"]
    assert re.search(rf"dossiers/{SLUG}/bilan.yml:\d+:\d+: ", shown["lf"])


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"\xef\xbb\xbfa: 1\r\nb: 2\r\n", "a: 1\nb: 2\n"),
        (b"a: 1\rb: 2\r", "a: 1\nb: 2\n"),  # old Mac line ends: YAML breaks lines there too
        (b"a: 1\r\n\r\nb: |\r\n  x\r\n  y\r\n", "a: 1\n\nb: |\n  x\n  y\n"),
        (b"\xef\xbb\xbf", ""),
    ],
)
def test_decoded_text_has_one_newline_per_line(raw: bytes, text: str) -> None:
    assert decode_text("f.yml", raw) == (text, [])


def test_a_bad_byte_is_placed_as_an_editor_counts() -> None:
    decoded, problems = decode_text("f.yml", b"\xef\xbb\xbfnom: \xc3\xa9l\xe9ve\r\n")
    assert decoded is None
    assert (problems[0].line, problems[0].column) == (1, 8)  # « nom: él » is 7 characters


@pytest.mark.parametrize(
    "written",
    [
        "pieces\\cv.pdf",
        "\\\\serveur\\partage\\cv.pdf",
        "..\\..\\secret.pdf",
        "pieces/sous\\cv.pdf",
        "pieces\\..\\..\\x.pdf",
        "\\cv.pdf",
    ],
)
def test_backslashes_are_refused_in_piece_paths(tmp_path: Path, written: str) -> None:
    why = check_piece(written, tmp_path)
    assert why is not None and "séparez les dossiers par « / »" in why
