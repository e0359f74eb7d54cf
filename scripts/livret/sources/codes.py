"""Every error code livret defines, in one place.

Our own validators raise `pydantic_core.PydanticCustomError` with an `ErrorCode` as its
type, so that the French message is looked up by code (`livret/data/messages.toml`)
and never decoded from the text of an exception. A `ProblemCode` marks the few problems
that a later stage reformulates, so that it tests the code rather than the French text.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic_core import PydanticCustomError


class ErrorCode(StrEnum):
    """The pydantic error types of livret's own validators; each has a message in the table."""

    DUREE_INVALIDE = "duree_invalide"
    DUREE_HORS_BORNES = "duree_hors_bornes"
    ECHEANCE_IMPOSSIBLE = "echeance_impossible"
    QUESTIONNAIRE_REFUSE = "questionnaire_refuse"
    ADRESSE_PUBLICATION_REFUSEE = "adresse_publication_refusee"


class ProblemCode(StrEnum):
    """Problems that a caller recognises to say them better for the file at hand."""

    FICHIER_VIDE = "fichier_vide"


def custom_error(code: ErrorCode, **context: Any) -> PydanticCustomError:
    """The error a validator raises. Its English template is only for a developer's eyes:

    consultants read the French message that `livret.sources.messages` finds by code.
    """
    return PydanticCustomError(code.value, f"livret: {code.value}", context or None)
