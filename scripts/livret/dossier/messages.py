"""Pydantic's validation errors rewritten as French sentences a consultant can act on."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from livret.dossier.yamlpos import Loc, YamlDoc
from livret.errors import Problem

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


def _where(loc: Loc) -> str:
    parent = [p for p in loc if isinstance(p, str)]
    return f" dans « {parent[-1]} »" if parent else ""


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _expected_choices(expected: str) -> str:
    return expected.replace("'", "").replace(" or ", ", ")


def _value_error(code: str, field: str, value: Any) -> str:
    if code == "duree":
        return (
            f"durée invalide « {_shown(value)} » : écrivez par exemple 2h, 1h30, 90min "
            "ou un nombre d'heures (1.5)"
        )
    if code == "duree_bornes":
        return f"durée « {_shown(value)} » hors limites : une séance dure au plus 8 heures"
    if code == "echeance":
        return f"échéance impossible « {_shown(value)} » : vérifiez le mois et le jour"
    return f"valeur invalide pour « {field} » : {code}"


def french_message(error: ErrorDetails, root: type[BaseModel]) -> tuple[str, bool]:
    """The French message, and whether it belongs at the key rather than at the value."""
    kind = error["type"]
    loc: Loc = tuple(error["loc"])
    field = _name(loc)
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return f"champ obligatoire manquant : ajoutez « {field}: »{_where(loc[:-1])}", True
    if kind == "extra_forbidden":
        model = model_at(root, loc[:-1])
        known = list(model.model_fields) if model else []
        close = difflib.get_close_matches(field, known, n=1, cutoff=0.6)
        hint = f" : vouliez-vous dire « {close[0]} » ?" if close else ""
        if not close and known:
            hint = " ; clés possibles ici : " + ", ".join(known)
        return f"clé inconnue « {field} »{hint}", True
    if kind in ("literal_error", "enum"):
        choices = _expected_choices(str(ctx.get("expected", "")))
        close = difflib.get_close_matches(str(value), choices.split(", "), n=1, cutoff=0.6)
        hint = f" (vouliez-vous dire « {close[0]} » ?)" if close else ""
        return (
            f"valeur « {_shown(value)} » non reconnue pour « {field} »{hint} : "
            f"écrivez l'une de : {choices}",
            False,
        )
    if kind.startswith("date") or kind.startswith("datetime"):
        example = _EXAMPLES.get(field, "2026-09-03")
        return (
            f"date invalide « {_shown(value)} » pour « {field} » : écrivez une date réelle "
            f"au format AAAA-MM-JJ, par exemple {example}",
            False,
        )
    if kind == "string_type":
        if isinstance(value, dict):
            # French typography puts a space before ':' and YAML then reads a key.
            return (
                f"« {field} » doit être un texte, mais YAML y lit « clé: valeur » : "
                "mettez le texte entre guillemets s'il contient « : » ou « # »",
                False,
            )
        return f"« {field} » doit être un texte, pas une liste ni un groupe de clés", False
    if kind == "string_too_short":
        return f"« {field} » est vide : écrivez un texte ou supprimez la ligne", False
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"« {field} » doit être un nombre entier, pas « {_shown(value)} »", False
    if kind in ("float_type", "float_parsing"):
        return f"« {field} » doit être un nombre, pas « {_shown(value)} »", False
    if kind in ("bool_type", "bool_parsing"):
        return f"« {field} » doit valoir true ou false, pas « {_shown(value)} »", False
    if kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        return f"« {field} » vaut {_shown(value)} : le minimum est {bound}", False
    if kind in ("less_than_equal", "less_than"):
        bound = ctx.get("le", ctx.get("lt"))
        return f"« {field} » vaut {_shown(value)} : le maximum est {bound}", False
    if kind == "too_short":
        return f"« {field} » est vide : ajoutez au moins un élément (une ligne « - … »)", False
    if kind == "list_type":
        return (
            f"« {field} » doit être une liste : une ligne « - … » par élément, "
            "ou [a, b] sur une ligne",
            False,
        )
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        model = model_at(root, loc)
        keys = ", ".join(model.model_fields) if model else "…"
        return f"« {field} » doit contenir des clés en dessous ({keys})", False
    if kind == "string_pattern_mismatch":
        if field == "email":
            return f"adresse électronique invalide « {_shown(value)} »", False
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
    for error in errors:
        loc: Loc = tuple(error["loc"])
        message, at_key = french_message(error, root)
        if error["type"] == "missing":
            pos = doc.key_pos(loc[:-1])
        elif at_key:
            pos = doc.key_pos(loc)
        else:
            pos = doc.value_pos(loc)
        problems.append(Problem(doc.path, pos.line, pos.column, message))
    return problems
