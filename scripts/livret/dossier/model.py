"""The dossier contract as typed models.

Field names are the dossier contract (README, « Un dossier »): renamed only with a
reason. Every field has a French description: it becomes the help text consultants see
in their editor through the committed JSON Schema. Unknown keys are forbidden so that a
typo never vanishes.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from livret.sources.codes import ErrorCode, custom_error

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{1,62})[a-z0-9]$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
ECHEANCE_PATTERN = r"^\d{4}-\d{2}(-\d{2})?$"

Texte = Annotated[str, Field(min_length=1)]
ListeTextes = Annotated[list[Texte], Field(default_factory=list)]


class Strict(BaseModel):
    """Base of every model: unknown keys are errors, numbers are accepted as text."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, frozen=True)


# --- bilan.yml -------------------------------------------------------------------------------

Situation = Literal["salarie", "demandeur_emploi", "independant", "fonctionnaire", "autre"]
ModeFinancement = Literal[
    "cpf",
    "plan_developpement",
    "conge_reclassement",
    "france_travail",
    "opco",
    "personnel",
    "autre",
]
Destinataire = Literal["cep", "employeur", "financeur", "autre"]
Phase = Literal["preliminaire", "investigation", "conclusion", "suivi"]
Modalite = Literal["presentiel", "distanciel"]
Genre = Literal["f", "m", "x"]

_GENRE = (
    "Comment accorder les mots qui désignent la personne : f (féminin, « salariée », "
    "« la consultante »), m (masculin, « salarié », « le consultant ») ou x (forme inclusive, "
    "« salarié·e », « consultant·e »). Facultatif : sans ce champ, la forme inclusive."
)

# Modes for which R6313-8 requires a tripartite convention.
MODES_AVEC_CONVENTION = ("plan_developpement", "conge_reclassement")

_DUREE = re.compile(
    r"^\s*(?:(?P<h>\d+)\s*h\s*(?P<hm>\d{1,2})?|(?P<m>\d+)\s*min)\s*$", re.IGNORECASE
)


def _minutes(hours: float) -> int:
    """Hours as whole minutes; infinities and overflows are out of bounds, not a crash."""
    if not math.isfinite(hours):
        raise custom_error(ErrorCode.DUREE_HORS_BORNES)
    try:
        return round(hours * 60)
    except OverflowError:
        raise custom_error(ErrorCode.DUREE_HORS_BORNES) from None


def _count(digits: str) -> int:
    """Hours or minutes as written; past six digits it is out of bounds anyway, and Python
    refuses to convert thousands of digits with a ValueError that has no French message."""
    if len(digits.lstrip("0")) > 6:
        raise custom_error(ErrorCode.DUREE_HORS_BORNES)
    return int(digits)


def parse_duree(value: Any) -> int:
    """Minutes from `2h`, `1h30`, `90min` or a number of hours (`1.5`)."""
    if isinstance(value, bool):
        raise custom_error(ErrorCode.DUREE_INVALIDE)
    if isinstance(value, int | float):
        try:
            hours = float(value)
        except OverflowError:
            raise custom_error(ErrorCode.DUREE_HORS_BORNES) from None
        minutes = _minutes(hours)
    else:
        text = str(value).strip().replace(",", ".")
        match = _DUREE.match(text)
        if match and match["m"] is not None:
            minutes = _count(match["m"])
        elif match:
            extra = int(match["hm"] or 0)
            if extra >= 60:
                raise custom_error(ErrorCode.DUREE_INVALIDE)
            minutes = _count(match["h"]) * 60 + extra
        else:
            try:
                hours = float(text)
            except ValueError:
                raise custom_error(ErrorCode.DUREE_INVALIDE) from None
            minutes = _minutes(hours)
    if not 0 < minutes <= 8 * 60:
        raise custom_error(ErrorCode.DUREE_HORS_BORNES)
    return minutes


class Beneficiaire(Strict):
    """La personne accompagnée."""

    prenom: Texte = Field(description="Prénom du ou de la bénéficiaire.")
    nom: Texte = Field(description="Nom de famille du ou de la bénéficiaire.")
    email: str | None = Field(
        None, pattern=EMAIL_PATTERN, description="Adresse électronique (facultative)."
    )
    situation: Situation = Field(
        description="Situation au début du bilan : salarie, demandeur_emploi, independant, "
        "fonctionnaire ou autre."
    )
    poste: Texte | None = Field(None, description="Poste occupé (facultatif).")
    employeur: Texte | None = Field(None, description="Employeur actuel (facultatif).")
    genre: Genre = Field("x", description=_GENRE)


class Consultant(Strict):
    """Le ou la consultante qui conduit le bilan."""

    nom: Texte = Field(description="Prénom et nom du ou de la consultante.")
    email: str | None = Field(
        None, pattern=EMAIL_PATTERN, description="Adresse électronique (facultative)."
    )
    genre: Genre = Field("x", description=_GENRE)


class Financement(Strict):
    """Qui finance le bilan."""

    mode: ModeFinancement = Field(
        description="Mode de financement : cpf, plan_developpement, conge_reclassement, "
        "france_travail, opco, personnel ou autre."
    )
    montant: float | None = Field(
        None, ge=0, le=100_000, description="Montant en euros (facultatif)."
    )
    convention: Texte | None = Field(
        None,
        description="Référence de la convention tripartite ; obligatoire pour "
        "plan_developpement et conge_reclassement (article R6313-8 du Code du travail).",
    )


class Consentement(Strict):
    """Le consentement du ou de la bénéficiaire (article L6313-4)."""

    date: dt.date = Field(description="Date à laquelle le consentement au bilan a été recueilli.")
    partage: list[Destinataire] = Field(
        default_factory=list,
        description="Tiers à qui le ou la bénéficiaire a permis de transmettre la synthèse : "
        "cep, employeur, financeur, autre. Vide par défaut : rien n'est partagé.",
    )


class Periode(Strict):
    """Les dates du bilan."""

    debut: dt.date = Field(description="Date de début du bilan (AAAA-MM-JJ).")
    fin: dt.date | None = Field(
        None, description="Date de fin ; facultative tant que le bilan se déroule."
    )


class Seance(Strict):
    """Un entretien du bilan."""

    date: dt.date = Field(description="Date de la séance (AAAA-MM-JJ).")
    phase: Phase = Field(
        description="Phase du bilan : preliminaire, investigation, conclusion ou suivi."
    )
    duree: Annotated[int, Field(json_schema_extra={"type": ["string", "number"]})] = Field(
        description="Durée : 2h, 1h30, 90min ou un nombre d'heures (1.5)."
    )
    modalite: Modalite = Field(description="presentiel ou distanciel.")
    objet: Texte | None = Field(None, description="Objet de la séance (facultatif).")

    @field_validator("duree", mode="before")
    @classmethod
    def _duree_en_minutes(cls, value: Any) -> int:
        return parse_duree(value)


class Suivi(Strict):
    """L'entretien de suivi, environ six mois après la fin du bilan."""

    date: dt.date = Field(description="Date prévue de l'entretien de suivi (AAAA-MM-JJ).")


class Bilan(Strict):
    """Le fichier bilan.yml : qui, quand, comment, qui finance, les séances."""

    beneficiaire: Beneficiaire = Field(
        description="La personne accompagnée : prénom, nom, situation, poste."
    )
    consultant: Consultant = Field(description="Le ou la consultante.")
    financement: Financement = Field(description="Le financement du bilan.")
    consentement: Consentement = Field(description="Le consentement au bilan.")
    periode: Periode = Field(description="Début et fin du bilan.")
    seances: list[Seance] = Field(min_length=1, description="Les séances, dans l'ordre.")
    suivi: Suivi | None = Field(None, description="L'entretien de suivi prévu (facultatif).")


# --- synthese.yml ----------------------------------------------------------------------------

Categorie = Literal["savoir", "savoir_faire", "savoir_etre"]
Statut = Literal["retenue", "alternative", "ecartee"]
Qui = Literal["beneficiaire", "consultant", "autre"]
Lettre = Annotated[int, Field(ge=0, le=100)]
# The names of theme/libelles.yml `niveaux` (a test keeps them in step): one scale everywhere.
NIVEAUX_DESCRIPTION = "Niveau de 1 à 4 : 1 Notions, 2 Pratique, 3 Maîtrise, 4 Expertise."


class Competence(Strict):
    """Une compétence repérée pendant le bilan."""

    intitule: Texte = Field(description="Intitulé de la compétence.")
    categorie: Categorie = Field(description="savoir, savoir_faire ou savoir_etre.")
    niveau: int = Field(ge=1, le=4, description=NIVEAUX_DESCRIPTION)
    transferable: bool = Field(False, description="true si la compétence est transférable.")
    preuves: ListeTextes = Field(description="Exemples qui l'attestent (Markdown, facultatif).")


class Riasec(Strict):
    """Profil d'intérêts RIASEC (Holland), scores de 0 à 100."""

    R: Lettre = Field(description="Réaliste.")
    I: Lettre = Field(description="Investigateur.")  # noqa: E741 - the RIASEC letter
    A: Lettre = Field(description="Artistique.")
    S: Lettre = Field(description="Social.")
    E: Lettre = Field(description="Entreprenant.")
    C: Lettre = Field(description="Conventionnel.")


class Interets(Strict):
    """Intérêts professionnels."""

    riasec: Riasec | None = Field(None, description="Profil RIASEC (facultatif).")


class Outil(Strict):
    """Un test ou une méthode utilisée pendant le bilan."""

    nom: Texte = Field(description="Nom de l'outil ou du test.")
    date: dt.date | None = Field(None, description="Date de passation (facultative).")
    resume: Texte | None = Field(None, description="Ce qu'il en ressort (Markdown, facultatif).")
    piece: Texte | None = Field(
        None, description="Pièce jointe sous pieces/ (PDF ou image), facultative."
    )


class Piste(Strict):
    """Une piste professionnelle explorée."""

    intitule: Texte = Field(description="Intitulé de la piste.")
    statut: Statut = Field(description="retenue, alternative ou ecartee.")
    atouts: ListeTextes = Field(description="Ce qui joue en faveur de cette piste.")
    freins: ListeTextes = Field(description="Ce qui freine.")
    enquetes: ListeTextes = Field(description="Enquêtes métiers menées (facultatif).")
    raison: Texte | None = Field(
        None, description="Pourquoi la piste est écartée ; obligatoire si statut: ecartee."
    )


class Projet(Strict):
    """Le projet professionnel retenu."""

    intitule: Texte = Field(description="Intitulé du projet.")
    description: Texte = Field(description="Description du projet (Markdown).")
    formation: Texte | None = Field(None, description="Projet de formation (facultatif).")
    conditions: ListeTextes = Field(description="Facteurs favorables, conditions et moyens.")
    obstacles: ListeTextes = Field(description="Obstacles à lever.")


class Etape(Strict):
    """Une étape du plan d'action."""

    etape: Texte = Field(description="Ce qu'il faut faire.")
    echeance: str = Field(pattern=ECHEANCE_PATTERN, description="Échéance : AAAA-MM ou AAAA-MM-JJ.")
    qui: Qui = Field(description="Qui s'en charge : beneficiaire, consultant ou autre.")
    ressources: ListeTextes = Field(description="Ressources utiles (facultatif).")

    @field_validator("echeance", mode="before")
    @classmethod
    def _echeance_valide(cls, value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value)
        if re.match(ECHEANCE_PATTERN, text):
            parts = [int(p) for p in text.split("-")]
            try:
                dt.date(parts[0], parts[1], parts[2] if len(parts) == 3 else 1)
            except ValueError:
                raise custom_error(ErrorCode.ECHEANCE_IMPOSSIBLE) from None
        return text


class Synthese(Strict):
    """Le fichier synthese.yml : ce qui ressort du bilan."""

    demande: Texte = Field(description="Circonstances et demande initiale (Markdown).")
    objectifs: list[Texte] = Field(
        min_length=1, description="Objectifs convenus en phase préliminaire."
    )
    competences: list[Competence] = Field(
        default_factory=list, description="Compétences et aptitudes repérées."
    )
    valeurs: ListeTextes = Field(description="Valeurs importantes pour la personne.")
    motivations: ListeTextes = Field(description="Motivations.")
    interets: Interets | None = Field(None, description="Intérêts professionnels (facultatif).")
    outils: list[Outil] = Field(default_factory=list, description="Tests et méthodes utilisés.")
    pistes: list[Piste] = Field(default_factory=list, description="Pistes explorées.")
    projet: Projet | None = Field(
        None, description="Le projet retenu (facultatif en cours de bilan)."
    )
    plan_action: list[Etape] = Field(default_factory=list, description="Le plan d'action.")
    observations_beneficiaire: Texte | None = Field(
        None, description="Observations du ou de la bénéficiaire sur la synthèse (Markdown)."
    )


# --- notes/*.md ------------------------------------------------------------------------------


class NoteMeta(Strict):
    """L'en-tête d'une note (entre les deux lignes ---)."""

    titre: Texte = Field(description="Titre de la note.")
    date: dt.date | None = Field(None, description="Date de la note (AAAA-MM-JJ, facultative).")
    visibilite: Literal["beneficiaire", "consultant"] = Field(
        "consultant",
        description="beneficiaire : publiée dans le livret ; consultant (par défaut) : privée, "
        "jamais publiée.",
    )
