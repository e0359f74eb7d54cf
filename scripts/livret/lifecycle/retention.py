"""How long a dossier is kept after its bilan, and which dossiers are due for destruction.

R6313-7 (as amended by décret 2023-1350) has the documents of a bilan kept for a period
after it ends, then destroyed; the period is the provider's setting `extra.cadre.
conservation_ans` (3 years by default), counted from `periode.fin`.

Only that one date is read, not the whole dossier: a dossier that no longer passes
`livret check` (a rule added since, a file damaged) must not hide from its destruction.
A dossier whose end cannot be read at all is reported as such, never skipped.
"""

from __future__ import annotations

import datetime as dt
import stat
from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from livret.dossier.load import LINKED_DOSSIER, check_slug, dossier_folders
from livret.dossier.provider import load_provider
from livret.errors import DossierError, Problem, display_path
from livret.project import Project
from livret.sources.yamlpos import read_yaml

_DATE = TypeAdapter(dt.date)  # the same reading of a date as the model's `periode.fin`


@dataclass(frozen=True)
class Kept:
    """A dossier whose bilan has ended: when, and until when it is kept."""

    slug: str
    end: dt.date
    retention_end: dt.date  # the last day it must be kept
    days_past: int  # days since `retention_end`; 0 or less while it is still kept

    @property
    def expired(self) -> bool:
        return self.days_past > 0


@dataclass(frozen=True)
class Retention:
    """Every dossier of the repository, sorted by what retention asks of it."""

    years: int
    today: dt.date
    expired: list[Kept]  # past their period: to destroy (most overdue first)
    kept: list[Kept]  # ended, still within their period
    ongoing: list[str]  # no `periode.fin` yet
    unreadable: list[Problem]  # end date unknown: the consultant must look


def add_years(day: dt.date, years: int) -> dt.date:
    """`day` moved `years` years on; 29 February becomes 28 February in a common year.

    French law counts a period in years to the day bearing the same number, and to the
    last day of the month when there is none (Code de procédure civile, art. 641).
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, into a common year
        return day.replace(year=day.year + years, day=28)


def retention_end(end: dt.date, years: int) -> dt.date:
    """The last day the documents of a bilan that ended on `end` must be kept."""
    return add_years(end, years)


def read_end(folder: Path, root: Path) -> dt.date | None:
    """`periode.fin` of one dossier, None while the bilan runs; DossierError if unreadable.

    Reads `bilan.yml` alone, and only that key: the rest of the dossier may be invalid.
    """
    shown = display_path(folder, root)
    if folder.is_symlink():
        raise DossierError([Problem(shown, 1, 1, LINKED_DOSSIER)])
    wrong_name = check_slug(folder.name, shown)
    if wrong_name:
        raise DossierError(wrong_name)
    path = folder / "bilan.yml"
    shown_file = f"{shown}/bilan.yml"
    try:
        info = path.lstat()
    except FileNotFoundError:
        missing = "fichier introuvable : la date de fin du bilan est inconnue"
        raise DossierError([Problem(shown_file, 1, 1, missing)]) from None
    if not stat.S_ISREG(info.st_mode):  # a link could lead anywhere, a FIFO blocks the read
        raise DossierError(
            [Problem(shown_file, 1, 1, "ce n'est pas un fichier ordinaire : remplacez-le")]
        )
    try:
        raw = path.read_bytes()
    except OSError as error:
        unreadable = f"fichier illisible ({error.strerror}) : vérifiez ses droits"
        raise DossierError([Problem(shown_file, 1, 1, unreadable)]) from None
    doc = read_yaml(shown_file, raw)
    periode = doc.data.get("periode") if isinstance(doc.data, dict) else None
    if not isinstance(periode, dict):
        # No period at all is not an ongoing bilan (`debut` is required): say it.
        pos = doc.value_pos(("periode",))
        raise DossierError([Problem(shown_file, pos.line, pos.column, _NO_PERIOD)])
    value = periode.get("fin")
    if value is None:
        return None
    try:
        return _DATE.validate_python(value)
    except ValidationError:
        pos = doc.value_pos(("periode", "fin"))
        message = (
            f"date de fin illisible « {value} » : écrivez-la AAAA-MM-JJ, par exemple 2026-11-19"
        )
        raise DossierError([Problem(shown_file, pos.line, pos.column, message)]) from None


_NO_PERIOD = (
    "« periode » manquante ou illisible, la durée de conservation ne peut être comptée : "
    "écrivez « periode: » puis, en retrait, « debut: AAAA-MM-JJ » et « fin: AAAA-MM-JJ »"
)


def retention(project: Project, today: dt.date) -> Retention:
    """Where every dossier stands on `today` with regard to its retention period."""
    years = load_provider(project).base.extra.cadre.conservation_ans
    expired: list[Kept] = []
    kept: list[Kept] = []
    ongoing: list[str] = []
    unreadable: list[Problem] = []
    for folder in dossier_folders(project.root):
        try:
            end = read_end(folder, project.root)
        except DossierError as error:
            unreadable += error.errors or error.problems
            continue
        if end is None:
            ongoing.append(folder.name)
            continue
        last = retention_end(end, years)
        entry = Kept(folder.name, end, last, (today - last).days)
        (expired if entry.expired else kept).append(entry)
    expired.sort(key=lambda k: (-k.days_past, k.slug))
    kept.sort(key=lambda k: (k.retention_end, k.slug))
    return Retention(years, today, expired, kept, ongoing, sorted(unreadable))
