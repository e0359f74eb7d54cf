"""Verify a built booklet before it is published (`publish/swap.py` then puts it in place).

Verification runs in every build, not only in tests: a booklet with one page in
clear, a personal string anywhere, or a file that is not on the allowlist is never
published.
"""

from __future__ import annotations

import functools
import html
import json
import re
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from livret.dossier import model
from livret.dossier.load import Dossier
from livret.errors import LivretError
from livret.protect.allowlist import check_svg, css_problems, html_problems

ENCRYPTED_MARKERS = (
    'id="mkdocs-encrypted-content"',
    "var encryptcontent_keystore = [",
    "var encryptcontent_id = ",
)
# Present only when page content, navigation, table of contents or footer are in clear.
CLEAR_MARKERS = (
    'class="headerlink"',
    '<h2 id="',
    '<h3 id="',
    'class="md-nav__link',
    'class="md-nav__item',
    'class="md-ellipsis"',
    'class="md-footer__link',
    'class="md-footer__title',
    'data-md-component="toc"',
    'class="livret-',  # our own page classes only ever appear inside encrypted content
)
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/=]{24,}")
_KEYSTORE = re.compile(r"var encryptcontent_keystore = (\[.*?\]);", re.S)
_CIPHER = re.compile(
    r'<div id="mkdocs-encrypted-content"[^>]*>\s*[A-Za-z0-9+/=]+;[A-Za-z0-9+/=]+\s*<'
)

# Hosts a booklet must never make the browser call (fonts, CDNs, analytics).
THIRD_PARTY_HOSTS = (
    "fonts.googleapis", "gstatic", "unpkg", "jsdelivr", "cdnjs", "googletagmanager",
)  # fmt: skip

# Anything that would make the browser load from another host, whatever the host:
# a tag that fetches (script, img, link…) or a stylesheet `url()` / `@import` with an
# absolute address. Links the reader clicks (<a href>) are not loads.
REMOTE_LOAD = re.compile(
    r"<(?:script|img|iframe|link|source|video|audio|embed|object|image|use)\b[^>]*?"
    r"\b(?:src|href|data|srcset|xlink:href)\s*=\s*[\"']?\s*(?:https?:)?//"
    r"|url\(\s*[\"']?\s*(?:https?:)?//|@import\s+[\"']?(?:url\()?\s*[\"']?\s*(?:https?:)?//",
    re.IGNORECASE,
)

# Theme assets copied by MkDocs; anything else in a booklet is refused.
ASSET_SUFFIXES = (".css", ".js", ".map", ".svg", ".png", ".ico", ".json")
ROBOTS = "User-agent: *\nDisallow: /\n"


# Material's bundle would fetch a polyfill (very old browsers) and Mermaid (diagrams, which a
# booklet never has) from a CDN: point both at an empty inline script instead.
_CDN_URL = re.compile(
    r"https?://(?:unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|fonts\.googleapis\.com"
    r"|fonts\.gstatic\.com|www\.googletagmanager\.com)[^\"'`\s)]*"
)


def rewrite_script(data: bytes) -> bytes:
    """A theme script as livret publishes it: CDN addresses replaced by an empty script."""
    text = data.decode("utf-8")
    return _CDN_URL.sub("data:text/javascript,", text).encode("utf-8")


class UnsafeBooklet(LivretError):
    """The built booklet failed a privacy check; it is not published."""


def _variants(secret: str) -> set[str]:
    """The forms a string can take in HTML, JSON or a URL."""
    lowered = secret.casefold()
    slug = re.sub(r"[^a-z0-9]+", "-", lowered).strip("-")
    forms = {
        secret,
        lowered,
        html.escape(secret),
        html.escape(lowered),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
    }
    if len(slug) >= 6:
        forms.add(slug)
    return {f for f in forms if len(f) >= 4}


def _written(dossier: Dossier) -> Iterator[str]:
    """Every string the consultant wrote for this person, including published notes."""

    def walk(value: Any) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from walk(item)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item)

    for doc in dossier.docs.values():
        yield from walk(doc.data)
    for note in dossier.notes:
        yield note.meta.titre
        yield from (line for line in note.body.splitlines() if len(line.strip()) >= 12)
    yield dossier.slug


# Values of the contract's fixed lists (`presentiel`, `savoir_faire`…): the same in every
# dossier and written by the theme too, so never personal on their own.
_VOCABULARY = frozenset(
    str(choice)
    for kind in (
        model.Situation, model.ModeFinancement, model.Destinataire, model.Phase,
        model.Modalite, model.Categorie, model.Statut, model.Qui, model.Genre,
    )
    for choice in typing.get_args(kind)
) | {"beneficiaire", "consultant"}  # fmt: skip


def personal_strings(dossier: Dossier) -> Iterator[str]:
    """What no byte of a booklet may show in clear: every string written for this person,
    but the contract's fixed words, which are the same in every dossier."""
    return (value for value in _written(dossier) if value not in _VOCABULARY)


def personal_needles(strings: Iterable[str]) -> list[str]:
    """Every form of every personal string worth looking for."""
    needles: set[str] = set()
    for value in strings:
        value = value.strip()
        if len(value) < 4:
            continue
        # Long texts are looked for by their start: enough to catch a leak, cheap to scan.
        needles |= _variants(value[:48])
    return sorted(needles, key=len, reverse=True)


def _has_word(text: str, needle: str) -> bool:
    """`needle` in `text` as a whole word or phrase, not inside a longer word.

    Random file names and ciphertext spell short words by chance ("rive" inside a
    random PDF name); a real leak writes the value as such.
    """
    start = text.find(needle)
    while start != -1:
        end = start + len(needle)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not before.isalnum() and not after.isalnum():
            return True
        start = text.find(needle, start + 1)
    return False


def _theme_file(relative: str, data: bytes, theme_dirs: Iterable[Path]) -> bool:
    """True when the file is a byte-for-byte copy of a theme file."""
    for folder in theme_dirs:
        source = folder / relative
        if source.is_file() and source.stat().st_size == len(data) and source.read_bytes() == data:
            return True
    return False


@functools.lru_cache(maxsize=64)
def _asset_problems(suffix: str, data: bytes, relative: str) -> tuple[str, ...]:
    """Allowlist refusals of a stylesheet or SVG; theme files repeat, so parse each once."""
    if suffix == ".svg":
        return tuple(f.message for f in check_svg(data))
    return tuple(css_problems(data.decode("utf-8", errors="replace"), base=relative))


# Where a page's clear shell can come from: templates and labels, not scripts.
_TEXT_SUFFIXES = (".html", ".json", ".yml", ".yaml", ".txt", ".md", ".xml")


@functools.lru_cache(maxsize=16)
def _folder_corpus(folder: Path) -> str:
    """Every text one theme folder may print: its templates, translations and labels.

    Cached per folder: Material's and the provider's theme are read once per process,
    while the per-booklet docs folder (placeholders, the logo) is small.
    """
    parts = []
    for path in folder.rglob("*") if folder.is_dir() else ():
        if path.suffix in _TEXT_SUFFIXES and path.is_file():
            parts.append(path.read_text(encoding="utf-8", errors="replace"))
    return html.unescape("\n".join(parts))


@functools.lru_cache(maxsize=8192)
def _in_folder(value: str, folder: Path) -> bool:
    return value in _folder_corpus(folder)


def _written_by_theme(value: str, dirs: tuple[Path, ...]) -> bool:
    return any(_in_folder(value, folder) for folder in dirs)


def _unknown_strings(page: str, theme_dirs: list[Path], known: frozenset[str]) -> list[str]:
    """Texts and attribute values of a page's shell that neither the theme nor the provider
    writes as they are; ciphertext and our allowlisted scripts are left out."""
    root = LexborHTMLParser(page).root
    found: list[str] = []
    dirs = tuple(theme_dirs)

    def consider(value: str) -> None:
        value = " ".join(value.split())
        if (
            len(value) >= 3
            and not _BASE64_RUN.fullmatch(value.replace(";", ""))
            and value not in known
            and not _written_by_theme(value, dirs)
        ):
            found.append(_BASE64_RUN.sub(" ", value))

    for node in root.traverse(include_text=True) if root is not None else ():
        if node.tag == "-text":
            parent = node.parent
            if parent is None or parent.tag not in ("script", "style"):
                consider(node.text(deep=False))
        elif node.tag and not node.tag.startswith("-"):
            for value in node.attributes.values():
                consider(value or "")
    return found


def _approved_script(
    relative: str, data: bytes, theme_dirs: list[Path], generated: dict[str, bytes]
) -> bool:
    """A script is ours when it is a theme script, as is or as livret rewrites it, or the
    unlock script as the encryption plugin renders it. No other script is published."""
    if relative in generated:
        return data == generated[relative]
    for folder in theme_dirs:
        source = folder / relative
        if source.is_file():
            pristine = source.read_bytes()
            return data in (pristine, rewrite_script(pristine))
    return False


@dataclass(frozen=True)
class _Needles:
    """What must not be readable: personal strings and the passphrase, ready to look for."""

    folded: list[str]
    binary: list[str]

    @classmethod
    def of(cls, personal: Iterable[str], passphrase: str) -> _Needles:
        needles = personal_needles(personal)
        if len(passphrase) >= 8:
            needles.append(passphrase)
        folded = sorted({n.casefold() for n in needles}, key=len, reverse=True)
        # Encrypted PDF bytes are random: only long values are worth looking for there.
        return cls(folded, [n for n in needles if len(n) >= 8])

    def found_in(self, text: str, *, binary: bool) -> bool:
        if binary:
            return any(_has_word(text, n) for n in self.binary)
        folded = text.casefold()
        return any(_has_word(folded, n) for n in self.folded)


def _page_problems(relative: str, text: str) -> list[str]:
    """An HTML page: allowlisted, no third party, and (but the 404 page) encrypted."""
    problems = []
    hosts = [h for h in THIRD_PARTY_HOSTS if h in text]
    if hosts or REMOTE_LOAD.search(text):
        problems.append(f"{relative} : appel à un site tiers ({', '.join(hosts)})")
    problems += [f"{relative} : {p}" for p in html_problems(text, relative, content=False)]
    if relative == "404.html":
        return problems
    if not all(m in text for m in ENCRYPTED_MARKERS) or not _CIPHER.search(text):
        problems.append(f"{relative} : page non chiffrée")
    clear = [m for m in CLEAR_MARKERS if m in text]
    if clear:
        problems.append(f"{relative} : contenu en clair ({', '.join(clear)})")
    keystore = _KEYSTORE.search(text)
    if keystore is None or not json.loads(keystore.group(1)):
        problems.append(f"{relative} : trousseau de clés absent")
    return problems


def _asset_check(
    relative: str, data: bytes, theme_dirs: list[Path], generated: dict[str, bytes]
) -> tuple[list[str], str | None]:
    """An asset's problems, and its text when it still has to be scanned for leaks."""
    suffix = Path(relative).suffix.lower()
    if suffix == ".js":
        if not _approved_script(relative, data, theme_dirs, generated):
            return [f"{relative} : script inconnu, publication refusée"], None
        return [], None  # one of ours, byte for byte: nothing of the dossier in it
    problems = []
    text = data.decode("utf-8", errors="replace")
    hosts = [h for h in THIRD_PARTY_HOSTS if h in text]
    if hosts or (suffix == ".css" and REMOTE_LOAD.search(text)):
        problems.append(f"{relative} : appel à un site tiers ({', '.join(hosts)})")
    if suffix in (".css", ".svg"):
        problems += [f"{relative} : {p}" for p in _asset_problems(suffix, data, relative)]
    return problems, None if _theme_file(relative, data, theme_dirs) else text


def verify_booklet(
    folder: Path,
    personal: Iterable[str],
    passphrase: str,
    theme_dirs: Iterable[Path] = (),
    generated: dict[str, bytes] | None = None,
    known: Iterable[str] = (),
) -> None:
    """Refuse to publish unless every page is encrypted and nothing personal is readable.

    Every HTML page, stylesheet and SVG is held to the allowlist of `livret.protect.allowlist`;
    every script must be one of ours, byte for byte. Theme assets that are exact copies
    of the theme's own files cannot carry anything of the dossier, and need no scan.
    In a page, every text and attribute value outside the ciphertext is scanned unless the
    theme (`theme_dirs`) or the provider's settings (`known`) write it as such.
    """
    theme_dirs = list(theme_dirs)
    needles = _Needles.of(personal, passphrase)
    problems: list[str] = []
    pages = 0
    for path in sorted(folder.rglob("*")):
        if path.is_dir():
            continue
        relative = path.relative_to(folder).as_posix()
        suffix = path.suffix.lower()
        binary = False
        if path.is_symlink():
            problems.append(f"{relative} : lien symbolique")
            continue
        if suffix == ".html":
            text = path.read_text(encoding="utf-8")
            problems += _page_problems(relative, text)
            pages += relative != "404.html"
            # Only the shell's own words that the theme does not write can be a leak:
            # "page" in Material's « Pied de page » is not Mr Page's name.
            scanned: str | None = "\n".join(_unknown_strings(text, theme_dirs, frozenset(known)))
        elif suffix == ".pdf":
            scanned, binary = path.read_bytes().decode("latin-1"), True
            if "/Encrypt" not in scanned:
                problems.append(f"{relative} : PDF non chiffré")
        elif relative.startswith("assets/") and suffix in ASSET_SUFFIXES:
            found, scanned = _asset_check(relative, path.read_bytes(), theme_dirs, generated or {})
            problems += found
        else:
            problems.append(f"{relative} : fichier non autorisé dans un livret")
            continue
        if scanned is not None and needles.found_in(scanned, binary=binary):
            problems.append(f"{relative} : une donnée personnelle est lisible en clair")
    if pages == 0:
        problems.append("aucune page chiffrée")
    if problems:
        raise UnsafeBooklet(
            "publication refusée, le livret n'est pas sûr : " + " ; ".join(problems[:10])
        )
