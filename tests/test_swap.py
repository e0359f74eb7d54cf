"""Publishing without renameat2 (macOS, Windows): the fallback swap, forced, and its crashes.

The fallback renames the old booklet aside (`.<id>.ancien`) and the new one into place. A
reader sees the old booklet, the new one, or for a moment none: never a mix. A crash in
that moment leaves the old booklet aside; the next build puts it back.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, ROOT, make_repo
from decrypt import decrypt_all
from livret.cli import cli
from livret.publish import swap

SLUG = "2026-martin-lucie"

# A build where renameat2 is absent, killed right after the old booklet is set aside.
CRASH = """
import os, sys
from pathlib import Path
import livret.publish.swap as swap
swap._exchange = lambda a, b: False
rename = Path.rename
def dying_rename(self, target):
    moved = rename(self, target)
    if str(target).endswith(".ancien"):
        os._exit(9)
    return moved
Path.rename = dying_rename
from livret.cli import main
sys.argv = ["livret", *sys.argv[1:]]
main()
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", {SLUG: FIXTURES / "minimal"})


def _build(repo: Path, *args: str) -> dict[str, object]:
    env = {"LIVRET_ACCESS": str(repo.parent / "acces.json")}
    result = CliRunner(env=env).invoke(cli, ["-C", str(repo), "build", "--json", *args])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout)["booklets"][0])


def _published(repo: Path) -> tuple[Path, str]:
    entry = json.loads((repo.parent / "acces.json").read_text())["livrets"][SLUG]
    return repo / "site" / entry["booklet_id"], entry["passphrase"]


def _opens(folder: Path, passphrase: str) -> str:
    assert list(folder.glob("*.pdf"))
    return decrypt_all((folder / "index.html").read_text(encoding="utf-8"), passphrase)[0]


def test_the_fallback_is_taken_where_renameat2_is_absent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("a")
    for platform in ("darwin", "win32", "cygwin", "freebsd14"):
        monkeypatch.setattr(sys, "platform", platform)
        assert swap._exchange(a, b) is False
        assert (a / "x").read_text() == "a"  # nothing moved
    monkeypatch.setattr(sys, "platform", "linux")
    assert swap._exchange(a, b) is True  # this machine has it: the forced tests below matter
    assert (b / "x").read_text() == "a"


def test_forced_fallback_publishes_whole_booklets(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(swap, "_exchange", lambda a, b: False)
    _build(repo)
    folder, passphrase = _published(repo)
    first = _opens(folder, passphrase)
    bilan = repo / "dossiers" / SLUG / "bilan.yml"
    bilan.write_text(bilan.read_text().replace("Lucie", "Lucienne"))
    assert _build(repo)["status"] == "built"  # replaces an existing booklet: the fallback path
    again = _opens(folder, passphrase)
    assert "Lucienne" in again and "Lucienne" not in first
    leftovers = [p.name for p in (repo / "site").iterdir() if p.name.startswith(".")]
    assert leftovers == [".livret-publication"]


def test_a_crash_between_the_two_renames_keeps_the_old_booklet(repo: Path) -> None:
    _build(repo)
    folder, passphrase = _published(repo)
    before = _opens(folder, passphrase)
    aside = folder.with_name(f".{folder.name}.ancien")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "scripts"),
        "LIVRET_ACCESS": str(repo.parent / "acces.json"),
    }
    command = [sys.executable, "-c", CRASH, "-C", str(repo), "build", "--force", "-j", "1"]
    died = subprocess.run(command, env=env, capture_output=True, check=False)
    assert died.returncode == 9, died.stderr
    # The moment of the crash: no booklet at its place, the old one whole beside it.
    assert not folder.exists() and aside.is_dir()
    assert _opens(aside, passphrase) == before
    # The next build puts it back (then sees it unchanged), and nothing is left aside.
    assert _build(repo)["status"] == "unchanged"
    assert _opens(folder, passphrase) == before and not aside.exists()


def test_a_crash_after_the_new_booklet_is_in_place_drops_the_old(repo: Path) -> None:
    _build(repo)
    folder, passphrase = _published(repo)
    aside = folder.with_name(f".{folder.name}.ancien")
    shutil.copytree(folder, aside)  # as left when the crash comes before the final rmtree
    (aside / "index.html").write_text("ancien")
    assert _build(repo)["status"] == "unchanged"
    assert not aside.exists() and _opens(folder, passphrase)


def test_a_failed_second_rename_puts_the_old_booklet_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(swap, "_exchange", lambda a, b: False)
    target, staged = tmp_path / "livret", tmp_path / ".arrivee-x"
    target.mkdir()
    (target / "index.html").write_text("ancien")
    with pytest.raises(OSError):
        swap.swap_in(staged, target)  # `staged` does not exist: its rename fails
    assert (target / "index.html").read_text() == "ancien"
    assert not (tmp_path / ".livret.ancien").exists()


@pytest.mark.parametrize(
    "name",
    [
        ".aaaaaaaaaaaaaaaaaaaaaaaa.ancienne",  # not our suffix
        ".AAAAAAAAAAAAAAAAAAAAAAAA.ancien",  # not a booklet id
        ".aaaa.ancien",
        "..ancien",
        ".aaaaaaaaaaaaaaaaaaaaaaaa/../x.ancien",
    ],
)
def test_only_booklet_folders_are_put_back(tmp_path: Path, name: str) -> None:
    out = tmp_path / "site"
    out.mkdir()
    entry = out / Path(name).name
    entry.mkdir()
    swap.recover_set_aside(out)
    assert sorted(p.name for p in out.iterdir()) == [entry.name]


def test_a_link_set_aside_is_never_followed(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "site", tmp_path / "ailleurs"
    out.mkdir()
    elsewhere.mkdir()
    link = out / f".{'a' * 24}.ancien"
    link.symlink_to(elsewhere, target_is_directory=True)
    swap.recover_set_aside(out)
    assert link.is_symlink() and not (out / ("a" * 24)).exists()
