"""What an encrypted PDF still shows without the passphrase, checked before publishing.

PDF encryption covers strings and streams, not the numbers and names of object
dictionaries. `livret.pdf.encrypt_pdf` puts every object it can into object streams
(encrypted like any stream); what stays in clear is the catalog, the encryption
dictionary, the cross-reference stream and the dictionary of each stream. This module
reads exactly that clear part, as an attacker without the passphrase would, and
refuses anything not on an allowlist of keys whose values do not depend on the dossier
(or, for lengths and image sizes, that we chose to leave: see the README). Chart form
XObjects, whose `/BBox` gave back the competence counts, are the case that made it.

The decrypted document is also scanned for actions and attachments a synthèse never
has, and the raw bytes for any string or stream that would have escaped encryption.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from decimal import Decimal

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream, String

from livret.errors import LivretError
from livret.outputs.pdf_tags import NEUTRAL_TITLES

# Never in a synthèse we print: script, automatic actions, files, forms, media.
FORBIDDEN_NAMES = frozenset(
    {
        "/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/EmbeddedFiles",
        "/EmbeddedFile", "/FileAttachment", "/SubmitForm", "/ImportData", "/ResetForm",
        "/GoToR", "/GoToE", "/RichMedia", "/XFA", "/AcroForm", "/Sound", "/Movie",
        "/Rendition", "/AF",
    }
)  # fmt: skip

Check = Callable[[object], bool]


def _refuse(reason: str) -> LivretError:
    return LivretError(f"publication refusée : {reason}.")


# --- Value checks -----------------------------------------------------------------------------


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _name(value: object) -> bool:
    return isinstance(value, Name)


def _ref(value: object) -> bool:
    return isinstance(value, pikepdf.Object) and value.is_indirect


def _flag(value: object) -> bool:
    return isinstance(value, bool)


def _filters(value: object) -> bool:
    return _name(value) or (isinstance(value, Array) and all(_name(v) for v in value))


_PARMS = frozenset({"/Predictor", "/Columns", "/Colors", "/BitsPerComponent", "/EarlyChange"})


def _parms(value: object) -> bool:
    def one(item: object) -> bool:
        if item is None:
            return True
        return isinstance(item, Dictionary) and all(
            key in _PARMS and _count(item[key]) for key in list(item.keys())
        )

    if isinstance(value, Array):
        return all(one(v) for v in value)
    return one(value)


def _counts(value: object) -> bool:
    return isinstance(value, Array) and all(_count(v) for v in value)


def _colour_space(value: object) -> bool:
    if _name(value) or _ref(value):
        return True
    return isinstance(value, Array) and all(_name(v) or _ref(v) for v in value)


def _unit_decode(value: object) -> bool:
    return isinstance(value, Array) and all(v in (0, 1) for v in value)


def _group(value: object) -> bool:
    if not isinstance(value, Dictionary) or value.get("/S") != "/Transparency":
        return False
    allowed: dict[str, Check] = {"/Type": _name, "/S": _name, "/I": _flag, "/K": _flag}
    allowed["/CS"] = _name
    return all(key in allowed and allowed[key](value[key]) for key in list(value.keys()))


def _identity(value: object) -> bool:
    return isinstance(value, Array) and [Decimal(str(v)) for v in value] == [1, 0, 0, 1, 0, 0]


def _id(value: object) -> bool:
    # Random per file (WeasyPrint is given a random identifier), so it says nothing.
    return (
        isinstance(value, Array) and len(value) == 2 and all(isinstance(v, String) for v in value)
    )


def _identity_system(value: object) -> bool:
    # The Adobe-Identity-0 character collection: what WeasyPrint writes for every font.
    return isinstance(value, Dictionary) and _plain(value) == {
        "/Registry": b"Adobe",
        "/Ordering": b"Identity",
        "/Supplement": 0,
    }


_COMMON: dict[str, Check] = {
    "/Length": _count,
    "/Filter": _filters,
    "/DecodeParms": _parms,
    "/Type": _name,
    "/Subtype": _name,
}

# Stream dictionaries by (/Type, /Subtype). Lengths stay (they follow the content, as the
# ciphertext would anyway); so do image sizes and font program sizes (see the README).
_STREAMS: dict[tuple[str | None, str | None], dict[str, Check]] = {
    ("/ObjStm", None): {"/N": _count, "/First": _count, "/Extends": _ref},
    ("/XRef", None): {
        "/Size": _count, "/W": _counts, "/Index": _counts, "/Prev": _count,
        "/Root": _ref, "/Encrypt": _ref, "/ID": _id, "/Info": _ref,
    },
    ("/XObject", "/Image"): {
        "/Width": _count, "/Height": _count, "/BitsPerComponent": _count,
        "/ColorSpace": _colour_space, "/SMask": _ref, "/Mask": _ref, "/Interpolate": _flag,
        "/ImageMask": _flag, "/Decode": _unit_decode, "/Intent": _name,
    },
    # /BBox is checked apart: it must be a page box.
    ("/XObject", "/Form"): {
        "/Resources": _ref, "/Group": _group, "/Matrix": _identity,
        "/FormType": lambda v: v == 1,
    },
    ("/Metadata", "/XML"): {},
    # WeasyPrint's encoding map for a font that lacks a glyph (drawn as .notdef): its name
    # and character collection are the same for every dossier; which glyphs are missing
    # is in the stream, encrypted.
    ("/CMap", None): {
        "/CMapName": lambda v: v == "/WP-Encod-0",
        "/CIDSystemInfo": _identity_system,
    },
    # Page contents, font programs, ToUnicode maps, ICC profiles.
    (None, None): {
        "/Length1": _count, "/Length2": _count, "/Length3": _count,
        "/N": lambda v: v in (1, 3, 4), "/Alternate": _name,
    },
    (None, "/CIDFontType0C"): {},
    (None, "/Type1C"): {},
    (None, "/OpenType"): {},
}  # fmt: skip

_CATALOG_REFS = frozenset(
    {"/Pages", "/Outlines", "/Names", "/Dests", "/Metadata", "/StructTreeRoot", "/MarkInfo",
     "/PageLabels", "/ViewerPreferences", "/OutputIntents"}
)  # fmt: skip
# What qpdf itself writes for AES-256: the same in every file.
_EXTENSIONS = {"/ADBE": {"/BaseVersion": "/1.7", "/ExtensionLevel": 8}}


# --- The scan ---------------------------------------------------------------------------------


def verify_pdf_structure(encrypted: bytes, passphrase: str) -> None:
    """Refuse an encrypted PDF whose clear part could depend on the dossier.

    Raises `LivretError` ("publication refusée : …"). `passphrase` is the user password
    the file must open with; it never appears in a message.
    """
    try:
        with pikepdf.open(io.BytesIO(encrypted)):
            pass
    except pikepdf.PasswordError:
        pass
    except pikepdf.PdfError as error:
        raise _refuse("le PDF de synthèse est illisible") from error
    else:
        raise _refuse("le PDF de synthèse s'ouvre sans phrase de passe")
    try:
        pdf = pikepdf.open(io.BytesIO(encrypted), password=passphrase)
    except (pikepdf.PasswordError, pikepdf.PdfError) as error:
        raise _refuse("le PDF de synthèse ne s'ouvre pas avec la phrase de passe") from error
    with pdf:
        _check_encryption(pdf)
        _check_names(pdf)
        _check_clear_objects(pdf)
        _check_ciphertext(pdf, encrypted)


def _check_encryption(pdf: pikepdf.Pdf) -> None:
    info = pdf.encryption
    methods = (info.stream_method, info.string_method, info.file_method)
    if info.R != 6 or info.V != 5 or info.bits != 256 or any(m.name != "aesv3" for m in methods):
        raise _refuse(
            f"le PDF de synthèse n'est pas chiffré en AES-256 révision 6 (R={info.R}, V={info.V})"
        )
    crypt = pdf.trailer.get("/Encrypt")
    if not isinstance(crypt, Dictionary) or crypt.get("/EncryptMetadata", True) is not True:
        raise _refuse("les métadonnées du PDF de synthèse ne sont pas chiffrées")
    if crypt.get("/Filter") != "/Standard" or "/EFF" in crypt:
        raise _refuse("le dictionnaire de chiffrement du PDF de synthèse est inattendu")


# What each kind of stream is, in a consultant's words, for a refusal that must say which
# part of the synthèse caused it.
_KINDS: dict[tuple[str | None, str | None], str] = {
    ("/XObject", "/Image"): "une image",
    ("/XObject", "/Form"): "un dessin (graphique, logo ou emoji)",
    ("/CMap", None): "la table d'une police à qui manque un caractère",
    ("/Pattern", None): "un motif de remplissage du thème",
    ("/Metadata", "/XML"): "les métadonnées du document",
}
_WHAT_TO_DO = (
    " ; lancez livret check sur ce dossier (il signale les caractères qu'aucune police ne "
    "dessine et les images refusées) ; s'il ne signale rien, transmettez ce message à la "
    "personne qui maintient livret, sans le dossier"
)


def _reached(obj: object) -> set[tuple[int, int]]:
    """Every indirect object `obj` leads to: a font's program and maps, a drawing's images."""
    seen: set[tuple[int, int]] = set()
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, pikepdf.Object) and item.is_indirect:
            if item.objgen in seen:
                continue
            seen.add(item.objgen)
        if isinstance(item, Stream):
            item = item.stream_dict
        if isinstance(item, Dictionary):
            stack.extend(item[key] for key in list(item.keys()) if key not in ("/Parent", "/P"))
        elif isinstance(item, Array):
            stack.extend(item)
    return seen


def _located(pdf: pikepdf.Pdf, objgen: tuple[int, int], kind: str) -> str:
    """Which page of the synthèse draws the object, and under which heading.

    WeasyPrint gives every page the same resources: the page is the first whose content
    names a resource (a font, an image, a drawing) that leads to the object.
    """
    try:
        for index, page in enumerate(pdf.pages):
            resources = page.obj.get("/Resources")
            names: set[str] = set()
            if isinstance(resources, Dictionary):
                for category in list(resources.keys()):
                    entries = resources[category]
                    if isinstance(entries, Dictionary):
                        names |= {
                            key for key in list(entries.keys()) if objgen in _reached(entries[key])
                        }
            if not names:
                continue
            for instruction in pikepdf.parse_content_stream(page):
                operands = getattr(instruction, "operands", ())
                if any(isinstance(o, Name) and str(o) in names for o in operands):
                    heading = _heading(pdf, index)
                    under = f" : « {heading} »" if heading else ""
                    return f"{kind}, page {index + 1}{under}"
    except pikepdf.PdfError:
        pass
    return kind


_NOTDEF = re.compile(rb"<([0-9a-fA-F]{4})> 0\b")
_TO_UNICODE = re.compile(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>")


def _missing_characters(pdf: pikepdf.Pdf, objgen: tuple[int, int]) -> str:
    """The characters a font's missing-glyph map sends to .notdef (U+E123…), read from
    the font's ToUnicode map: what the consultant finds in the dossier with `check`."""
    try:
        encoding = pdf.get_object(objgen)
        assert isinstance(encoding, Stream)
        missing = {m.group(1).lower() for m in _NOTDEF.finditer(encoding.read_bytes())}
        codes: set[str] = set()
        for obj in pdf.objects:
            if not (isinstance(obj, Dictionary) and obj.get("/Type") == "/Font"):
                continue
            if obj.get("/Encoding") is None or not _ref(obj.get("/Encoding")):
                continue
            if obj.Encoding.objgen != objgen or "/ToUnicode" not in obj:
                continue
            for glyph, text in _TO_UNICODE.findall(obj.ToUnicode.read_bytes()):
                if glyph.lower() in missing:
                    chars = bytes.fromhex(text.decode()).decode("utf-16-be", "replace")
                    codes |= {f"U+{ord(c):04X}" for c in chars}
    except (AssertionError, AttributeError, ValueError, pikepdf.PdfError):
        return ""
    return f" ({', '.join(sorted(codes))})" if codes else ""


def _heading(pdf: pikepdf.Pdf, index: int) -> str:
    """The last bookmark (a heading of the synthèse) that starts on or before the page."""
    best: tuple[int, str] | None = None
    try:
        with pdf.open_outline() as outline:
            items = list(outline.root)
            while items:
                item = items.pop(0)
                items = list(item.children) + items
                page = _outline_page(pdf, item)
                if page is not None and page <= index and (best is None or page >= best[0]):
                    best = (page, str(item.title))
    except (pikepdf.PdfError, AttributeError, ValueError, TypeError):
        return ""
    return best[1] if best else ""


def _outline_page(pdf: pikepdf.Pdf, item: pikepdf.OutlineItem) -> int | None:
    destination: object = item.destination
    if isinstance(destination, String | Name):
        try:
            resolved = pdf.Root.Names.Dests  # a name tree: look the name up
            destination = pikepdf.NameTree(resolved).get(str(destination))
        except (AttributeError, KeyError, pikepdf.PdfError):
            return None
    if isinstance(destination, Dictionary):
        destination = destination.get("/D")
    if (
        isinstance(destination, Array)
        and len(destination)
        and isinstance(destination[0], Dictionary)
    ):
        try:
            return int(pikepdf.Page(destination[0]).index)
        except (ValueError, pikepdf.PdfError):
            return None
    return None


def _check_clear_objects(pdf: pikepdf.Pdf) -> None:
    """Every object written outside an object stream: what an attacker reads."""
    try:
        _check_clear_objects_unlocated(pdf)
    except _Refused as refused:
        obj = pdf.get_object(refused.objgen)
        head = obj.stream_dict if isinstance(obj, Stream) else obj
        kind = (_str(head.get("/Type")), _str(head.get("/Subtype"))) if head else (None, None)
        words = _KINDS.get(kind, "un élément de mise en page")
        if kind == ("/CMap", None):
            words += _missing_characters(pdf, refused.objgen)
        where = _located(pdf, refused.objgen, words)
        raise _refuse(f"{refused.reason} ({where}){_WHAT_TO_DO}") from None


class _Refused(Exception):
    def __init__(self, objgen: tuple[int, int], reason: str) -> None:
        super().__init__(reason)
        self.objgen, self.reason = objgen, reason


def _check_clear_objects_unlocated(pdf: pikepdf.Pdf) -> None:
    root, crypt = pdf.Root.objgen, pdf.trailer["/Encrypt"].objgen
    boxes = {_box(page.obj.get("/MediaBox")) for page in pdf.pages}
    trailer = pdf.trailer
    if not isinstance(trailer, Dictionary):
        raise _refuse("le PDF de synthèse n'a pas de fin de fichier lisible")
    _check_dict("la fin du fichier (trailer)", trailer, {**_COMMON, **_STREAMS["/XRef", None]})
    for (number, generation), entry in pdf.get_xref_table().items():
        if entry.type != 1:  # 0: free; 2: inside an object stream, hence encrypted
            continue
        where = f"l'objet {number}"
        obj = pdf.get_object(number, generation)
        try:
            if isinstance(obj, Stream):
                _check_stream(where, obj, boxes)
            elif obj.objgen == root and isinstance(obj, Dictionary):
                _check_catalog(obj)
            elif obj.objgen != crypt:
                raise _refuse(f"{where} du PDF de synthèse est lisible sans phrase de passe")
        except LivretError as error:
            if obj.objgen == root:
                raise
            reason = str(error).removeprefix("publication refusée : ").removesuffix(".")
            raise _Refused(obj.objgen, reason) from None


def _check_stream(where: str, stream: Stream, boxes: set[tuple[Decimal, ...] | None]) -> None:
    head = stream.stream_dict
    kind = (_str(head.get("/Type")), _str(head.get("/Subtype")))
    allowed = _STREAMS.get(kind)
    if allowed is None:
        raise _refuse(f"{where} du PDF de synthèse est un flux inattendu ({kind[0]} {kind[1]})")
    if kind == ("/XObject", "/Form"):
        # WeasyPrint draws anchored SVG text and opacity groups this way, with a clear
        # /BBox around what they hold: only a whole page is the same in every dossier.
        if _box(head.get("/BBox")) not in boxes:
            raise _refuse(
                f"{where} du PDF de synthèse a un cadre (/BBox) lisible sans phrase de passe "
                "qui dépend du contenu"
            )
        allowed = {**allowed, "/BBox": lambda v: True}
    _check_dict(where, head, {**_COMMON, **allowed})


def _check_catalog(catalog: Dictionary) -> None:
    for key in list(catalog.keys()):
        value = catalog[key]
        if key == "/Extensions":
            ok = _plain(value) == _EXTENSIONS
        elif key in _CATALOG_REFS:
            ok = _ref(value)
        elif key in ("/Type", "/PageMode", "/PageLayout", "/Version"):
            ok = _name(value)
        else:
            ok = key == "/Lang" and isinstance(value, String)  # encrypted like every string
        if not ok:
            raise _refuse(f"le catalogue du PDF de synthèse montre {key} sans phrase de passe")


def _check_dict(where: str, head: Dictionary, allowed: dict[str, Check]) -> None:
    for key in list(head.keys()):
        check = allowed.get(key)
        if check is None or not check(head[key]):
            raise _refuse(f"{where} du PDF de synthèse montre {key} sans phrase de passe")


def _check_names(pdf: pikepdf.Pdf) -> None:
    """Actions and attachments, looked for in the decrypted document."""
    if "/Info" in pdf.trailer:
        # Only a title of ours (encrypted like every string): nothing else, never a name.
        info = pdf.trailer.Info
        if not (
            isinstance(info, Dictionary)
            and list(info.keys()) == ["/Title"]
            and str(info.Title) in NEUTRAL_TITLES
        ):
            raise _refuse("le PDF de synthèse garde un dictionnaire /Info")
    for obj in pdf.objects:
        for name in _names(obj):
            if name in FORBIDDEN_NAMES:
                raise _refuse(f"le PDF de synthèse contient {name}")


def _check_ciphertext(pdf: pikepdf.Pdf, raw: bytes) -> None:
    """No string and no stream of the document appears as such in the published bytes."""
    lowered = raw.lower()
    crypt = pdf.trailer["/Encrypt"].objgen
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Object) and obj.is_indirect and obj.objgen == crypt:
            continue
        if isinstance(obj, Stream):
            head = obj.stream_dict
            if head.get("/Type") == "/XRef":  # never encrypted, by the standard
                continue
            data = obj.read_raw_bytes()[:64]
            if len(data) >= 32 and data in raw:
                raise _refuse("un flux du PDF de synthèse est resté en clair")
        for text in _strings(obj):
            if len(text) >= 8 and (text in raw or text.hex().encode() in lowered):
                raise _refuse("une chaîne du PDF de synthèse est restée en clair")


# --- Helpers ----------------------------------------------------------------------------------


def _walk(obj: object) -> Iterator[object]:
    """Every direct value inside `obj`, not following references to other objects."""
    yield obj
    if isinstance(obj, Stream):
        obj = obj.stream_dict
    if isinstance(obj, Dictionary):
        for key in list(obj.keys()):
            yield Name(key)
            value = obj[key]
            if not (isinstance(value, pikepdf.Object) and value.is_indirect):
                yield from _walk(value)
    elif isinstance(obj, Array):
        for value in obj:
            if not (isinstance(value, pikepdf.Object) and value.is_indirect):
                yield from _walk(value)


def _names(obj: object) -> Iterator[str]:
    return (str(v) for v in _walk(obj) if isinstance(v, Name))


def _strings(obj: object) -> Iterator[bytes]:
    return (bytes(v) for v in _walk(obj) if isinstance(v, String))


def _str(value: object) -> str | None:
    return str(value) if value is not None else None


def _box(value: object) -> tuple[Decimal, ...] | None:
    if not isinstance(value, Array) or len(value) != 4:
        return None
    try:
        return tuple(Decimal(str(v)).quantize(Decimal("0.001")) for v in value)
    except ArithmeticError:
        return None


def _plain(value: object) -> object:
    if isinstance(value, Dictionary):
        return {key: _plain(value[key]) for key in list(value.keys())}
    if isinstance(value, Name):
        return str(value)
    if isinstance(value, String):
        return bytes(value)
    return value
