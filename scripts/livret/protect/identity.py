"""This machine's age identity: the private key that opens the team's access files.

The team store (protect/team.py) encrypts each dossier's access to every colleague's
public key. Each consultant's private key (an age X25519 identity) lives outside the
repository, in the user's configuration folder (`platformdirs.user_config_dir("livret")`),
mode 0600, made on first use by `livret cle`. `LIVRET_IDENTITE` overrides it: either the
path of another identity file, or the identity itself (`AGE-SECRET-KEY-1…`), which is how
a CI secret hands it over without writing a file.

No message ever shows the secret key, nor pyrage's own error text (which could quote it).
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs
import pyrage

from livret.errors import LivretError
from livret.files import write_private
from livret.publish.folders import owner_only

ENV_VAR = "LIVRET_IDENTITE"
FILE_NAME = "identite-age.txt"
SECRET_PREFIX = "AGE-SECRET-KEY-1"
# An age X25519 public key: "age1" then 58 bech32 characters (32 bytes and a checksum).
RECIPIENT = re.compile(r"age1[02-9ac-hj-np-z]{58}")
MAX_FILE = 64 * 1024  # an identity file is a few lines; anything bigger is not one


@dataclass(frozen=True)
class Identity:
    """A private key and where it came from (for messages, never the key itself)."""

    # pyrage.x25519.Identity (pyrage ships no type hints); never in a repr or a log.
    secret: Any = field(repr=False)
    public: str
    origin: str


def default_path() -> Path:
    return Path(platformdirs.user_config_dir("livret", appauthor=False)) / FILE_NAME


def parse_recipient(text: str) -> Any:
    """A pyrage recipient for an age X25519 public key, or None when `text` is not one.

    The shape is checked first (an allowlist on the whole string), then pyrage decodes it,
    which also checks the bech32 checksum: a mistyped key is refused, not half-used.
    """
    if not RECIPIENT.fullmatch(text):
        return None
    try:
        return pyrage.x25519.Recipient.from_str(text)
    except Exception:  # pyrage.RecipientError, or anything its decoder raises
        return None


# What a person may paste around the key: a `NAME=` or `export NAME=` prefix, quotes.
_PREFIX = re.compile(r"^(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=\s*")
_KEY_START = SECRET_PREFIX.casefold()
KEY_LENGTH = 74  # AGE-SECRET-KEY-1 and 58 bech32 characters


def _unwrap(text: str) -> str:
    """`text` without a BOM, a `NAME=` prefix, surrounding quotes or blanks."""
    text = text.lstrip("\ufeff").strip()
    match = _PREFIX.match(text)
    if match and not text.casefold().startswith(_KEY_START):
        text = text[match.end() :].strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1].strip()
    return text


def _lines(text: str) -> list[str]:
    """The non-comment lines, each unwrapped (CRLF, CR and a literal `\\n` split lines too:
    a pasted file may have been joined by a CI form)."""
    text = _unwrap(text)
    if holds_key(text):  # never in a path: C:\Users\nadia holds a backslash and an n
        text = text.replace("\\n", "\n")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = []
    for line in text.split("\n"):
        line = _unwrap(line)
        if line and not line.startswith("#"):
            kept.append(line)
    return kept


def holds_key(text: str) -> bool:
    """Whether `text` carries something shaped like an age identity, in any case."""
    return _KEY_START in text.casefold()


def describe(text: str) -> str:
    """What `text` looks like, never what it says: lengths and counts only."""
    lines = [line for line in text.replace("\r", "\n").split("\n") if line.strip()]
    return (
        f"{len(text)} caractère{'s' if len(text) > 1 else ''}, {len(lines)} ligne"
        + ("s" if len(lines) > 1 else "")
        + " non vide"
        + ("s" if len(lines) > 1 else "")
    )


def _parse_secret(text: str, origin: str) -> Identity:
    """The one age identity in `text` (what `livret cle` writes, comments and all, or the
    key alone, quoted, prefixed, in either case); a French refusal that never quotes it."""
    lines = _lines(text)
    keys = [line for line in lines if line.casefold().startswith(_KEY_START)]
    others = [line for line in lines if not line.casefold().startswith(_KEY_START)]
    where = f"{origin} ({describe(text)})"
    hint = (
        f"attendu : ce qu'écrit « livret cle » (commentaires compris), ou sa seule ligne "
        f"« {SECRET_PREFIX}… » de {KEY_LENGTH} caractères ; vérifiez le fichier ou la "
        f"variable {ENV_VAR}"
    )
    if not keys:
        raise LivretError(f"{where} : aucune identité age ({SECRET_PREFIX}…) ; {hint}")
    if len(keys) > 1:
        raise LivretError(
            f"{where} : {len(keys)} identités age, une seule attendue ; gardez celle de cette "
            f"machine ; {hint}"
        )
    if others:
        raise LivretError(
            f"{where} : {len(others)} ligne(s) en plus de l'identité, qui ne sont pas des "
            f"commentaires (« # … ») ; {hint}"
        )
    key = keys[0].upper()  # bech32 is one case or the other; age writes upper case
    if len(key) != KEY_LENGTH or any(c.isspace() for c in key):
        raise LivretError(
            f"{where} : identité age tronquée ou abîmée ({len(key)} caractères au lieu de "
            f"{KEY_LENGTH}) ; {hint}"
        )
    try:
        secret = pyrage.x25519.Identity.from_str(key)
    except Exception:  # never pyrage's text: it could quote the key
        raise LivretError(
            f"{where} : identité age illisible (une lettre changée ou manquante : la "
            f"somme de contrôle ne concorde pas) ; {hint}"
        ) from None
    return Identity(secret, str(secret.to_public()), origin)


def _shown_path(given: str) -> str:
    """A path for messages, when it cannot be a secret pasted in the wrong place: no
    `AGE-SECRET-KEY`, no long run of key-like characters, printable, not too long."""
    safe = (
        not holds_key(given)
        and len(given) <= 300
        and given.isprintable()
        and not re.search(r"[0-9A-Za-z]{30,}", given)
    )
    return given if safe else f"le chemin donné ({describe(given)})"


def _inside(path: Path, root: Path | None) -> bool:
    if root is None:
        return False
    real, base = Path(os.path.realpath(path)), Path(os.path.realpath(root))
    return real == base or base in real.parents


def _read_file(path: Path, notices: list[str]) -> str:
    shown = _shown_path(str(path))
    try:
        info = path.stat()
    except OSError as error:
        raise LivretError(
            f"{shown} : identité age inaccessible ({error.strerror}) ; vérifiez le chemin "
            f"(ou la variable {ENV_VAR})"
        ) from None
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE:
        raise LivretError(
            f"{shown} : ce n'est pas un fichier d'identité age ; faites pointer {ENV_VAR} "
            "vers le fichier créé par « livret cle »"
        )
    fixed = owner_only(path, 0o600, "l'identité age")
    if fixed:
        notices.append(fixed)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise LivretError(
            f"{shown} : identité age illisible ; vérifiez ses droits, ou restaurez-la"
        ) from None


def _given() -> str:
    return os.environ.get(ENV_VAR, "")


def _given_is_key(given: str) -> bool:
    """A value that holds a key, or several lines: never a path (and never printed)."""
    return holds_key(given) or len(_lines(given)) > 1


def identity_file(root: Path | None) -> Path | None:
    """Where this machine's identity file is, or None when LIVRET_IDENTITE holds the key."""
    given = _given()
    if _given_is_key(given):
        return None
    cleaned = _unwrap(given)
    path = Path(cleaned).expanduser() if cleaned else default_path()
    if _inside(path, root):
        # Anything in the work tree may be committed and pushed with the repository.
        raise LivretError(
            f"{_shown_path(str(path))} : l'identité age ne doit jamais être dans le dépôt (elle "
            f"serait publiée avec lui) ; déplacez-la hors du dépôt et faites pointer {ENV_VAR} "
            "vers elle"
        )
    return path


def load_identity(
    root: Path | None, *, create: bool = False, notices: list[str] | None = None
) -> Identity | None:
    """This machine's identity; made (0600, outside `root`) when absent and `create`.

    None when there is none and `create` is false. A LIVRET_IDENTITE that names a missing
    file is an error unless `create` (only `livret cle` asks): a build never makes a new
    key in a place someone mistyped. `LIVRET_IDENTITE` holds either the identity (what
    `livret cle` writes, or its key line alone, quoted or `NAME=`-prefixed) or a path.
    """
    told = notices if notices is not None else []
    given = _given()
    if _given_is_key(given):
        return _parse_secret(given, f"la variable {ENV_VAR}")
    path = identity_file(root)
    assert path is not None
    shown = _shown_path(str(path))
    if path.exists() or path.is_symlink():
        return _parse_secret(_read_file(path, told), shown)
    if not create:
        if given.strip():  # never silently fall back to another key than the one named
            raise LivretError(
                f"{shown} : identité age introuvable (variable {ENV_VAR}, qui contient "
                f"{describe(given)} : ni une identité age, ni le chemin d'un fichier existant) "
                f"; créez-la avec « livret cle », corrigez le chemin, ou retirez la variable"
            )
        return None
    secret = pyrage.x25519.Identity.generate()
    public = str(secret.to_public())
    text = f"# identité age de livret (clé privée : ne la partagez jamais)\n# public: {public}\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_private(path, (text + f"{secret}\n").encode())
    except OSError as error:
        raise LivretError(
            f"{shown} : identité age impossible à écrire ({error.strerror}) ; vérifiez les "
            f"droits du dossier, ou faites pointer {ENV_VAR} vers un autre fichier"
        ) from None
    return Identity(secret, public, str(path))
