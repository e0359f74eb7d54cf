"""One build (or change of access) at a time per repository."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager

from livret.errors import LivretError
from livret.project import Project


@contextmanager
def build_lock(project: Project) -> Iterator[None]:
    """One build at a time per repository; released even when the process dies."""
    project.private.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle = (project.lock).open("w")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LivretError(
                "une autre construction est en cours dans ce dépôt : attendez qu'elle se "
                "termine, puis relancez"
            ) from None
        yield
    finally:
        handle.close()
