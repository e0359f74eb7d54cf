"""JSON Schemas of the dossier files, generated from the models.

Copies are committed under `dossier/schema/` so that editors (VS Code with the YAML
extension) can complete fields and show the French descriptions; a test checks that
the committed copies match the models.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from livret.dossier.model import MODES_AVEC_CONVENTION, Bilan, NoteMeta, Synthese

SCHEMA_DIR = Path(__file__).parent / "schema"

MODELS: dict[str, type[BaseModel]] = {"bilan": Bilan, "synthese": Synthese, "note": NoteMeta}


# French titles, with their accents, shown by editors above each key's description.
TITLES = {
    "A": "A (artistique)", "C": "C (conventionnel)", "E": "E (entreprenant)",
    "I": "I (investigateur)", "R": "R (réaliste)", "S": "S (social)",
    "atouts": "Atouts", "beneficiaire": "Bénéficiaire", "categorie": "Catégorie",
    "competences": "Compétences", "conditions": "Conditions", "consentement": "Consentement",
    "consultant": "Consultant·e", "convention": "Convention", "date": "Date",
    "debut": "Début", "demande": "Demande", "description": "Description", "duree": "Durée",
    "echeance": "Échéance", "email": "Adresse électronique", "employeur": "Employeur",
    "genre": "Genre",
    "enquetes": "Enquêtes métiers", "etape": "Étape", "fin": "Fin",
    "financement": "Financement", "formation": "Formation", "freins": "Freins",
    "interets": "Intérêts", "intitule": "Intitulé", "modalite": "Modalité", "mode": "Mode",
    "montant": "Montant", "motivations": "Motivations", "niveau": "Niveau", "nom": "Nom",
    "objectifs": "Objectifs", "objet": "Objet",
    "observations_beneficiaire": "Observations du ou de la bénéficiaire",
    "obstacles": "Obstacles", "outils": "Outils", "partage": "Partage", "periode": "Période",
    "phase": "Phase", "piece": "Pièce jointe", "pistes": "Pistes", "plan_action": "Plan d'action",
    "poste": "Poste", "prenom": "Prénom", "preuves": "Preuves", "projet": "Projet",
    "qui": "Qui", "raison": "Raison", "ressources": "Ressources", "resume": "Résumé",
    "riasec": "Profil RIASEC", "seances": "Séances", "situation": "Situation",
    "statut": "Statut", "suivi": "Suivi", "titre": "Titre", "transferable": "Transférable",
    "valeurs": "Valeurs", "visibilite": "Visibilité",
    # models
    "Beneficiaire": "Bénéficiaire", "Bilan": "bilan.yml", "Competence": "Compétence",
    "Consentement": "Consentement", "Consultant": "Consultant·e", "Etape": "Étape",
    "Financement": "Financement", "Interets": "Intérêts", "NoteMeta": "En-tête d'une note",
    "Outil": "Outil", "Periode": "Période", "Piste": "Piste", "Projet": "Projet",
    "Riasec": "Profil RIASEC", "Seance": "Séance", "Suivi": "Suivi",
    "Synthese": "synthese.yml",
}  # fmt: skip

# What the models check in Python and JSON Schema can say too (see test_schema_agrees):
# the forms and bounds of a duration, real months and days in an échéance.
_DUREE = {
    "anyOf": [
        {
            "type": "string",
            "pattern": r"^\s*(?:\d+\s*[hH]\s*(?:[0-5]?\d)?|\d+\s*[mM][iI][nN]|\d+(?:[.,]\d+)?)\s*$",
        },
        {"type": "number", "exclusiveMinimum": 0, "maximum": 8},
    ]
}
# An attachment: a relative path that stays in the dossier, of a type livret accepts
# (PIECE_TYPES of rules.py). Whether the file exists only `livret check` can tell.
_PIECE = (
    r"^(?![/\\~])(?![^/]*:)(?!(?:.*/)?\.\.(?:/|$))"
    r".*\.(?:[pP][dD][fF]|[pP][nN][gG]|[jJ][pP][eE]?[gG]|[wW][eE][bB][pP])$"
)
_ECHEANCE = r"^\d{4}-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?$"


# Rules of rules.py that a JSON Schema can say, by model: required when another key has
# a given value.
_CONDITIONS = {
    "Financement": {
        "if": {
            "properties": {"mode": {"enum": list(MODES_AVEC_CONVENTION)}},
            "required": ["mode"],
        },
        "then": {"required": ["convention"]},
    },
    "Piste": {
        "if": {"properties": {"statut": {"const": "ecartee"}}, "required": ["statut"]},
        "then": {"required": ["raison"]},
    },
}


def _frenchify(node: Any) -> None:
    """French titles everywhere, and the stricter forms above, in place."""
    if isinstance(node, dict):
        for key, spec in node.get("properties", {}).items():
            if isinstance(spec, dict):
                spec["title"] = TITLES.get(key, spec.get("title", key))
                if key == "duree":
                    for word in ("type", "anyOf"):
                        spec.pop(word, None)
                    spec.update(_DUREE)
                if key == "echeance":
                    spec["pattern"] = _ECHEANCE
                if key == "piece":
                    for option in spec.get("anyOf", []):
                        if option.get("type") == "string":
                            option["pattern"] = _PIECE
        for value in node.values():
            _frenchify(value)
    elif isinstance(node, list):
        for value in node:
            _frenchify(value)


def json_schema(name: str) -> dict[str, Any]:
    schema = MODELS[name].model_json_schema()
    for definition in [schema, *schema.get("$defs", {}).values()]:
        definition.update(_CONDITIONS.get(definition["title"], {}))
        definition["title"] = TITLES.get(definition["title"], definition["title"])
    _frenchify(schema)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def schema_text(name: str) -> str:
    return json.dumps(json_schema(name), ensure_ascii=False, indent=2) + "\n"


def schema_path(name: str) -> Path:
    return SCHEMA_DIR / f"{name}.schema.json"


def write_schemas() -> list[Path]:
    """Regenerate the committed copies (used by `make schema`)."""
    written = []
    for name in MODELS:
        path = schema_path(name)
        path.write_text(schema_text(name), encoding="utf-8")
        written.append(path)
    return written
