"""Pydantic's validation errors rewritten as French sentences a consultant can act on."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import tomllib
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic_core import ErrorDetails

from livret.errors import Problem
from livret.sources.codes import ErrorCode
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


def _shown(value: Any) -> str:
    # As YAML has it written: `true`, not Python's « True ».
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _expected_choices(expected: str) -> str:
    return expected.replace("'", "").replace(" or ", ", ")


# --- the table of messages -------------------------------------------------------------------


@dataclass(frozen=True)
class MessageTable:
    """`livret/data/messages.toml`: for each message, the error types it answers and its
    wordings (templates with `{placeholders}`)."""

    types: Mapping[str, tuple[str, ...]]
    wordings: Mapping[str, Mapping[str, str]]
    by_type: Mapping[str, str]

    def entry_for(self, kind: str) -> str:
        """The message that answers the pydantic error type `kind`; `fallback` if none does."""
        return self.by_type.get(kind, FALLBACK)


FALLBACK = "fallback"
TABLE_PATH = ("data", "messages.toml")


@functools.cache
def message_table() -> MessageTable:
    """The table, read once; a malformed table is a bug of livret, not a user error."""
    raw = tomllib.loads(resources.files("livret").joinpath(*TABLE_PATH).read_text(encoding="utf-8"))
    types: dict[str, tuple[str, ...]] = {}
    wordings: dict[str, dict[str, str]] = {}
    for entry, body in raw.items():
        kinds = body.pop("types")
        if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
            raise TypeError(f"messages.toml [{entry}]: types must be a list of strings")
        if not all(isinstance(text, str) for text in body.values()):
            raise TypeError(f"messages.toml [{entry}]: every wording must be a string")
        types[entry] = tuple(kinds)
        wordings[entry] = body
    by_type = {kind: entry for entry, kinds in types.items() for kind in kinds}
    return MessageTable(types, wordings, by_type)


def _say(entry: str, wording: str, **values: str) -> str:
    """One wording of the table with its placeholders filled (values are never templates)."""
    return message_table().wordings[entry][wording].format_map(values)


# --- one function per message ------------------------------------------------------------------


@dataclass(frozen=True)
class _Error:
    """One pydantic error, with what every message may say about it."""

    kind: str
    loc: Loc
    value: Any
    ctx: Mapping[str, Any]
    msg: str
    root: type[BaseModel]

    @property
    def field(self) -> str:
        return _name(self.loc)

    @property
    def subject(self) -> str:
        return _subject(self.loc)

    @property
    def shown(self) -> str:
        return _shown(self.value)


def _missing(e: _Error) -> tuple[str, bool]:
    hint = _missing_hint(e.root, e.loc)
    return _say("missing", "text", where=_where(e.loc[:-1]), field=e.field, hint=hint), True


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
                return _say("missing", "hint_list_of_models", first=required[0], keys=keys)
            return _say("missing", "hint_model", keys=keys) if required else ""
        if is_list:
            return _say("missing", "hint_list")
        if typing.get_origin(kind) is typing.Literal:
            choices = ", ".join(str(a) for a in typing.get_args(kind))
            return _say("missing", "hint_choices", choices=choices)
        if kind is dt.date:
            example = _EXAMPLES.get(str(loc[-1]), "2026-09-03")
            return _say("missing", "hint_date", example=example)
    if loc[-1] == "duree":
        return _say("missing", "hint_duree")
    return ""


def _extra_forbidden(e: _Error) -> tuple[str, bool]:
    close = _close_key(e.root, e.loc)
    if close:
        return _say("extra_forbidden", "close", field=e.field, close=close), True
    model = model_at(e.root, e.loc[:-1])
    known = ", ".join(model.model_fields) if model else ""
    if known:
        return _say("extra_forbidden", "known", field=e.field, known=known), True
    return _say("extra_forbidden", "bare", field=e.field), True


def _choice(e: _Error) -> tuple[str, bool]:
    choices = _expected_choices(str(e.ctx.get("expected", "")))
    near = difflib.get_close_matches(str(e.value), choices.split(", "), n=1, cutoff=0.75)
    hint = _say("choice", "hint_near", near=near[0]) if near else ""
    return _say("choice", "text", value=e.shown, field=e.field, hint=hint, choices=choices), False


_FRENCH_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def _date(e: _Error) -> tuple[str, bool]:
    example = _EXAMPLES.get(e.field, "2026-09-03")
    match = _FRENCH_DATE.match(str(e.value))
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            rewritten = dt.date(year, month, day).isoformat()
        except ValueError:
            pass
        else:
            return _say("date", "rewritten", value=e.shown, field=e.field, example=rewritten), False
    return _say("date", "example", value=e.shown, field=e.field, example=example), False


def _string_type(e: _Error) -> tuple[str, bool]:
    if e.value is None:
        return _say("string_type", "empty", field=e.field), False
    if isinstance(e.value, bool):
        lowered = str(e.value).lower()
        return _say("string_type", "boolean", field=e.field, lowered=lowered), False
    if isinstance(e.value, dict):
        return _say("string_type", "mapping", subject=e.subject), False
    if isinstance(e.value, list):
        return _say("string_type", "list", subject=e.subject, field=e.field), False
    return _say("string_type", "other", subject=e.subject), False


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _span(e: _Error) -> str:
    low, high = _bounds(e.root, e.loc)
    if low is None or high is None:
        return ""
    return _say("integer", "hint_span", low=_number(low), high=_number(high))


def _strict_number(e: _Error) -> str | None:
    """What only a strict number field sees: nothing, true/false, a number in quotes."""
    if e.value is None:
        return _say("integer", "empty", subject=e.subject, hint=_span(e), field=e.field)
    if isinstance(e.value, bool):
        return _say("integer", "boolean", subject=e.subject, lowered=str(e.value).lower())
    if isinstance(e.value, str) and _is_number(e.value):
        bare = e.value.strip()
        return _say("integer", "quoted", subject=e.subject, bare=bare, value=e.shown)
    return None


def _integer(e: _Error) -> tuple[str, bool]:
    strict = _strict_number(e)
    if strict:
        return strict, False
    return _say("integer", "text", subject=e.subject, hint=_span(e), value=e.shown), False


def _float(e: _Error) -> tuple[str, bool]:
    strict = _strict_number(e)
    if strict:
        return strict, False
    return _say("number", "text", subject=e.subject, value=e.shown), False


def _boolean(e: _Error) -> tuple[str, bool]:
    if e.value is None:
        return _say("boolean", "empty", subject=e.subject, field=e.field), False
    if isinstance(e.value, str) and e.value.strip() in ("true", "false"):
        return _say("boolean", "quoted", subject=e.subject, bare=e.value.strip()), False
    return _say("boolean", "text", subject=e.subject, value=e.shown), False


def _minimum(e: _Error) -> tuple[str, bool]:
    bound = _number(e.ctx.get("ge"))
    return _say("minimum", "text", subject=e.subject, value=e.shown, bound=bound), False


def _above(e: _Error) -> tuple[str, bool]:
    bound = _number(e.ctx.get("gt"))
    return _say("above", "text", subject=e.subject, value=e.shown, bound=bound), False


def _maximum(e: _Error) -> tuple[str, bool]:
    bound = _number(e.ctx.get("le", e.ctx.get("lt")))
    return _say("maximum", "text", subject=e.subject, value=e.shown, bound=bound), False


def _mapping(e: _Error) -> tuple[str, bool]:
    model = model_at(e.root, e.loc)
    keys = ", ".join(model.model_fields) if model else "…"
    return _say("mapping", "text", subject=e.subject, keys=keys), False


def _pattern(e: _Error) -> tuple[str, bool]:
    # The example that helps depends on the field: a wording per field that has one.
    if e.field == "email":
        return _say("pattern", "email", value=e.shown), False
    if e.field == "echeance":
        return _say("pattern", "echeance", value=e.shown), False
    return _say("pattern", "other", field=e.field), False


def _plain(entry: str, e: _Error) -> tuple[str, bool]:
    """A message that is a single template: every placeholder it may use is offered."""
    values = {
        "field": e.field,
        "subject": e.subject,
        "value": e.shown,
        "code": str(e.ctx.get("error", "")),
        "msg": e.msg,
    }
    return message_table().wordings[entry]["text"].format_map(values), False


_Handler = Callable[[_Error], tuple[str, bool]]
_HANDLERS: dict[str, _Handler] = {
    "missing": _missing,
    "extra_forbidden": _extra_forbidden,
    "choice": _choice,
    "date": _date,
    "string_type": _string_type,
    "integer": _integer,
    "number": _float,
    "boolean": _boolean,
    "minimum": _minimum,
    "above": _above,
    "maximum": _maximum,
    "mapping": _mapping,
    "pattern": _pattern,
}
# The messages of one template only, filled by `_plain` (the table test knows this set).
PLAIN_ENTRIES = frozenset(
    {
        "string_too_short",
        "too_short",
        "list_type",
        "value_error",
        *ErrorCode,
        FALLBACK,
    }
)


def french_message(error: ErrorDetails, root: type[BaseModel]) -> tuple[str, bool]:
    """The French message, and whether it belongs at the key rather than at the value."""
    e = _Error(
        kind=error["type"],
        loc=tuple(error["loc"]),
        value=error.get("input"),
        ctx=error.get("ctx") or {},
        msg=error["msg"],
        root=root,
    )
    entry = message_table().entry_for(e.kind)
    handler = _HANDLERS.get(entry)
    return handler(e) if handler else _plain(entry, e)


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
