"""One build (or change of access) at a time per repository.

The lock is an operating-system lock on `.livret/construction.lock` (`flock` on Linux and macOS,
`msvcrt.locking` on Windows, through the `filelock` package): the system releases it
when the process dies, so a killed build never leaves the repository locked.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import filelock

from livret.errors import LivretError
from livret.project import Project

BUSY = (
    "une autre construction est en cours dans ce dépôt : attendez qu'elle se termine, puis relancez"
)


@contextmanager
def build_lock(project: Project) -> Iterator[None]:
    """One build at a time per repository; released even when the process dies."""
    project.private.mkdir(parents=True, exist_ok=True, mode=0o700)
    # timeout=0: a second build is told at once, it never waits behind the first.
    lock = filelock.FileLock(project.lock, timeout=0, mode=0o600)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise LivretError(BUSY) from None
    try:
        yield
    finally:
        lock.release()
