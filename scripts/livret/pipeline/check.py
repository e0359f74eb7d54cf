"""`livret check`: everything a build would refuse, found without building anything.

Besides the dossier files themselves, the text is rendered once so that what only
shows at rendering (an image from another site, a missing image under `pieces/`) is
reported at its file and line too, as are problems in `mkdocs.yml` and `content/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from livret.dossier.load import Dossier, check_dossiers, dossier_folders
from livret.dossier.provider import Cadre, load_provider
from livret.errors import DossierError, Problem, strict
from livret.project import Project
from livret.render.labels import load_labels
from livret.render.pages import content_pages
from livret.render.view import build_view


@dataclass
class Checked:
    """The valid dossiers, and what would be published differently from what was written."""

    dossiers: list[Dossier] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def check_project(
    project: Project, slugs: list[str] | None = None, *, strict_mode: bool = False
) -> Checked:
    """Every dossier checked; raise one DossierError with every problem of every file.

    With `strict_mode`, warnings are errors (for CI and pre-commit hooks).
    """
    problems: list[Problem] = []
    warnings: list[Problem] = []
    # A broken mkdocs.yml is reported at its line; the dossiers are then held to the law's
    # defaults, so that their own problems still show.
    cadre = Cadre()
    try:
        cadre = load_provider(project).base.extra.cadre
    except DossierError as error:
        problems += error.problems
    for shared in (lambda: load_labels(project.theme), lambda: content_pages(project)):
        try:
            shared()
        except DossierError as error:
            problems += error.problems
    dossiers: list[Dossier] = []
    for folder in dossier_folders(project.root, slugs):
        try:
            # One at a time, so that a broken dossier does not hide the others' problems.
            (dossier,) = check_dossiers(project.root, [folder.name], cadre)
            warnings += build_view(dossier, project.theme).warnings
            dossiers.append(dossier)
        except DossierError as error:
            problems += error.problems
    if slugs is None:
        from livret.protect.stores import orphan_entries, orphan_message

        warnings += [
            Problem(where, 1, 1, orphan_message(slug), warning=True)
            for slug, where in orphan_entries(project)
        ]
    if strict_mode and warnings:
        problems += strict(warnings).problems
        warnings = []
    if problems:
        raise DossierError(problems + warnings)
    return Checked(dossiers, sorted(warnings))
