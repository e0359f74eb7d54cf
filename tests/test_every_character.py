"""Every character a person writes prints: a dossier in many scripts, with emoji, builds.

The example dossier is rewritten with names and words in Vietnamese, Turkish, Polish,
Greek, Cyrillic, Arabic and Hebrew (right to left inside French), Chinese, Japanese and
Korean, emoji and symbols, in the notes, the competences, the project and the action plan.
`check` says nothing about it, `build` publishes it, the PDF's extracted text holds every
word and has no missing-glyph encoding map, and the unlocked booklet in Chromium shows
every word too (screenshots in build/captures/: look at them, with the PDF pages).

A private-use character is a warning at its file:line:col naming it, an error with
`--strict`; the build that goes on anyway prints it as a box, and the verifier accepts
the constant encoding map WeasyPrint then writes.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

from conftest import ROOT, make_repo
from livret.cli import cli
from livret.project import CLEAR_DIR
from livret.render.glyphs import why_undrawable

SOURCE = "2026-durand-claire"
CAPTURES = ROOT / "build" / "captures"
# Words each script must print; every one is looked for whole in the PDF text and the page.
WORDS = {
    "vietnamese": ["Nguyễn", "Hương", "Việt", "tiếng"],
    "turkish": ["Gülşen", "İstanbul", "Yılmaz"],
    "polish": ["Łódź", "Żółć", "Wróbel"],
    "greek": ["Ελένη", "Παπαδοπούλου"],
    "cyrillic": ["Юлия", "Смирнова", "Привет"],
    "arabic": ["مرحبا", "نجار"],
    "hebrew": ["שלום", "נגר"],
    "chinese": ["木工", "王小明"],
    "japanese": ["日本語"],
    "korean": ["한국어"],
    "emoji": ["🎯", "🚀", "✅", "💡", "🪵"],
    "symbols": ["→", "≤", "≥", "½", "€", "★", "✓"],
}
ALL_WORDS = [word for words in WORDS.values() for word in words]
PRIVATE = "\ue123"
# Right-to-left words inside French prose, and an emoji sequence with a joiner.
PROSE = (
    "En tiếng Việt : Nguyễn Hương. Le mot « שלום » et « مرحبا » s'écrivent de droite à "
    "gauche ; 王小明 a écrit 木工. 🎯🚀✅💡 👩‍💻\n"
)


def _multilingual(folder: Path) -> None:
    yaml = YAML()
    bilan_path, synthese_path = folder / "bilan.yml", folder / "synthese.yml"
    bilan, synthese = yaml.load(bilan_path), yaml.load(synthese_path)
    bilan["beneficiaire"]["prenom"] = "Hương"
    bilan["beneficiaire"]["nom"] = "Nguyễn"
    competences = synthese["competences"]
    competences[0]["intitule"] += " 🎯 avec Gülşen Yılmaz (İstanbul)"
    competences[1]["intitule"] += " ✅ en Ελένη Παπαδοπούλου"
    competences.append(
        dict(competences[2], intitule="Parler русский : Юлия Смирнова dit « Привет » 💡")
    )
    synthese["projet"]["intitule"] = "Devenir ébéniste 🪵 à Tulle — 木工, נגר, نجار"
    plan = synthese["plan_action"]
    plan[0]["etape"] += " 🚀 avec Łódź et Żółć (Wróbel) → 2027, ≤ 3 mois, ≥ ½ temps, 40 €"
    plan[1]["etape"] += " ★ ✓ 日本語 한국어"
    synthese["demande"] = LiteralScalarString(str(synthese["demande"]) + "\n" + PROSE)
    yaml.dump(bilan, bilan_path)
    yaml.dump(synthese, synthese_path)
    # The notes are in the booklet only (the synthèse never prints them).
    note = folder / "notes" / "2026-09-10-cadre-et-objectifs.md"
    note.write_text(note.read_text(encoding="utf-8") + "\n" + PROSE, encoding="utf-8")


def _run(repo: Path, store: Path, *args: str) -> Any:
    return CliRunner(env={"LIVRET_ACCESS": str(store)}).invoke(cli, ["-C", str(repo), *args])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Any]:
    base = tmp_path_factory.mktemp("ecritures")
    repo = make_repo(base / "repo", {SOURCE: ROOT / "dossiers" / SOURCE})
    _multilingual(repo / "dossiers" / SOURCE)
    store = base / "acces.json"
    return repo, store, _run(repo, store, "check", "--strict")


@pytest.fixture(scope="module")
def built(corpus: tuple[Path, Path, Any]) -> tuple[Path, Path, dict[str, Any]]:
    repo, store, _ = corpus
    result = _run(repo, store, "build", "--json")
    assert result.exit_code == 0, result.output
    (booklet,) = json.loads(result.stdout)["booklets"]
    return repo, store, booklet


def test_every_sample_word_is_drawable_here() -> None:
    """The fonts of RUNTIME_PACKAGES are installed: no sample needs a warning."""
    for word in ALL_WORDS:
        for char in word:
            assert why_undrawable(char) is None, (word, f"U+{ord(char):04X}")


def test_check_accepts_every_script_even_strict(corpus: tuple[Path, Path, Any]) -> None:
    assert corpus[2].exit_code == 0, corpus[2].output
    assert "U+" not in corpus[2].output


def _pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True)
    assert out.returncode == 0, out.stderr
    # pdftotext marks right-to-left runs with embedding controls: not part of the words.
    return "".join(c for c in out.stdout.decode() if unicodedata.category(c) != "Cf")


def _cmaps(path: Path) -> list[str]:
    with pikepdf.open(path) as pdf:
        return [
            str(obj.stream_dict.get("/CMapName"))
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Stream) and obj.stream_dict.get("/Type") == "/CMap"
        ]


def test_pdf_holds_every_word_and_no_missing_glyph(
    built: tuple[Path, Path, dict[str, Any]],
) -> None:
    repo = built[0]
    clear = repo / CLEAR_DIR / f"{SOURCE}.pdf"
    text = _pdf_text(clear)
    missing = [word for word in ALL_WORDS if word not in text]
    assert not missing, missing
    assert _cmaps(clear) == []
    CAPTURES.mkdir(parents=True, exist_ok=True)
    shutil.copy(clear, CAPTURES / "ecritures.pdf")
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(clear), str(CAPTURES / "ecritures-pdf")], check=True
    )


def test_booklet_shows_every_word(built: tuple[Path, Path, dict[str, Any]]) -> None:
    from browsing import chromium, serve
    from chromium import CHROMIUM, UNLOCKED

    if not Path(CHROMIUM).is_file():
        pytest.skip("Debian chromium is not installed")
    repo, store, _ = built
    access = json.loads(store.read_text())["livrets"][SOURCE]
    folder = repo / "site" / access["booklet_id"]
    pages = sorted(p.name for p in folder.glob("*.html") if p.name != "404.html")
    seen = ""
    with serve(repo / "site") as port, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
        for name in pages:
            page.goto(f"http://127.0.0.1:{port}/{access['booklet_id']}/{name}")
            page.wait_for_function("window.encryptcontent_done === true")
            if page.evaluate("document.getElementById('mkdocs-decrypt-form') !== null"):
                page.fill("#mkdocs-content-password", access["passphrase"])
                page.keyboard.press("Enter")  # the next pages open with the kept key
            page.wait_for_function(UNLOCKED)
            seen += page.inner_text("#mkdocs-decrypted-content")
            CAPTURES.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(CAPTURES / f"ecritures-{name}.png"), full_page=True)
    missing = [word for word in ALL_WORDS if word not in seen]
    assert not missing, missing


@pytest.fixture(scope="module")
def private(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Any, Any, Any]:
    """The example with one private-use character in the project's title: check, check
    --strict and build, with where the character is."""
    base = tmp_path_factory.mktemp("prive")
    repo = make_repo(base / "repo", {SOURCE: ROOT / "dossiers" / SOURCE})
    store = base / "acces.json"
    synthese = repo / "dossiers" / SOURCE / "synthese.yml"
    lines = synthese.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if "intitule: Devenir" in line)
    column = lines[index].index("Devenir") + 1
    lines[index] = lines[index].replace("Devenir", f"{PRIVATE}Devenir")
    synthese.write_text("".join(lines), encoding="utf-8")
    where = f"dossiers/{SOURCE}/synthese.yml:{index + 1}:{column}: "
    checks = _run(repo, store, "check"), _run(repo, store, "check", "--strict")
    return repo, where, *checks, _run(repo, store, "build")


def test_private_use_character_is_named_at_its_place(
    private: tuple[Path, str, Any, Any, Any],
) -> None:
    repo, where, warned, strict, result = private
    assert warned.exit_code == 0, warned.output
    assert f"{where}avertissement : caractère U+E123 « {PRIVATE} » à usage privé" in warned.output
    assert strict.exit_code == 1
    assert f"{where}caractère U+E123" in strict.output
    # Without --strict the build goes on: the box is printed, the verifier accepts the
    # encoding map WeasyPrint writes for it (its clear part is the same in every dossier).
    assert result.exit_code == 0, result.output
    assert "U+E123" in result.output
    cmaps = _cmaps(repo / CLEAR_DIR / f"{SOURCE}.pdf")
    assert cmaps and set(cmaps) == {"/WP-Encod-0"}


# Every kind of object WeasyPrint 70 writes for our templates, in these two syntheses: fonts
# with and without a missing glyph (TrueType and OpenType/CFF programs), colour emoji
# (images), the SVG logo and charts (drawn in the page content, no form: see
# test_pdf_structure), links, the PDF/UA structure tree. (Type, Subtype) of the stream
# dictionaries left in clear once encrypted, then of every typed object of the decrypted file.
CLEAR_KINDS = {
    ("/CMap", None), ("/ObjStm", None), ("/XRef", None), ("/XObject", "/Image"),
    ("/Metadata", "/XML"), (None, None), (None, "/OpenType"),
}  # fmt: skip
ALL_KINDS = CLEAR_KINDS | {
    ("/Annot", "/Link"), ("/Catalog", None), ("/Font", "/Type0"), ("/Font", "/CIDFontType0"),
    ("/Font", "/CIDFontType2"), ("/FontDescriptor", None), ("/Page", None), ("/Pages", None),
    ("/StructElem", None), ("/StructTreeRoot", None), ("/OBJR", None),
}  # fmt: skip


def _kinds(path: Path, passphrase: str) -> tuple[set[Any], set[Any]]:
    clear: set[Any] = set()
    every: set[Any] = set()
    with pikepdf.open(path, password=passphrase) as pdf:
        table = pdf.get_xref_table()
        for obj in pdf.objects:
            head = obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj
            if not isinstance(head, pikepdf.Dictionary):
                continue
            kind = tuple(str(head[k]) if k in head else None for k in ("/Type", "/Subtype"))
            if kind[0] is not None or isinstance(obj, pikepdf.Stream):
                every.add(kind)
            if isinstance(obj, pikepdf.Stream) and table[obj.objgen].type == 1:
                clear.add(kind)
    return clear, every


def test_the_allowlist_holds_what_weasyprint_writes(
    built: tuple[Path, Path, dict[str, Any]], private: tuple[Path, str, Any, Any, Any]
) -> None:
    from livret.outputs.pdf_structure import _STREAMS

    clear: set[Any] = set()
    every: set[Any] = set()
    for repo, store in ((built[0], built[1]), (private[0], private[0].parent / "acces.json")):
        access = json.loads(store.read_text())["livrets"][SOURCE]
        (pdf,) = (repo / "site" / access["booklet_id"]).glob("*.pdf")
        found = _kinds(pdf, access["passphrase"])
        clear |= found[0]
        every |= found[1]
    print("clear stream dictionaries:", sorted(clear, key=str))
    print("every object:", sorted(every, key=str))
    assert clear <= set(_STREAMS), clear - set(_STREAMS)
    assert clear == CLEAR_KINDS, (clear ^ CLEAR_KINDS, "a new WeasyPrint writes other objects")
    assert every == ALL_KINDS, every ^ ALL_KINDS


def test_a_refusal_says_which_character_and_page(
    private: tuple[Path, str, Any, Any, Any],
) -> None:
    """A map whose clear part would hold a name of the dossier is refused, in words."""
    from livret.errors import LivretError
    from livret.outputs.pdf import encrypt_pdf
    from livret.outputs.pdf_structure import verify_pdf_structure

    with pikepdf.open(private[0] / CLEAR_DIR / f"{SOURCE}.pdf") as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream) and obj.stream_dict.get("/Type") == "/CMap":
                obj.stream_dict.CMapName = pikepdf.Name("/Durand")
        out = io.BytesIO()
        pdf.save(out)
    with pytest.raises(LivretError) as refused:
        verify_pdf_structure(encrypt_pdf(out.getvalue(), "phrase"), "phrase")
    message = str(refused.value)
    assert "la table d'une police à qui manque un caractère (U+E123), page " in message
    assert "lancez livret check" in message


def test_unprintable_kinds() -> None:
    assert why_undrawable("\ue123") is not None  # private use
    assert why_undrawable("\U000f0001") is not None  # supplementary private use
    assert why_undrawable("\u0378") is not None  # unassigned, inside the Greek block
    assert why_undrawable("\U0010fffe") is not None  # noncharacter
    for fine in ("é", "ễ", "\u200d", "\ufe0f", "\u00ad", "\u202f", "€", "🎯", "中"):
        assert why_undrawable(fine) is None, f"U+{ord(fine):04X}"


def test_encoding_map_shows_nothing_of_the_dossier() -> None:
    """The clear dictionary of the map is a constant: only its (encrypted) stream varies."""
    from livret.outputs.pdf_structure import _STREAMS

    allowed = _STREAMS["/CMap", None]
    assert allowed["/CMapName"](pikepdf.Name("/WP-Encod-0"))
    assert not allowed["/CMapName"](pikepdf.Name("/Claire-Durand"))
    system = allowed["/CIDSystemInfo"]

    def info(ordering: str = "Identity", supplement: int = 0, **extra: Any) -> Any:
        return pikepdf.Dictionary(
            Registry=pikepdf.String("Adobe"),
            Ordering=pikepdf.String(ordering),
            Supplement=supplement,
            **extra,
        )

    assert system(info())
    for bad in (info(supplement=13), info("Durand"), info(Nom=1), pikepdf.Name("/Identity")):
        assert not system(bad)


FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><dir>/usr/share/fonts/truetype/noto</dir>
<cachedir>{cache}</cachedir></fontconfig>
"""


def test_a_script_without_its_font_is_found_by_check_and_doctor(tmp_path: Path) -> None:
    """A machine without the CJK fonts (a real fontconfig that sees only DejaVu and Noto core)."""
    if not Path("/usr/share/fonts/truetype/noto").is_dir():
        pytest.skip("fonts-noto-core is not installed")
    conf = tmp_path / "fonts.conf"
    conf.write_text(FONTS_CONF.format(cache=tmp_path / "cache"), encoding="utf-8")
    repo = make_repo(tmp_path / "repo", {SOURCE: ROOT / "dossiers" / SOURCE})
    synthese = repo / "dossiers" / SOURCE / "synthese.yml"
    lines = synthese.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if "intitule: Devenir" in line)
    lines[index] = lines[index].rstrip("\n") + " 木工\n"
    synthese.write_text("".join(lines), encoding="utf-8")
    column = len(lines[index]) - 2
    env = {
        **os.environ,
        "FONTCONFIG_FILE": str(conf),
        "LIVRET_ACCESS": str(tmp_path / "acces.json"),
        "PYTHONPATH": str(ROOT / "scripts"),
    }

    def livret(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "livret", "-C", str(repo), *args]
        return subprocess.run(command, env=env, capture_output=True, text=True)

    checked = livret("check")
    assert checked.returncode == 0, checked.stderr
    where = f"dossiers/{SOURCE}/synthese.yml:{index + 1}:{column}: avertissement : caractère U+6728"
    assert where in checked.stdout + checked.stderr
    assert "aucune police installée ne le dessine" in checked.stdout + checked.stderr
    assert livret("check", "--strict").returncode == 1
    doctor = livret("doctor").stdout
    assert "✗ écritures sans police : le chinois et le japonais, le coréen" in doctor
    assert "fonts-noto-cjk" in doctor


def test_yaml_comments_are_not_printed_but_block_titles_are() -> None:
    from livret.render.glyphs import undrawable

    text = (
        f"# a comment {PRIVATE}\n"
        "demande: |\n"
        f"  # Titre {PRIVATE}\n"
        "  texte\n"
        "\n"
        f"  suite {PRIVATE}\n"
        f"# after {PRIVATE}\n"
        "objectifs:\n"
        f"  - x {PRIVATE}  # note\n"
        "  - >-\n"
        f"    # plié {PRIVATE}\n"
    )
    assert [(u.line, u.column) for u in undrawable(text, yaml=True)] == [
        (3, 11), (6, 9), (9, 7), (11, 12),
    ]  # fmt: skip
    assert len(list(undrawable(text))) == 6  # Markdown: a `#` line is a title
