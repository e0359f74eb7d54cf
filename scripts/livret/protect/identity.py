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
from dataclasses import dataclass
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

    secret: Any  # pyrage.x25519.Identity (pyrage ships no type hints)
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


def _parse_secret(text: str, origin: str) -> Identity:
    lines = [line.strip() for line in text.splitlines()]
    keys = [line for line in lines if line and not line.startswith("#")]
    if len(keys) != 1 or not keys[0].startswith(SECRET_PREFIX):
        raise LivretError(
            f"{origin} : ce n'est pas une identité age (une seule ligne « {SECRET_PREFIX}… » "
            "attendue) ; vérifiez le fichier ou la variable " + ENV_VAR
        )
    try:
        secret = pyrage.x25519.Identity.from_str(keys[0])
    except Exception:  # never pyrage's text: it could quote the key
        raise LivretError(
            f"{origin} : identité age illisible (clé abîmée ou tronquée) ; vérifiez le "
            f"fichier ou la variable {ENV_VAR}"
        ) from None
    return Identity(secret, str(secret.to_public()), origin)


def _inside(path: Path, root: Path | None) -> bool:
    if root is None:
        return False
    real, base = Path(os.path.realpath(path)), Path(os.path.realpath(root))
    return real == base or base in real.parents


def _read_file(path: Path, notices: list[str]) -> str:
    try:
        info = path.stat()
    except OSError as error:
        raise LivretError(
            f"{path} : identité age inaccessible ({error.strerror}) ; vérifiez le chemin "
            f"(ou la variable {ENV_VAR})"
        ) from None
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE:
        raise LivretError(
            f"{path} : ce n'est pas un fichier d'identité age ; faites pointer {ENV_VAR} "
            "vers le fichier créé par « livret cle »"
        )
    fixed = owner_only(path, 0o600, "l'identité age")
    if fixed:
        notices.append(fixed)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise LivretError(
            f"{path} : identité age illisible ; vérifiez ses droits, ou restaurez-la"
        ) from None


def identity_file(root: Path | None) -> Path | None:
    """Where this machine's identity file is, or None when LIVRET_IDENTITE holds the key."""
    given = os.environ.get(ENV_VAR, "").strip()
    if given.startswith(SECRET_PREFIX):
        return None
    path = Path(given).expanduser() if given else default_path()
    if _inside(path, root):
        # Anything in the work tree may be committed and pushed with the repository.
        raise LivretError(
            f"{path} : l'identité age ne doit jamais être dans le dépôt (elle serait publiée "
            f"avec lui) ; déplacez-la hors du dépôt et faites pointer {ENV_VAR} vers elle"
        )
    return path


def load_identity(
    root: Path | None, *, create: bool = False, notices: list[str] | None = None
) -> Identity | None:
    """This machine's identity; made (0600, outside `root`) when absent and `create`.

    None when there is none and `create` is false. A LIVRET_IDENTITE that names a missing
    file is an error unless `create` (only `livret cle` asks): a build never makes a new
    key in a place someone mistyped.
    """
    told = notices if notices is not None else []
    given = os.environ.get(ENV_VAR, "").strip()
    if given.startswith(SECRET_PREFIX):
        return _parse_secret(given, f"la variable {ENV_VAR}")
    path = identity_file(root)
    assert path is not None
    if path.exists() or path.is_symlink():
        return _parse_secret(_read_file(path, told), str(path))
    if not create:
        if given:  # never silently fall back to another key than the one named
            raise LivretError(
                f"{path} : identité age introuvable (variable {ENV_VAR}) ; créez-la avec "
                f"« livret cle », corrigez le chemin, ou retirez la variable"
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
            f"{path} : identité age impossible à écrire ({error.strerror}) ; vérifiez les "
            f"droits du dossier, ou faites pointer {ENV_VAR} vers un autre fichier"
        ) from None
    return Identity(secret, public, str(path))
