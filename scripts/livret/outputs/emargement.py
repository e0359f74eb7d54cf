"""The attendance sheet (feuille d'émargement): each session with a box for each signature.

Funders and Qualiopi auditors take the signed sheet as the usual proof that the bilan
took place (R6313-3). It is printed by the same path as the document de synthèse
(`pdf.print_document`, the theme's `commun.css` and provider block), from the validated
dossier, with the session subjects rendered as Markdown text like everywhere else: raw
HTML shows as written. The clear PDF is the consultant's, never published.
"""

from __future__ import annotations

from typing import Any

from livret.dossier.load import Dossier
from livret.dossier.provider import Provider
from livret.outputs.pdf import document_html, print_document, provider_context
from livret.project import Project
from livret.render.charts import hours_label
from livret.render.labels import load_labels
from livret.render.markdown import MarkdownRenderer
from livret.render.view import Text, accords, date_fr

TEMPLATE = "emargement.html"
STYLESHEET = "emargement.css"


def emargement_context(project: Project, provider: Provider, dossier: Dossier) -> dict[str, Any]:
    """What the template shows: the people, the funding, the sessions in date order."""
    labels = load_labels(project.theme)
    bilan = dossier.bilan
    text = Text(MarkdownRenderer(), dossier.docs["bilan"], dossier.folder)
    # In date order; the YAML index stays with each session for the position of its text.
    in_order = sorted(enumerate(bilan.seances), key=lambda pair: pair[1].date)
    seances = [
        {
            "numero": rank,
            "date": date_fr(seance.date, labels),
            "iso": seance.date.isoformat(),
            "phase": labels["phases"][seance.phase],
            "code_phase": seance.phase,
            "duree": hours_label(seance.duree),
            "modalite": labels["modalites"][seance.modalite],
            "objet": text.inline(seance.objet, "seances", index, "objet"),
        }
        for rank, (index, seance) in enumerate(in_order, start=1)
    ]
    total = sum(s.duree for s in bilan.seances)
    suivi = sum(s.duree for s in bilan.seances if s.phase == "suivi")
    # The follow-up interview comes after the bilan: unless the provider counts it in,
    # the sheet says how much of the total is the bilan itself (the L6313-4 bound).
    apart = suivi if suivi and not provider.base.extra.cadre.suivi_compte_dans_duree else 0
    bene = bilan.beneficiaire
    return {
        **provider_context(provider),
        "beneficiaire": {"nom_complet": f"{bene.prenom} {bene.nom}"},
        "consultant": {"nom": bilan.consultant.nom},
        "accords": {
            "beneficiaire": accords(
                labels["accords"]["beneficiaire"], bene.genre, "accords.beneficiaire"
            ),
            "consultant": accords(
                labels["accords"]["consultant"], bilan.consultant.genre, "accords.consultant"
            ),
        },
        "financement": {
            "label": labels["financement"][bilan.financement.mode],
            "convention": bilan.financement.convention,
        },
        "periode": {
            "debut": date_fr(bilan.periode.debut, labels),
            "fin": date_fr(bilan.periode.fin, labels),
            "termine": bilan.periode.fin is not None,
        },
        "seances": seances,
        "nb_seances": len(seances),
        "total": hours_label(total),
        "duree_suivi": hours_label(apart) if apart else "",
        "duree_bilan": hours_label(total - apart),
    }


def emargement_html(project: Project, provider: Provider, dossier: Dossier) -> str:
    """The HTML of the sheet, as WeasyPrint will lay it out."""
    return document_html(project, TEMPLATE, emargement_context(project, provider, dossier))


def print_emargement(project: Project, provider: Provider, dossier: Dossier) -> bytes:
    """The clear PDF bytes of the attendance sheet of a validated dossier."""
    return print_document(project, emargement_html(project, provider, dossier), STYLESHEET)
