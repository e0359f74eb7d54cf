"""What the templates see: the dossier with its text rendered, grouped and counted.

The booklet pages and the PDF are fed by the same view, so both show the same
data with the same Markdown rendering. Every consultant string that may hold
Markdown goes through `MarkdownRenderer` here, with its file and line, so that an
external image is reported where it was written; templates receive safe HTML.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from livret.dossier.load import Dossier
from livret.dossier.yamlpos import Loc, YamlDoc
from livret.errors import DossierError, Problem
from livret.pieces import PieceRefused, clean_pdf
from livret.render.charts import Chart, competences_chart, hours_label, phases_chart, riasec_chart
from livret.render.labels import load_labels
from livret.render.markdown import MarkdownRenderer, Origin


def date_fr(value: dt.date | None, labels: dict[str, Any]) -> str:
    """`3 septembre 2026`, as French writes dates."""
    if value is None:
        return ""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {labels['mois'][value.month - 1]} {value.year}"


def echeance_fr(value: str, labels: dict[str, Any]) -> str:
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 2:
        return f"{labels['mois'][parts[1] - 1]} {parts[0]}"
    return date_fr(dt.date(*parts), labels)


@dataclass
class Text:
    """Renders consultant strings of one YAML file with their positions."""

    renderer: MarkdownRenderer
    doc: YamlDoc
    folder: Path

    def _origin(self, loc: Loc) -> Origin:
        pos = self.doc.text_starts.get(loc) or self.doc.value_pos(loc)
        return Origin(self.doc.path, pos.line, pos.column, self.folder)

    def block(self, value: str | None, *loc: str | int) -> Markup:
        return self.renderer.render(value, self._origin(loc)) if value else Markup("")

    def inline(self, value: str | None, *loc: str | int) -> Markup:
        return self.renderer.render_inline(value, self._origin(loc)) if value else Markup("")

    def items(self, values: list[str], *loc: str | int) -> list[Markup]:
        return [self.inline(v, *loc, i) for i, v in enumerate(values)]


@dataclass
class View:
    """Everything a page or the PDF template may show."""

    slug: str
    data: dict[str, Any] = field(default_factory=dict)
    # What was published differently from what was written (a link without its target).
    warnings: list[Problem] = field(default_factory=list)

    def __getitem__(self, key: str) -> Any:
        return self.data[key]


def build_view(dossier: Dossier, theme: Path) -> View:
    """The view of one dossier; raises DossierError for problems found in its text."""
    labels = load_labels(theme)
    renderer = MarkdownRenderer()
    b, s = dossier.bilan, dossier.synthese
    bt = Text(renderer, dossier.docs["bilan"], dossier.folder)
    st = Text(renderer, dossier.docs["synthese"], dossier.folder)

    seances = sorted(b.seances, key=lambda x: x.date)
    minutes_by_phase: dict[str, int] = {}
    for phase in ("preliminaire", "investigation", "conclusion", "suivi"):
        total = sum(x.duree for x in seances if x.phase == phase)
        if total:
            minutes_by_phase[phase] = total
    total_minutes = sum(minutes_by_phase.values())
    phases = [
        {
            "code": phase,
            "label": labels["phases"][phase],
            "minutes": minutes,
            "heures": hours_label(minutes),
            "seances": [
                {
                    "date": date_fr(x.date, labels),
                    "iso": x.date.isoformat(),
                    "duree": hours_label(x.duree),
                    "modalite": labels["modalites"][x.modalite],
                    "modalite_courte": labels["modalites_courtes"][x.modalite],
                    "objet": bt.inline(x.objet, "seances", b.seances.index(x), "objet"),
                }
                for x in seances
                if x.phase == phase
            ],
        }
        for phase, minutes in minutes_by_phase.items()
    ]

    groups = []
    counts: dict[str, list[int]] = {}
    for code, label in labels["categories"].items():
        members = [
            {
                "intitule": st.inline(c.intitule, "competences", i, "intitule"),
                "niveau": c.niveau,
                "niveau_label": labels["niveaux"][c.niveau],
                "transferable": c.transferable,
                "preuves": st.items(c.preuves, "competences", i, "preuves"),
            }
            for i, c in enumerate(s.competences)
            if c.categorie == code
        ]
        members.sort(key=lambda m: -int(m["niveau"]))
        if members:
            groups.append({"code": code, "label": label, "competences": members})
            level_counts = Counter(m["niveau"] for m in members)
            counts[code] = [level_counts.get(n, 0) for n in (1, 2, 3, 4)]

    charts: dict[str, Chart] = {}
    if counts:
        charts["competences"] = competences_chart(counts, labels)
    if minutes_by_phase:
        charts["phases"] = phases_chart(minutes_by_phase, labels)
    riasec = s.interets.riasec if s.interets else None
    if riasec is not None:
        charts["riasec"] = riasec_chart(riasec.model_dump(), labels)

    pistes = [
        {
            "intitule": st.inline(p.intitule, "pistes", i, "intitule"),
            "statut": p.statut,
            "statut_label": labels["statuts"][p.statut],
            "atouts": st.items(p.atouts, "pistes", i, "atouts"),
            "freins": st.items(p.freins, "pistes", i, "freins"),
            "enquetes": st.items(p.enquetes, "pistes", i, "enquetes"),
            "raison": st.block(p.raison, "pistes", i, "raison"),
        }
        for i, p in enumerate(s.pistes)
    ]
    order = {"retenue": 0, "alternative": 1, "ecartee": 2}
    pistes.sort(key=lambda p: order[str(p["statut"])])

    projet = None
    if s.projet is not None:
        p = s.projet
        projet = {
            "intitule": st.inline(p.intitule, "projet", "intitule"),
            "description": st.block(p.description, "projet", "description"),
            "formation": st.inline(p.formation, "projet", "formation"),
            "conditions": st.items(p.conditions, "projet", "conditions"),
            "obstacles": st.items(p.obstacles, "projet", "obstacles"),
        }

    plan = [
        {
            "numero": i + 1,
            "etape": st.inline(e.etape, "plan_action", i, "etape"),
            "echeance": echeance_fr(e.echeance, labels),
            "echeance_iso": e.echeance,
            "qui": e.qui,
            "qui_label": b.consultant.nom if e.qui == "consultant" else labels["qui"][e.qui],
            "qui_synthese": labels["qui_synthese"][e.qui],
            "ressources": st.items(e.ressources, "plan_action", i, "ressources"),
        }
        for i, e in enumerate(s.plan_action)
    ]

    outils = [
        {
            "nom": st.inline(o.nom, "outils", i, "nom"),
            "date": date_fr(o.date, labels),
            "resume": st.block(o.resume, "outils", i, "resume"),
            "piece": o.piece,
        }
        for i, o in enumerate(s.outils)
    ]
    cleaning = _cleaning_warnings(dossier)

    notes = []
    for note in dossier.notes:
        if not note.published:
            continue  # private notes never reach any output, not even the renderer
        origin = Origin(note.display, note.body_line, 1, dossier.folder)
        notes.append(
            {
                "titre": note.meta.titre,
                "date": date_fr(note.meta.date, labels),
                "iso": note.meta.date.isoformat() if note.meta.date else "",
                "corps": renderer.render(note.body, origin),
            }
        )
    notes.sort(key=lambda n: str(n["iso"]))

    bene = b.beneficiaire
    data: dict[str, Any] = {
        "labels": labels,
        "beneficiaire": {
            "prenom": bene.prenom,
            "nom": bene.nom,
            "nom_complet": f"{bene.prenom} {bene.nom}",
            "situation": labels["situations"][bene.situation],
            "poste": bene.poste,
            "employeur": bene.employeur,
        },
        "consultant": {"nom": b.consultant.nom, "email": b.consultant.email},
        "financement": {
            "mode": b.financement.mode,
            "label": labels["financement"][b.financement.mode],
            "montant": b.financement.montant,
            "convention": b.financement.convention,
        },
        "consentement": {
            "date": date_fr(b.consentement.date, labels),
            "partage": [labels["partage"][p] for p in b.consentement.partage],
        },
        "periode": {
            "debut": date_fr(b.periode.debut, labels),
            "fin": date_fr(b.periode.fin, labels),
            "termine": b.periode.fin is not None,
        },
        "suivi": date_fr(b.suivi.date, labels) if b.suivi else "",
        "phases": phases,
        "nb_seances": len(seances),
        "total_heures": hours_label(total_minutes),
        "phase_courante": labels["phases"][seances[-1].phase],
        "demande": st.block(s.demande, "demande"),
        "objectifs": st.items(s.objectifs, "objectifs"),
        "groupes_competences": groups,
        "nb_competences": len(s.competences),
        "nb_transferables": sum(1 for c in s.competences if c.transferable),
        "valeurs": st.items(s.valeurs, "valeurs"),
        "motivations": st.items(s.motivations, "motivations"),
        "riasec": riasec.model_dump() if riasec else None,
        "outils": outils,
        "pistes": pistes,
        "projet": projet,
        "plan": plan,
        "observations": st.block(s.observations_beneficiaire, "observations_beneficiaire"),
        "notes": notes,
        "charts": charts,
    }
    if any(not p.warning for p in renderer.problems):
        raise DossierError(renderer.problems + cleaning)
    return View(dossier.slug, data, sorted(set(renderer.problems + cleaning)))


def _cleaning_warnings(dossier: Dossier) -> list[Problem]:
    """What sanitising takes out of each PDF attachment, said at its `piece:` line.

    Here rather than at publication so that `livret check` says it too, and `--strict`
    refuses the same dossiers in both commands. The result is cached by `clean_pdf`.
    """
    warnings = []
    doc = dossier.docs["synthese"]
    for index, outil in enumerate(dossier.synthese.outils):
        if outil.piece is None or not outil.piece.lower().endswith(".pdf"):
            continue
        try:
            removed = clean_pdf(dossier.piece(outil.piece)).removed
        except PieceRefused:
            continue  # already an error of the loader (rules.check_piece)
        if removed:
            pos = doc.value_pos(("outils", index, "piece"))
            message = (
                f"pièce « {outil.piece} » nettoyée avant publication, retiré : {', '.join(removed)}"
            )
            warnings.append(Problem(doc.path, pos.line, pos.column, message, warning=True))
    return warnings
