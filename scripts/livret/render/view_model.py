"""The view's shape: what a booklet page or the PDF template may read, typed.

Frozen dataclasses, so that mypy checks every Python reader and no stage changes
what another stage shows. Field names are French because the templates spell them
(`{{ beneficiaire.prenom }}`); Jinja reads `x.y` as an attribute. Text that came from
the consultant is `Markup` already rendered from Markdown by `render/view.py`; a
`str` is a plain label or value that the templates' autoescape will escape.
Sequences are tuples: a view is built once and read by several templates.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from livret.dossier.model import Categorie, Genre, ModeFinancement, Phase, Qui, Statut
from livret.errors import Problem
from livret.render.charts import Chart


@dataclass(frozen=True)
class Beneficiary:
    """The person the bilan is for; `situation` already agrees with `genre`."""

    prenom: str
    nom: str
    nom_complet: str
    situation: str
    genre: Genre
    poste: str | None
    employeur: str | None


@dataclass(frozen=True)
class Consultant:
    """Who conducts the bilan."""

    nom: str
    email: str | None
    genre: Genre


@dataclass(frozen=True)
class BeneficiaryWords:
    """Words of theme/libelles.yml `accords.beneficiaire`, in the person's form."""

    titre: str
    le: str
    du: str
    seul: str
    accompagne: str


@dataclass(frozen=True)
class ConsultantWords:
    """Words of theme/libelles.yml `accords.consultant`: `votre` is « votre consultante »."""

    titre: str
    le: str
    votre: str


@dataclass(frozen=True)
class Wording:
    """Words that agree with each person (`accords` in the templates)."""

    beneficiaire: BeneficiaryWords
    consultant: ConsultantWords


@dataclass(frozen=True)
class FileNames:
    """Names offered when saving: the synthèse, and each attachment by its `piece:` path."""

    synthese: str
    pieces: Mapping[str, str]


@dataclass(frozen=True)
class Funding:
    """Who pays for the bilan."""

    mode: ModeFinancement
    label: str
    montant: float | None
    convention: str | None


@dataclass(frozen=True)
class Consent:
    """When consent was given, and to whom the synthèse may go (labels, in YAML order)."""

    date: Markup
    partage: tuple[str, ...]


@dataclass(frozen=True)
class Period:
    """The bilan's dates; `fin` is empty while it runs."""

    debut: Markup
    fin: Markup
    termine: bool


@dataclass(frozen=True)
class Session:
    """One séance, as the timeline and the PDF's table show it."""

    date: Markup
    iso: str
    duree: str
    modalite: str
    modalite_courte: str
    objet: Markup


@dataclass(frozen=True)
class PhaseBlock:
    """One phase that had séances, with its séances in date order."""

    code: Phase
    label: str
    minutes: int
    heures: str
    seances: tuple[Session, ...]


@dataclass(frozen=True)
class CompetenceCard:
    """One competence, as its card and its table row show it."""

    intitule: Markup
    niveau: int
    niveau_label: str
    transferable: bool
    preuves: tuple[Markup, ...]


@dataclass(frozen=True)
class CompetenceGroup:
    """The competences of one category, highest level first."""

    code: Categorie
    label: str
    competences: tuple[CompetenceCard, ...]


@dataclass(frozen=True)
class Charts:
    """The inline SVG charts; None when there is nothing to draw."""

    competences: Chart | None
    phases: Chart | None
    riasec: Chart | None


@dataclass(frozen=True)
class Avenue:
    """One professional avenue (`piste`) explored."""

    intitule: Markup
    statut: Statut
    statut_label: str
    atouts: tuple[Markup, ...]
    freins: tuple[Markup, ...]
    enquetes: tuple[Markup, ...]
    raison: Markup


@dataclass(frozen=True)
class CareerProject:
    """The professional project (`projet`) chosen."""

    intitule: Markup
    description: Markup
    formation: Markup
    conditions: tuple[Markup, ...]
    obstacles: tuple[Markup, ...]


@dataclass(frozen=True)
class PlanStep:
    """One step of the action plan.

    `numero`, the place in the YAML, names the step in the checklist kept by the
    browser: it must not change when a step is added or a date moves; `rang` is the
    position shown, in date order.
    """

    numero: int
    rang: int
    etape: Markup
    echeance: Markup
    echeance_iso: str
    qui: Qui
    qui_label: str
    qui_synthese: str
    ressources: tuple[Markup, ...]


@dataclass(frozen=True)
class Tool:
    """One test or method used (`outil`); `piece` is its attachment's path, if any."""

    nom: Markup
    date: Markup
    resume: Markup
    piece: str | None


@dataclass(frozen=True)
class SharedNote:
    """A note the consultant chose to publish; private notes never get here."""

    titre: str
    date: Markup
    iso: str
    corps: Markup


@dataclass(frozen=True)
class Attachment:
    """An attachment on the Documents page: an inlined image or an encrypted PDF's name."""

    titre: str
    url: str | None
    image: str | None
    piece: str


@dataclass(frozen=True)
class Downloads:
    """What the build adds to the view for the pages: the PDF's file name and attachments."""

    pdf: str | None
    pieces: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Satisfaction:
    """The provider's satisfaction questionnaires (Qualiopi indicator 30), as checked links."""

    fin: str | None = None
    six_mois: str | None = None


@dataclass(frozen=True)
class View:
    """Everything a page or the PDF template may show, for one dossier."""

    slug: str
    # The theme's labels as written, for the few a template looks up by a dossier value.
    labels: Mapping[str, Any]
    beneficiaire: Beneficiary
    consultant: Consultant
    accords: Wording
    fichiers: FileNames
    niveaux_echelle: str
    financement: Funding
    consentement: Consent
    periode: Period
    suivi: Markup
    phases: tuple[PhaseBlock, ...]
    nb_seances: int
    total_heures: str
    phase_courante: str
    demande: Markup
    objectifs: tuple[Markup, ...]
    groupes_competences: tuple[CompetenceGroup, ...]
    nb_competences: int
    nb_transferables: int
    valeurs: tuple[Markup, ...]
    motivations: tuple[Markup, ...]
    riasec: Mapping[str, int] | None
    outils: tuple[Tool, ...]
    pistes: tuple[Avenue, ...]
    projet: CareerProject | None
    plan: tuple[PlanStep, ...]
    observations: Markup
    notes: tuple[SharedNote, ...]
    charts: Charts
    questionnaires: Satisfaction = field(default=Satisfaction())
    # What was published differently from what was written (a link without its target).
    warnings: tuple[Problem, ...] = field(default=())

    def template_context(self) -> dict[str, Any]:
        """The names a template sees: every field but the slug and the warnings.

        Shallow on purpose: the parts stay dataclasses, read as attributes.
        """
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in ("slug", "warnings")
        }
