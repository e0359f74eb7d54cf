"""Swap a verified booklet into the published folder atomically, and write the site root.

The swap exchanges the new folder with the old one in a single system call, so a
reader (or a static host syncing the folder) sees one or the other.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from pathlib import Path

from livret.project import SET_ASIDE_SUFFIX
from livret.protect.allowlist import html_problems
from livret.verify import REMOTE_LOAD, ROBOTS, THIRD_PARTY_HOSTS, UnsafeBooklet


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where unsupported."""
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
    """Replace `target` by `staged` (same parent folder) so that one of them is always there."""
    if target.exists():
        if not _exchange(staged, target):
            old = target.with_name(f".{target.name}{SET_ASIDE_SUFFIX}")
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
            staged.rename(target)
            shutil.rmtree(old, ignore_errors=True)
            return
        shutil.rmtree(staged)  # after the exchange, `staged` holds the old booklet
    else:
        staged.rename(target)


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
