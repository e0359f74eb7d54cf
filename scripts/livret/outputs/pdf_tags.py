"""What WeasyPrint's PDF/UA-1 tagging leaves undone, finished on the laid-out PDF.

WeasyPrint (`pdf_variant="pdf/ua-1"`) writes the structure tree, `/Lang`, the XMP title
and `/MarkInfo`, but three things a reader of the synthèse needs are missing, and this
module adds them with pikepdf without changing a single drawn pixel:

- a chart's alternative text: WeasyPrint takes the SVG's `<title>` only (« Heures par
  phase du bilan »); the `<desc>` holds the chart's text equivalent, which is what a
  screen reader must say;
- table headers: WeasyPrint links each data cell to its header with `/Headers`, but the
  `/TH` themselves carry no `/Scope`, so checkers cannot tell column from row headers;
- hyphenation: a word broken at the end of a line is drawn with a hyphen glyph that
  extracts as a real hyphen (« compé‐ tences »). The glyph of U+2010, which only the
  hyphenation draws (see `HYPHENATION`), is mapped to SOFT HYPHEN (U+00AD) in each font's
  ToUnicode map: ISO 32000-1 §14.8.2.2.3 marks a line-end hyphen that is not part of the
  word that way, so copying and reading aloud give the whole word.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name, String
from selectolax.lexbor import LexborHTMLParser

# The hyphen WeasyPrint draws where it breaks a word (`hyphenate-character` in commun.css).
# `print_document` turns every U+2010 of the text into U+002D first, so in the laid-out PDF
# this character comes from hyphenation only.
HYPHENATION = "\u2010"
SOFT_HYPHEN = "\u00ad"

# The document titles livret prints (each template's `<title>`): never a name. Viewers
# show the title instead of the random file name; the encrypted PDF may keep only these.
NEUTRAL_TITLES = frozenset({"Document de synthèse", "Feuille d’émargement", "Fiche projet"})

# One `<glyph> <unicode>` pair of a ToUnicode `bfchar` block whose text is U+2010 alone.
_HYPHEN_PAIR = re.compile(rb"(<[0-9A-Fa-f]+>\s*)<2010>")


def figure_texts(html: str) -> dict[str, str]:
    """SVG `<title>` -> `<desc>`, for every chart of the document that has both."""
    texts: dict[str, str] = {}
    for svg in LexborHTMLParser(html).css("svg"):
        title, desc = svg.css_first("title"), svg.css_first("desc")
        if title is not None and desc is not None:
            texts[title.text(strip=True)] = desc.text(strip=True)
    return texts


def finish_tags(clear: bytes, html: str) -> bytes:
    """The PDF WeasyPrint laid out from `html`, with alt texts, header scopes, soft hyphens."""
    texts = figure_texts(html)
    with pikepdf.open(io.BytesIO(clear)) as pdf:
        for element in _struct_elements(pdf):
            role = element.get("/S")
            if role == "/Figure":
                _describe(element, texts)
            elif role == "/TH":
                _scope(element)
        _soft_hyphens(pdf)
        out = io.BytesIO()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.preserve)
    return out.getvalue()


def _struct_elements(pdf: pikepdf.Pdf) -> Iterator[Dictionary]:
    """Every structure element under the root, each once, parents before children."""
    root = pdf.Root.get("/StructTreeRoot")
    if not isinstance(root, Dictionary):
        return
    seen: set[tuple[int, int]] = set()
    pending: list[object] = [root.get("/K")]
    while pending:
        node = pending.pop()
        if isinstance(node, Array):
            pending.extend(reversed(list(node)))
        elif isinstance(node, Dictionary) and node.get("/Type", Name.StructElem) == Name.StructElem:
            if "/S" not in node or (node.is_indirect and node.objgen in seen):
                continue
            if node.is_indirect:
                seen.add(node.objgen)
            yield node
            pending.append(node.get("/K"))


def _describe(figure: Dictionary, texts: dict[str, str]) -> None:
    title = str(figure.get("/Alt", ""))
    if title in texts:
        figure.Alt = String(texts[title])


def _scope(header: Dictionary) -> None:
    # Every header of our documents heads a column (`<thead>`); `scope="row"` would be a row.
    attributes = header.get("/A")
    if not isinstance(attributes, Dictionary):
        attributes = Dictionary(O=Name.Table)
        header.A = attributes
    if "/Scope" not in attributes:
        attributes.Scope = Name.Column


def _soft_hyphens(pdf: pikepdf.Pdf) -> None:
    maps = {
        font.ToUnicode.objgen: font.ToUnicode
        for page in pdf.pages
        for font in _fonts(page)
        if isinstance(font.get("/ToUnicode"), pikepdf.Stream)
    }
    for stream in maps.values():
        data = stream.read_bytes()
        fixed = _HYPHEN_PAIR.sub(rb"\1<00AD>", data)
        if fixed != data:
            stream.write(fixed)


def _fonts(page: pikepdf.Page) -> Iterator[Dictionary]:
    fonts = page.obj.get("/Resources", Dictionary()).get("/Font", Dictionary())
    for font in fonts.values():
        if isinstance(font, Dictionary):
            yield font
