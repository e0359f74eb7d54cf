"""What a dossier may hold but was probably not meant: warnings, and placeholders.

None of this is wrong YAML or a wrong field, so none of it is an error: a YAML comment
that swallowed the end of a text, and the placeholders `livret new` writes. A dossier in
progress keeps its placeholders and still passes `check`; `build` refuses to publish
them (see pipeline/booklet.py), since a booklet must never say « À compléter » to its reader.
"""

from __future__ import annotations

import re
import types
import typing
import unicodedata
from typing import Any

from pydantic import BaseModel

from livret.errors import Problem
from livret.render.glyphs import undrawable
from livret.sources.yamlpos import Loc, YamlDoc

# What the template of `livret new` writes where the consultant must write something.
_PLACEHOLDER_START = re.compile(r"^a completer\b", re.IGNORECASE)
PLACEHOLDER_VALUES = frozenset(
    {"prénom", "prenom", "nom", "prenom.nom@example.org", "vous@example.org"}
)


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(folded.split()).casefold()


def _strings(value: Any, loc: Loc) -> typing.Iterator[tuple[Loc, str]]:
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*loc, index))


def placeholders(doc: YamlDoc) -> list[Problem]:
    """Every placeholder left in one file, as a warning at its value."""
    found = []
    for loc, value in _strings(doc.data, ()):
        text = value.strip()
        if text.casefold() in PLACEHOLDER_VALUES or _PLACEHOLDER_START.match(_plain(text)):
            pos = doc.text_starts.get(loc) or doc.value_pos(loc)
            shown = text if len(text) <= 40 else text[:39] + "…"
            message = f"à compléter avant publication : « {shown} » vient du modèle de livret new"
            found.append(
                Problem(doc.path, pos.line, pos.column, message + _WHILE_CHECKING, warning=True)
            )
    return found


_WHILE_CHECKING = " ; livret build refusera de publier le livret tant qu'il reste"
_WHEN_BUILDING = " : remplacez-le par le vrai texte pour publier le livret"


def refusals(placeholders: list[Problem], todo: str = _WHEN_BUILDING) -> list[Problem]:
    """The placeholders as `build` reports them (or another command, with its own `todo`):
    errors, saying what to do now."""
    return [
        Problem(p.path, p.line, p.column, p.message.removesuffix(_WHILE_CHECKING) + todo)
        for p in placeholders
    ]


def _unwrap(annotation: Any) -> Any:
    """`X | None`, `list[X]` and `Annotated[X, …]` down to X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(options) != 1:
                return annotation
            annotation = options[0]
        elif origin is list:
            annotation = typing.get_args(annotation)[0]
        else:
            return annotation


def _is_free_text(model: type[BaseModel], loc: Loc) -> bool:
    """Whether the field at `loc` is text the consultant writes (not an enum, a date, a
    duration, an address): only there can a comment have swallowed words."""
    current: Any = model
    field = None
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return False
        field = current.model_fields.get(part)
        if field is None:
            return False
        current = _unwrap(field.annotation)
    if field is None or current is not str:
        return False
    # Constrained strings (patterns: e-mail, échéance, durée) are not prose.
    return not any(getattr(m, "pattern", None) for m in field.metadata)


def swallowed_by_comment(doc: YamlDoc, model: type[BaseModel]) -> list[Problem]:
    """` #` after a plain text value: YAML took the rest of the line as a comment."""
    found = []
    for loc, pos in sorted(doc.comments_after.items(), key=lambda item: item[1].line):
        if not _is_free_text(model, loc):
            continue  # `mode: cpf  # …` is what comments are for
        found.append(
            Problem(
                doc.path,
                pos.line,
                pos.column,
                "texte coupé : après « # », la fin de la ligne est un commentaire que le "
                "livret n'affichera pas ; si elle fait partie du texte, mettez tout le texte "
                'entre guillemets (objet: "Séance #4")',
                warning=True,
            )
        )
    return found


def unprintable(path: str, text: str, *, yaml: bool) -> list[Problem]:
    """Every character of a file that the synthèse would print as an empty box (or that
    looks different on every device), as a warning at its place; `--strict` refuses them."""
    return [
        Problem(path, found.line, found.column, found.message(), warning=True)
        for found in undrawable(text, yaml=yaml)
    ]
