"""A fiche projet for one third party, printed like every document of the bilan.

The results of a bilan go to nobody but the beneficiary without their agreement
(L6313-4). When `consentement.partage` names a party, the consultant may hand it a
fiche projet: the project and only the parts the provider's settings give that party
(`extra.cadre.fiche_projet`), never the notes, the tests, the paths dropped or the
beneficiary's observations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from livret.dossier.provider import Provider
from livret.outputs.pdf import document_html, print_document, provider_context
from livret.project import Project
from livret.render.view_model import View

TEMPLATE = "fiche.html"
STYLESHEET = "fiche.css"


def fiche_html(
    project: Project, provider: Provider, view: View, party: str, rubriques: Sequence[str]
) -> str:
    """The HTML of the fiche for `party` (a `consentement.partage` code)."""
    context: dict[str, Any] = {
        **provider_context(provider),
        "beneficiaire": view.beneficiaire,
        "consultant": view.consultant,
        "accords": view.accords,
        "consentement": view.consentement,
        "projet": view.projet,
        "groupes_competences": view.groupes_competences,
        "plan": view.plan,
        "destinataire": view.labels["partage"][party],
        "rubriques": tuple(rubriques),
    }
    return document_html(project, TEMPLATE, context)


def print_fiche(
    project: Project, provider: Provider, view: View, party: str, rubriques: Sequence[str]
) -> bytes:
    """The clear PDF bytes of the fiche for `party`."""
    return print_document(
        project, fiche_html(project, provider, view, party, rubriques), STYLESHEET
    )
