"""Attachments are sanitised: hostile PDFs and images, made by hand, published harmless.

Each hostile PDF carries a unique marker inside what must go (a script, a URL, a file);
the marker must be absent from the published copy once decrypted and fully decompressed,
while the page text and internal links survive.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import struct
import subprocess
import warnings
import zlib
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from pikepdf import Array, Dictionary, Name, String
from PIL import ExifTags, Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from conftest import FIXTURES, ROOT, Built, make_repo
from decrypt import decrypt_all
from livret.cli import cli
from livret.protect import pieces
from livret.protect.pieces import PieceRefused, sanitize_pdf, verify_pdf

TEXT = b"Bonjour piece"

# --- hostile PDFs -----------------------------------------------------------------------------


def _base() -> pikepdf.Pdf:
    """Two pages of real text, a font and an image: what must survive."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    )
    image = pikepdf.Stream(pdf, b"\xff\x00\x00" * 4)
    image.Type, image.Subtype, image.ColorSpace = Name.XObject, Name.Image, Name.DeviceRGB
    image.Width, image.Height, image.BitsPerComponent = 2, 2, 8
    for number in (1, 2):
        page = pdf.add_blank_page(page_size=(595, 842))
        page.obj.Resources = Dictionary(
            Font=Dictionary(F1=font), XObject=Dictionary(Im1=pdf.make_indirect(image))
        )
        page.obj.Contents = pdf.make_stream(
            b"BT /F1 24 Tf 72 700 Td ("
            + TEXT
            + b" %d) Tj ET q 50 0 0 50 72 500 cm /Im1 Do Q" % number
        )
    return pdf


def _js(mark: str) -> Dictionary:
    return Dictionary(Type=Name.Action, S=Name.JavaScript, JS=String(f"app.alert('{mark}')"))


def _annotate(pdf: pikepdf.Pdf, annotation: Dictionary) -> pikepdf.Object:
    annotation.Rect = [72, 72, 200, 100]
    annotation.Type = Name.Annot
    indirect = pdf.make_indirect(annotation)
    page = pdf.pages[0].obj
    if "/Annots" not in page:
        page.Annots = Array()
    page.Annots.append(indirect)
    return indirect


def _link(pdf: pikepdf.Pdf, action: Dictionary) -> pikepdf.Object:
    return _annotate(pdf, Dictionary(Subtype=Name.Link, A=action))


def _embedded(pdf: pikepdf.Pdf, mark: str) -> pikepdf.Object:
    data = pikepdf.Stream(pdf, f"fichier cache {mark}".encode())
    data.Type = Name.EmbeddedFile
    return pdf.make_indirect(
        Dictionary(Type=Name.Filespec, F=String(f"{mark}.txt"), EF=Dictionary(F=data))
    )


def _openaction(pdf: pikepdf.Pdf, mark: str) -> None:
    pdf.Root.OpenAction = _js(mark)


def _catalog_aa(pdf: pikepdf.Pdf, mark: str) -> None:
    pdf.Root.AA = Dictionary(WC=_js(mark), DP=_js(mark))


def _page_aa(pdf: pikepdf.Pdf, mark: str) -> None:
    pdf.pages[1].obj.AA = Dictionary(O=_js(mark))


def _annotation_aa(pdf: pikepdf.Pdf, mark: str) -> None:
    _annotate(
        pdf, Dictionary(Subtype=Name.Text, Contents=String("note"), AA=Dictionary(E=_js(mark)))
    )


def _launch(pdf: pikepdf.Pdf, mark: str) -> None:
    _link(pdf, Dictionary(S=Name.Launch, F=String(f"{mark}.exe")))


def _uri(pdf: pikepdf.Pdf, mark: str) -> None:
    _link(pdf, Dictionary(S=Name.URI, URI=String(f"https://{mark}.example/")))


def _gotor(pdf: pikepdf.Pdf, mark: str) -> None:
    _link(pdf, Dictionary(S=Name.GoToR, F=String(f"{mark}.pdf"), D=Array([0, Name.Fit])))


def _submit(pdf: pikepdf.Pdf, mark: str) -> None:
    target = Dictionary(FS=Name.URL, F=String(f"https://{mark}.example/"))
    _link(pdf, Dictionary(S=Name.SubmitForm, F=target))


def _import_data(pdf: pikepdf.Pdf, mark: str) -> None:
    _link(pdf, Dictionary(S=Name.ImportData, F=String(f"{mark}.fdf")))


def _js_names(pdf: pikepdf.Pdf, mark: str) -> None:
    tree = Dictionary(Names=Array([String("init"), pdf.make_indirect(_js(mark))]))
    pdf.Root.Names = Dictionary(JavaScript=tree)


def _embedded_names(pdf: pikepdf.Pdf, mark: str) -> None:
    tree = Dictionary(Names=Array([String("joint"), _embedded(pdf, mark)]))
    pdf.Root.Names = Dictionary(EmbeddedFiles=tree)


def _file_attachment(pdf: pikepdf.Pdf, mark: str) -> None:
    _annotate(pdf, Dictionary(Subtype=Name.FileAttachment, FS=_embedded(pdf, mark)))


def _acroform(pdf: pikepdf.Pdf, mark: str) -> None:
    widget = _annotate(
        pdf,
        Dictionary(Subtype=Name.Widget, FT=Name.Tx, T=String("champ"), AA=Dictionary(K=_js(mark))),
    )
    xfa = pdf.make_stream(f"<xdp><script>{mark}</script></xdp>".encode())
    pdf.Root.AcroForm = Dictionary(Fields=Array([widget]), XFA=xfa)


def _xmp(pdf: pikepdf.Pdf, mark: str) -> None:
    xmp = pdf.make_stream(f"<x:xmpmeta><dc:creator>{mark}</dc:creator></x:xmpmeta>".encode())
    xmp.Type, xmp.Subtype = Name.Metadata, Name.XML
    pdf.Root.Metadata = xmp
    image = pdf.pages[0].obj.Resources.XObject.Im1
    image.Metadata = pdf.make_stream(f"<x:xmpmeta>{mark}-image</x:xmpmeta>".encode())


def _info(pdf: pikepdf.Pdf, mark: str) -> None:
    pdf.trailer.Info = pdf.make_indirect(
        Dictionary(Author=String(mark), Producer=String(f"{mark}-producer"))
    )


def _next_chain(pdf: pikepdf.Pdf, mark: str) -> None:
    goto = Dictionary(S=Name.GoTo, D=Array([pdf.pages[1].obj, Name.Fit]))
    goto.Next = Dictionary(S=Name.GoTo, D=Array([pdf.pages[0].obj, Name.Fit]), Next=_js(mark))
    _link(pdf, goto)


def _next_array(pdf: pikepdf.Pdf, mark: str) -> None:
    goto = Dictionary(S=Name.GoTo, D=Array([pdf.pages[1].obj, Name.Fit]))
    goto.Next = Array([_js(mark), Dictionary(S=Name.URI, URI=String(f"https://{mark}.example"))])
    _link(pdf, goto)


def _outline(pdf: pikepdf.Pdf, mark: str) -> None:
    outlines = pdf.make_indirect(Dictionary(Type=Name.Outlines, Count=2))
    first = pdf.make_indirect(Dictionary(Title=String("Chapitre 1"), Parent=outlines, A=_js(mark)))
    second = pdf.make_indirect(
        Dictionary(
            Title=String("Chapitre 2"), Parent=outlines, Prev=first,
            A=Dictionary(S=Name.Launch, F=String(f"{mark}.bat")),
        )
    )  # fmt: skip
    first.Next = second
    outlines.First, outlines.Last = first, second
    pdf.Root.Outlines = outlines


def _pieceinfo(pdf: pikepdf.Pdf, mark: str) -> None:
    private = Dictionary(Private=String(mark), LastModified=String("D:20260101"))
    pdf.pages[0].obj.PieceInfo = Dictionary(Illustrator=private)


def _associated_files(pdf: pikepdf.Pdf, mark: str) -> None:
    pdf.pages[0].obj.AF = Array([_embedded(pdf, mark)])


def _screen(pdf: pikepdf.Pdf, mark: str) -> None:
    rendition = Dictionary(S=Name.Rendition, JS=String(f"play('{mark}')"), OP=0)
    _annotate(pdf, Dictionary(Subtype=Name.Screen, A=rendition))
    _annotate(
        pdf, Dictionary(Subtype=Name.RichMedia, RichMediaContent=Dictionary(Assets=String(mark)))
    )


def _structure_widget(pdf: pikepdf.Pdf, mark: str) -> None:
    """A widget reachable from the structure tree too: neutered wherever it hangs."""
    widget = _annotate(pdf, Dictionary(Subtype=Name.Widget, A=_js(mark)))
    objr = Dictionary(Type=Name.OBJR, Obj=widget, Pg=pdf.pages[0].obj)
    element = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Form, K=objr))
    pdf.Root.StructTreeRoot = Dictionary(Type=Name.StructTreeRoot, K=element)


def _orphan(pdf: pikepdf.Pdf, mark: str) -> None:
    """An object nothing refers to, as an earlier revision would leave: never written."""
    pdf.make_indirect(_js(mark))
    _openaction(pdf, mark)


def _sound(pdf: pikepdf.Pdf, mark: str) -> None:
    sound = pdf.make_stream(mark.encode())
    sound.Type, sound.R = Name.Sound, 8000
    _annotate(pdf, Dictionary(Subtype=Name.Text, A=Dictionary(S=Name.Sound, Sound=sound)))


HOSTILE: dict[str, tuple[Callable[[pikepdf.Pdf, str], None], str]] = {
    "openaction-js": (_openaction, "action à l'ouverture"),
    "catalog-aa": (_catalog_aa, "actions automatiques"),
    "page-aa": (_page_aa, "actions automatiques"),
    "annotation-aa": (_annotation_aa, "actions automatiques"),
    "launch": (_launch, "lancement de programmes"),
    "uri": (_uri, "liens vers d'autres sites"),
    "gotor": (_gotor, "liens vers d'autres fichiers"),
    "submitform": (_submit, "formulaire"),
    "importdata": (_import_data, "formulaire"),
    "javascript-names": (_js_names, "JavaScript"),
    "embedded-files-names": (_embedded_names, "fichiers joints"),
    "file-attachment": (_file_attachment, "fichiers joints"),
    "acroform-js": (_acroform, "formulaire"),
    "xmp": (_xmp, "métadonnées XMP"),
    "info": (_info, "propriétés du document (auteur, logiciel…)"),
    "next-chain": (_next_chain, "JavaScript"),
    "next-array": (_next_array, "liens vers d'autres sites"),
    "outline-actions": (_outline, "lancement de programmes"),
    "pieceinfo": (_pieceinfo, "données privées de logiciels"),
    "associated-files": (_associated_files, "fichiers joints"),
    "screen-richmedia": (_screen, "contenu multimédia"),
    "structure-widget": (_structure_widget, "formulaire"),
    "orphan": (_orphan, "action à l'ouverture"),
    "sound-action": (_sound, "contenu multimédia"),
}


def _save(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        # pikepdf warns that our widgets hang outside any form: that is the point.
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        pdf.save(out)
    return out.getvalue()


def _mark(name: str) -> str:
    return f"canari{name.replace('-', '')}"


def hostile_pdf(name: str) -> bytes:
    pdf = _base()
    make, _ = HOSTILE[name]
    make(pdf, _mark(name))
    return _save(pdf)


def flat(pdf: pikepdf.Pdf) -> bytes:
    """Every object written out in clear and uncompressed, to search for a marker."""
    out = io.BytesIO()
    pdf.save(
        out,
        compress_streams=False,
        stream_decode_level=pikepdf.StreamDecodeLevel.all,
        object_stream_mode=pikepdf.ObjectStreamMode.disable,
        encryption=False,
    )
    return out.getvalue()


def assert_harmless(pdf: pikepdf.Pdf, mark: str) -> None:
    clear = flat(pdf)
    assert mark.encode() not in clear
    assert verify_pdf(clear) == []
    for key in ("/OpenAction", "/AA", "/AcroForm", "/Metadata", "/PieceInfo"):
        assert key not in pdf.Root
    assert "/Info" not in pdf.trailer
    assert set(pdf.Root.get("/Names", Dictionary()).keys()) <= {"/Dests"}
    # What must stay: both pages, their text and their image.
    assert len(pdf.pages) == 2
    assert clear.count(TEXT) == 2
    assert "/Im1" in pdf.pages[0].obj.Resources.XObject
    for obj in pdf.objects:
        if (
            isinstance(obj, pikepdf.Dictionary)
            and "/S" in obj
            and obj.get("/Type") != "/StructElem"
        ):
            assert obj.S in ("/GoTo",), obj


@pytest.mark.parametrize("name", HOSTILE)
def test_sanitize_pdf_removes(name: str) -> None:
    clean, removed = sanitize_pdf(hostile_pdf(name))
    assert HOSTILE[name][1] in removed
    with pikepdf.open(io.BytesIO(clean)) as pdf:
        assert_harmless(pdf, _mark(name))


@pytest.mark.parametrize("name", [n for n in HOSTILE if n != "orphan"])
def test_verifier_alone_sees_every_variant(name: str) -> None:
    """The last wall does not rely on the cleaner: given the raw file, it names what is left."""
    assert verify_pdf(hostile_pdf(name))


def test_verifier_refuses_when_the_cleaner_misses(monkeypatch: pytest.MonkeyPatch) -> None:
    # A cleaner that forgets something must not publish it: the file is refused instead.
    monkeypatch.setattr(pieces, "_scrub", lambda obj, removed, depth=0: None)
    with pytest.raises(PieceRefused) as caught:
        sanitize_pdf(hostile_pdf("launch"))
    assert "Enregistrer au format PDF" in caught.value.describe("pieces/x.pdf")


def test_internal_links_and_bookmarks_survive() -> None:
    pdf = _base()
    target = pdf.pages[1].obj
    _link(pdf, Dictionary(S=Name.GoTo, D=Array([target, Name.XYZ, 0, 800, 0])))
    _annotate(pdf, Dictionary(Subtype=Name.Link, Dest=Array([target, Name.Fit])))
    _annotate(pdf, Dictionary(Subtype=Name.Highlight, Contents=String("surligné")))
    _outline(pdf, "x")
    out = io.BytesIO()
    pdf.save(out)
    clean, _ = sanitize_pdf(out.getvalue())
    with pikepdf.open(io.BytesIO(clean)) as result:
        annots = result.pages[0].obj.Annots
        assert [str(a.Subtype) for a in annots] == ["/Link", "/Link", "/Highlight"]
        assert annots[0].A.S == "/GoTo" and annots[0].A.D[0].objgen == result.pages[1].objgen
        assert annots[1].Dest[0].objgen == result.pages[1].objgen
        titles = [item.title for item in result.open_outline().root]
        assert titles == ["Chapitre 1", "Chapitre 2"]  # kept, without their actions


def test_every_variant_at_once() -> None:
    pdf = _base()
    for name, (make, _) in HOSTILE.items():
        if name not in ("javascript-names", "embedded-files-names"):  # both set /Names
            make(pdf, _mark(name))
    clean, removed = sanitize_pdf(_save(pdf))
    with pikepdf.open(io.BytesIO(clean)) as result:
        for name in HOSTILE:
            assert _mark(name).encode() not in flat(result)
    assert len(removed) >= 10


def test_encrypted_and_broken_pdfs_are_refused() -> None:
    out = io.BytesIO()
    _base().save(out, encryption=pikepdf.Encryption(user="secret", owner="secret2", R=6))
    with pytest.raises(PieceRefused, match="mot de passe"):
        sanitize_pdf(out.getvalue())
    for broken in (b"", b"%PDF-1.7\n" + os.urandom(2000), b"pas un pdf"):
        with pytest.raises(PieceRefused, match="illisible"):
            sanitize_pdf(broken)


# --- images -----------------------------------------------------------------------------------

GPS = (47.0, 28.0, 12.5)


def phone_photo(path: Path, size: tuple[int, int] = (64, 32)) -> None:
    """A JPEG as a phone writes it: lying sideways with an orientation tag, GPS, maker, ICC."""
    image = Image.linear_gradient("L").convert("RGB").resize(size)
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # rotate 90° clockwise to show it upright
    exif[ExifTags.Base.Make] = "CanariPhone"
    exif[ExifTags.Base.ImageDescription] = "canariexif"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 33.0, 1.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image.save(path, "JPEG", exif=exif, icc_profile=icc, comment=b"canaricomment")


def text_png(path: Path) -> None:
    info = PngInfo()
    info.add_text("Author", "canaripngauteur")
    info.add_text("Comment", "canaripngzip" * 20, zip=True)
    info.add_itxt("Description", "canaripngitxt", lang="fr")
    image = Image.new("RGBA", (40, 30), (10, 200, 30, 128))
    image.save(path, "PNG", pnginfo=info)


def huge_png(path: Path, width: int, height: int) -> None:
    """A valid 1-bit PNG of `width` x `height` pixels that weighs a few hundred kilobytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    idat = b"".join(packer.compress(row * 1000) for _ in range(height // 1000))
    idat += packer.compress(row * (height % 1000)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


MARKERS = [b"canari", b"CanariPhone", b"Exif", b"tEXt", b"zTXt", b"iTXt", b"ICC_PROFILE"]


def test_clean_image_drops_metadata_and_stands_upright(tmp_path: Path) -> None:
    photo = tmp_path / "photo.jpg"
    phone_photo(photo)
    assert b"CanariPhone" in photo.read_bytes()
    data = pieces.clean_image(photo)
    for marker in MARKERS:
        assert marker not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and image.size == (32, 64)  # turned upright
        assert len(image.getexif()) == 0 and "icc_profile" not in image.info
    png = tmp_path / "texte.png"
    text_png(png)
    data = pieces.clean_image(png)
    for marker in MARKERS:
        assert marker not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG" and image.mode == "RGBA" and not image.text


def test_clean_image_downscales_and_caches(tmp_path: Path) -> None:
    big = tmp_path / "grande.png"
    Image.new("RGB", (4000, 1000), "white").save(big)
    data = pieces.clean_image(big)
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (2400, 600)
    assert pieces.clean_image(big) is data  # same file, same size, same mtime: cached
    Image.new("RGB", (100, 100), "white").save(big)
    os.utime(big, ns=(1, 1))
    assert pieces.clean_image(big) is not data


# --- through the real commands ----------------------------------------------------------------


def _outils(entries: list[tuple[str, str]]) -> str:
    if not entries:
        return ""
    lines = ["outils:"]
    for nom, piece in entries:
        lines += [f"  - nom: {nom}", f"    piece: {piece}"]
    return "\n".join(lines) + "\n"


def _dossier(base: Path, slug: str, files: dict[str, bytes | Callable[[Path], None]],
             outils: list[tuple[str, str]], note: str = "") -> Path:  # fmt: skip
    folder = base / slug
    shutil.copytree(FIXTURES / "minimal", folder)
    (folder / "pieces").mkdir()
    for name, content in files.items():
        if callable(content):
            content(folder / "pieces" / name)
        else:
            (folder / "pieces" / name).write_bytes(content)
    synthese = folder / "synthese.yml"
    synthese.write_text(synthese.read_text(encoding="utf-8") + _outils(outils), encoding="utf-8")
    if note:
        (folder / "notes" / "images.md").write_text(
            "---\ntitre: Images\ndate: 2026-09-02\nvisibilite: beneficiaire\n---\n" + note,
            encoding="utf-8",
        )
    return folder


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One real build: a dossier naming every hostile PDF and image.

    The example it is compared with (2026-morel-sophie) comes from the shared build.
    """
    base = tmp_path_factory.mktemp("pieces")
    files: dict[str, bytes | Callable[[Path], None]] = {
        f"{name}.pdf": hostile_pdf(name) for name in HOSTILE
    }
    files["photo.jpg"] = phone_photo
    files["texte.png"] = text_png
    outils = [(f"Test {name}", f"pieces/{name}.pdf") for name in HOSTILE]
    outils += [("Photo", "pieces/photo.jpg"), ("Carte", "pieces/texte.png")]
    note = "Une photo : ![photo](pieces/photo.jpg) et une carte ![carte](pieces/texte.png).\n"
    hostile = _dossier(base / "src", "2026-piece-hostile", files, outils, note)
    repo = make_repo(base / "repo", {hostile.name: hostile})
    store = base / "acces.json"
    result = CliRunner(env={"LIVRET_ACCESS": str(store)}).invoke(
        cli, ["-C", str(repo), "build", "--json"]
    )
    assert result.exit_code == 0, result.output
    access = json.loads(store.read_text())["livrets"]
    return {"repo": repo, "access": access}


def _booklet(published: dict[str, object], slug: str) -> tuple[Path, str]:
    access = published["access"]
    assert isinstance(access, dict)
    repo = Path(str(published["repo"]))
    return repo / "site" / access[slug]["booklet_id"], str(access[slug]["passphrase"])


def _images(html: str) -> list[bytes]:
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for img in soup.find_all("img"):
        match = re.fullmatch(r"data:image/(?:png|jpeg|webp);base64,(.+)", str(img.get("src")))
        if match:
            found.append(base64.b64decode(match.group(1)))
    return found


def test_published_pdfs_are_clean(published: dict[str, object]) -> None:
    folder, passphrase = _booklet(published, "2026-piece-hostile")
    pdfs = sorted(folder.glob("*.pdf"))
    assert len(pdfs) == len(HOSTILE) + 1  # each attachment and the synthèse
    attachments = 0
    for path in pdfs:
        raw = path.read_bytes()
        with pikepdf.open(path, password=passphrase) as pdf:
            assert pdf.encryption.R == 6
            clear = flat(pdf)
            for name in HOSTILE:
                assert _mark(name).encode() not in clear, (path.name, name)
                assert _mark(name).encode() not in raw
            if clear.count(TEXT) == 2:
                attachments += 1
                assert_harmless(pdf, "canari")
    assert attachments == len(HOSTILE)


def test_published_images_have_no_metadata(published: dict[str, object]) -> None:
    folder, passphrase = _booklet(published, "2026-piece-hostile")
    documents = decrypt_all((folder / "documents.html").read_text(), passphrase)[0]
    notes = decrypt_all((folder / "notes.html").read_text(), passphrase)[0]
    images = _images(documents) + _images(notes)
    assert len(images) == 4
    for data in images:
        for marker in MARKERS:
            assert marker not in data
        with Image.open(io.BytesIO(data)) as image:
            assert len(image.getexif()) == 0 and not getattr(image, "text", {})
            assert image.size in ((32, 64), (40, 30))


def test_example_attachments_look_the_same(examples_built: Built, tmp_path: Path) -> None:
    slug = "2026-morel-sophie"
    folder, passphrase = examples_built.booklet(slug), examples_built.passphrases[slug]
    source = ROOT / "dossiers" / "2026-morel-sophie" / "pieces"
    documents = decrypt_all((folder / "documents.html").read_text(), passphrase)[0]
    (published_map,) = _images(documents)
    with (
        Image.open(source / "carte-mentale.png") as before,
        Image.open(io.BytesIO(published_map)) as after,
    ):
        assert after.size == before.size
        assert after.convert("RGB").tobytes() == before.convert("RGB").tobytes()  # lossless
    text = {}
    for path in folder.glob("*.pdf"):
        with pikepdf.open(path, password=passphrase) as pdf:
            pdf.save(tmp_path / f"{path.stem}.pdf")
        text[path.stem] = _pdftotext(tmp_path / f"{path.stem}.pdf")
    original = _pdftotext(source / "inventaire-interets.pdf")
    assert original.strip() and original in text.values()


def _pdftotext(path: Path) -> str:
    run = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return run.stdout


BAD: dict[str, tuple[bytes | Callable[[Path], None], str]] = {
    "jpeg.png": (b"", "n'est pas une image PNG mais une image JPEG : renommez le fichier en .jpg"),
    "hasard.png": (os.urandom(4096), "n'est pas une image PNG lisible"),
    "vide.jpg": (b"", "n'est pas une image JPEG lisible"),
    "gif.png": (b"", "n'est pas une image PNG mais une image GIF"),
    "coupee.png": (b"", "image illisible ou incomplète"),
    "bombe.png": (lambda p: huge_png(p, 30000, 30000), "image trop grande"),
    "large.png": (lambda p: huge_png(p, 8000, 7000), "image trop grande"),
    "lourde.jpg": (b"\xff\xd8" + os.urandom(15 * 10**6), "image trop lourde"),
    "protegee.pdf": (b"", "pièce PDF protégée par un mot de passe"),
    "cassee.pdf": (b"%PDF-1.4\n" + os.urandom(1000), "pièce PDF illisible"),
}


def _bad_files(folder: Path) -> None:
    """Fill in the bad files that need a real encoder."""
    Image.new("RGB", (20, 20), "red").save(folder / "jpeg.png", "JPEG")
    Image.new("P", (20, 20)).save(folder / "gif.png", "GIF")
    noisy = Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3))
    noisy.save(folder / "coupee.png", "PNG")
    data = (folder / "coupee.png").read_bytes()
    (folder / "coupee.png").write_bytes(data[: len(data) // 2])
    out = io.BytesIO()
    _base().save(out, encryption=pikepdf.Encryption(user="u", owner="o", R=6))
    (folder / "protegee.pdf").write_bytes(out.getvalue())


@pytest.fixture(scope="module")
def bad_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Bad files named by `piece:` in one dossier, written as Markdown images in another.

    Two dossiers, because problems in a dossier's files hide those found by rendering it.
    """
    base = tmp_path_factory.mktemp("bad")
    files = {name: content for name, (content, _) in BAD.items()}
    outils = [(f"Pièce {name}", f"pieces/{name}") for name in BAD]
    pieces_dossier = _dossier(base / "src", "2026-piece-refusee", files, outils)
    _bad_files(pieces_dossier / "pieces")
    images = [n for n in BAD if not n.endswith(".pdf")]
    note = "".join(f"Image ![x](pieces/{n})\n\n" for n in images)
    images_dossier = _dossier(base / "src", "2026-image-refusee", {}, [], note)
    for name in images:
        shutil.copy(pieces_dossier / "pieces" / name, images_dossier / "pieces" / name)
    return make_repo(base / "repo", {d.name: d for d in (pieces_dossier, images_dossier)})


def _positions(repo: Path) -> list[tuple[str, str, int, int]]:
    """Where each bad file is named (file, name, line, column), as `livret check` must say."""
    where = []
    for relative in ("2026-piece-refusee/synthese.yml", "2026-image-refusee/notes/images.md"):
        lines = (repo / "dossiers" / relative).read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            for name in BAD:
                column = line.find(f"pieces/{name}")
                if column >= 0:
                    where.append((f"dossiers/{relative}", name, number, column + 1))
    return where


def test_check_refuses_bad_pieces_where_they_are_named(bad_repo: Path) -> None:
    import weasyprint  # noqa: F401  (it allows truncated images process-wide: still refused)

    result = CliRunner().invoke(cli, ["-C", str(bad_repo), "check"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = set(result.stderr.splitlines())
    places = _positions(bad_repo)
    assert len(places) == len(BAD) + len([n for n in BAD if not n.endswith(".pdf")])
    for relative, name, line, column in places:
        prefix = f"{relative}:{line}:{column}: "
        message = BAD[name][1]
        assert any(
            entry.startswith(prefix) and message in entry and f"« pieces/{name} »" in entry
            for entry in lines
        ), (prefix, message, sorted(lines))
    assert len(lines) == len(places) + 1  # and the count of problems


def test_build_refuses_the_same_pieces(bad_repo: Path, tmp_path: Path) -> None:
    check = CliRunner().invoke(cli, ["-C", str(bad_repo), "check"])
    build = CliRunner(env={"LIVRET_ACCESS": str(tmp_path / "acces.json")}).invoke(
        cli, ["-C", str(bad_repo), "build", "--json"]
    )
    assert build.exit_code != 0
    booklets = json.loads(build.stdout)["booklets"]
    assert {b["status"] for b in booklets} == {"failed"}
    expected = sorted(line for line in check.stderr.splitlines() if line.startswith("dossiers/"))
    assert sorted(e for b in booklets for e in b["errors"]) == expected


@pytest.mark.parametrize(("name", "said"), [("openaction-js", True), ("info", False)])
def test_cleaning_is_a_warning_of_check_only_for_active_content(
    tmp_path: Path, name: str, said: bool
) -> None:
    """A PDF that did something (a script) is named at its piece: line; routine metadata is not."""
    repo = make_repo(tmp_path / "repo", {"2026-martin-lucie": FIXTURES / "minimal"})
    folder = repo / "dossiers" / "2026-martin-lucie"
    (folder / "pieces").mkdir(exist_ok=True)
    (folder / "pieces" / "test.pdf").write_bytes(hostile_pdf(name))
    synthese = folder / "synthese.yml"
    synthese.write_text(
        synthese.read_text()
        + "outils:\n  - nom: Test\n    date: 2026-09-15\n    piece: pieces/test.pdf\n"
    )
    result = CliRunner().invoke(cli, ["-C", str(repo), "check"])
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if "nettoyée" in line]
    if said:
        assert len(warned) == 1 and warned[0].startswith(
            "dossiers/2026-martin-lucie/synthese.yml:"
        ), result.stderr
        assert "avertissement" in warned[0]
    else:
        assert warned == []
