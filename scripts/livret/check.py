"""`livret check`: everything a build would refuse, found without building anything.

Besides the dossier files themselves, the text is rendered once so that what only
shows at rendering (an image from another site, a missing image under `pieces/`) is
reported at its file and line too, as are problems in `mkdocs.yml` and `content/`.
"""

from __future__ import annotations

from livret.dossier.load import Dossier, check_dossiers
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
    try:
        dossiers = check_dossiers(project.root, slugs)
    except DossierError as error:
        raise DossierError(problems + error.problems) from None
    for dossier in dossiers:
        try:
            build_view(dossier, project.theme)
        except DossierError as error:
            problems += error.problems
    if problems:
        raise DossierError(problems)
    return dossiers
