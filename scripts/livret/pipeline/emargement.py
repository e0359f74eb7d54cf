"""Write a dossier's attendance sheet: check -> print -> keep it private, all or nothing.

The dossier is checked as `livret check` does (every problem at once, at its position),
then the sheet is printed in memory and only then written, owner-only and atomically, to
`syntheses/emargements/<slug>.pdf`: a dossier in error or a full disk leaves the previous
sheet as it was. The sheet names the people, so it never goes near an output folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from livret.dossier import lint
from livret.dossier.provider import load_provider
from livret.errors import DossierError, Problem
from livret.outputs.emargement import print_emargement
from livret.pipeline.check import check_project
from livret.pipeline.private import keep_clear_copy, require_slug
from livret.project import Project

# A placeholder of `livret new` in bilan.yml would be printed on a document people sign.
_BEFORE_PRINTING = " : remplacez-le par le vrai texte pour imprimer la feuille d'émargement"


@dataclass(frozen=True)
class Sheet:
    """The attendance sheet written, and what the consultant should know about the dossier."""

    path: Path
    sessions: int
    warnings: list[Problem] = field(default_factory=list)


def write_emargement(
    project: Project,
    slug: str,
    *,
    strict_mode: bool = False,
    notices: list[str] | None = None,
) -> Sheet:
    """Check the dossier, print its attendance sheet and write it where only its owner reads.

    Raises DossierError (positioned problems) when the dossier, the theme or `mkdocs.yml`
    is wrong, LivretError when the private folders cannot be used; nothing is written then.
    Permissions livret had to fix are told in `notices`, for the caller to show.
    """
    require_slug(slug)
    checked = check_project(project, [slug], strict_mode=strict_mode)
    (dossier,) = checked.dossiers
    bilan = dossier.docs["bilan"].path
    left = [p for p in dossier.placeholders if p.path == bilan]
    if left:
        raise DossierError(lint.refusals(left, _BEFORE_PRINTING))
    clear = print_emargement(project, load_provider(project), dossier)

    target = project.attendance_sheet(dossier.slug)
    told = notices if notices is not None else []
    told += keep_clear_copy(project, target, clear, "la feuille précédente")
    return Sheet(target, len(dossier.bilan.seances), checked.warnings)
