"""Change detection: a booklet is rebuilt only when one of its inputs changed.

Its inputs are its dossier's files, the shared `content/`, `theme/`, `mkdocs.yml`,
livret itself and the libraries it drives, and its access entry.
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat
from pathlib import Path

import livret
from livret import __version__
from livret.dossier.provider import load_provider
from livret.project import Project
from livret.protect.access import Access


def _hash_tree(digest: hashlib._Hash, folder: Path, root: Path) -> None:
    """Names and bytes of every file under `folder`, without following a symbolic link.

    A link is hashed by what it says, never by what it points to: a dossier folder that
    is a link to /etc must not make livret read /etc (such a dossier is refused anyway).
    """
    if folder.is_symlink():
        digest.update(b"->" + os.fsencode(os.readlink(folder)) + b"\0")
        return
    if not folder.exists():
        return
    paths = [folder]
    if folder.is_dir():
        paths = []
        for top, dirs, files in os.walk(folder):  # never descends into a linked folder
            paths += [Path(top) / name for name in files]
            paths += [Path(top) / name for name in dirs if (Path(top) / name).is_symlink()]
    for path in sorted(paths):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        if path.is_symlink():
            digest.update(b"->" + os.fsencode(os.readlink(path)) + b"\0")
        elif stat.S_ISREG(path.lstat().st_mode):  # a FIFO would block the read forever
            digest.update(path.read_bytes() + b"\0")


# Libraries whose upgrade changes what a booklet looks like or how it is protected.
_DEPENDENCIES = (
    "mkdocs", "mkdocs-material", "mkdocs-encryptcontent-plugin", "weasyprint", "pikepdf",
    "markdown", "jinja2",
)  # fmt: skip


@functools.cache
def _tool_fingerprint() -> str:
    """livret's own code and the libraries it drives: a change to them changes every booklet."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256(__version__.encode())
    for name in _DEPENDENCIES:
        try:
            digest.update(f"{name}={version(name)}\0".encode())
        except PackageNotFoundError:
            digest.update(f"{name}=?\0".encode())
    package = Path(livret.__file__).parent  # the whole package, not this folder
    _hash_tree(digest, package, package)
    return digest.hexdigest()


def shared_fingerprint(project: Project) -> str:
    """Everything every booklet depends on."""
    digest = hashlib.sha256(_tool_fingerprint().encode())
    for part in (project.content, project.theme, project.config):
        _hash_tree(digest, part, project.root)
    logo = load_provider(project).logo
    if logo is not None and logo.is_file():  # may live outside theme/
        digest.update(logo.read_bytes())
    return digest.hexdigest()


def booklet_fingerprint(shared: str, folder: Path, access: Access) -> str:
    digest = hashlib.sha256(shared.encode())
    # The access entry by its id and creation time: a rotation changes both.
    digest.update(f"{access.booklet_id}\0{access.created}\0".encode())
    _hash_tree(digest, folder, folder.parent)
    return digest.hexdigest()
