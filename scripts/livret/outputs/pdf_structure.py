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
    ("/CMap", None): {"/CMapName": lambda v: v == "/WP-Encod-0", "/CIDSystemInfo": _identity_system},
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


def _check_clear_objects(pdf: pikepdf.Pdf) -> None:
    """Every object written outside an object stream: what an attacker reads."""
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
        if isinstance(obj, Stream):
            _check_stream(where, obj, boxes)
        elif obj.objgen == root and isinstance(obj, Dictionary):
            _check_catalog(obj)
        elif obj.objgen != crypt:
            raise _refuse(f"{where} du PDF de synthèse est lisible sans phrase de passe")


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
