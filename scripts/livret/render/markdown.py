"""Markdown for text the consultant wrote: always data, never code.

Raw HTML is escaped (shown as written), nothing is ever evaluated as a template, and
an image or resource that would make the beneficiary's browser call another host is
an error at the file and line where it was written. Links to other sites stay links,
opened without telling the site where the reader came from.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from livret.errors import Problem
from livret.pieces import IMAGE_FORMATS, PieceRefused, image_data_uri
from livret.render.typography import FrenchTypography

_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
_SCRIPTED = re.compile(r"^\s*(?:javascript|vbscript|data):", re.IGNORECASE)


@dataclass(frozen=True)
class Origin:
    """Where a piece of text was written: file, first line and column of the text."""

    path: str
    line: int
    column: int = 1
    folder: Path | None = None  # the dossier folder, for images under pieces/


@dataclass
class _State:
    origin: Origin
    source: str
    problems: list[Problem] = field(default_factory=list)

    def problem_at(self, needle: str, message: str) -> None:
        index = max(self.source.find(needle), 0)
        # Point at the offending text itself: its line, and its column within that line.
        start_of_line = self.source.rfind("\n", 0, index) + 1
        line = self.origin.line + self.source.count("\n", 0, index)
        column = self.origin.column + (index - start_of_line)
        self.problems.append(Problem(self.origin.path, line, column, message))


class _Resources(Treeprocessor):
    """Refuses external resources, inlines local images, hardens external links."""

    def __init__(self, md: Markdown, state: Callable[[], _State]) -> None:
        super().__init__(md)
        self.state = state

    def run(self, root: etree.Element) -> None:
        state = self.state()
        for element in root.iter():
            if element.tag == "img":
                self._image(element, state)
            elif element.tag == "a":
                href = element.get("href", "")
                if _SCRIPTED.match(href):
                    element.attrib.pop("href")  # a link that runs code is not a link
                elif _EXTERNAL.match(href):
                    element.set("rel", "noopener noreferrer")
                    element.set("target", "_blank")

    def _image(self, element: etree.Element, state: _State) -> None:
        src = element.get("src", "")
        if _EXTERNAL.match(src):
            state.problem_at(
                src,
                f"image externe interdite « {src} » : elle ferait appeler un autre site par "
                "le navigateur du bénéficiaire ; placez l'image dans pieces/ et écrivez "
                "pieces/nom.png",
            )
            element.set("src", "")
            return
        folder = state.origin.folder
        target = (folder / src).resolve() if folder else None
        if (
            target is None
            or folder is None
            or not target.is_relative_to(folder.resolve())
            or not target.is_file()
            or target.suffix.lower() not in IMAGE_FORMATS
        ):
            state.problem_at(
                src,
                f"image introuvable « {src} » : placez une image PNG, JPEG ou WebP dans "
                "pieces/ et écrivez pieces/nom.png",
            )
            element.set("src", "")
            return
        try:
            # Inlined so that the image is encrypted with the page and never copied in clear;
            # re-encoded so that no metadata (a photo's GPS position) travels with it.
            element.set("src", image_data_uri(target))
        except PieceRefused as error:
            state.problem_at(src, error.describe(src))
            element.set("src", "")


class _UserText(Extension):
    def __init__(self, state: Callable[[], _State]) -> None:
        super().__init__()
        self.state = state

    def extendMarkdown(self, md: Markdown) -> None:
        # Raw HTML is data: without these two, `<b>` or `<script>` would pass through.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_Resources(md, self.state), "livret_resources", 4)


class MarkdownRenderer:
    """Renders consultant text to HTML; collects problems instead of raising."""

    def __init__(self, extra_extensions: tuple[str, ...] = ()) -> None:
        self._state: _State | None = None
        self._md = Markdown(
            extensions=[
                "tables",
                "sane_lists",
                *extra_extensions,
                FrenchTypography(),
                _UserText(self._current),
            ],
            output_format="html",
        )
        self.problems: list[Problem] = []

    def _current(self) -> _State:
        assert self._state is not None
        return self._state

    def render(self, text: str, origin: Origin) -> Markup:
        """Block HTML for `text`; problems go to `self.problems`."""
        self._state = _State(origin, text)
        try:
            html = self._md.reset().convert(text)
        finally:
            self.problems += self._state.problems
            self._state = None
        return Markup(html)

    def render_inline(self, text: str, origin: Origin) -> Markup:
        """Inline HTML (no surrounding paragraph), for titles and list items."""
        html = str(self.render(text, origin))
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        return Markup(html)
