"""Inline SVG charts (livret.render.charts): well-formed, escaped, bounded, one size per chart.

The labels are the theme's own (`theme/libelles.yml`), plus a hostile copy whose names
carry markup, to show that every label reaches the SVG as text.
"""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from conftest import ROOT
from livret.render.charts import (
    LETTERS,
    PHONE_CHART_PX,
    Chart,
    competences_chart,
    hours_label,
    phases_chart,
    riasec_chart,
    text_width,
)
from livret.render.labels import load_labels

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(\"x\")</script> & 'q'"


@pytest.fixture(scope="module")
def labels() -> dict[str, Any]:
    return load_labels(ROOT / "theme")


@pytest.fixture(scope="module")
def hostile_labels(labels: dict[str, Any]) -> dict[str, Any]:
    """The theme's labels with markup in every name a chart draws."""
    changed = copy.deepcopy(labels)
    for table in ("categories", "phases_courtes", "riasec"):
        changed[table] = {key: f"{HOSTILE} {key}" for key in changed[table]}
    changed["niveaux"] = {level: f"{HOSTILE} {level}" for level in changed["niveaux"]}
    return changed


def parse(chart: Chart) -> ET.Element:
    """The SVG as XML: fails the test if it is not well-formed."""
    root = ET.fromstring(str(chart.svg))
    assert root.tag == f"{SVG}svg"
    return root


def view_box(root: ET.Element) -> tuple[float, float]:
    x, y, width, height = (float(v) for v in root.attrib["viewBox"].split())
    assert (x, y) == (0, 0)
    return width, height


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


RIASEC_CASES = [
    {"R": 10, "I": 80, "A": 55, "S": 90, "E": 0, "C": 100},
    dict.fromkeys(LETTERS, 0),
    dict.fromkeys(LETTERS, 100),
    {"R": 100, "I": 3, "A": 0, "S": 99, "E": 7, "C": 100},
    {"R": 1, "I": 2, "A": 3, "S": 4, "E": 5, "C": 6},
]
COMPETENCE_CASES: list[dict[str, list[int]]] = [
    {},
    {"savoir": [1, 2, 0, 3]},
    {"savoir": [0, 0, 0, 1], "savoir_faire": [5, 0, 2, 0], "savoir_etre": [1, 1, 1, 1]},
    {"savoir_faire": [40, 30, 20, 10]},
    {"savoir_etre": [0, 0, 0, 0]},
]
PHASE_CASES: list[dict[str, int]] = [
    {},
    {"preliminaire": 90},
    {"preliminaire": 120, "investigation": 600, "conclusion": 180, "suivi": 60},
    {"investigation": 1},
    {"suivi": 24 * 60 * 10},
]


def _all_charts(labels: dict[str, Any]) -> list[Chart]:
    return (
        [riasec_chart(s, labels) for s in RIASEC_CASES]
        + [competences_chart(c, labels) for c in COMPETENCE_CASES]
        + [phases_chart(m, labels) for m in PHASE_CASES]
    )


def test_every_chart_is_well_formed_and_accessible(labels: dict[str, Any]) -> None:
    for chart in _all_charts(labels):
        root = parse(chart)
        assert root.attrib["role"] == "img"
        title, desc = root[0], root[1]
        assert title.tag == f"{SVG}title" and desc.tag == f"{SVG}desc"
        assert root.attrib["aria-labelledby"] == f"{title.attrib['id']} {desc.attrib['id']}"
        # The description is the sentence shown beside the chart, word for word.
        assert desc.text == chart.text
        # Drawn for the narrowest screen: 12 px or more once scaled to a phone's width.
        width = view_box(root)[0]
        assert int(root.attrib["font-size"]) * PHONE_CHART_PX / width >= 12


def test_no_text_anchor_no_opacity_no_script_no_link(labels: dict[str, Any]) -> None:
    """What would put clear geometry in the PDF, or make the page fetch or run something."""
    for chart in _all_charts(labels):
        root = parse(chart)
        for element in root.iter():
            assert element.tag.removeprefix(SVG) in {
                "svg", "title", "desc", "polygon", "line", "circle", "text", "tspan", "rect",
            }  # fmt: skip
            for name in element.attrib:
                assert name not in {"text-anchor", "opacity", "href", "style"}, name
                assert not name.startswith("on") and "href" not in name
        assert "text-anchor" not in str(chart.svg) and " opacity" not in str(chart.svg)


@pytest.mark.parametrize("name", ["riasec", "competences", "phases"])
def test_ids_are_named_for_the_chart(labels: dict[str, Any], name: str) -> None:
    chart = {
        "riasec": riasec_chart(RIASEC_CASES[0], labels),
        "competences": competences_chart(COMPETENCE_CASES[1], labels),
        "phases": phases_chart(PHASE_CASES[1], labels),
    }[name]
    ids = [e.attrib["id"] for e in parse(chart).iter() if "id" in e.attrib]
    assert ids == [f"graphique-{name}-titre", f"graphique-{name}-desc"]


def test_labels_are_escaped(hostile_labels: dict[str, Any]) -> None:
    for chart in _all_charts(hostile_labels):
        svg = str(chart.svg)
        assert "<script" not in svg
        root = parse(chart)
        assert not list(root.iter(f"{SVG}script"))
    competences = parse(competences_chart(COMPETENCE_CASES[2], hostile_labels))
    assert f"{HOSTILE} savoir_faire" in texts(competences)
    assert f"{HOSTILE} 2" in "".join(texts(competences))  # the legend: « 2 · <name> »
    phases = parse(phases_chart(PHASE_CASES[2], hostile_labels))
    assert f"{HOSTILE} suivi" in texts(phases)
    riasec = parse(riasec_chart(RIASEC_CASES[0], hostile_labels))
    assert f"R {HOSTILE} R 10" in texts(riasec)


@pytest.mark.parametrize("scores", RIASEC_CASES)
def test_riasec_points_stay_inside_the_hexagon(
    labels: dict[str, Any], scores: dict[str, int]
) -> None:
    root = parse(riasec_chart(scores, labels))
    assert view_box(root) == (440, 250)
    circles = list(root.iter(f"{SVG}circle"))
    assert len(circles) == 6
    for letter, circle in zip(LETTERS, circles, strict=True):
        cx, cy = float(circle.attrib["cx"]), float(circle.attrib["cy"])
        distance = ((cx - 220) ** 2 + (cy - 120) ** 2) ** 0.5
        assert distance == pytest.approx(68 * scores[letter] / 100, abs=0.1)
    rings = [p for p in root.iter(f"{SVG}polygon") if p.attrib["fill"] == "none"]
    assert len(rings) == 4
    for element in root.iter(f"{SVG}text"):
        assert 0 <= float(element.attrib["x"]) <= 440
        assert 0 <= float(element.attrib["y"]) <= 250


def test_riasec_title_and_sentence_rank_the_letters(labels: dict[str, Any]) -> None:
    chart = riasec_chart(RIASEC_CASES[0], labels)
    assert chart.text == (
        "Profil RIASEC : Conventionnel 100/100, Social 90/100, Investigateur 80/100, "
        "Artistique 55/100, Réaliste 10/100, Entreprenant 0/100."
    )
    assert parse(chart)[0].text == "Profil d'intérêts RIASEC (code CSI)"
    labels_drawn = texts(parse(chart))
    assert labels_drawn == [
        "R Réaliste 10", "I Investigateur 80", "A Artistique 55",
        "S Social 90", "E Entreprenant 0", "C Conventionnel 100",
    ]  # fmt: skip


def test_riasec_ties_keep_the_hexagon_order(labels: dict[str, Any]) -> None:
    chart = riasec_chart(dict.fromkeys(LETTERS, 50), labels)
    assert parse(chart)[0].text == "Profil d'intérêts RIASEC (code RIA)"


@pytest.mark.parametrize("counts", COMPETENCE_CASES)
def test_competences_chart_has_one_size_and_bars_inside(
    labels: dict[str, Any], counts: dict[str, list[int]]
) -> None:
    root = parse(competences_chart(counts, labels))
    width, height = view_box(root)
    # Three categories in the theme, each its row, whatever the dossier holds.
    assert (width, height) == (440, 56 + 3 * (28 + 16))
    bars = [r for r in root.iter(f"{SVG}rect") if r.attrib["y"] not in ("6", "28")]
    assert len(bars) == sum(1 for levels in counts.values() for c in levels if c)
    for bar in bars:
        x, w = float(bar.attrib["x"]), float(bar.attrib["width"])
        assert x >= 110 and w > 0 and x + w <= 400.5
    row_names = [t for t in texts(root) if t in ("Savoirs", "Savoir-faire", "Savoir-être")]
    assert row_names == ["Savoirs", "Savoir-faire", "Savoir-être"]


def test_competences_chart_legend_counts_and_sentence(labels: dict[str, Any]) -> None:
    chart = competences_chart({"savoir": [1, 2, 0, 3], "savoir_etre": [0, 0, 4, 0]}, labels)
    drawn = texts(parse(chart))
    assert drawn[:4] == ["1 · Notions", "2 · Pratique", "3 · Maîtrise", "4 · Expertise"]
    # Savoirs: 1, 2, 3 in their bars then the total; an empty category shows its 0.
    assert drawn[4:] == [
        "Savoirs",
        "1",
        "2",
        "3",
        "6",
        "Savoir-faire",
        "0",
        "Savoir-être",
        "4",
        "4",
    ]
    assert chart.text == (
        "Compétences par catégorie et par niveau. Savoirs : 6 (1 au niveau « Notions », "
        "2 au niveau « Pratique », 3 au niveau « Expertise ») ; Savoir-être : 4 "
        "(4 au niveau « Maîtrise »)."
    )


def test_the_longest_competence_row_fills_the_width(labels: dict[str, Any]) -> None:
    root = parse(competences_chart({"savoir": [2, 0, 0, 0], "savoir_faire": [4, 4, 0, 0]}, labels))
    bars = [r for r in root.iter(f"{SVG}rect") if r.attrib["y"] not in ("6", "28")]
    ends = [float(b.attrib["x"]) + float(b.attrib["width"]) for b in bars]
    assert max(ends) == pytest.approx(400, abs=0.1)
    assert float(bars[0].attrib["width"]) == pytest.approx(290 / 8 * 2, abs=0.1)


@pytest.mark.parametrize("minutes", PHASE_CASES)
def test_phases_chart_has_one_size_and_bars_inside(
    labels: dict[str, Any], minutes: dict[str, int]
) -> None:
    root = parse(phases_chart(minutes, labels))
    assert view_box(root) == (440, 8 + 4 * (26 + 12))
    bars = list(root.iter(f"{SVG}rect"))
    assert len(bars) == len([v for v in minutes.values() if v])
    for bar in bars:
        assert bar.attrib["x"] == "110"
        assert 2 <= float(bar.attrib["width"]) <= 250.05
    assert texts(root).count("—") == 4 - len(bars)  # a phase not begun shows a dash


def test_phases_chart_labels_and_sentence(labels: dict[str, Any]) -> None:
    chart = phases_chart({"preliminaire": 90, "suivi": 45}, labels)
    assert texts(parse(chart)) == [
        "Préliminaire", "1\u00a0h\u00a030", "Investigation", "—", "Conclusion", "—",
        "Suivi", "45\u00a0min",
    ]  # fmt: skip
    assert (
        chart.text
        == "Heures d'entretien par phase. Préliminaire : 1\u00a0h\u00a030 ; Suivi : 45\u00a0min."
    )


def test_a_tiny_phase_still_shows_a_bar(labels: dict[str, Any]) -> None:
    root = parse(phases_chart({"investigation": 600, "suivi": 1}, labels))
    widths = [float(r.attrib["width"]) for r in root.iter(f"{SVG}rect")]
    assert widths == [250.0, 2.0]


def test_empty_inputs_give_empty_sentences(labels: dict[str, Any]) -> None:
    assert competences_chart({}, labels).text == "Compétences par catégorie et par niveau. ."
    assert phases_chart({}, labels).text == "Heures d'entretien par phase. ."


@pytest.mark.parametrize(
    ("minutes", "label"),
    [
        (0, "0\u00a0min"),
        (1, "1\u00a0min"),
        (45, "45\u00a0min"),
        (59, "59\u00a0min"),
        (60, "1\u00a0h"),
        (61, "1\u00a0h\u00a001"),
        (90, "1\u00a0h\u00a030"),
        (125, "2\u00a0h\u00a005"),
        (480, "8\u00a0h"),
        (1140, "19\u00a0h"),
    ],
)
def test_hours_label(minutes: int, label: str) -> None:
    assert hours_label(minutes) == label


@pytest.mark.parametrize(
    ("text", "em"),
    [
        ("", 0),
        ("i", 0.26),
        ("e", 0.566),
        ("é", 0.566),  # an accented letter is as wide as its base letter
        ("É", 0.54),
        ("m", 0.93),
        ("W", 0.93),
        ("€", 0.57),  # unknown: an average width
        ("ab", 0.566 + 0.62),
        (
            "Savoir-être",
            0.62 + 0.566 + 0.54 + 0.62 + 0.26 + 0.35 + 0.35 + 0.566 + 0.35 + 0.35 + 0.566,
        ),
    ],
)
def test_text_width(text: str, em: float) -> None:
    assert text_width(text) == pytest.approx(em * 14)
    assert text_width(text, size=10) == pytest.approx(em * 10)
    assert text_width(text, bold=True) == pytest.approx(em * 14 * 1.06)


def test_centred_counts_sit_in_the_middle_of_their_bar(labels: dict[str, Any]) -> None:
    root = parse(competences_chart({"savoir": [0, 0, 12, 0]}, labels))
    bar = next(r for r in root.iter(f"{SVG}rect") if r.attrib["y"] not in ("6", "28"))
    count = next(t for t in root.iter(f"{SVG}text") if t.text == "12")
    middle = float(bar.attrib["x"]) + float(bar.attrib["width"]) / 2
    assert float(count.attrib["x"]) == pytest.approx(
        middle - text_width("12", int(root.attrib["font-size"])) / 2, abs=0.1
    )
    assert count.attrib["fill"] == "#ffffff"  # dark bar (level 3): white text
    assert re.fullmatch(r"\d+(\.\d)?", count.attrib["x"])
