"""French typography: non-breaking spaces where French puts a space that must not break.

Applied to text nodes only (never inside code, URLs or attributes). The rule is
conservative: an existing space before `: ; ! ?` or inside `« »` becomes
non-breaking; `«` and `»` without a space get one. We never insert a space before
`:` where none was written, so times (10:30) and URLs are untouched.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow: before ; ! ? and inside guillemets, as French printers do

_RULES = (
    (re.compile(r"(?<=\w)'(?=\w)"), "’"),  # typographic apostrophe
    (re.compile(r"[ \u00a0\u202f]+:"), NBSP + ":"),
    (re.compile(r"[ \u00a0\u202f]+([;!?])"), NNBSP + r"\1"),
    (re.compile(r"«[ \u00a0\u202f]*"), "«" + NNBSP),
    (re.compile(r"[ \u00a0\u202f]*»"), NNBSP + "»"),
)

_SKIP = {"code", "pre", "kbd", "samp", "script", "style"}


def french_spacing(text: str) -> str:
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def lower_first(text: str) -> str:
    """A label or job title inserted mid-sentence: « salariée, responsable d'exploitation ».

    Only the first letter, and only when it looks like an ordinary word: an acronym
    (`CPF`, `DRH adjointe`) or a name of two capitalised words (`France Travail`) keeps
    its capitals. Works on Markup too (slices of Markup stay Markup).
    """
    words = text.split(" ", 2)
    first = words[0]
    if not first or not first[0].isupper() or (len(first) > 1 and not first[1:2].islower()):
        return text
    if len(words) > 1 and words[1][:1].isupper() and words[1][1:2].islower():
        return text
    return text[0].lower() + text[1:]


def upper_first(text: str) -> str:
    """`la consultante` at the start of a sentence or a heading: `La consultante`."""
    return text[:1].upper() + text[1:]


_TAG = re.compile(r"(<[^>]*>)")
_ESCAPED_APOSTROPHE = re.compile(r"(?<=\w)&#(?:39|x27);(?=\w)")
_RAW = re.compile(r"<(code|pre|kbd|samp|script|style)\b", re.IGNORECASE)


def french_html(markup: str) -> str:
    """`french_spacing` on the text of an HTML fragment, never inside tags or code."""
    parts = _TAG.split(markup)
    skipping: str | None = None
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            opening = _RAW.match(part)
            if opening and skipping is None:
                skipping = opening.group(1).lower()
            elif skipping and part.lower().startswith(f"</{skipping}"):
                skipping = None
        elif skipping is None and part:
            # Escaped by the template engine, an apostrophe arrives as an entity.
            part = _ESCAPED_APOSTROPHE.sub("\u2019", part)
            parts[index] = french_spacing(part)
    return "".join(parts)


class _Spacing(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        self._walk(root)

    def _walk(self, element: etree.Element) -> None:
        if element.tag in _SKIP:
            return
        if element.text:
            element.text = french_spacing(element.text)
        for child in element:
            self._walk(child)
            if child.tail:
                child.tail = french_spacing(child.tail)


class FrenchTypography(Extension):
    """Python-Markdown extension applying `french_spacing` to rendered text."""

    def extendMarkdown(self, md: Markdown) -> None:
        # After inline patterns (priority < 20) so that text nodes are final.
        md.treeprocessors.register(_Spacing(md), "livret_typography", 5)
