"""What happened to one booklet in a build: the status, where it went, what was said."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Status(enum.StrEnum):
    """A booklet's fate; the values are the words of `livret build --json`."""

    BUILT = "built"
    UNCHANGED = "unchanged"  # its inputs did not change and the dossier still passes check
    FAILED = "failed"


@dataclass
class BookletResult:
    """What happened to one booklet, as reported by `livret build --json`."""

    slug: str
    status: Status
    site: str | None = None
    pdf: str | None = None
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "status": self.status.value,
            "site": self.site,
            "pdf": self.pdf,
            "errors": self.errors,
            "warnings": self.warnings,
        }
