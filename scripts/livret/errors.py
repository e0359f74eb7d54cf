"""User errors, kept apart from bugs.

A user error is something the consultant can fix by editing a file: it carries a
position (`path:line:col`) and a French message. Anything else that goes wrong is
a bug in livret and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from livret.sources.codes import ProblemCode


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a consultant's file, at a 1-based line and column."""

    path: str
    line: int
    column: int
    message: str
    # A warning does not stop the build (unless `--strict`): the text is published, changed
    # in the way the message says (a link without its target, say).
    warning: bool = False
    # What a caller tests to reword a problem for its file; never the French text. Not
    # part of equality: two problems that say the same thing at the same place are one.
    code: ProblemCode | None = field(default=None, compare=False)

    def __str__(self) -> str:
        label = "avertissement : " if self.warning else ""
        return f"{self.path}:{self.line}:{self.column}: {label}{self.message}"

    def as_error(self) -> Problem:
        return Problem(self.path, self.line, self.column, self.message, code=self.code)


class LivretError(Exception):
    """An error the user can act on; its message is French and complete."""


class DossierError(LivretError):
    """One or more problems found in dossiers, sorted by file and line.

    Warnings found on the way travel with the errors, so that the consultant sees
    everything at once; only the errors are counted as what stopped the work.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]


def strict(warnings: Iterable[Problem]) -> DossierError:
    """`--strict`: the warnings, as errors."""
    return DossierError(p.as_error() for p in warnings)


def display_path(path: Path, root: Path) -> str:
    """The path as the consultant sees it: relative to the repository when possible."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
