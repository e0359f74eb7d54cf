"""Swap a verified booklet into the published folder atomically, and write the site root.

On Linux the swap exchanges the new folder with the old one in a single system call
(`renameat2(RENAME_EXCHANGE)`), so a reader (or a static host syncing the folder) sees one
or the other. Elsewhere (macOS, Windows, a Linux file system without exchange) the old
folder is first renamed aside to `.<id>.ancien`, then the new one takes its name: for a
moment neither is at `<id>`, but neither is ever half there. A crash in that moment
leaves the old booklet aside, and `recover_set_aside` puts it back at the next build.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import shutil
import sys
from pathlib import Path

from livret.project import SET_ASIDE_SUFFIX
from livret.protect.allowlist import html_problems
from livret.verify import REMOTE_LOAD, ROBOTS, THIRD_PARTY_HOSTS, UnsafeBooklet

_SET_ASIDE = re.compile(rf"^\.([a-z2-7]{{24}}){re.escape(SET_ASIDE_SUFFIX)}$")


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where unsupported.

    False also when the call exists but the file system refuses it (EINVAL), so the
    fallback of `swap_in` is the path taken on every other system.
    """
    if not sys.platform.startswith("linux"):
        return False
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(result == 0)


def swap_in(staged: Path, target: Path) -> None:
    """Replace `target` by `staged` (same parent folder): old or new, never a mix of both."""
    if target.exists():
        if not _exchange(staged, target):
            old = target.with_name(f".{target.name}{SET_ASIDE_SUFFIX}")
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
            try:
                staged.rename(target)
            except OSError:
                old.rename(target)  # the old booklet stays published, the error goes up
                raise
            shutil.rmtree(old, ignore_errors=True)
            return
        shutil.rmtree(staged)  # after the exchange, `staged` holds the old booklet
    else:
        staged.rename(target)


def recover_set_aside(out: Path) -> None:
    """Undo what a crash in the middle of a fallback swap left in `out`.

    A booklet set aside whose place is empty is the last complete one: it goes back.
    One whose place is taken was replaced by a complete new booklet: it goes.
    """
    if not out.is_dir():
        return
    for entry in out.iterdir():
        match = _SET_ASIDE.match(entry.name)
        if match is None or entry.is_symlink() or not entry.is_dir():
            continue
        place = out / match[1]
        if os.path.lexists(place):
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.rename(place)


def write_site_root(out: Path, index: Path) -> None:
    """The neutral home page (`theme/accueil-site.html`) and robots.txt of the published folder."""
    out.mkdir(parents=True, exist_ok=True)
    index_html = index.read_text(encoding="utf-8")
    if REMOTE_LOAD.search(index_html) or any(h in index_html for h in THIRD_PARTY_HOSTS):
        raise UnsafeBooklet(f"{index.name} : appel à un site tiers, publication refusée")
    # The one page everybody sees: held to the same allowlist as the booklets' pages.
    refused = html_problems(index_html, "index.html", content=False)
    if refused:
        raise UnsafeBooklet(f"{index.name} : {refused[0]}, publication refusée")
    for name, text in (("index.html", index_html), ("robots.txt", ROBOTS)):
        path = out / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
