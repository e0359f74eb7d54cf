"""Validation errors in French (livret.sources.messages), at the line and column of the mistake.

Each case takes the small valid dossier of tests/fixtures/minimal, changes one line, validates
it with the real models and reads the problems back through `validation_problems`: the
exact `path:line:column: message` the consultant sees.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from conftest import FIXTURES
from livret.dossier.model import Bilan, Synthese
from livret.sources.messages import validation_problems
from livret.sources.yamlpos import parse_yaml

BILAN = (FIXTURES / "minimal" / "bilan.yml").read_text(encoding="utf-8")
SYNTHESE = (FIXTURES / "minimal" / "synthese.yml").read_text(encoding="utf-8")
FILES: dict[str, tuple[str, type[BaseModel]]] = {
    "bilan.yml": (BILAN, Bilan),
    "synthese.yml": (SYNTHESE, Synthese),
}


def problems(name: str, old: str, new: str) -> list[str]:
    """The problems of the minimal dossier's `name` with its first `old` replaced by `new`."""
    source, model = FILES[name]
    assert old in source, old
    path = f"dossiers/2026-martin-lucie/{name}"
    doc, yaml_problems = parse_yaml(path, source.replace(old, new, 1))
    assert doc is not None and yaml_problems == [], yaml_problems
    try:
        model.model_validate(doc.data)
    except ValidationError as error:
        return [str(p) for p in validation_problems(error.errors(), doc, model)]
    return []


@pytest.mark.parametrize("name", FILES)
def test_the_minimal_dossier_is_valid(name: str) -> None:
    assert problems(name, "\n", "\n") == []


CHOICES_SITUATION = "salarie, demandeur_emploi, independant, fonctionnaire, autre"
CHOICES_MODE = "cpf, plan_developpement, conge_reclassement, france_travail, opco, personnel, autre"
DUREE = "écrivez par exemple 2h, 1h30, 90min ou un nombre d'heures (1.5)"
ECHEANCE = "écrivez AAAA-MM (2026-12) ou AAAA-MM-JJ (2026-12-15)"

# (file, line as written, line as changed, "line:column: message")
CASES = [
    # Unknown keys: a suggestion when one is close, else the keys allowed here.
    ("bilan.yml", "  prenom: Lucie\n", "  prenon: Lucie\n",
     "2:3: clé inconnue « prenon » : vouliez-vous dire « prenom » ?"),
    ("bilan.yml", "  situation: salarie\n", "  situation: salarie\n  zzz: 1\n",
     "5:3: clé inconnue « zzz » : supprimez-la ou corrigez-la ; clés possibles ici : prenom, "
     "nom, email, situation, poste, employeur, genre"),
    ("synthese.yml", "demande: |\n", "demandes: |\n",
     "1:1: clé inconnue « demandes » : vouliez-vous dire « demande » ?"),
    ("synthese.yml", "    categorie: savoir_faire\n", "    categori: savoir_faire\n",
     "7:5: clé inconnue « categori » : vouliez-vous dire « categorie » ?"),
    ("synthese.yml", "    niveau: 3\n", "    niveau: 3\n    xyzzy: 1\n",
     "9:5: clé inconnue « xyzzy » : supprimez-la ou corrigez-la ; clés possibles ici : "
     "intitule, categorie, niveau, transferable, preuves"),
    # Choices: a suggestion when close, then every choice.
    ("bilan.yml", "  situation: salarie\n", "  situation: salarié\n",
     "4:14: valeur « salarié » non reconnue pour « situation » (vouliez-vous dire « salarie » ?)"
     f" : écrivez l'une de : {CHOICES_SITUATION}"),
    ("bilan.yml", "    phase: preliminaire\n", "    phase: preliminair\n",
     "17:12: valeur « preliminair » non reconnue pour « phase » (vouliez-vous dire "
     "« preliminaire » ?) : écrivez l'une de : preliminaire, investigation, conclusion, suivi"),
    ("bilan.yml", "    modalite: presentiel\n", "    modalite: visio\n",
     "19:15: valeur « visio » non reconnue pour « modalite » : écrivez l'une de : "
     "presentiel, distanciel"),
    ("bilan.yml", "  mode: cpf\n", "  mode: CPF\n",
     f"8:9: valeur « CPF » non reconnue pour « mode » : écrivez l'une de : {CHOICES_MODE}"),
    ("bilan.yml", "  nom: Paul Roche\n", "  nom: Paul Roche\n  genre: femme\n",
     "7:10: valeur « femme » non reconnue pour « genre » : écrivez l'une de : f, m, x"),
    ("bilan.yml", "  partage: []\n", "  partage: [cep, voisin]\n",
     "11:18: valeur « voisin » non reconnue pour « partage » : écrivez l'une de : cep, "
     "employeur, financeur, autre"),
    # Dates: a French date is rewritten for the consultant; an impossible one is not.
    ("bilan.yml", "  debut: 2026-09-01\n", "  debut: 01/09/2026\n",
     "13:10: date invalide « 01/09/2026 » pour « debut » : écrivez-la au format AAAA-MM-JJ, "
     "ici 2026-09-01"),
    ("bilan.yml", "  debut: 2026-09-01\n", "  debut: 3.9.2026\n",
     "13:10: date invalide « 3.9.2026 » pour « debut » : écrivez-la au format AAAA-MM-JJ, "
     "ici 2026-09-03"),
    ("bilan.yml", "  debut: 2026-09-01\n", "  debut: 2026-02-30\n",
     "13:10: date invalide « 2026-02-30 » pour « debut » : écrivez une date réelle au format "
     "AAAA-MM-JJ, par exemple 2026-09-03"),
    ("bilan.yml", "  debut: 2026-09-01\n", "  debut: 30/02/2026\n",
     "13:10: date invalide « 30/02/2026 » pour « debut » : écrivez une date réelle au format "
     "AAAA-MM-JJ, par exemple 2026-09-03"),
    ("bilan.yml", "  fin: 2026-10-30\n", "  fin: fin octobre\n",
     "14:8: date invalide « fin octobre » pour « fin » : écrivez une date réelle au format "
     "AAAA-MM-JJ, par exemple 2026-11-19"),
    # Durations.
    ("bilan.yml", "    duree: 2h\n", "    duree: deux heures\n",
     f"18:12: durée invalide « deux heures » : {DUREE}"),
    ("bilan.yml", "    duree: 2h\n", "    duree: 1h75\n",
     f"18:12: durée invalide « 1h75 » : {DUREE}"),
    ("bilan.yml", "    duree: 2h\n", "    duree: .inf\n",
     f"18:12: durée invalide « .inf » : {DUREE}"),
    ("bilan.yml", "    duree: 2h\n", "    duree: 12h\n",
     "18:12: durée « 12h » hors limites : écrivez une durée entre 1min et 8h"),
    ("bilan.yml", "    duree: 2h\n", "    duree: 0\n",
     "18:12: durée « 0 » hors limites : écrivez une durée entre 1min et 8h"),
    ("bilan.yml", "    duree: 2h\n", "",
     "16:5: champ obligatoire manquant dans l'élément n°1 de « seances » : ajoutez « duree: » "
     "suivi d'une durée, par exemple 2h, 1h30 ou 90min"),
    # Missing keys: what to write underneath.
    ("bilan.yml", "consultant:\n  nom: Paul Roche\n", "",
     "1:1: champ obligatoire manquant : ajoutez « consultant: » avec, en dessous, nom:"),
    ("bilan.yml", "  - date: 2026-09-15\n    phase: investigation\n", "  - date: 2026-09-15\n",
     "20:5: champ obligatoire manquant dans l'élément n°2 de « seances » : ajoutez « phase: » "
     "suivi de l'une de : preliminaire, investigation, conclusion, suivi"),
    # Texts.
    ("bilan.yml", "  nom: Martin\n", "  nom: true\n",
     '3:8: « nom » doit être un texte : mettez-le entre guillemets, par exemple « nom: "true" »'),
    ("bilan.yml", "  nom: Martin\n", "  nom: [a, b]\n",
     "3:8: « nom » doit être un texte, pas une liste : écrivez le texte juste après « nom: », "
     "sans lignes « - »"),
    ("bilan.yml", "  nom: Martin\n", "  nom:\n    a: b\n",
     "4:5: « nom » doit être un texte, mais YAML y lit « clé: valeur » : mettez le texte entre "
     "guillemets s'il contient « : » ou « # »"),
    ("bilan.yml", "  nom: Martin\n", "  nom: ''\n",
     "3:8: « nom » est vide : écrivez un texte ou supprimez la ligne"),
    ("bilan.yml", "  prenom: Lucie\n", "  prenom: Lucie\n  email: pas-une-adresse\n",
     "3:10: adresse électronique invalide « pas-une-adresse » : écrivez-la sous la forme "
     "prenom.nom@example.org"),
    ("synthese.yml", "  - Identifier mes compétences transférables\n",
     "  - Identifier mes compétences transférables\n  - ''\n",
     "5:5: l'élément n°2 de « objectifs » est vide : écrivez un texte ou supprimez la ligne"),
    ("synthese.yml", "  - Identifier mes compétences transférables\n",
     "  - Identifier mes compétences transférables\n  - [a]\n",
     "5:5: l'élément n°2 de « objectifs » doit être un texte, pas une liste : écrivez le texte "
     "juste après « objectifs: », sans lignes « - »"),
    # Groups and lists.
    ("bilan.yml", "suivi:\n  date: 2027-04-30\n", "suivi: 2027-04-30\n",
     "28:8: « suivi » doit contenir des clés en dessous (date)"),
    ("bilan.yml", "  partage: []\n", "  partage: cep\n",
     "11:12: « partage » doit être une liste : une ligne « - … » par élément, ou [a, b] sur "
     "une ligne"),
    ("synthese.yml", "valeurs: [Autonomie]\n", "valeurs: Autonomie\n",
     "10:10: « valeurs » doit être une liste : une ligne « - … » par élément, ou [a, b] sur "
     "une ligne"),
    ("synthese.yml", "objectifs:\n  - Identifier mes compétences transférables\n",
     "objectifs: []\n",
     "3:12: « objectifs » est vide : ajoutez au moins un élément (une ligne « - … »)"),
    # Numbers, with the bounds the model states.
    ("synthese.yml", "    niveau: 3\n", "    niveau: 7\n",
     "8:13: « niveau » vaut 7 : le maximum est 4"),
    ("synthese.yml", "    niveau: 3\n", "    niveau: 0\n",
     "8:13: « niveau » vaut 0 : le minimum est 1"),
    ("synthese.yml", "    niveau: 3\n", "    niveau: trois\n",
     "8:13: « niveau » doit être un nombre entier de 1 à 4, pas « trois »"),
    ("synthese.yml", "    niveau: 3\n", "    niveau: 2.5\n",
     "8:13: « niveau » doit être un nombre entier de 1 à 4, pas « 2.5 »"),
    ("synthese.yml", "    transferable: true\n", "    transferable: peut-être\n",
     "9:19: « transferable » doit valoir true ou false, pas « peut-être »"),
    # Patterns.
    ("synthese.yml", "    echeance: 2026-12\n", "    echeance: décembre\n",
     f"19:15: échéance invalide « décembre » : {ECHEANCE}"),
    ("synthese.yml", "    echeance: 2026-12\n", "    echeance: 2026-14\n",
     "19:15: échéance impossible « 2026-14 » : le mois va de 01 à 12 et le jour doit exister ; "
     f"{ECHEANCE}"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "old", "new", "expected"), CASES)
def test_one_mistake_one_french_message_at_its_place(
    name: str, old: str, new: str, expected: str
) -> None:
    assert problems(name, old, new) == [f"dossiers/2026-martin-lucie/{name}:{expected}"]


def test_every_mistake_is_reported_at_once() -> None:
    found = problems("bilan.yml", "seances:\n", "seances: []\nanciennes:\n")
    assert found == [
        "dossiers/2026-martin-lucie/bilan.yml:15:10: « seances » est vide : ajoutez au moins un "
        "élément (une ligne « - … »)",
        "dossiers/2026-martin-lucie/bilan.yml:16:1: clé inconnue « anciennes » : vouliez-vous "
        "dire « seances » ?",
    ]


def test_a_misspelt_key_is_not_also_reported_missing() -> None:
    found = problems("bilan.yml", "consultant:\n  nom:", "consultant:\n  nomm:")
    assert found == [
        "dossiers/2026-martin-lucie/bilan.yml:6:3: clé inconnue « nomm » : vouliez-vous dire "
        "« nom » ?"
    ]


def test_a_long_value_is_shortened() -> None:
    found = problems("bilan.yml", "    duree: 2h\n", f"    duree: {'x' * 60}\n")
    assert found == [
        f"dossiers/2026-martin-lucie/bilan.yml:18:12: durée invalide « {'x' * 37}… » : {DUREE}"
    ]


def test_an_empty_value_is_reported_on_its_own_line() -> None:
    found = problems("bilan.yml", "  nom: Martin\n", "  nom:\n")
    assert [line.split(":")[1] for line in found] == ["3"]


def test_a_boolean_duration_is_shown_as_written() -> None:
    found = problems("bilan.yml", "    duree: 2h\n", "    duree: true\n")
    assert found == [
        f"dossiers/2026-martin-lucie/bilan.yml:18:12: durée invalide « true » : {DUREE}"
    ]


def test_the_path_is_kept_as_given() -> None:
    doc, _ = parse_yaml("ailleurs/bilan.yml", "beneficiaire: 1\n")
    assert doc is not None
    with pytest.raises(ValidationError) as raised:
        Bilan.model_validate(doc.data)
    found = validation_problems(raised.value.errors(), doc, Bilan)
    assert {p.path for p in found} == {"ailleurs/bilan.yml"}
    assert all(not p.warning for p in found)
    assert Path(found[0].path).name == "bilan.yml"
