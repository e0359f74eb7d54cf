"""Pydantic's validation errors rewritten as French sentences a consultant can act on."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
import typing
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic_core import ErrorDetails

from livret.errors import Problem
from livret.sources.yamlpos import Loc, YamlDoc

_EXAMPLES = {
    "date": "2026-09-03",
    "debut": "2026-09-03",
    "fin": "2026-11-19",
}


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types inside Optional, list, Annotated, Union."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list):
        found: list[Any] = []
        for arg in typing.get_args(annotation):
            found.extend(_unwrap(arg))
        return found
    return [annotation]


def model_at(root: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model class that describes the mapping at `loc`, if any."""
    current: type[BaseModel] | None = root
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        if field is None:
            return None
        models = [
            t for t in _unwrap(field.annotation) if isinstance(t, type) and issubclass(t, BaseModel)
        ]
        current = models[0] if models else None
    return current


def _name(loc: Loc) -> str:
    for part in reversed(loc):
        if isinstance(part, str):
            return part
    return "fichier"


def _subject(loc: Loc) -> str:
    """What the message talks about: `« niveau »`, or `l'élément n°2 de « objectifs »`."""
    if loc and isinstance(loc[-1], int):
        return f"l'élément n°{loc[-1] + 1} de « {_name(loc)} »"
    return f"« {_name(loc)} »"


def _where(loc: Loc) -> str:
    if not any(isinstance(p, str) for p in loc):
        return ""
    return f" dans {_subject(loc)}"


def _number(value: Any) -> str:
    """`0` rather than `0.0`, `100000` rather than `100000.0`."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _bounds(root: type[BaseModel], loc: Loc) -> tuple[Any, Any]:
    """The `ge` and `le` bounds of the field at `loc`, when the model states them."""
    model = model_at(root, loc[:-1])
    if model is None or not loc or not isinstance(loc[-1], str):
        return None, None
    field = model.model_fields.get(loc[-1])
    low = high = None
    for constraint in field.metadata if field else []:
        if isinstance(constraint, annotated_types.Ge):
            low = constraint.ge
        elif isinstance(constraint, annotated_types.Le):
            high = constraint.le
    return low, high


def _close_key(root: type[BaseModel], loc: Loc) -> str | None:
    """The known key closest to the unknown key at `loc`, if one is close enough."""
    model = model_at(root, loc[:-1])
    known = list(model.model_fields) if model else []
    close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
    return close[0] if close else None


def _missing_hint(root: type[BaseModel], loc: Loc) -> str:
    """What to write under a missing key: its sub-keys, its choices or its format."""
    model = model_at(root, loc[:-1])
    field = model.model_fields.get(str(loc[-1])) if model else None
    if field is None:
        return ""
    is_list = typing.get_origin(field.annotation) is list
    for kind in _unwrap(field.annotation):
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            required = [name for name, info in kind.model_fields.items() if info.is_required()]
            keys = ", ".join(f"{name}:" for name in required)
            if is_list and required:
                return f" avec, en dessous, au moins un élément « - {required[0]}: … » ({keys})"
            return f" avec, en dessous, {keys}" if required else ""
        if is_list:
            return " avec, en dessous, au moins une ligne « - … »"
        if typing.get_origin(kind) is typing.Literal:
            return " suivi de l'une de : " + ", ".join(str(a) for a in typing.get_args(kind))
        if kind is dt.date:
            example = _EXAMPLES.get(str(loc[-1]), "2026-09-03")
            return f" suivi d'une date AAAA-MM-JJ, par exemple {example}"
    if loc[-1] == "duree":
        return " suivi d'une durée, par exemple 2h, 1h30 ou 90min"
    return ""


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _expected_choices(expected: str) -> str:
    return expected.replace("'", "").replace(" or ", ", ")


def _value_error(code: str, field: str, value: Any) -> str:
    if code == "duree":
        return (
            f"durée invalide « {_shown(value)} » : écrivez par exemple 2h, 1h30, 90min "
            "ou un nombre d'heures (1.5)"
        )
    if code == "duree_bornes":
        return f"durée « {_shown(value)} » hors limites : écrivez une durée entre 1min et 8h"
    if code == "echeance":
        return (
            f"échéance impossible « {_shown(value)} » : le mois va de 01 à 12 et le jour doit "
            "exister ; écrivez AAAA-MM (2026-12) ou AAAA-MM-JJ (2026-12-15)"
        )
    if code == "questionnaire":
        return (
            f"adresse de questionnaire refusée « {_shown(value)} » : écrivez une adresse web "
            "complète qui commence par https://"
        )
    return f"valeur invalide pour « {field} » : {code}"


_FRENCH_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def _date_message(field: str, value: Any) -> str:
    example = _EXAMPLES.get(field, "2026-09-03")
    match = _FRENCH_DATE.match(str(value))
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            example = dt.date(year, month, day).isoformat()
        except ValueError:
            pass
        else:
            return (
                f"date invalide « {_shown(value)} » pour « {field} » : écrivez-la au format "
                f"AAAA-MM-JJ, ici {example}"
            )
    return (
        f"date invalide « {_shown(value)} » pour « {field} » : écrivez une date réelle "
        f"au format AAAA-MM-JJ, par exemple {example}"
    )


def french_message(error: ErrorDetails, root: type[BaseModel]) -> tuple[str, bool]:
    """The French message, and whether it belongs at the key rather than at the value."""
    kind = error["type"]
    loc: Loc = tuple(error["loc"])
    field = _name(loc)
    subject = _subject(loc)
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return (
            f"champ obligatoire manquant{_where(loc[:-1])} : ajoutez « {field}: »"
            f"{_missing_hint(root, loc)}",
            True,
        )
    if kind == "extra_forbidden":
        close = _close_key(root, loc)
        if close:
            return f"clé inconnue « {field} » : vouliez-vous dire « {close} » ?", True
        model = model_at(root, loc[:-1])
        known = ", ".join(model.model_fields) if model else ""
        hint = f" : supprimez-la ou corrigez-la ; clés possibles ici : {known}" if known else ""
        return f"clé inconnue « {field} »{hint}", True
    if kind in ("literal_error", "enum"):
        choices = _expected_choices(str(ctx.get("expected", "")))
        near = difflib.get_close_matches(str(value), choices.split(", "), n=1, cutoff=0.75)
        hint = f" (vouliez-vous dire « {near[0]} » ?)" if near else ""
        return (
            f"valeur « {_shown(value)} » non reconnue pour « {field} »{hint} : "
            f"écrivez l'une de : {choices}",
            False,
        )
    if kind.startswith("date") or kind.startswith("datetime"):
        return _date_message(field, value), False
    if kind == "string_type":
        if value is None:
            return f"« {field} » est vide : écrivez un texte après « {field}: »", False
        if isinstance(value, bool):
            return (
                f"« {field} » doit être un texte : mettez-le entre guillemets, "
                f'par exemple « {field}: "{str(value).lower()}" »',
                False,
            )
        if isinstance(value, dict):
            # French typography puts a space before ':' and YAML then reads a key.
            return (
                f"{subject} doit être un texte, mais YAML y lit « clé: valeur » : "
                "mettez le texte entre guillemets s'il contient « : » ou « # »",
                False,
            )
        if isinstance(value, list):
            return (
                f"{subject} doit être un texte, pas une liste : écrivez le texte juste après "
                f"« {field}: », sans lignes « - »",
                False,
            )
        return f"{subject} doit être un texte, pas un groupe de clés", False
    if kind == "string_too_short":
        return f"{subject} est vide : écrivez un texte ou supprimez la ligne", False
    low, high = _bounds(root, loc)
    span = f" de {_number(low)} à {_number(high)}" if low is not None and high is not None else ""
    # Only strict fields (mkdocs.yml's legal bounds) see a bool or a text here: « "24" »
    # in quotes, or true, which a lax field would silently read as 24 or 1.
    if kind in ("int_type", "float_type", "bool_type") and value is None:
        wanted = "true ou false" if kind == "bool_type" else f"un nombre{span}"
        return f"{subject} est vide : écrivez {wanted} après « {field}: »", False
    if kind == "bool_type" and isinstance(value, str) and value.strip() in ("true", "false"):
        return f"{subject} : écrivez {value.strip()} sans guillemets", False
    if kind in ("int_type", "float_type") and isinstance(value, bool):
        return f"{subject} doit être un nombre, pas « {str(value).lower()} »", False
    if kind in ("int_type", "float_type") and isinstance(value, str) and _is_number(value):
        return (
            f"{subject} doit être un nombre écrit sans guillemets : écrivez {value.strip()}, "
            f'pas « "{_shown(value)}" »',
            False,
        )
    if kind in ("int_type", "int_parsing", "int_from_float", "int_parsing_size"):
        return f"{subject} doit être un nombre entier{span}, pas « {_shown(value)} »", False
    if kind in ("float_type", "float_parsing"):
        return f"{subject} doit être un nombre, pas « {_shown(value)} »", False
    if kind in ("bool_type", "bool_parsing"):
        return f"{subject} doit valoir true ou false, pas « {_shown(value)} »", False
    if kind == "greater_than":  # the bound itself is refused: « minimum » would say otherwise
        bound = _number(ctx.get("gt"))
        return f"{subject} vaut {_shown(value)} : écrivez un nombre supérieur à {bound}", False
    if kind == "greater_than_equal":
        bound = _number(ctx.get("ge"))
        return f"{subject} vaut {_shown(value)} : le minimum est {bound}", False
    if kind in ("less_than_equal", "less_than"):
        bound = _number(ctx.get("le", ctx.get("lt")))
        return f"{subject} vaut {_shown(value)} : le maximum est {bound}", False
    if kind == "too_short":
        return f"{subject} est vide : ajoutez au moins un élément (une ligne « - … »)", False
    if kind == "list_type":
        return (
            f"{subject} doit être une liste : une ligne « - … » par élément, "
            "ou [a, b] sur une ligne",
            False,
        )
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        model = model_at(root, loc)
        keys = ", ".join(model.model_fields) if model else "…"
        return f"{subject} doit contenir des clés en dessous ({keys})", False
    if kind == "string_pattern_mismatch":
        if field == "email":
            return (
                f"adresse électronique invalide « {_shown(value)} » : "
                "écrivez-la sous la forme prenom.nom@example.org",
                False,
            )
        if field == "echeance":
            return (
                f"échéance invalide « {_shown(value)} » : écrivez AAAA-MM (2026-12) "
                "ou AAAA-MM-JJ (2026-12-15)",
                False,
            )
        return f"format invalide pour « {field} »", False
    if kind == "value_error":
        return _value_error(str(ctx.get("error", "")), field, value), False
    # An unmapped pydantic error is still a user error; keep its text, flag it as such.
    return f"valeur invalide pour « {field} » ({error['msg']})", False


def validation_problems(
    errors: list[ErrorDetails], doc: YamlDoc, root: type[BaseModel]
) -> list[Problem]:
    """Turn pydantic errors into positioned problems."""
    problems = []
    # A misspelt key (`prenon`) also leaves its field (`prenom`) missing: say it once.
    misspelt: set[Loc] = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            unknown: Loc = tuple(error["loc"])
            close = _close_key(root, unknown)
            if close:
                misspelt.add((*unknown[:-1], close))
    for error in errors:
        loc: Loc = tuple(error["loc"])
        if error["type"] == "missing" and loc in misspelt:
            continue
        message, at_key = french_message(error, root)
        if error["type"] == "missing":
            pos = doc.key_pos(loc[:-1])
        elif at_key:
            pos = doc.key_pos(loc)
        else:
            pos = doc.value_pos(loc)
        problems.append(Problem(doc.path, pos.line, pos.column, message))
    return problems
