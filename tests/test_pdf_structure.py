"""What the encrypted synthèse shows without the passphrase: nothing that depends on the dossier.

Two real syntheses that differ in competence counts and levels, RIASEC scores, phase
durations, number of sessions and text lengths must show the same clear skeleton, but
for lengths and object counts. The verifier is then tested directly on crafted PDFs.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from click.testing import CliRunner
from pikepdf import Array, Dictionary, Name, Stream, String
from ruamel.yaml import YAML

from conftest import ROOT, make_repo
from livret.cli import cli
from livret.errors import LivretError
from livret.outputs.pdf import encrypt_pdf
from livret.outputs.pdf_structure import verify_pdf_structure
from livret.project import CLEAR_DIR
from livret.render.charts import competences_chart, phases_chart, riasec_chart
from livret.render.view import load_labels

SOURCE = "2026-durand-claire"
VARIANT = "2026-durand-variante"
PASS = "phrase de passe du test"
# Keys whose clear value may follow the dossier (see the README): lengths, object counts.
MAY_VARY = {
    "/Length", "/Length1", "/Length2", "/Length3", "/N", "/First", "/Size", "/W", "/Index",
    "/DecodeParms/Columns",  # of the cross-reference stream: follows /W
}  # fmt: skip


def _variant(folder: Path) -> None:
    """Same person, other numbers: fewer sessions, other durations, counts, levels, scores."""
    yaml = YAML()
    bilan_path, synthese_path = folder / "bilan.yml", folder / "synthese.yml"
    bilan, synthese = yaml.load(bilan_path), yaml.load(synthese_path)
    seances = bilan["seances"]
    investigation = [s for s in seances if s["phase"] == "investigation"]
    for seance in investigation[1:3]:
        seances.remove(seance)
    for seance in seances:
        seance["duree"] = "3h" if seance["phase"] == "investigation" else "1h"
        seance["objet"] = seance["objet"] + " et un objet nettement plus long qu'avant"
    competences = synthese["competences"]
    competences[:] = [c for c in competences if c["categorie"] != "savoir"]
    for competence in competences:
        competence["niveau"] = 1 if competence["niveau"] > 2 else 4
    competences.extend(dict(competences[0], intitule=f"Compétence ajoutée {i}") for i in range(7))
    synthese["interets"]["riasec"] = {"R": 100, "I": 3, "A": 0, "S": 99, "E": 7, "C": 100}
    yaml.dump(bilan, bilan_path)
    yaml.dump(synthese, synthese_path)


Built = dict[str, tuple[bytes, str]]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Built, bytes]:
    base = tmp_path_factory.mktemp("structure")
    repo = make_repo(base / "repo", {SOURCE: ROOT / "dossiers" / SOURCE})
    shutil.copytree(repo / "dossiers" / SOURCE, repo / "dossiers" / VARIANT)
    _variant(repo / "dossiers" / VARIANT)
    store = base / "acces.json"
    result = CliRunner(env={"LIVRET_ACCESS": str(store)}).invoke(
        cli, ["-C", str(repo), "build", "--json"]
    )
    assert result.exit_code == 0, result.output
    booklets = {b["slug"]: b for b in json.loads(result.stdout)["booklets"]}
    access = json.loads(store.read_text())["livrets"]
    encrypted = {
        slug: ((repo / booklets[slug]["pdf"]).read_bytes(), access[slug]["passphrase"])
        for slug in (SOURCE, VARIANT)
    }
    # The consultant's clear copy: WeasyPrint's own output, base of the crafted PDFs below.
    return encrypted, (repo / CLEAR_DIR / f"{SOURCE}.pdf").read_bytes()


@pytest.fixture(scope="module")
def pdfs(built: tuple[Built, bytes]) -> Built:
    return built[0]


@pytest.fixture(scope="module")
def clear_pdf(built: tuple[Built, bytes]) -> bytes:
    return built[1]


# --- What an attacker reads -------------------------------------------------------------------


def _rows(obj: object, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(obj, Stream):
        obj = obj.stream_dict
    if isinstance(obj, pikepdf.Object) and obj.is_indirect and path:
        yield path, "ref"
    elif isinstance(obj, Dictionary):
        for key in list(obj.keys()):
            yield from _rows(obj[key], path + key)
    elif isinstance(obj, Array):
        for index, value in enumerate(obj):
            yield from _rows(value, f"{path}[{index}]")
    elif isinstance(obj, String):
        yield path, "string"  # encrypted, or random (/ID, keys of /Encrypt)
    else:
        yield path, str(obj)


def skeleton(data: bytes, passphrase: str) -> set[tuple[str, str, str]]:
    """(kind, key path, value) of every clear value, outside object streams and stream data."""
    rows = set()
    with pikepdf.open(io.BytesIO(data), password=passphrase) as pdf:
        for (number, generation), entry in pdf.get_xref_table().items():
            if entry.type != 1:
                continue
            obj = pdf.get_object(number, generation)
            head = obj.stream_dict if isinstance(obj, Stream) else obj
            kind = f"{head.get('/Type')} {head.get('/Subtype')}"
            for path, value in _rows(obj, ""):
                if not any(re.fullmatch(rf"{key}(\[\d+\])?", path) for key in MAY_VARY):
                    rows.add((kind, path, value))
    return rows


def test_both_syntheses_pass_the_verifier(pdfs: Built) -> None:
    for data, passphrase in pdfs.values():
        verify_pdf_structure(data, passphrase)


def test_the_variant_really_differs(pdfs: Built) -> None:
    (a, _), (b, _) = pdfs[SOURCE], pdfs[VARIANT]
    assert len(a) != len(b)


def test_clear_skeletons_are_the_same(pdfs: Built) -> None:
    a, b = (skeleton(*pdfs[slug]) for slug in (SOURCE, VARIANT))
    assert a == b
    # What is left is small and known: no box, no rectangle, no width, no coordinate.
    keys = {path.split("[")[0] for _, path, _ in a}
    assert not keys & {"/BBox", "/Matrix", "/Rect", "/Widths", "/MediaBox", "/Count", "/Dests"}
    assert {value for _, path, value in a if path in ("/Names", "/Outlines", "/Pages")} == {"ref"}


def test_no_form_xobject_and_no_direct_dictionary_in_clear(
    pdfs: Built,
) -> None:
    for data, passphrase in pdfs.values():
        with pikepdf.open(io.BytesIO(data), password=passphrase) as pdf:
            for obj in pdf.objects:
                if isinstance(obj, Stream):
                    assert obj.stream_dict.get("/Subtype") != "/Form"
            for key in list(pdf.Root.keys()):
                value = pdf.Root[key]
                assert (
                    key == "/Extensions"
                    or not isinstance(value, Dictionary | Array)
                    or (value.is_indirect)
                )


# --- Charts: one geometry whatever the data ---------------------------------------------------

LABELS = load_labels(ROOT / "theme")
COUNTS: list[dict[str, list[int]]] = [
    {"savoir": [1, 0, 0, 0]},
    {"savoir_etre": [0, 0, 0, 12]},
    {"savoir": [3, 2, 1, 4], "savoir_faire": [0, 7, 0, 1], "savoir_etre": [9, 9, 9, 9]},
    {"savoir_faire": [0, 0, 1, 0], "savoir_etre": [2, 0, 0, 0]},
]
MINUTES: list[dict[str, int]] = [
    {"preliminaire": 60},
    {"preliminaire": 120, "investigation": 900, "conclusion": 180, "suivi": 60},
    {"investigation": 30, "conclusion": 1200},
]
SCORES: list[dict[str, int]] = [
    dict.fromkeys("RIASEC", 0),
    dict.fromkeys("RIASEC", 100),
    {"R": 5, "I": 100, "A": 42, "S": 0, "E": 99, "C": 7},
]


def _view_box(svg: str) -> str:
    found = re.search(r'viewBox="([^"]+)"', svg)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    ("draw", "cases"),
    [
        (lambda data: competences_chart(data, LABELS), COUNTS),
        (lambda data: phases_chart(data, LABELS), MINUTES),
        (lambda data: riasec_chart(data, LABELS), SCORES),
    ],
    ids=["competences", "phases", "riasec"],
)
def test_charts_keep_one_size_and_make_no_group(
    draw: Callable[[Any], Any], cases: list[dict[str, Any]]
) -> None:
    svgs = [str(draw(case).svg) for case in cases]
    assert len({_view_box(svg) for svg in svgs}) == 1
    for svg in svgs:
        # WeasyPrint draws these into a form XObject with a clear /BBox.
        assert "text-anchor" not in svg and not re.search(r"\sopacity=", svg)


def test_every_category_and_phase_has_its_row() -> None:
    svg = str(competences_chart({"savoir": [1, 0, 0, 0]}, LABELS).svg)
    assert all(name in svg for name in LABELS["categories"].values())
    svg = str(phases_chart({"preliminaire": 60}, LABELS).svg)
    assert all(name in svg for name in LABELS["phases_courtes"].values())


# --- The verifier refuses crafted PDFs --------------------------------------------------------


def _encrypt(pdf: pikepdf.Pdf, **options: Any) -> bytes:
    """Like `encrypt_pdf`, with one thing changed at a time."""
    if options.get("mode") != pikepdf.ObjectStreamMode.preserve:
        # What WeasyPrint writes directly in the catalog (PDF/UA adds the last two).
        for key in ("/Names", "/MarkInfo", "/ViewerPreferences"):
            pdf.Root[key] = pdf.make_indirect(pdf.Root[key])
    settings: dict[str, Any] = {"user": PASS, "owner": "proprietaire", "R": 6, "aes": True}
    settings.update(options.pop("encryption", {}))
    out = io.BytesIO()
    pdf.save(
        out,
        encryption=pikepdf.Encryption(**settings),
        object_stream_mode=options.pop("mode", pikepdf.ObjectStreamMode.generate),
    )
    return out.getvalue()


def _form(pdf: pikepdf.Pdf, box: list[float], **extra: Any) -> None:
    form = pdf.make_stream(b"0 0 1 1 re f", Type=Name.XObject, Subtype=Name.Form)
    form.BBox = Array(box)
    form.Resources = pdf.make_indirect(Dictionary())
    for key, value in extra.items():
        form[f"/{key}"] = value
    _xobjects(pdf).Fx = form


def _xobjects(pdf: pikepdf.Pdf) -> Dictionary:
    resources = pdf.pages[0].Resources
    if "/XObject" not in resources:
        resources.XObject = Dictionary()
    xobjects = resources.XObject
    assert isinstance(xobjects, Dictionary)
    return xobjects


def _odd_box(pdf: pikepdf.Pdf) -> None:
    _form(pdf, [76, 23.03, 151.22, 70.1])  # the box of an anchored label


def _odd_box_as_integers(pdf: pikepdf.Pdf) -> None:
    _form(pdf, [0, 0, 7, 3])


def _page_box_with_matrix(pdf: pikepdf.Pdf) -> None:
    box = list(pdf.pages[0].MediaBox)
    _form(pdf, box, Matrix=Array([1, 0, 0, 1, 12, 40]))


def _page_box_with_direct_resources(pdf: pikepdf.Pdf) -> None:
    _form(pdf, list(pdf.pages[0].MediaBox))
    _xobjects(pdf).Fx.Resources = Dictionary(Font=Dictionary())


def _info(pdf: pikepdf.Pdf) -> None:
    pdf.trailer.Info = pdf.make_indirect(Dictionary(Title=String("Claire Durand")))


def _open_action_js(pdf: pikepdf.Pdf) -> None:
    action = Dictionary(S=Name.JavaScript, JS=String("app.alert(1)"))
    pdf.Root.OpenAction = pdf.make_indirect(action)


def _page_aa(pdf: pikepdf.Pdf) -> None:
    pdf.pages[0].obj.AA = Dictionary(O=Dictionary(S=Name.URI, URI=String("https://x.example")))


def _embedded_file(pdf: pikepdf.Pdf) -> None:
    spec = pikepdf.AttachedFileSpec(pdf, b"secret", mime_type="text/plain")
    pdf.attachments["note.txt"] = spec


def _launch_link(pdf: pikepdf.Pdf) -> None:
    link = Dictionary(
        Type=Name.Annot, Subtype=Name.Link, Rect=Array([0, 0, 10, 10]),
        A=Dictionary(S=Name.Launch, F=String("calc.exe")),
    )  # fmt: skip
    pdf.pages[0].obj.Annots = pdf.make_indirect(Array([pdf.make_indirect(link)]))


def _direct_names(pdf: pikepdf.Pdf) -> None:
    pdf.Root.PageLabels = Dictionary(Nums=Array([0, Dictionary(S=Name.D)]))


def _pattern(pdf: pikepdf.Pdf) -> None:
    pattern = pdf.make_stream(b"0 0 5 5 re f", Type=Name.Pattern, PatternType=1)
    pdf.pages[0].Resources.Pattern = Dictionary(P0=pattern)


def _image_with_metadata(pdf: pikepdf.Pdf) -> None:
    image = pdf.make_stream(
        b"\x00" * 12, Type=Name.XObject, Subtype=Name.Image, Width=2, Height=2,
        BitsPerComponent=8, ColorSpace=Name.DeviceRGB, Decode=Array([0, 0.37, 0, 1, 0, 1]),
    )  # fmt: skip
    _xobjects(pdf).Im = image


def _numbers_in_content_stream_dict(pdf: pikepdf.Pdf) -> None:
    pdf.pages[0].Contents.stream_dict.Competences = 13


CRAFTED: dict[str, tuple[Callable[[pikepdf.Pdf], None], dict[str, Any]]] = {
    "form XObject with a label's box": (_odd_box, {}),
    "form XObject with a small box": (_odd_box_as_integers, {}),
    "page-sized form with a shifting /Matrix": (_page_box_with_matrix, {}),
    "page-sized form with direct resources": (_page_box_with_direct_resources, {}),
    "/Info dictionary": (_info, {}),
    "JavaScript /OpenAction": (_open_action_js, {}),
    "page /AA": (_page_aa, {}),
    "embedded file": (_embedded_file, {}),
    "/Launch link": (_launch_link, {}),
    "direct dictionary in the catalog": (_direct_names, {}),
    "tiling pattern": (_pattern, {}),
    "image with an odd /Decode": (_image_with_metadata, {}),
    "number in a content stream's dictionary": (_numbers_in_content_stream_dict, {}),
    "R=4 AES-128": (lambda pdf: None, {"encryption": {"R": 4}}),
    "R=4 RC4": (lambda pdf: None, {"encryption": {"R": 4, "aes": False, "metadata": False}}),
    "R=6 without metadata encryption": (lambda pdf: None, {"encryption": {"metadata": False}}),
    "R=6 with an empty user password": (lambda pdf: None, {"encryption": {"user": ""}}),
    "objects kept out of object streams": (
        lambda pdf: None,
        {"mode": pikepdf.ObjectStreamMode.disable},
    ),
    "object streams as WeasyPrint wrote them": (
        lambda pdf: None,
        {"mode": pikepdf.ObjectStreamMode.preserve},
    ),
}


# Why each one is refused: the right reason, not the first thing that happens to be wrong.
REASONS = {
    "form XObject with a label's box": "cadre",
    "form XObject with a small box": "cadre",
    "page-sized form with a shifting /Matrix": "/Matrix",
    "page-sized form with direct resources": "/Resources",
    "/Info dictionary": "/Info",
    "JavaScript /OpenAction": "/OpenAction|/JavaScript",
    "page /AA": "/AA",
    "embedded file": "/EmbeddedFile|/AF",
    "/Launch link": "/Launch",
    "direct dictionary in the catalog": "catalogue .*/PageLabels",
    "tiling pattern": "flux inattendu",
    "image with an odd /Decode": "/Decode",
    "number in a content stream's dictionary": "/Competences",
    "R=4 AES-128": "AES-256",
    "R=4 RC4": "AES-256",
    "R=6 without metadata encryption": "métadonnées",
    "R=6 with an empty user password": "sans phrase de passe",
    "objects kept out of object streams": "l'objet \\d+ .* lisible sans phrase de passe",
    "object streams as WeasyPrint wrote them": "catalogue .*(/Names|/MarkInfo|/ViewerPreferences)",
}


@pytest.mark.parametrize("name", list(CRAFTED))
def test_verifier_refuses_crafted_pdf(clear_pdf: bytes, name: str) -> None:
    craft, options = CRAFTED[name]
    with pikepdf.open(io.BytesIO(clear_pdf)) as pdf:
        del pdf.trailer["/Info"]  # as encrypt_pdf does
        craft(pdf)
        data = _encrypt(pdf, **options)
    with pytest.raises(LivretError, match=r"^publication refusée : ") as refused:
        verify_pdf_structure(data, PASS)
    assert re.search(REASONS[name], str(refused.value)), str(refused.value)


def test_verifier_refuses_an_unencrypted_pdf(clear_pdf: bytes) -> None:
    with pytest.raises(LivretError, match="sans phrase de passe"):
        verify_pdf_structure(clear_pdf, PASS)


def test_verifier_refuses_garbage_and_the_wrong_passphrase(clear_pdf: bytes) -> None:
    with pytest.raises(LivretError, match="illisible"):
        verify_pdf_structure(b"%PDF-1.7\nrien", PASS)
    with pytest.raises(LivretError, match="ne s'ouvre pas") as refused:
        verify_pdf_structure(encrypt_pdf(clear_pdf, PASS), "autre phrase")
    assert "autre phrase" not in str(refused.value) and PASS not in str(refused.value)


def test_verifier_accepts_what_encrypt_pdf_makes(clear_pdf: bytes) -> None:
    verify_pdf_structure(encrypt_pdf(clear_pdf, PASS), PASS)


def test_verifier_accepts_a_page_sized_group(clear_pdf: bytes) -> None:
    """WeasyPrint draws CSS opacity in a group as large as the page: the same for all."""
    with pikepdf.open(io.BytesIO(clear_pdf)) as pdf:
        _form(pdf, list(pdf.pages[0].MediaBox))
        out = io.BytesIO()
        pdf.save(out)
    verify_pdf_structure(encrypt_pdf(out.getvalue(), PASS), PASS)


def test_a_refusal_names_the_page_and_heading_that_drew_it(clear_pdf: bytes) -> None:
    """Not an object number alone: the page the consultant finds it on, and its heading."""
    with pikepdf.open(io.BytesIO(clear_pdf)) as pdf:
        del pdf.trailer["/Info"]
        _pattern(pdf)  # every page shares WeasyPrint's resources: only page 3 draws it
        page = pdf.pages[2]
        page.Contents.write(page.Contents.read_bytes() + b"\n/Pattern cs /P0 scn 0 0 5 5 re f")
        data = _encrypt(pdf)
    with pytest.raises(LivretError) as refused:
        verify_pdf_structure(data, PASS)
    message = str(refused.value)
    assert re.search(r"\(un motif de remplissage du thème, page 3 : « [^»]+ »\) ; lancez", message)
    assert "livret check" in message
