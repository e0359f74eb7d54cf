"""Which dossiers a list of changed files concerns: for `livret check --fichiers`, the
entry of the pre-commit hook, which passes the staged paths.

A file under `dossiers/<slug>/` concerns that dossier only. A file every dossier is
checked against (`mkdocs.yml` and its `extra.cadre` bounds, `content/`, the labels of
`theme/libelles.yml`) concerns them all. Anything else (the README, the code, page
templates that `check` does not read) concerns none, so a commit that does not touch the
dossiers does not wait for all of them to be checked.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from livret.project import CONFIG_FILE, CONTENT_DIR, DOSSIERS_DIR, THEME_DIR, Project

LABELS_FILE = f"{THEME_DIR}/libelles.yml"

# The same choice as a regular expression, for the `files:` key of the hook definitions.
HOOK_FILES = r"^(dossiers/|content/|mkdocs\.yml$|theme/libelles\.yml$)"


def dossiers_of_files(
    project: Project, paths: Iterable[str], cwd: Path | None = None
) -> list[str] | None:
    """The slugs the files concern, in order and without repeats; None for every dossier.

    Paths are read relative to `cwd` (pre-commit runs hooks at the repository's root);
    a path outside the repository concerns nothing. Links are not followed: a dossier's
    name is the folder the path names, which `check` then refuses if it is a link.
    """
    here = (cwd or Path.cwd()).resolve()
    root = project.root.resolve()
    slugs: list[str] = []
    for written in paths:
        absolute = Path(os.path.normpath(here / written))
        try:
            parts = PurePosixPath(absolute.relative_to(root).as_posix()).parts
        except ValueError:
            continue
        if not parts:
            continue
        shown = "/".join(parts)
        if parts[0] == CONTENT_DIR or shown in (CONFIG_FILE, LABELS_FILE):
            return None
        # A file of a dossier, or the dossier's folder itself (typed by hand).
        is_dossier = parts[0] == DOSSIERS_DIR and (
            len(parts) >= 3 or (len(parts) == 2 and absolute.is_dir())
        )
        if is_dossier and not parts[1].startswith(".") and parts[1] not in slugs:
            slugs.append(parts[1])
    return slugs
