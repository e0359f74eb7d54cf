"""The theme's labels (`theme/libelles.yml`), checked like a dossier file.

The templates and charts look labels up by the values of the dossier fields, so the
label tables are built from the same Literal types as the dossier model: a value added
to the model is a missing label at once, reported at its line, not a KeyError while
building someone's booklet.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Any, get_args

from pydantic import BaseModel, Field, ValidationError, create_model

from livret.dossier.model import (
    Categorie,
    Destinataire,
    Modalite,
    ModeFinancement,
    Phase,
    Qui,
    Situation,
    Statut,
    Strict,
    Texte,
)
from livret.errors import DossierError, LivretError, Problem
from livret.sources.messages import validation_problems
from livret.sources.yamlpos import YamlDoc, read_yaml

SHOWN = "theme/libelles.yml"


class Formes(Strict):
    """Un libellé qui s'accorde : féminin, masculin, forme inclusive (genre absent ou x)."""

    f: Texte = Field(description="Forme féminine.")
    m: Texte = Field(description="Forme masculine.")
    x: Texte = Field(description="Forme inclusive.")


# A label that agrees with the person may be one word for all, or its three forms.
Accorde = Texte | Formes


def _table(name: str, keys: Any, doc: str, kind: Any = Texte) -> type[BaseModel]:
    """A model with one required label per key."""
    fields: Any = {key: (kind, Field(description=f"Libellé de « {key} ».")) for key in keys}
    model: type[BaseModel] = create_model(name, __base__=Strict, __doc__=doc, **fields)
    return model


GRAPHIQUES = (
    "riasec_titre", "riasec_texte", "riasec_valeur", "competences_titre", "competences_texte",
    "competences_legende", "competences_ligne", "competences_detail", "phases_titre",
    "phases_texte", "phases_ligne", "niveaux_echelle", "niveaux_element",
)  # fmt: skip
ACCORDS_BENEFICIAIRE = ("titre", "le", "du", "seul", "accompagne")
ACCORDS_CONSULTANT = ("titre", "le", "votre")
FICHIERS = ("synthese", "provisoire", "piece")
_ACCORDS = create_model(
    "Accords",
    __base__=Strict,
    __doc__="Mots qui désignent les personnes, accordés selon genre:.",
    beneficiaire=(
        _table("AccordsBeneficiaire", ACCORDS_BENEFICIAIRE, "Bénéficiaire.", Accorde),
        ...,
    ),
    consultant=(_table("AccordsConsultant", ACCORDS_CONSULTANT, "Consultant.", Accorde), ...),
)
PAGES = (
    "accueil", "demarche", "competences", "anime", "pistes", "projet", "plan", "notes",
    "documents", "a_savoir",
)  # fmt: skip
VERROU = ("titre", "consigne", "champ", "bouton", "erreur")

_PHASES = _table("Phases", get_args(Phase), "Noms des phases.")
Libelles: type[BaseModel] = create_model(
    "Libelles",
    __base__=Strict,
    __doc__="Libellés affichés dans le livret et le document de synthèse.",
    phases=(_PHASES, ...),
    phases_courtes=(_PHASES, ...),
    categories=(_table("Categories", get_args(Categorie), "Catégories."), ...),
    niveaux=(dict[Annotated[int, Field(ge=1, le=4)], Texte], ...),
    statuts=(_table("Statuts", get_args(Statut), "Statuts des pistes."), ...),
    qui=(_table("Qui", get_args(Qui), "Qui porte une étape.", Accorde), ...),
    qui_synthese=(_table("QuiSynthese", get_args(Qui), "Qui, dans la synthèse.", Accorde), ...),
    financement=(_table("Financement", get_args(ModeFinancement), "Financements."), ...),
    situations=(_table("Situations", get_args(Situation), "Situations.", Accorde), ...),
    accords=(_ACCORDS, ...),
    fichiers=(_table("Fichiers", FICHIERS, "Noms proposés au téléchargement."), ...),
    modalites_courtes=(_table("ModalitesCourtes", get_args(Modalite), "Modalités."), ...),
    modalites=(_table("Modalites", get_args(Modalite), "Modalités."), ...),
    partage=(_table("Partage", get_args(Destinataire), "Destinataires."), ...),
    mois=(list[Texte], ...),
    riasec=(_table("RiasecNoms", "RIASEC", "Types RIASEC."), ...),
    graphiques=(_table("Graphiques", GRAPHIQUES, "Textes des graphiques."), ...),
    pages=(_table("Pages", PAGES, "Titres des pages."), ...),
    verrou=(_table("Verrou", VERROU, "Formulaire de phrase de passe."), ...),
)


def angle_brackets(title: str) -> str:
    """Why a page title cannot be published, or "" when it can.

    Material prints page titles as they are, in the menu and the header: a `<` there would
    be markup, so the site refuses it (outputs/site.py); `check` says it first, here.
    """
    if "<" not in title and ">" not in title:
        return ""
    return (
        f"titre de page « {title} » : les signes < et > sont interdits dans un titre "
        "(ils passent pour du code dans le menu du livret) ; écrivez « inférieur à », "
        "« supérieur à » ou des guillemets « »"
    )


def _check_counts(data: Any, doc: YamlDoc) -> list[Problem]:
    """What the model does not say simply: one label per level, one name per month."""
    problems = []
    niveaux = data.get("niveaux") if isinstance(data, dict) else None
    if isinstance(niveaux, dict):
        missing = [n for n in "1234" if n not in niveaux]
        if missing:
            pos = doc.key_pos(("niveaux",))
            problems.append(
                Problem(
                    SHOWN,
                    pos.line,
                    pos.column,
                    f"libellé manquant pour le niveau {', '.join(missing)} dans « niveaux » : "
                    "il en faut un pour chacun des niveaux 1, 2, 3 et 4",
                )
            )
    pages = data.get("pages") if isinstance(data, dict) else None
    if isinstance(pages, dict):
        for key, title in pages.items():
            if isinstance(title, str) and angle_brackets(title):
                pos = doc.value_pos(("pages", key))
                problems.append(Problem(SHOWN, pos.line, pos.column, angle_brackets(title)))
    mois = data.get("mois") if isinstance(data, dict) else None
    if isinstance(mois, list) and len(mois) != 12:
        pos = doc.key_pos(("mois",))
        problems.append(
            Problem(
                SHOWN,
                pos.line,
                pos.column,
                f"« mois » compte {len(mois)} noms : écrivez les 12 mois, de janvier à "
                "décembre, un par ligne « - … »",
            )
        )
    return problems


@functools.cache
def _parse_labels(path: Path, mtime: float) -> dict[str, Any]:
    doc = read_yaml(SHOWN, path.read_bytes())
    problems = _check_counts(doc.data, doc)
    try:
        Libelles.model_validate(doc.data)
    except ValidationError as error:
        problems = validation_problems(error.errors(), doc, Libelles) + problems
    if problems:
        raise DossierError(problems)
    data: dict[str, Any] = dict(doc.data)
    # The view looks levels up by the dossier's numbers.
    data["niveaux"] = {int(key): label for key, label in data["niveaux"].items()}
    return data


def load_labels(theme: Path) -> dict[str, Any]:
    """The labels as written (plain dicts for the templates), once they are known complete."""
    path = theme / "libelles.yml"
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        raise LivretError(
            "fichier « theme/libelles.yml » manquant : remettez-le depuis le dépôt livret "
            "d'origine (dans un dépôt git : « git checkout -- theme/libelles.yml »)"
        ) from None
    return _parse_labels(path, mtime)
