"""Attachments: made safe before they are published.

A file under `pieces/` comes from elsewhere (a test publisher, a phone, an e-mail) and
carries more than it shows. A PDF can run JavaScript or launch a program when it is
opened, send the reader to other sites, hold other files, and name its author and
software in its metadata; a phone photo holds the GPS position where it was taken, a PNG
any text its tools wrote. So nothing is published as it came:

- a PDF keeps what we know to be inert (pages, their content, fonts and images, notes
  drawn on them, links to its own pages) and loses everything else; the result is then
  re-opened and every object walked again, and anything forbidden left refuses the file;
- an image must be the image its suffix claims, decoded in full by Pillow within bounds,
  then re-encoded from its pixels alone (no EXIF, XMP, ICC or text chunk survives),
  upright and no larger than a phone or the PDF can use.

Both are cached per process by (path, size, mtime): `livret check` and the build see the
same files, and a booklet build loads the dossier before it renders it.
"""

from __future__ import annotations

import functools
import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from livret.errors import LivretError

# --- bounds -----------------------------------------------------------------------------------

#: A phone photo is 2 to 8 MB; a scan or a screenshot less. Anything larger is not a picture
#: someone took for the booklet, and would make each page it is on as heavy to unlock.
MAX_IMAGE_BYTES = 15 * 10**6
#: 50 megapixels admits the 48/50 MP photos of recent phones; a 30000 x 30000 PNG of a few
#: kilobytes (a decompression bomb) would take gigabytes of memory to decode.
MAX_IMAGE_PIXELS = 50 * 10**6
#: Long side of the published image: sharp on a phone held sideways and in an A4 PDF.
MAX_IMAGE_SIDE = 2400
#: A scanned test report is a few megabytes; qpdf would read far larger files, but nothing
#: that large belongs in a booklet the beneficiary downloads.
MAX_PDF_BYTES = 50 * 10**6

IMAGE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}
_MIME = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
_SUFFIX = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}

_PIECE = "\x00piece\x00"  # where the attachment's name goes in a message


class PieceRefused(LivretError):
    """An attachment that cannot be published; `describe(name)` says why and what to do."""

    def __init__(self, template: str) -> None:
        super().__init__(template.replace(_PIECE, "la pièce"))
        self.template = template

    def describe(self, name: str) -> str:
        """The French message, naming the attachment as the consultant wrote it."""
        return self.template.replace(_PIECE, f"« {name} »")


@dataclass(frozen=True)
class _Refused:
    """A cached refusal: an exception instance would keep its traceback alive."""

    template: str


@dataclass(frozen=True)
class CleanPdf:
    """A sanitised PDF and the French names of what was taken out of it."""

    data: bytes
    removed: tuple[str, ...]


def check_attachment(path: Path, name: str) -> str | None:
    """Why this attachment cannot be published, in French, or None when it can."""
    try:
        if path.suffix.lower() == ".pdf":
            clean_pdf(path)
        elif path.suffix.lower() in IMAGE_FORMATS:
            clean_image(path)
    except PieceRefused as error:
        return error.describe(name)
    return None


def _stat_key(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_size, stat.st_mtime_ns


# --- images -----------------------------------------------------------------------------------


def clean_image(path: Path) -> bytes:
    """The image re-encoded from its pixels alone; PieceRefused when it is not acceptable."""
    result = _cleaned_image(*_stat_key(path))
    if isinstance(result, _Refused):
        raise PieceRefused(result.template)
    return result


def image_data_uri(path: Path) -> str:
    """The cleaned image as a `data:` URI, to travel inside an encrypted page or the PDF."""
    import base64

    kind = _MIME[IMAGE_FORMATS[path.suffix.lower()]]
    return f"data:{kind};base64,{base64.b64encode(clean_image(path)).decode()}"


_REDO = "ouvrez-la dans un logiciel d'images et enregistrez-la de nouveau en PNG ou JPEG"


@functools.lru_cache(maxsize=64)
def _cleaned_image(path: str, size: int, mtime_ns: int) -> bytes | _Refused:
    claimed = IMAGE_FORMATS[Path(path).suffix.lower()]
    if size > MAX_IMAGE_BYTES:
        return _Refused(
            f"image trop lourde {_PIECE} ({_mb(size)} Mo, au plus {_mb(MAX_IMAGE_BYTES)} Mo) : "
            f"enregistrez-la en PNG ou JPEG de moins de {_mb(MAX_IMAGE_BYTES)} Mo, par exemple "
            f"réduite à {MAX_IMAGE_SIDE} pixels de côté"
        )
    too_large = _Refused(
        f"image trop grande {_PIECE} (plus de {MAX_IMAGE_PIXELS // 10**6} millions de pixels) : "
        f"enregistrez-la en PNG ou JPEG d'au plus {MAX_IMAGE_SIDE} pixels de côté"
    )
    with warnings.catch_warnings(), _strict_decoding():
        # Pillow only warns between its own limit and twice that: make the warning an error.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path, formats=[claimed]) as image:
                # The header is read, the pixels not yet: refuse a bomb before decoding it.
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    return _Refused(
                        f"image trop grande {_PIECE} ({image.width} × {image.height} pixels, au "
                        f"plus {MAX_IMAGE_PIXELS // 10**6} millions) : enregistrez-la en PNG ou "
                        f"JPEG d'au plus {MAX_IMAGE_SIDE} pixels de côté"
                    )
                image.load()
                return _reencode(image, claimed)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            return too_large
        except UnidentifiedImageError:
            return _wrong_type(path, claimed)
        except (OSError, SyntaxError, ValueError, TypeError, EOFError):
            # Pillow's documented failures on damaged files: truncated data, bad CRC, bad header.
            return _Refused(f"image illisible ou incomplète {_PIECE} : {_REDO}")


@contextmanager
def _strict_decoding() -> Iterator[None]:
    """Truncated images are errors while we decode, whatever another library decided.

    WeasyPrint sets Pillow's process-wide `LOAD_TRUNCATED_IMAGES` when it is imported
    (every build worker imports it), which would let half a file through as an image.
    """
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def _mb(size: int) -> str:
    """Megabytes in French, rounded up: a file over the bound never shows as equal to it."""
    tenths = -(-size // 10**5)
    return f"{tenths // 10},{tenths % 10}".removesuffix(",0")


def _wrong_type(path: str, claimed: str) -> _Refused:
    """Say what the file really is when Pillow knows it, so the fix is a rename."""
    actual = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with Image.open(path) as image:
                actual = image.format
        except (Image.DecompressionBombError, OSError, SyntaxError, ValueError, TypeError):
            pass  # not an image Pillow knows: said below
    if actual in _SUFFIX:
        return _Refused(
            f"{_PIECE} n'est pas une image {claimed} mais une image {actual} : renommez le "
            f"fichier en {_SUFFIX[actual]} et corrigez son nom ici"
        )
    if actual:
        return _Refused(f"{_PIECE} n'est pas une image {claimed} mais une image {actual} : {_REDO}")
    return _Refused(f"{_PIECE} n'est pas une image {claimed} lisible : {_REDO}")


def _reencode(image: Image.Image, claimed: str) -> bytes:
    # Orientation first: once EXIF is gone, a phone photo would lie on its side.
    upright = ImageOps.exif_transpose(image)
    alpha = upright.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in upright.info
    if claimed == "JPEG":
        mode = "L" if upright.mode in ("1", "L") else "RGB"
    else:
        mode = "RGBA" if alpha else ("L" if upright.mode in ("1", "L") else "RGB")
    pixels = upright.convert(mode)
    pixels.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE), Image.Resampling.LANCZOS)
    # A new image from the raw pixels has an empty `info`: no metadata can ride along.
    bare = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if claimed == "PNG":
        bare.save(out, "PNG", optimize=False, compress_level=9)
    elif claimed == "JPEG":
        bare.save(out, "JPEG", quality=88, optimize=True)
    else:
        bare.save(out, "WEBP", quality=88, method=4)
    data = out.getvalue()
    _verify_image(data, claimed)
    return data


def _verify_image(data: bytes, claimed: str) -> None:
    """Fail closed: what we publish is the claimed format, with no metadata at all."""
    with Image.open(io.BytesIO(data), formats=[claimed]) as image:
        leftovers = {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment"} & set(image.info)
        text = getattr(image, "text", {}) if claimed == "PNG" else {}
        if leftovers or text or len(image.getexif()):
            raise RuntimeError(f"metadata survived re-encoding: {sorted(leftovers)}")


# --- PDF --------------------------------------------------------------------------------------

# What a catalog may keep: the page tree and how to move around it. Everything else
# (/OpenAction, /AA, /AcroForm, /Metadata, /URI, /Collection, /Perms…) is dropped.
_CATALOG_KEYS = frozenset(
    {
        "/Type", "/Version", "/Pages", "/PageLabels", "/Names", "/Dests", "/Outlines",
        "/PageLayout", "/PageMode", "/ViewerPreferences", "/Lang", "/MarkInfo",
        "/StructTreeRoot", "/OCProperties", "/Extensions",
    }
)  # fmt: skip
_NAMES_KEYS = frozenset({"/Dests"})
# Keys of page-tree nodes (pages and their parents) that draw the page.
_PAGE_KEYS = frozenset(
    {
        "/Type", "/Parent", "/Kids", "/Count", "/Resources", "/MediaBox", "/CropBox",
        "/BleedBox", "/TrimBox", "/ArtBox", "/Contents", "/Rotate", "/Group", "/Annots",
        "/UserUnit", "/Tabs", "/StructParents",
    }
)  # fmt: skip
# Annotations drawn on the page or a note beside it; a link only when it stays inside.
_ANNOTATIONS = frozenset(
    {
        "/Link", "/Text", "/Highlight", "/Underline", "/StrikeOut", "/Squiggly", "/FreeText",
        "/Square", "/Circle", "/Line", "/Polygon", "/PolyLine", "/Ink", "/Popup", "/Stamp",
    }
)  # fmt: skip
# Every annotation subtype of PDF 2.0 and the extensions seen in the wild: a dictionary with
# one of these that is not allowed above is an annotation to neuter wherever it hangs.
_ALL_ANNOTATIONS = _ANNOTATIONS | {
    "/FileAttachment", "/Sound", "/Movie", "/Screen", "/Widget", "/PrinterMark", "/TrapNet",
    "/Watermark", "/3D", "/Redact", "/Projection", "/RichMedia", "/Caret",
}  # fmt: skip
# Every action type of PDF 2.0 and Adobe's extensions; only /GoTo (a page of this file) stays.
_ACTIONS = frozenset(
    {
        "/GoTo", "/GoToR", "/GoToE", "/GoToDp", "/Launch", "/Thread", "/URI", "/Sound",
        "/Movie", "/Hide", "/Named", "/SubmitForm", "/ResetForm", "/ImportData",
        "/SetOCGState", "/Rendition", "/Trans", "/GoTo3DView", "/JavaScript",
        "/RichMediaExecute", "/SetState", "/NOP",
    }
)  # fmt: skip
# Keys removed from every dictionary and stream, wherever they are.
_EVERYWHERE = {
    "/AA": "actions automatiques",
    "/OpenAction": "action à l'ouverture",
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/Metadata": "métadonnées XMP",
    "/PieceInfo": "données privées de logiciels",
    "/EmbeddedFiles": "fichiers joints",
    "/EF": "fichiers joints",
    "/AF": "fichiers joints",
    "/RichMediaContent": "contenu multimédia",
    "/AcroForm": "formulaire",
    "/XFA": "formulaire",
}
_CATALOG_LABELS = {**_EVERYWHERE, "/URI": "liens vers d'autres sites"}
_NAMES_LABELS = {
    "/JavaScript": "JavaScript",
    "/EmbeddedFiles": "fichiers joints",
    "/AlternatePresentations": "contenu multimédia",
    "/Renditions": "contenu multimédia",
}
_ACTION_LABELS = {
    "/JavaScript": "JavaScript",
    "/Launch": "lancement de programmes",
    "/URI": "liens vers d'autres sites",
    "/GoToR": "liens vers d'autres fichiers",
    "/GoToE": "liens vers d'autres fichiers",
    "/GoToDp": "liens vers d'autres fichiers",
    "/SubmitForm": "formulaire",
    "/ResetForm": "formulaire",
    "/ImportData": "formulaire",
    "/Sound": "contenu multimédia",
    "/Movie": "contenu multimédia",
    "/Rendition": "contenu multimédia",
    "/RichMediaExecute": "contenu multimédia",
    "/GoTo3DView": "contenu multimédia",
}
_ANNOTATION_LABELS = {
    "/FileAttachment": "fichiers joints",
    "/Widget": "formulaire",
    "/Sound": "contenu multimédia",
    "/Movie": "contenu multimédia",
    "/Screen": "contenu multimédia",
    "/RichMedia": "contenu multimédia",
    "/3D": "contenu multimédia",
}
_FORBIDDEN_TYPES = frozenset({"/EmbeddedFile", "/Metadata", "/Action"})


def clean_pdf(path: Path) -> CleanPdf:
    """The attachment sanitised by `sanitize_pdf`, cached; PieceRefused when it cannot be."""
    result = _cleaned_pdf(*_stat_key(path))
    if isinstance(result, _Refused):
        raise PieceRefused(result.template)
    return result


@functools.lru_cache(maxsize=32)
def _cleaned_pdf(path: str, size: int, mtime_ns: int) -> CleanPdf | _Refused:
    if size > MAX_PDF_BYTES:
        return _Refused(
            f"pièce PDF trop lourde {_PIECE} ({_mb(size)} Mo, au plus {_mb(MAX_PDF_BYTES)} Mo) : "
            "enregistrez-la de nouveau en PDF en réduisant la qualité des images"
        )
    try:
        data, removed = sanitize_pdf(Path(path).read_bytes())
    except PieceRefused as error:
        return _Refused(error.template)
    return CleanPdf(data, tuple(removed))


def sanitize_pdf(data: bytes) -> tuple[bytes, list[str]]:
    """The PDF with only inert content left, and what was removed (French, for the consultant).

    Kept: pages and their content, fonts, images, markup annotations, links and bookmarks
    to pages of this file. Removed: every action but /GoTo, /OpenAction, /AA, JavaScript,
    embedded files, forms, other annotations, XMP metadata, application data and /Info.
    The result is verified by `verify_pdf`; PieceRefused when the file is encrypted,
    unreadable or still not clean.
    """
    unreadable = PieceRefused(
        f"pièce PDF illisible {_PIECE} : ouvrez-la et enregistrez-la de nouveau en PDF"
    )
    removed: set[str] = set()
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            _clean_catalog(pdf, removed)
            for obj in pdf.objects:
                _scrub(obj, removed)
            out = io.BytesIO()
            # qpdf writes only the objects reachable from the trailer: what was cut loose,
            # and every earlier revision kept by incremental saves, is not written.
            pdf.save(out, compress_streams=True)
        clean = out.getvalue()
        left = verify_pdf(clean)
    except pikepdf.PasswordError:
        raise PieceRefused(
            f"pièce PDF protégée par un mot de passe {_PIECE} : fournissez le PDF sans mot de "
            "passe, livret le protège lui-même"
        ) from None
    except pikepdf.PdfError:
        raise unreadable from None
    if left:
        raise PieceRefused(
            f"pièce PDF que livret ne sait pas nettoyer {_PIECE} ({', '.join(left[:3])}) : "
            "imprimez-la en PDF (Imprimer, puis « Enregistrer au format PDF ») et joignez "
            "cette copie"
        )
    return clean, sorted(removed)


def _clean_catalog(pdf: pikepdf.Pdf, removed: set[str]) -> None:
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
        removed.add("propriétés du document (auteur, logiciel…)")
    root = pdf.Root
    for key in set(root.keys()) - _CATALOG_KEYS:
        if key in _CATALOG_LABELS:
            removed.add(_CATALOG_LABELS[key])
        del root[key]
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for key in set(names.keys()) - _NAMES_KEYS:
            removed.add(_NAMES_LABELS.get(key, "données du document"))
            del names[key]
    elif names is not None:
        del root["/Names"]
    for node in _page_tree(root.get("/Pages")):
        for key in set(node.keys()) - _PAGE_KEYS:
            if key in _EVERYWHERE:
                removed.add(_EVERYWHERE[key])
            del node[key]


def _page_tree(node: object, seen: set[tuple[int, int]] | None = None) -> Iterator[pikepdf.Object]:
    seen = set() if seen is None else seen
    if not isinstance(node, pikepdf.Dictionary) or (node.is_indirect and node.objgen in seen):
        return
    if node.is_indirect:
        seen.add(node.objgen)
    yield node
    kids = node.get("/Kids")
    if isinstance(kids, pikepdf.Array):
        for kid in kids:
            yield from _page_tree(kid, seen)


def _direct(value: object) -> bool:
    """A container held inside its parent (pikepdf returns numbers as Python numbers)."""
    return isinstance(value, pikepdf.Object) and not value.is_indirect


def _is_dict(obj: object) -> bool:
    return isinstance(obj, pikepdf.Dictionary | pikepdf.Stream)


def _name(obj: pikepdf.Object, key: str) -> str | None:
    value = obj.get(key)
    return str(value) if isinstance(value, pikepdf.Name) else None


def _is_action(obj: pikepdf.Object) -> bool:
    return _is_dict(obj) and ("/S" in obj or _name(obj, "/Type") == "/Action")


def _forbidden_object(obj: pikepdf.Object) -> str | None:
    """The label of an object that must not survive wherever it is referenced from."""
    subtype, kind = _name(obj, "/Subtype"), _name(obj, "/Type")
    if kind in _FORBIDDEN_TYPES and not (kind == "/Action" and _name(obj, "/S") == "/GoTo"):
        return {"/EmbeddedFile": "fichiers joints", "/Metadata": "métadonnées XMP"}.get(
            kind, _ACTION_LABELS.get(str(_name(obj, "/S")), "actions")
        )
    if subtype == "/XML":
        return "métadonnées XMP"
    annotation = kind == "/Annot" or ("/Rect" in obj and subtype in _ALL_ANNOTATIONS)
    if annotation and subtype not in _ANNOTATIONS:
        return _ANNOTATION_LABELS.get(str(subtype), "annotations actives")
    if annotation and not _internal_link(obj):
        target = obj.get("/A")
        how = _name(target, "/S") if target is not None and _is_dict(target) else None
        return _ACTION_LABELS.get(str(how), "liens")
    action = _name(obj, "/S")
    if action in _ACTIONS and action != "/GoTo":
        return _ACTION_LABELS.get(action, "actions")
    return None


def _internal_link(annotation: pikepdf.Object) -> bool:
    """True unless a /Link annotation goes nowhere or outside the file."""
    if _name(annotation, "/Subtype") != "/Link":
        return True
    action = annotation.get("/A")
    if action is not None:
        return _is_dict(action) and _name(action, "/S") == "/GoTo"
    return "/Dest" in annotation


def _scrub(obj: pikepdf.Object, removed: set[str], depth: int = 0) -> None:
    """Clean one object and its direct children in place; indirect ones get their own turn."""
    if depth > 64:
        return  # absurd nesting is left for the verifier to refuse
    if isinstance(obj, pikepdf.Array):
        for item in obj:
            if _direct(item):
                _scrub(item, removed, depth + 1)
        return
    if not _is_dict(obj):
        return
    label = _forbidden_object(obj)
    if label is not None:
        # Neutered in place, so that every reference to it (a /Popup, a structure element,
        # an outline) now points at nothing active.
        removed.add(label)
        if isinstance(obj, pikepdf.Stream):
            obj.write(b"")  # qpdf keeps /Length itself
        for key in set(obj.keys()) - {"/Length"}:
            del obj[key]
        return
    for key in list(obj.keys()):
        if key in _EVERYWHERE:
            removed.add(_EVERYWHERE[key])
            del obj[key]
    for key in ("/A", "/Next"):
        if key in obj:
            _keep_goto(obj, key, removed)
    annots = obj.get("/Annots")
    if isinstance(annots, pikepdf.Array):
        # An annotation already neutered (an empty dictionary) goes too.
        kept = [a for a in annots if _is_dict(a) and len(a.keys()) and not _forbidden_object(a)]
        for annotation in annots:
            if _is_dict(annotation) and (label := _forbidden_object(annotation)) is not None:
                removed.add(label)
        obj["/Annots"] = pikepdf.Array(kept)
    for value in obj.values():
        if _direct(value):
            _scrub(value, removed, depth + 1)


def _keep_goto(obj: pikepdf.Object, key: str, removed: set[str]) -> None:
    """Keep only /GoTo actions under /A or /Next (a single action or an array of them)."""
    value = obj[key]
    if isinstance(value, pikepdf.Array):
        kept = [a for a in value if not _is_action(a) or _name(a, "/S") == "/GoTo"]
        for action in value:
            if _is_action(action) and _name(action, "/S") != "/GoTo":
                removed.add(_ACTION_LABELS.get(str(_name(action, "/S")), "actions"))
        obj[key] = pikepdf.Array(kept)
    elif _is_action(value) and _name(value, "/S") != "/GoTo":
        # A structure element's /A holds attributes, not an action: those have no /S.
        removed.add(_ACTION_LABELS.get(str(_name(value, "/S")), "actions"))
        del obj[key]


def verify_pdf(data: bytes) -> list[str]:
    """What is still forbidden in a sanitised PDF, walking every object of the file."""
    left: set[str] = set()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if "/Info" in pdf.trailer or pdf.is_encrypted:
            left.add("/Info")
        left |= {str(k) for k in set(pdf.Root.keys()) - _CATALOG_KEYS}
        names = pdf.Root.get("/Names")
        if names is not None:
            left |= {str(k) for k in set(names.keys()) - _NAMES_KEYS}
        for obj in [pdf.trailer, *pdf.objects]:
            _verify(obj, None, left, 0)
    return sorted(left)


def _verify(obj: pikepdf.Object, parent: str | None, left: set[str], depth: int) -> None:
    if depth > 100:
        left.add("imbrication trop profonde")
        return
    if depth > 0 and not _direct(obj):
        return  # a number, or an object walked on its own from pdf.objects
    if isinstance(obj, pikepdf.Array):
        for item in obj:
            _verify(item, parent, left, depth + 1)
        return
    if not _is_dict(obj):
        return
    if set(obj.keys()) <= {"/Length"}:
        return  # a neutered object
    if (label := _forbidden_object(obj)) is not None:
        left.add(label)
    left |= {str(key) for key in set(obj.keys()) & _EVERYWHERE.keys()}
    if parent in ("/A", "/Next") and _is_action(obj) and _name(obj, "/S") != "/GoTo":
        left.add(f"action {_name(obj, '/S')}")
    annots = obj.get("/Annots")
    if isinstance(annots, pikepdf.Array):
        for annotation in annots:
            if (
                _is_dict(annotation)
                and len(annotation.keys())
                and (
                    _name(annotation, "/Subtype") not in _ANNOTATIONS
                    or not _internal_link(annotation)
                )
            ):
                left.add(f"annotation {_name(annotation, '/Subtype')}")
    for key, value in obj.items():
        _verify(value, str(key), left, depth + 1)
