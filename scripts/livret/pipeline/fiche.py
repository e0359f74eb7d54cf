"""Write the fiches projet a dossier's consent allows: check -> print -> keep private.

One fiche per party named in `consentement.partage` (or the one asked for, if named
there), in `syntheses/fiches/<slug>-<party>.pdf`. A fiche for a party the consent no
longer names is deleted on every run: withdrawing consent must not leave a copy ready
to send. Nothing is ever written for a party the beneficiary did not name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import get_args

from livret.dossier.load import Dossier
from livret.dossier.model import Destinataire
from livret.dossier.provider import load_provider
from livret.errors import DossierError, Problem
from livret.outputs.fiche import print_fiche
from livret.pipeline.booklet import publishable_view
from livret.pipeline.check import check_project
from livret.pipeline.private import keep_clear_copy, require_slug
from livret.project import Project

PARTIES: tuple[str, ...] = get_args(Destinataire)


@dataclass(frozen=True)
class Fiches:
    """The fiches written, the ones deleted because consent no longer covers them."""

    written: list[Path]
    withdrawn: list[Path]
    warnings: list[Problem] = field(default_factory=list)


def withdraw(project: Project, slug: str, allowed: tuple[str, ...]) -> list[Path]:
    """Delete the dossier's fiches for every party not in `allowed`."""
    gone = []
    for party in PARTIES:
        path = project.fiche(slug, party)
        if party not in allowed and path.is_file():
            path.unlink()
            gone.append(path)
    return gone


def _refusal(
    dossier: Dossier, allowed: tuple[str, ...], party: str | None, *, withdrawn: bool
) -> Problem | None:
    """Why no fiche may be written: nobody named, `party` not named, or no project yet."""
    doc = dossier.docs["bilan"]
    pos = doc.value_pos(("consentement", "partage"))
    if not allowed:
        gone = " ; les fiches déjà écrites que ce consentement ne couvre plus sont supprimées"
        return Problem(
            doc.path,
            pos.line,
            pos.column,
            "aucune fiche projet : consentement.partage ne nomme personne, les résultats ne "
            "peuvent être transmis à aucun tiers (article L6313-4) ; ajoutez le tiers (cep, "
            "employeur, financeur ou autre) seulement avec l'accord de la personne"
            + (gone if withdrawn else ""),
        )
    if party is not None and party not in allowed:
        return Problem(
            doc.path,
            pos.line,
            pos.column,
            f"fiche projet pour « {party} » refusée : consentement.partage ne nomme que "
            f"{', '.join(allowed)} ; ajoutez {party} seulement avec l'accord de la personne "
            "(article L6313-4)",
        )
    if dossier.synthese.projet is None:
        return Problem(
            dossier.docs["synthese"].path,
            1,
            1,
            "aucune fiche projet : le projet n'est pas encore écrit ; ajoutez « projet: » avec "
            "son intitulé et sa description dans synthese.yml",
        )
    return None


def write_fiches(
    project: Project,
    slug: str,
    party: str | None = None,
    *,
    strict_mode: bool = False,
    notices: list[str] | None = None,
) -> Fiches:
    """Check the dossier, then print and keep the fiche of each party its consent names.

    Raises DossierError at `consentement.partage` when the consent names nobody (or not
    `party`), and when there is no project yet; nothing is written then, and fiches the
    consent no longer covers are deleted all the same.
    """
    require_slug(slug)
    checked = check_project(project, [slug], strict_mode=strict_mode)
    (dossier,) = checked.dossiers
    allowed = tuple(dossier.bilan.consentement.partage)
    withdrawn = withdraw(project, dossier.slug, allowed)
    refusal = _refusal(dossier, allowed, party, withdrawn=bool(withdrawn))
    if refusal:
        raise DossierError([refusal])
    provider = load_provider(project)
    view = publishable_view(dossier, project.theme, strict_mode, provider)
    settings = provider.base.extra.cadre.fiche_projet
    chosen = [party] if party else list(allowed)
    # Every fiche printed before any is written: a failure leaves the previous set whole.
    printed = {p: print_fiche(project, provider, view, p, getattr(settings, p)) for p in chosen}
    told = notices if notices is not None else []
    written = []
    for name, data in printed.items():
        target = project.fiche(dossier.slug, name)
        told += keep_clear_copy(project, target, data, "la fiche précédente")
        written.append(target)
    return Fiches(written, withdrawn, checked.warnings)
