"""What the templates see: the dossier with its text rendered, grouped and counted.

The booklet pages and the PDF are fed by the same view, so both show the same
data with the same Markdown rendering. Every consultant string that may hold
Markdown goes through `MarkdownRenderer` here, with its file and line, so that an
external image is reported where it was written; templates receive safe HTML.
The view's shape lives in `render/view_model.py`; here, one builder per part.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from markupsafe import Markup

from livret.dossier import model
from livret.dossier.load import Dossier
from livret.dossier.model import Phase
from livret.dossier.provider import Questionnaires
from livret.errors import DossierError, LivretError, Problem
from livret.protect.pieces import PieceRefused, clean_pdf
from livret.protect.urls import decide, url_form
from livret.render.charts import competences_chart, hours_label, phases_chart, riasec_chart
from livret.render.labels import load_labels
from livret.render.markdown import MarkdownRenderer, Origin
from livret.render.view_model import (
    Avenue,
    Beneficiary,
    BeneficiaryWords,
    CareerProject,
    Charts,
    CompetenceCard,
    CompetenceGroup,
    Consent,
    Consultant,
    ConsultantWords,
    FileNames,
    Funding,
    Period,
    PhaseBlock,
    PlanStep,
    Satisfaction,
    Session,
    SharedNote,
    Tool,
    View,
    Wording,
)
from livret.sources.yamlpos import Loc, YamlDoc

# The theme's labels, checked complete by `load_labels` (plain dicts, as written).
Labels = dict[str, Any]

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

    def items(self, values: list[str], *loc: str | int) -> tuple[Markup, ...]:
        return tuple(self.inline(v, *loc, i) for i, v in enumerate(values))


def build_view(dossier: Dossier, theme: Path, questionnaires: Questionnaires | None = None) -> View:
    """The view of one dossier; raises DossierError for problems found in its text.

    `questionnaires` are the provider's satisfaction links, shown in the booklet.
    """
    labels = load_labels(theme)
    renderer = MarkdownRenderer()
    b, s = dossier.bilan, dossier.synthese
    bt = Text(renderer, dossier.docs["bilan"], dossier.folder)
    st = Text(renderer, dossier.docs["synthese"], dossier.folder)
    seances = sorted(b.seances, key=lambda x: x.date)
    minutes = _minutes_by_phase(seances)
    groups = _competence_groups(s, st, labels)
    scores = s.interets.riasec if s.interets else None
    riasec = scores.model_dump() if scores is not None else None
    view = View(
        slug=dossier.slug,
        labels=labels,
        beneficiaire=_beneficiary(b.beneficiaire, labels),
        consultant=Consultant(b.consultant.nom, b.consultant.email, b.consultant.genre),
        accords=_wording(b, labels),
        fichiers=_file_names(b, s, labels),
        niveaux_echelle=_scale_sentence(labels),
        financement=_funding(b.financement, labels),
        consentement=Consent(
            date_fr(b.consentement.date, labels),
            tuple(labels["partage"][p] for p in b.consentement.partage),
        ),
        periode=Period(
            date_fr(b.periode.debut, labels),
            date_fr(b.periode.fin, labels),
            b.periode.fin is not None,
        ),
        suivi=date_fr(b.suivi.date, labels) if b.suivi else Markup(""),
        phases=_phases(b, seances, minutes, bt, labels),
        nb_seances=len(seances),
        total_heures=hours_label(sum(minutes.values())),
        phase_courante=labels["phases"][seances[-1].phase],
        demande=st.block(s.demande, "demande"),
        objectifs=st.items(s.objectifs, "objectifs"),
        groupes_competences=groups,
        nb_competences=len(s.competences),
        nb_transferables=sum(1 for c in s.competences if c.transferable),
        valeurs=st.items(s.valeurs, "valeurs"),
        motivations=st.items(s.motivations, "motivations"),
        riasec=riasec,
        outils=_tools(s, st, labels),
        pistes=_avenues(s, st, labels),
        projet=_career_project(s.projet, st),
        plan=_plan(b, s, st, labels),
        observations=st.block(s.observations_beneficiaire, "observations_beneficiaire"),
        notes=_notes(dossier, renderer, labels),
        charts=_charts(groups, minutes, riasec, labels),
        questionnaires=_satisfaction(questionnaires),
    )
    found = renderer.problems + _cleaning_warnings(dossier) + dossier.warnings
    found += dossier.placeholders
    if any(not p.warning for p in found):
        raise DossierError(found)
    return dataclasses.replace(view, warnings=tuple(sorted(set(found))))


# One builder per part of the view, in the order of the View's fields.


def _satisfaction(questionnaires: Questionnaires | None) -> Satisfaction:
    if questionnaires is None:
        return Satisfaction()
    # Checked when mkdocs.yml was read; decided again here, where the link is written.
    kept = [
        decide(url_form(u)) if u else None for u in (questionnaires.fin, questionnaires.six_mois)
    ]
    fin, six_mois = (k.url if k and k.kind == "external" else None for k in kept)
    return Satisfaction(fin, six_mois)


def _beneficiary(bene: model.Beneficiaire, labels: Labels) -> Beneficiary:
    situation = labels["situations"][bene.situation]
    return Beneficiary(
        prenom=bene.prenom,
        nom=bene.nom,
        nom_complet=f"{bene.prenom} {bene.nom}",
        situation=accord(situation, bene.genre, f"situations.{bene.situation}"),
        genre=bene.genre,
        poste=bene.poste,
        employeur=bene.employeur,
    )


def _wording(b: model.Bilan, labels: Labels) -> Wording:
    """`accords.consultant.votre` is « votre consultante » when she is one."""
    words = labels["accords"]
    bene = accords(words["beneficiaire"], b.beneficiaire.genre, "accords.beneficiaire")
    cons = accords(words["consultant"], b.consultant.genre, "accords.consultant")
    return Wording(
        BeneficiaryWords(
            titre=bene["titre"],
            le=bene["le"],
            du=bene["du"],
            seul=bene["seul"],
            accompagne=bene["accompagne"],
        ),
        ConsultantWords(titre=cons["titre"], le=cons["le"], votre=cons["votre"]),
    )


def _file_names(b: model.Bilan, s: model.Synthese, labels: Labels) -> FileNames:
    names = labels["fichiers"]
    bene = b.beneficiaire
    return FileNames(
        synthese=download_name(
            names["synthese" if b.periode.fin else "provisoire"], f"{bene.prenom} {bene.nom}"
        ),
        pieces={o.piece: download_name(names["piece"], o.nom) for o in s.outils if o.piece},
    )


def _scale_sentence(labels: Labels) -> str:
    """What the levels 1 to 4 mean, said once under the competences."""
    charts = labels["graphiques"]
    return str(charts["niveaux_echelle"]).format(
        echelle=" · ".join(
            charts["niveaux_element"].format(niveau=n, libelle=name)
            for n, name in sorted(labels["niveaux"].items())
        )
    )


def _funding(financement: model.Financement, labels: Labels) -> Funding:
    return Funding(
        mode=financement.mode,
        label=labels["financement"][financement.mode],
        montant=financement.montant,
        convention=financement.convention,
    )


def _minutes_by_phase(seances: list[model.Seance]) -> dict[Phase, int]:
    """Minutes spent in each phase that had séances, in the order of the phases."""
    minutes: dict[Phase, int] = {}
    for phase in get_args(Phase):
        total = sum(x.duree for x in seances if x.phase == phase)
        if total:
            minutes[phase] = total
    return minutes


def _phases(
    b: model.Bilan,
    seances: list[model.Seance],
    minutes: dict[Phase, int],
    bt: Text,
    labels: Labels,
) -> tuple[PhaseBlock, ...]:
    def session(x: model.Seance) -> Session:
        return Session(
            date=date_fr(x.date, labels),
            iso=x.date.isoformat(),
            duree=hours_label(x.duree),
            modalite=labels["modalites"][x.modalite],
            modalite_courte=labels["modalites_courtes"][x.modalite],
            objet=bt.inline(x.objet, "seances", b.seances.index(x), "objet"),
        )

    return tuple(
        PhaseBlock(
            code=phase,
            label=labels["phases"][phase],
            minutes=total,
            heures=hours_label(total),
            seances=tuple(session(x) for x in seances if x.phase == phase),
        )
        for phase, total in minutes.items()
    )


def _competence_groups(s: model.Synthese, st: Text, labels: Labels) -> tuple[CompetenceGroup, ...]:
    """Competences by category, in the theme's order, each highest level first."""
    groups = []
    for code, label in labels["categories"].items():
        members = [
            CompetenceCard(
                intitule=st.inline(c.intitule, "competences", i, "intitule"),
                niveau=c.niveau,
                niveau_label=labels["niveaux"][c.niveau],
                transferable=c.transferable,
                preuves=st.items(c.preuves, "competences", i, "preuves"),
            )
            for i, c in enumerate(s.competences)
            if c.categorie == code
        ]
        members.sort(key=lambda m: -m.niveau)  # stable: YAML order within a level
        if members:
            groups.append(CompetenceGroup(code, label, tuple(members)))
    return tuple(groups)


def _tools(s: model.Synthese, st: Text, labels: Labels) -> tuple[Tool, ...]:
    return tuple(
        Tool(
            nom=st.inline(o.nom, "outils", i, "nom"),
            date=date_fr(o.date, labels),
            resume=st.block(o.resume, "outils", i, "resume"),
            piece=o.piece,
        )
        for i, o in enumerate(s.outils)
    )


_STATUS_ORDER: dict[model.Statut, int] = {"retenue": 0, "alternative": 1, "ecartee": 2}


def _avenues(s: model.Synthese, st: Text, labels: Labels) -> tuple[Avenue, ...]:
    """The avenues, the one chosen first, then the alternatives, then those set aside."""
    avenues = [
        Avenue(
            intitule=st.inline(p.intitule, "pistes", i, "intitule"),
            statut=p.statut,
            statut_label=labels["statuts"][p.statut],
            atouts=st.items(p.atouts, "pistes", i, "atouts"),
            freins=st.items(p.freins, "pistes", i, "freins"),
            enquetes=st.items(p.enquetes, "pistes", i, "enquetes"),
            raison=st.block(p.raison, "pistes", i, "raison"),
        )
        for i, p in enumerate(s.pistes)
    ]
    return tuple(sorted(avenues, key=lambda p: _STATUS_ORDER[p.statut]))


def _career_project(p: model.Projet | None, st: Text) -> CareerProject | None:
    if p is None:
        return None
    return CareerProject(
        intitule=st.inline(p.intitule, "projet", "intitule"),
        description=st.block(p.description, "projet", "description"),
        formation=st.inline(p.formation, "projet", "formation"),
        conditions=st.items(p.conditions, "projet", "conditions"),
        obstacles=st.items(p.obstacles, "projet", "obstacles"),
    )


def _plan(b: model.Bilan, s: model.Synthese, st: Text, labels: Labels) -> tuple[PlanStep, ...]:
    """The steps in date order (a stable sort keeps the YAML order for equal dates)."""
    in_order = sorted(enumerate(s.plan_action), key=lambda x: echeance_key(x[1].echeance))
    consultant = b.consultant

    def step(rang: int, i: int, e: model.Etape) -> PlanStep:
        if e.qui == "consultant":
            qui_label = consultant.nom
        else:
            qui_label = accord(labels["qui"][e.qui], consultant.genre, f"qui.{e.qui}")
        synthese = labels["qui_synthese"][e.qui]
        return PlanStep(
            numero=i + 1,
            rang=rang,
            etape=st.inline(e.etape, "plan_action", i, "etape"),
            echeance=echeance_fr(e.echeance, labels),
            echeance_iso=e.echeance,
            qui=e.qui,
            qui_label=qui_label,
            qui_synthese=accord(synthese, consultant.genre, f"qui_synthese.{e.qui}"),
            ressources=st.items(e.ressources, "plan_action", i, "ressources"),
        )

    return tuple(step(rang, i, e) for rang, (i, e) in enumerate(in_order, start=1))


def _notes(dossier: Dossier, renderer: MarkdownRenderer, labels: Labels) -> tuple[SharedNote, ...]:
    """The published notes in date order; undated ones first."""
    notes = []
    for note in dossier.notes:
        if not note.published:
            continue  # private notes never reach any output, not even the renderer
        origin = Origin(note.display, note.body_line, 1, dossier.folder)
        notes.append(
            SharedNote(
                titre=note.meta.titre,
                date=date_fr(note.meta.date, labels),
                iso=note.meta.date.isoformat() if note.meta.date else "",
                corps=renderer.render(note.body, origin),
            )
        )
    return tuple(sorted(notes, key=lambda n: n.iso))


def _charts(
    groups: tuple[CompetenceGroup, ...],
    minutes: dict[Phase, int],
    riasec: dict[str, int] | None,
    labels: Labels,
) -> Charts:
    counts: dict[str, list[int]] = {
        g.code: [sum(1 for c in g.competences if c.niveau == n) for n in (1, 2, 3, 4)]
        for g in groups
    }
    return Charts(
        competences=competences_chart(counts, labels) if counts else None,
        phases=phases_chart({str(k): v for k, v in minutes.items()}, labels) if minutes else None,
        riasec=riasec_chart(riasec, labels) if riasec is not None else None,
    )


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
