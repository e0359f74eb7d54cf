"""Charts as inline SVG, drawn at build time.

Inline so that they sit inside the encrypted page (an image file would be copied
in clear) and print the same in the PDF. No script, no external file. Each chart
has a `<title>` and `<desc>` for screen readers; the pages also show the values as
text beside it.

The PDF's encryption covers strings and streams, not the numbers of object
dictionaries. WeasyPrint draws every SVG `<text>` (and `<tspan>`) whose `text-anchor`
is not `start`, and every element with `opacity` < 1, into its own form XObject whose
`/BBox` sits in clear and follows the text's position and width: centred counts gave
back the number of competences per level. So the charts use no `text-anchor` and no
`opacity` (`fill-opacity` is a graphics state inside the encrypted resources), centre
and right-align text with an estimated width, and keep one geometry whatever the
data: every category and every phase has its row, so the SVG size never varies.
`livret.outputs.pdf_structure.verify_pdf_structure` refuses a synthèse where such an
XObject appears.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

INK = "#1f2a37"
MUTED = "#6b7280"
GRID = "#d1d5db"
ACCENT = "#2f5d8a"
LEVEL_COLOURS = ("#c9d9ea", "#8fb1d3", "#4f81b5", "#2a4f7a")  # niveau 1 (light) .. 4 (dark)
PHASE_COLOURS = {
    "preliminaire": "#8fb1d3",
    "investigation": "#4f81b5",
    "conclusion": "#2a4f7a",
    "suivi": "#9ca3af",
}

LETTERS = ("R", "I", "A", "S", "E", "C")
RIASEC_SIZE = (440, 250)


@dataclass(frozen=True)
class Chart:
    """An SVG and the same information as a sentence."""

    svg: Markup
    text: str


# Advance widths in em of Noto Sans (the PDF's sans-serif), in buckets; close enough for
# the browser's sans-serif too: a few pixels off on a centred label does not show.
_WIDTHS = {
    **dict.fromkeys("ijl ", 0.26),
    **dict.fromkeys("frt-.,/'’IJ", 0.35),
    **dict.fromkeys("csz", 0.48),
    **dict.fromkeys("kvxyEFLTXYZ", 0.54),
    **dict.fromkeys("ae0123456789", 0.566),
    **dict.fromkeys("bdghnopquABKPRSV", 0.62),
    **dict.fromkeys("CDGHNOQU", 0.74),
    **dict.fromkeys("mwMW", 0.93),
}


def text_width(text: str, size: float = 14, bold: bool = False) -> float:
    """Estimated width of `text`, to place it without `text-anchor` (see the module doc)."""
    em = sum(_WIDTHS.get(unicodedata.normalize("NFD", char)[:1], 0.57) for char in text)
    return em * size * (1.06 if bold else 1.0)


# A chart is as wide as the page's text on a phone: 390 px of screen less Material's margins
# leave 356 px (measured in Chromium at 390 x 844). The SVG scales with the screen, so its
# text is drawn large enough for that width: never under 12 px there (WCAG, and issue 13).
PHONE_CHART_PX = 356
MIN_TEXT_PX = 12


def font_size(width: int) -> int:
    """The font size, in viewBox units, that renders `MIN_TEXT_PX` or more on a phone."""
    return math.ceil(MIN_TEXT_PX * width / PHONE_CHART_PX)


def _svg(name: str, width: int, height: int, title: str, desc: str, body: str) -> Markup:
    """`name` makes the ids unique on a page, so that screen readers find title and desc."""
    ids = f"graphique-{name}-titre graphique-{name}-desc"
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{ids}" class="livret-chart" '
        f'font-family="inherit" font-size="{font_size(width)}">'
        f'<title id="graphique-{name}-titre">{escape(title)}</title>'
        f'<desc id="graphique-{name}-desc">{escape(desc)}</desc>{body}</svg>'
    )


def riasec_chart(scores: dict[str, int], labels: dict[str, Any]) -> Chart:
    """Holland's hexagon with the profile drawn inside it."""
    # As narrow as the bar charts, so that its labels can be as large (see PHONE_CHART_PX):
    # the hexagon leaves each side room for « C Conventionnel 100 ».
    width, height, cx, cy, radius = RIASEC_SIZE[0], RIASEC_SIZE[1], 220, 120, 68
    size = font_size(width)
    letters = list(LETTERS)
    names, words = labels["riasec"], labels["graphiques"]

    def point(index: int, value: float) -> tuple[float, float]:
        angle = math.radians(-90 + 60 * index)
        return cx + radius * value * math.cos(angle), cy + radius * value * math.sin(angle)

    parts = []
    for ring in (0.25, 0.5, 0.75, 1.0):
        ring_points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, ring) for i in range(6)))
        parts.append(f'<polygon points="{ring_points}" fill="none" stroke="{GRID}"/>')
    for i in range(6):
        x, y = point(i, 1)
        parts.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
    profile = " ".join(
        f"{x:.1f},{y:.1f}" for x, y in (point(i, scores[k] / 100) for i, k in enumerate(letters))
    )
    parts.append(
        f'<polygon points="{profile}" fill="{ACCENT}" fill-opacity="0.25" '
        f'stroke="{ACCENT}" stroke-width="2"/>'
    )
    for i, letter in enumerate(letters):
        x, y = point(i, scores[letter] / 100)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{ACCENT}"/>')
        parts.append(_riasec_label(i, letter, names[letter], scores[letter], point(i, 1.25), size))
    ranked = sorted(letters, key=lambda k: -scores[k])
    values = ", ".join(words["riasec_valeur"].format(nom=names[k], score=scores[k]) for k in ranked)
    text = words["riasec_texte"].format(valeurs=values)
    code = "".join(ranked[:3])
    return Chart(
        _svg(
            "riasec", width, height, words["riasec_titre"].format(code=code), text, "".join(parts)
        ),
        text,
    )


def _riasec_label(
    index: int, letter: str, name: str, score: int, at: tuple[float, float], size: int
) -> str:
    """One corner's label: centred at the top and bottom, the score under the name on the
    sides (a side has less room), right-aligned on the left side, all by hand."""
    lx, ly = at
    name_width = text_width(letter, size, bold=True) + text_width(f" {name}", size)
    score_text = f" {score}"
    if index in (0, 3):
        lx -= (name_width + text_width(score_text, size)) / 2
        return (
            f'<text x="{lx:.1f}" y="{ly + 5:.1f}" fill="{INK}">'
            f'<tspan font-weight="bold">{letter}</tspan> {escape(name)}'
            f'<tspan fill="{MUTED}">{score_text}</tspan></text>'
        )
    score_x = lx
    if index in (4, 5):
        lx -= name_width
        score_x -= text_width(score_text, size)
    return (
        f'<text x="{lx:.1f}" y="{ly - 2:.1f}" fill="{INK}">'
        f'<tspan font-weight="bold">{letter}</tspan> {escape(name)}'
        f'<tspan x="{score_x:.1f}" dy="{size + 2}" fill="{MUTED}">{score_text}</tspan></text>'
    )


# The competences chart's geometry. Narrow on purpose: on a phone the drawing shrinks to the
# screen, and its text with it.
_C_WIDTH, _C_LEFT, _C_BAR, _C_GAP, _C_TOP = 440, 110, 28, 16, 56


def _competences_legend(words: dict[str, Any], names: dict[int, str]) -> str:
    """The four level swatches above the bars."""
    parts = []
    for level in range(4):
        # Two by two: four labels on one line would not fit a phone at a readable size.
        x, y = 4 + (level % 2) * (_C_WIDTH / 2), 6 + (level // 2) * 22
        legend = words["competences_legende"].format(niveau=level + 1, libelle=names[level + 1])
        parts.append(
            f'<rect x="{x:.0f}" y="{y}" width="13" height="13" fill="{LEVEL_COLOURS[level]}"/>'
            f'<text x="{x + 19:.0f}" y="{y + 12}" fill="{INK}">{escape(str(legend))}</text>'
        )
    return "".join(parts)


def _competences_bar(y: int, per_level: Sequence[int], scale: float) -> str:
    """One category's stacked bar, each segment with its count, then the total."""
    parts = []
    x = float(_C_LEFT)
    baseline = y + _C_BAR / 2 + 5
    for level, count in enumerate(per_level):
        if not count:
            continue
        w = count * scale
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{_C_BAR}" '
            f'fill="{LEVEL_COLOURS[level]}"/>'
        )
        text_colour = INK if level < 2 else "#ffffff"
        middle = x + w / 2 - text_width(str(count), font_size(_C_WIDTH)) / 2
        parts.append(f'<text x="{middle:.1f}" y="{baseline}" fill="{text_colour}">{count}</text>')
        x += w
    parts.append(f'<text x="{x + 6:.1f}" y="{baseline}" fill="{MUTED}">{sum(per_level)}</text>')
    return "".join(parts)


def competences_chart(counts: Mapping[str, Sequence[int]], labels: dict[str, Any]) -> Chart:
    """One stacked bar per category: how many competences at each level.

    Every category of the theme has its row, empty or not, so that the drawing has the
    same size in every dossier (see the module doc).
    """
    words, categories, names = labels["graphiques"], labels["categories"], labels["niveaux"]
    total_max = max((sum(v) for v in counts.values()), default=1) or 1
    scale = (_C_WIDTH - _C_LEFT - 40) / total_max
    parts = [_competences_legend(words, names)]
    sentences = []
    for row, category in enumerate(categories):
        per_level = list(counts.get(category, (0, 0, 0, 0)))
        y = _C_TOP + row * (_C_BAR + _C_GAP)
        name = categories[category]
        # Left-aligned: right-aligning a word would need its exact width in the reader's font.
        parts.append(f'<text x="4" y="{y + _C_BAR / 2 + 5}" fill="{INK}">{escape(name)}</text>')
        parts.append(_competences_bar(y, per_level, scale))
        if category not in counts:
            continue
        detail = ", ".join(
            words["competences_detail"].format(nombre=c, niveau=i + 1, libelle=names[i + 1])
            for i, c in enumerate(per_level)
            if c
        )
        line = words["competences_ligne"].format(categorie=name, total=sum(per_level))
        sentences.append(line + (f" ({detail})" if detail else ""))
    height = _C_TOP + len(categories) * (_C_BAR + _C_GAP)
    text = words["competences_texte"].format(lignes=" ; ".join(sentences))
    svg = _svg("competences", _C_WIDTH, height, words["competences_titre"], text, "".join(parts))
    return Chart(svg, text)


def hours_label(minutes: int) -> str:
    """`19 h`, `1 h 30`, `45 min`, with no-break spaces: a number never parts from its unit."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}\u00a0min"
    return f"{hours}\u00a0h\u00a0{rest:02d}" if rest else f"{hours}\u00a0h"


def phases_chart(minutes: dict[str, int], labels: dict[str, Any]) -> Chart:
    """Hours spent in each phase, as horizontal bars.

    Every phase has its row, a phase not yet begun shows a dash: the drawing keeps one
    size whatever the dossier (see the module doc).
    """
    words, phases = labels["graphiques"], labels["phases_courtes"]
    width, left, bar, gap, top = 440, 110, 26, 12, 8
    longest = max(minutes.values(), default=1) or 1
    scale = (width - left - 80) / longest
    parts = []
    sentences = []
    for row, phase in enumerate(phases):
        value = minutes.get(phase, 0)
        y = top + row * (bar + gap)
        name = phases[phase]
        # Left-aligned: right-aligning a word would need its exact width in the reader's font.
        parts.append(f'<text x="4" y="{y + bar / 2 + 5}" fill="{INK}">{escape(name)}</text>')
        if not value:
            parts.append(f'<text x="{left + 8}" y="{y + bar / 2 + 5}" fill="{MUTED}">—</text>')
            continue
        w = max(value * scale, 2)
        parts.append(
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar}" rx="3" '
            f'fill="{PHASE_COLOURS.get(phase, ACCENT)}"/>'
            f'<text x="{left + w + 8:.1f}" y="{y + bar / 2 + 5}" fill="{INK}">'
            f"{hours_label(value)}</text>"
        )
        line = words["phases_ligne"].format(phase=name, duree=hours_label(value))
        sentences.append(line)
    height = top + len(phases) * (bar + gap)
    text = words["phases_texte"].format(lignes=" ; ".join(sentences))
    return Chart(_svg("phases", width, height, words["phases_titre"], text, "".join(parts)), text)
