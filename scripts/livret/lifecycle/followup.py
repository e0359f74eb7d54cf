"""The follow-up interviews to hold: due soon, overdue, or never planned.

The follow-up interview (about six months after the bilan) is where the provider
measures what became of the project, and where the six-month satisfaction
questionnaire is sent (Qualiopi indicator 30). An interview counts as held once a
session of phase `suivi` is written on or after its planned date, or after the end of
the bilan: a consultant who records the interview never sees it listed again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from livret.dossier.load import Dossier, check_dossiers, dossier_folders
from livret.dossier.provider import load_provider
from livret.errors import DossierError
from livret.project import Project


@dataclass(frozen=True)
class Followup:
    """One follow-up interview still to hold."""

    slug: str
    date: dt.date
    consultant: str
    days: int  # from the reference day; negative when overdue


@dataclass
class Followups:
    """What `livret suivi` reports, sorted by date."""

    today: dt.date
    days: int
    overdue: list[Followup] = field(default_factory=list)
    due: list[Followup] = field(default_factory=list)
    unplanned: list[str] = field(default_factory=list)  # finished bilans without suivi.date
    unreadable: list[str] = field(default_factory=list)  # dossiers `livret check` refuses
    questionnaire_end: str | None = None
    questionnaire_six_months: str | None = None


def _held(dossier: Dossier) -> bool:
    bilan = dossier.bilan
    assert bilan.suivi is not None
    after = bilan.periode.fin or bilan.periode.debut
    return any(
        s.phase == "suivi" and (s.date >= bilan.suivi.date or s.date > after) for s in bilan.seances
    )


def followups(project: Project, today: dt.date, days: int) -> Followups:
    """Every dossier's follow-up interview, relative to `today`, within `days` days."""
    questionnaires = load_provider(project).base.extra.cadre.questionnaires
    found = Followups(today, days, questionnaire_end=questionnaires.fin)
    found.questionnaire_six_months = questionnaires.six_mois
    for folder in dossier_folders(project.root):
        try:
            (dossier,) = check_dossiers(project.root, [folder.name])
        except DossierError:
            # A broken dossier must not silently drop out of the list.
            found.unreadable.append(folder.name)
            continue
        bilan = dossier.bilan
        if bilan.suivi is None:
            if bilan.periode.fin is not None:
                found.unplanned.append(dossier.slug)
            continue
        if _held(dossier):
            continue
        delay = (bilan.suivi.date - today).days
        entry = Followup(dossier.slug, bilan.suivi.date, bilan.consultant.nom, delay)
        if delay < 0:
            found.overdue.append(entry)
        elif delay <= days:
            found.due.append(entry)
    found.overdue.sort(key=lambda f: (f.date, f.slug))
    found.due.sort(key=lambda f: (f.date, f.slug))
    return found
