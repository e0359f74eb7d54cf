"""What the templates see: the dossier with its text rendered, grouped and counted.

The booklet pages and the PDF are fed by the same view, so both show the same
data with the same Markdown rendering. Every consultant string that may hold
Markdown goes through `MarkdownRenderer` here, with its file and line, so that an
external image is reported where it was written; templates receive safe HTML.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from livret.dossier.load import Dossier
from livret.errors import DossierError, LivretError, Problem
from livret.protect.pieces import PieceRefused, clean_pdf
from livret.render.charts import Chart, competences_chart, hours_label, phases_chart, riasec_chart
from livret.render.labels import load_labels
from livret.render.markdown import MarkdownRenderer, Origin
from livret.sources.yamlpos import Loc, YamlDoc

# Day and month never part at a line end; month and year may.
NBSP = "\u00a0"


def date_fr(value: dt.date | None, labels: dict[str, Any]) -> Markup:
    """`3 septembre 2026`, as French writes dates: « 1<sup>er</sup> » for the first."""
    if value is None:
        return Markup("")
    day = Markup("1<sup>er</sup>") if value.day == 1 else Markup(value.day)
    return Markup("{}{}{} {}").format(day, NBSP, labels["mois"][value.month - 1], value.year)


def echeance_fr(value: str, labels: dict[str, Any]) -> Markup:
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 2:
        return Markup("{} {}").format(labels["mois"][parts[1] - 1], parts[0])
    return date_fr(dt.date(*parts), labels)


def echeance_key(value: str) -> dt.date:
    """When a step is due: a month alone (`2027-04`) means by the end of that month."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        return dt.date(*parts)
    return dt.date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])


def accord(entry: Any, genre: str, where: str = "") -> str:
    """The form of a label for a person: a `{f, m, x}` table of the theme, or one word.

    The forms live in theme/libelles.yml, so that a provider may change them; a table
    that lacks a form is the theme's mistake, said in French rather than as a KeyError.
    """
    if isinstance(entry, dict):
        if genre not in entry or not isinstance(entry[genre], str):
            raise LivretError(
                f"theme/libelles.yml : la forme « {genre} » manque pour « {where} » "
                "(chaque table d'accord donne f, m et x)."
            )
        return str(entry[genre])
    return str(entry)


def accords(table: dict[str, Any], genre: str, where: str) -> dict[str, str]:
    """Every word of one `accords` group in the person's form."""
    return {word: accord(forms, genre, f"{where}.{word}") for word, forms in table.items()}


def download_name(pattern: str, name: str) -> str:
    """A file name for the `download` attribute, from names the consultant wrote.

    Browsers clean such names too, but not all the same way: keep letters, digits and
    common punctuation, turn the rest (`/`, `:`, Markdown marks, control characters) into
    spaces, and keep it short.
    """
    cleaned = " ".join("".join(c if _FILE_CHAR.match(c) else " " for c in name).split())
    # No leading dot either: « ..nom » would be a hidden file.
    return pattern.format(nom=cleaned[:100].strip(" .") or "livret")


_FILE_CHAR = re.compile(r"[\w \-.,'’()&+]")


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

    # In date order (a stable sort keeps the YAML order for equal dates). `numero`, the
    # place in the YAML, names the step in the checklist kept by the browser: it must not
    # change when a step is added or a date moves; `rang` is the position shown.
    in_order = sorted(enumerate(s.plan_action), key=lambda x: echeance_key(x[1].echeance))
    genre_c = b.consultant.genre
    plan = [
        {
            "numero": i + 1,
            "rang": rang,
            "etape": st.inline(e.etape, "plan_action", i, "etape"),
            "echeance": echeance_fr(e.echeance, labels),
            "echeance_iso": e.echeance,
            "qui": e.qui,
            "qui_label": b.consultant.nom
            if e.qui == "consultant"
            else accord(labels["qui"][e.qui], genre_c, f"qui.{e.qui}"),
            "qui_synthese": accord(labels["qui_synthese"][e.qui], genre_c, f"qui_synthese.{e.qui}"),
            "ressources": st.items(e.ressources, "plan_action", i, "ressources"),
        }
        for rang, (i, e) in enumerate(in_order, start=1)
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
            "situation": accord(
                labels["situations"][bene.situation], bene.genre, f"situations.{bene.situation}"
            ),
            "genre": bene.genre,
            "poste": bene.poste,
            "employeur": bene.employeur,
        },
        "consultant": {
            "nom": b.consultant.nom,
            "email": b.consultant.email,
            "genre": b.consultant.genre,
        },
        # Words that agree with each person: `accords.consultant.votre` is « votre consultante ».
        "accords": {
            "beneficiaire": accords(
                labels["accords"]["beneficiaire"], bene.genre, "accords.beneficiaire"
            ),
            "consultant": accords(
                labels["accords"]["consultant"], b.consultant.genre, "accords.consultant"
            ),
        },
        # Names offered when saving: the synthèse, and each attachment by its `piece:` path.
        "fichiers": {
            "synthese": download_name(
                labels["fichiers"]["synthese" if b.periode.fin else "provisoire"],
                f"{bene.prenom} {bene.nom}",
            ),
            "pieces": {
                o.piece: download_name(labels["fichiers"]["piece"], o.nom)
                for o in s.outils
                if o.piece
            },
        },
        "niveaux_echelle": labels["graphiques"]["niveaux_echelle"].format(
            echelle=" · ".join(
                labels["graphiques"]["niveaux_element"].format(niveau=n, libelle=name)
                for n, name in sorted(labels["niveaux"].items())
            )
        ),
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
    found = renderer.problems + cleaning + dossier.warnings + dossier.placeholders
    if any(not p.warning for p in found):
        raise DossierError(found)
    return View(dossier.slug, data, sorted(set(found)))


ROUTINE_REMOVALS = frozenset({"propriétés du document (auteur, logiciel…)", "métadonnées XMP"})


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
        # Metadata goes from every PDF, as a matter of course: only what the document
        # did (scripts, links, forms, files) is worth the consultant's attention.
        removed = tuple(r for r in removed if r not in ROUTINE_REMOVALS)
        if removed:
            pos = doc.value_pos(("outils", index, "piece"))
            message = (
                f"pièce « {outil.piece} » nettoyée avant publication, retiré : {', '.join(removed)}"
            )
            warnings.append(Problem(doc.path, pos.line, pos.column, message, warning=True))
    return warnings
