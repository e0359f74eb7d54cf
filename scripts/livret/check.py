"""`livret check`: everything a build would refuse, found without building anything.

Besides the dossier files themselves, the text is rendered once so that what only
shows at rendering (an image from another site, a missing image under `pieces/`) is
reported at its file and line too, as are problems in `mkdocs.yml` and `content/`.
"""

from __future__ import annotations

from livret.dossier.load import Dossier, check_dossiers, dossier_folders
from livret.errors import DossierError, Problem
from livret.project import Project
from livret.provider import load_provider
from livret.render.pages import content_pages
from livret.render.view import build_view


def check_project(project: Project, slugs: list[str] | None = None) -> list[Dossier]:
    """The valid dossiers; raise one DossierError with every problem of every file."""
    problems: list[Problem] = []
    for shared in (lambda: load_provider(project), lambda: content_pages(project)):
        try:
            shared()
        except DossierError as error:
            problems += error.problems
    dossiers: list[Dossier] = []
    for folder in dossier_folders(project.root, slugs):
        try:
            # One at a time, so that a broken dossier does not hide the others' problems.
            (dossier,) = check_dossiers(project.root, [folder.name])
            build_view(dossier, project.theme)
            dossiers.append(dossier)
        except DossierError as error:
            problems += error.problems
    if problems:
        raise DossierError(problems)
    return dossiers
