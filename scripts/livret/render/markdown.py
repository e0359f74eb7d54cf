"""Markdown for text the consultant wrote: always data, never code.

Raw HTML is escaped (shown as written), nothing is ever evaluated as a template, and
an image or resource that would make the beneficiary's browser call another host is
an error at the file and line where it was written. Links are decided on the URL the
browser would follow (`livret.protect.urls`): links to other sites stay links, opened without
telling the site where the reader came from; any other kind keeps its text, loses its
target, and is reported as a warning. The rendered HTML then goes through a sanitiser
(nh3) that applies the same decision: a second wall if the first one ever misses.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nh3
from markdown import Extension, Markdown, util
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from livret.errors import Problem
from livret.protect.allowlist import INLINE_IMAGE
from livret.protect.pieces import IMAGE_FORMATS, PieceRefused, image_data_uri
from livret.protect.urls import browser_form, decide, decide_attribute, shown
from livret.render.typography import FrenchTypography
from livret.sources.yamlpos import line_column

# What our Markdown produces, and nothing more: the sanitiser drops any other tag or
# attribute, whatever the renderer above let through.
_TAGS = {
    "p", "br", "hr", "a", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title", "target"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"style", "align"},
    "td": {"style", "align"},
}
_ALIGN = re.compile(r"^text-align: (?:left|right|center);?$")

# A scheme, or two slashes of any kind: anything that is not a file of the dossier.
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|[/\\]{2})", re.IGNORECASE)


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

    def as_written(self, text: str) -> str:
        r"""`text` as it stands in the source, with the backslashes that escaped its
        characters: `[lien](\\evil.example)` gives `\\evil.example`, not `\evil.example`."""
        if not text:
            return text
        # Leftmost match: an escaping backslash is taken with the character it escapes.
        pattern = "".join(r"\\?" + re.escape(char) for char in text)
        found = re.search(pattern, self.source)
        return found.group(0) if found else text

    def problem_at(self, needle: str, message: str, *, warning: bool = False) -> None:
        # Point at the offending text itself: its line, and its column within that line.
        line, column = line_column(self.source, max(self.source.find(needle), 0))
        path, first, indent = self.origin.path, self.origin.line, self.origin.column
        self.problems.append(Problem(path, first + line - 1, indent + column - 1, message, warning))


# A backslash-escaped character (`\\`, `\*`) waits as STX, its code point, ETX until
# Python-Markdown's last tree pass puts it back.
_ESCAPED = re.compile(f"{util.STX}([0-9]+){util.ETX}")


def _unstashed(attribute: str) -> str:
    """The attribute as written in HTML: Python-Markdown hides the `&` of the character
    references it writes itself (an e-mail autolink is all `&#109;`) and each escaped
    character behind placeholders until serialisation; the decision must see the text as
    the browser will, and a warning must quote what the consultant wrote."""
    unescaped = _ESCAPED.sub(lambda m: chr(int(m.group(1))), attribute)
    return unescaped.replace(util.AMP_SUBSTITUTE, "&")


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
            elif element.tag == "a" and "href" in element.attrib:
                self._link(element, state)

    def _link(self, element: etree.Element, state: _State) -> None:
        written = _unstashed(element.attrib.pop("href"))
        link = decide_attribute(written)
        if link is None:
            source = state.as_written(written)
            state.problem_at(
                source,
                f"lien retiré « {shown(browser_form(source))} » : un livret ne garde que les "
                "liens https://…, http://…, mailto:… et ceux vers ses propres pages "
                "(plan-action.html) ; le texte reste affiché, sans lien",
                warning=True,
            )
            return
        # The serializer leaves `&#…;` as written; escaping `&` ourselves makes the browser
        # decode exactly the URL that was decided on, and nothing else.
        element.set("href", link.url.replace("&", "&amp;"))
        if link.kind == "external":
            element.set("rel", "noopener noreferrer")
            element.set("target", "_blank")

    def _image(self, element: etree.Element, state: _State) -> None:
        written = _unstashed(element.get("src", ""))
        src = browser_form(written)
        if _EXTERNAL.match(src):
            state.problem_at(
                written,
                f"image externe interdite « {shown(src)} » : elle ferait appeler un autre site par "
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
                written,
                f"image introuvable « {shown(src)} » : placez une image PNG, JPEG ou WebP dans "
                "pieces/ et écrivez pieces/nom.png",
            )
            element.set("src", "")
            return
        try:
            # Inlined so that the image is encrypted with the page and never copied in clear;
            # re-encoded so that no metadata (a photo's GPS position) travels with it.
            element.set("src", image_data_uri(target))
        except PieceRefused as error:
            state.problem_at(written, error.describe(src))
            element.set("src", "")


def _allowed(tag: str, attribute: str, value: str) -> str | None:
    """The sanitiser's decision on one decoded attribute value: the same rules as above."""
    if attribute == "href":
        link = decide(value)
        return link.url if link else None
    if attribute == "src":
        return value if INLINE_IMAGE.match(value) else None
    if attribute == "style":
        return value if _ALIGN.match(value) else None
    if attribute == "target":
        return value if value == "_blank" else None
    if attribute == "start":
        return value if value.isdigit() else None
    return value


def sanitize(fragment: str) -> str:
    """Our rendered Markdown through nh3: only our tags, attributes and decided URLs."""
    return nh3.clean(
        fragment,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        attribute_filter=_allowed,
        url_schemes={"http", "https", "mailto", "data"},
        strip_comments=True,
    )


class _UserText(Extension):
    def __init__(self, state: Callable[[], _State]) -> None:
        super().__init__()
        self.state = state

    def extendMarkdown(self, md: Markdown) -> None:
        # Raw HTML is data: without these two, `<b>` or `<script>` would pass through.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_Resources(md, self.state), "livret_resources", 4)


# A tag as a person would type it: `<b>`, `</i>`, `<br/>`, `<a href="…">`. Autolinks
# (`<https://…>`, `<nom@exemple.fr>`) do not match: a scheme or an @ follows the name.
_RAW_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?>")
_CODE_SPAN = re.compile(r"`+[^`]*`+")
_MARKDOWN_FOR = {
    "b": "**gras**",
    "strong": "**gras**",
    "i": "*italique*",
    "em": "*italique*",
    "u": "*italique* (le soulignement se confond avec un lien)",
    "br": "une ligne vide entre deux paragraphes",
    "p": "une ligne vide entre deux paragraphes",
    "a": "[texte du lien](https://…)",
    "ul": "une ligne par élément commençant par « - »",
    "ol": "une ligne par élément commençant par « 1. »",
    "li": "une ligne par élément commençant par « - »",
    "h1": "« ## Titre » sur sa propre ligne",
    "h2": "« ## Titre » sur sa propre ligne",
    "h3": "« ### Titre » sur sa propre ligne",
    "img": "![description](pieces/image.png)",
}


def _raw_html(state: _State) -> None:
    """Raw HTML is shown as written: say so, and what to write in Markdown instead."""
    source = _CODE_SPAN.sub(lambda m: " " * len(m.group()), state.source)
    found = _RAW_TAG.search(source)
    if found is None:
        return
    name = found.group(1).lower()
    instead = _MARKDOWN_FOR.get(name, "la mise en forme Markdown (**gras**, *italique*, listes)")
    tag = found.group()
    state.problem_at(
        tag,
        f"balise HTML « {shown(tag, 40)} » affichée telle quelle : le livret n'interprète pas "
        f"le HTML ; écrivez plutôt {instead}",
        warning=True,
    )


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
        _raw_html(self._state)
        try:
            html = sanitize(self._md.reset().convert(text))
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
