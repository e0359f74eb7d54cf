"""Which characters the printed documents can draw, known before anything is printed.

WeasyPrint draws a character with the first font of the print theme's chain that has it,
then with any installed font (Pango asks fontconfig, which knows every font's character
set). A character no font has is drawn as an empty box, and WeasyPrint writes a special
encoding map for it in the PDF. So `check` asks fontconfig the same question, one code
point at a time, and says where such a character was written.

Private-use and unassigned code points are always reported, even when some font on this
computer happens to have them: they look different on every device (the booklet is read
on the beneficiary's phone), so the booklet and the PDF would not say the same thing.

Fast by construction: most text never reaches fontconfig (the always-covered set below is
what the theme's first fonts draw), and every answer is kept for the process.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# Drawn by Noto Serif / Noto Sans / DejaVu, the first fonts of every print chain: Basic Latin,
# Latin-1, Latin Extended-A and B, IPA, Greek, Cyrillic, Latin Extended Additional
# (Vietnamese), general punctuation, currency signs (€), letterlike symbols, arrows, maths.
_ALWAYS = (
    (0x20, 0x7E), (0xA0, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF), (0x1E00, 0x1EFF),
    (0x2000, 0x2064), (0x20A0, 0x20C0), (0x2100, 0x214F), (0x2190, 0x21FF), (0x2200, 0x22FF),
    (0xFB00, 0xFB06),
)  # fmt: skip
_INVISIBLE = frozenset({"Cf", "Zl", "Zp"})  # joiners, direction marks, soft hyphen: not drawn


def _always(code: int) -> bool:
    return any(low <= code <= high for low, high in _ALWAYS)


def _variation(code: int) -> bool:
    # Variation selectors choose a glyph (text or emoji form); they are never drawn.
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


@dataclass(frozen=True)
class Undrawable:
    """A character of the text that will not print as written, with why and what to do."""

    line: int  # 1-based
    column: int  # 1-based, in characters as an editor counts them
    char: str
    why: str

    @property
    def code(self) -> str:
        return f"U+{ord(self.char):04X}"

    def message(self) -> str:
        shown = f"« {self.char} » " if unicodedata.category(self.char) != "Cn" else ""
        return f"caractère {self.code} {shown}{self.why}"


_PRIVATE = (
    "à usage privé : il n'a pas de dessin standard, la synthèse l'imprimerait comme un "
    "carré vide et chaque appareil l'afficherait autrement ; remplacez-le par le caractère "
    "voulu ou supprimez-le"
)
_UNASSIGNED = (
    "non attribué par Unicode : aucune police ne le dessine, la synthèse l'imprimerait comme "
    "un carré vide ; supprimez-le (il vient souvent d'un copier-coller)"
)


def _no_font(char: str) -> str:
    name = unicodedata.name(char, "").lower()
    named = f" ({name})" if name else ""
    return (
        f"{named.strip()} : aucune police installée ne le dessine, la synthèse l'imprimerait "
        "comme un carré vide ; installez la police de cette écriture (livret doctor dit "
        "lesquelles manquent) ou remplacez le caractère"
    ).removeprefix(" ")


@functools.cache
def why_undrawable(char: str) -> str | None:
    """Why `char` will not print as written, or None when it will."""
    code = ord(char)
    if _variation(code):
        return None
    category = unicodedata.category(char)
    if category == "Co":
        return _PRIVATE
    if category == "Cn":
        return _UNASSIGNED
    if _always(code):
        return None
    if category in _INVISIBLE or category.startswith("Z") or category == "Cc":
        return None
    covered = font_covers(code)
    if covered is None or covered:  # without fontconfig, nothing is known: say nothing
        return None
    return _no_font(char)


_BLOCK_START = re.compile(r"[:-]\s*[|>][-+0-9]*\s*(#.*)?$")


def _printed_lines(text: str, yaml: bool) -> Iterator[tuple[int, str]]:
    """The lines that can be printed: in YAML, all but comment lines (a `#` line inside a
    `|` block is text, a Markdown title)."""
    block: int | None = None  # indentation of the key that opened a block scalar
    for number, line in enumerate(text.splitlines(), 1):
        if not yaml:
            yield number, line
            continue
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if block is not None and (not stripped or indent > block):
            yield number, line
            continue
        block = indent if _BLOCK_START.search(line) else None
        if not stripped.startswith("#"):
            yield number, line


def undrawable(text: str, *, yaml: bool = False) -> Iterator[Undrawable]:
    """Every character of `text` that will not print, with its position.

    With `yaml`, comment lines are skipped: YAML comments are never printed.
    """
    for number, line in _printed_lines(text, yaml):
        if line.isascii():
            continue
        for column, char in enumerate(line, 1):
            if ord(char) < 0x80:
                continue
            why = why_undrawable(char)
            if why is not None:
                yield Undrawable(number, column, char, why)


# --- fontconfig -------------------------------------------------------------------------------

_CDEF = """
typedef struct _FcPattern FcPattern;
typedef struct _FcCharSet FcCharSet;
typedef struct _FcObjectSet FcObjectSet;
typedef struct _FcConfig FcConfig;
typedef struct _FcFontSet { int nfont; int sfont; FcPattern **fonts; } FcFontSet;
FcPattern *FcPatternCreate (void);
void FcPatternDestroy (FcPattern *p);
FcCharSet *FcCharSetCreate (void);
int FcCharSetAddChar (FcCharSet *fcs, unsigned int ucs4);
void FcCharSetDestroy (FcCharSet *fcs);
int FcPatternAddCharSet (FcPattern *p, const char *object, const FcCharSet *c);
int FcPatternGetString (FcPattern *p, const char *object, int n, unsigned char **s);
FcObjectSet *FcObjectSetCreate (void);
int FcObjectSetAdd (FcObjectSet *os, const char *object);
void FcObjectSetDestroy (FcObjectSet *os);
FcFontSet *FcFontList (FcConfig *config, FcPattern *p, FcObjectSet *os);
void FcFontSetDestroy (FcFontSet *s);
"""
# The names WeasyPrint itself loads fontconfig by, on Linux, macOS (Homebrew) and Windows (MSYS2).
_LIBRARIES = ("fontconfig", "libfontconfig.so.1", "libfontconfig-1.dll", "libfontconfig.1.dylib")


@functools.cache
def _fontconfig() -> tuple[Any, Any] | None:
    try:
        import cffi
    except ImportError:
        return None
    ffi = cffi.FFI()
    ffi.cdef(_CDEF)
    for name in _LIBRARIES:
        try:
            return ffi, ffi.dlopen(name)
        except OSError:
            continue
    return None


@functools.cache
def fonts_for(code: int) -> tuple[str, ...] | None:
    """The families of the installed fonts that draw `code`; None when fontconfig is absent."""
    loaded = _fontconfig()
    if loaded is None:
        return None
    ffi, fc = loaded
    pattern = fc.FcPatternCreate()
    charset = fc.FcCharSetCreate()
    objects = fc.FcObjectSetCreate()
    try:
        fc.FcCharSetAddChar(charset, code)
        fc.FcPatternAddCharSet(pattern, b"charset", charset)
        fc.FcObjectSetAdd(objects, b"family")
        found = fc.FcFontList(ffi.NULL, pattern, objects)
        if found == ffi.NULL:
            return ()
        try:
            families = set()
            for index in range(found.nfont):
                value = ffi.new("unsigned char **")
                if fc.FcPatternGetString(found.fonts[index], b"family", 0, value) == 0:
                    families.add(ffi.string(value[0]).decode("utf-8", "replace"))
            return tuple(sorted(families))
        finally:
            fc.FcFontSetDestroy(found)
    finally:
        fc.FcObjectSetDestroy(objects)
        fc.FcCharSetDestroy(charset)
        fc.FcPatternDestroy(pattern)


def font_covers(code: int) -> bool | None:
    """Whether an installed font draws `code`; None when this cannot be known here."""
    families = fonts_for(code)
    return None if families is None else bool(families)
