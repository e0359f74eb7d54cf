"""Keep a clear document for the consultant: owner-only, git-ignored, all or nothing.

The attendance sheet and the fiches projet name the people and are never published:
they are written under `syntheses/`, which git must ignore, in folders only their
owner can open, through a temporary file and a rename so that a full disk leaves the
previous copy as it was.
"""

from __future__ import annotations

import re
from pathlib import Path

from livret.dossier.model import SLUG_PATTERN
from livret.errors import LivretError, display_path
from livret.files import write_private
from livret.project import Project
from livret.protect.gitguard import ensure_private
from livret.publish.folders import owner_only, secure_private


def keep_clear_copy(project: Project, target: Path, data: bytes, what: str) -> list[str]:
    """Write `data` to `target` (a file of a folder under `syntheses/`); the notices of
    permissions livret had to fix. `what` names the previous copy in the error."""
    told = secure_private(project)  # refuses a private folder that is a symbolic link
    ensure_private(project, [project.clear_copies])
    try:
        # One level at a time: `mkdir(parents=True)` gives the parents the default mode.
        for folder in (project.clear_copies, target.parent):
            folder.mkdir(mode=0o700, exist_ok=True)
        notice = owner_only(target.parent, 0o700, "ce dossier privé")
        if notice:
            told.append(notice)
        write_private(target, data)
    except OSError as error:
        shown = display_path(target, project.root)
        reason = error.strerror or str(error)
        raise LivretError(
            f"{shown} : écriture impossible ({reason}) ; {what}, s'il y en a une, reste en "
            "place. Vérifiez le disque et les droits du dossier, puis relancez"
        ) from None
    return told


def require_slug(slug: str) -> None:
    """Refuse a name that is not a dossier's before any path is made from it."""
    if not re.fullmatch(SLUG_PATTERN, slug):
        raise LivretError(
            f"« {slug} » n'est pas un nom de dossier : écrivez le nom d'un dossier de "
            "dossiers/ (minuscules, chiffres et tirets, par exemple 2026-durand-claire)"
        )
