"""Markdown files with a YAML front matter: `---`, YAML, `---`, then Markdown.

One splitter for the dossier's notes and the shared pages of `content/`, so both accept
the same files: line ends of any system (a note saved on Windows ends its lines with
CRLF), a fence followed by spaces, and the same line numbers for the body.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

_FENCE = re.compile(r"^---[ \t]*$")


class Fault(enum.Enum):
    """Why a file has no front matter; each caller words it for its own readers."""

    MISSING = "missing"  # the first line is not `---`
    UNCLOSED = "unclosed"  # no second `---`


@dataclass(frozen=True)
class FrontMatter:
    """The two parts of the file, with the line numbers messages need."""

    yaml: str  # between the fences, ending with a newline; its first line is line 2
    lines: tuple[str, ...]  # the body's lines, line ends removed
    body_line: int  # 1-based line number of the first body line (right after the fence)

    @property
    def body(self) -> str:
        return "\n".join(self.lines)


def split_front_matter(text: str) -> FrontMatter | Fault:
    lines = text.splitlines()
    if not lines or not _FENCE.match(lines[0]):
        return Fault.MISSING
    end = next((i for i in range(1, len(lines)) if _FENCE.match(lines[i])), None)
    if end is None:
        return Fault.UNCLOSED
    yaml = "\n".join(lines[1:end]) + "\n"
    return FrontMatter(yaml, tuple(lines[end + 1 :]), end + 2)
