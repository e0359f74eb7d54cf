"""Booklet ids and passphrases, kept in a git-ignored store.

Each dossier gets a random booklet directory name (120 bits, never derived from
names) and a passphrase of six French words drawn with `secrets` from the curated list
packaged in `livret/data/mots.txt` (65.2 bits; see data/README.md). The store lives in
`.livret/acces.json` (mode 0600) or wherever `LIVRET_ACCESS` points. Both stay the
same from one build to the next until a consultant asks for a new passphrase
(`livret access SLUG --nouvelle-phrase`) or a new link (`--nouveau-lien`).

This module holds what every store shares: the `Access` record, the `Store` interface and
its clear implementation (`ClearStore`). The team implementation is `protect/team.py`, and
`protect/stores.py` picks one of them; neither implementation imports the other's module.
"""

from __future__ import annotations

import abc
import base64
import bisect
import datetime as dt
import functools
import itertools
import json
import math
import os
import re
import secrets
import stat
from collections import Counter
from dataclasses import asdict, dataclass, replace
from importlib import resources
from pathlib import Path

from livret.errors import LivretError
from livret.files import write_private
from livret.project import Project
from livret.protect.gitguard import ensure_private
from livret.publish.folders import (
    owner_only,
)

ENV_VAR = "LIVRET_ACCESS"
STORE_NAME = "acces.json"
# The site's PBKDF2 is a million iterations, but the PDF's own key derivation (R6) is far
# cheaper, so the passphrase alone must resist offline guessing: at least 64 bits.
WORDS = 6
# Some PDF readers (poppler, so Evince and Okular) silently cut passwords to 32 bytes even
# for AES-256; a longer passphrase would then not open the PDF it was typed for.
MAX_LENGTH = 32
WORDLIST = "mots.txt"
ID_BYTES = 15  # 120 bits, base32: 24 characters [a-z2-7]


@dataclass(frozen=True)
class Access:
    """What opens one booklet."""

    slug: str
    booklet_id: str
    passphrase: str
    created: str
    # How many times a member asked for a new passphrase or link: the build refuses an
    # entry older than, or different at the same count from, the one it last published.
    counter: int = 0


@functools.cache
def wordlist() -> tuple[str, ...]:
    """The curated French words passphrases are drawn from, packaged with livret.

    The list was read by hand so that every passphrase can be sent by SMS and said aloud
    (see scripts/livret/data/README.md); it is plain lowercase ASCII of 3 to 6 letters,
    easy to type on a phone.
    The shape check makes a damaged copy fail loudly instead of weakening passphrases.
    """
    text = resources.files("livret").joinpath("data", WORDLIST).read_text(encoding="utf-8")
    words = tuple(line for line in text.splitlines() if line and not line.startswith("#"))
    if len(set(words)) != len(words) or not all(re.fullmatch(r"[a-z]{3,6}", w) for w in words):
        raise LivretError(
            f"la liste de mots des phrases de passe ({WORDLIST}) est abîmée ; réinstallez livret"
        )
    return words


@functools.cache
def _listed() -> frozenset[str]:
    return frozenset(wordlist())


def in_current_list(passphrase: str) -> bool:
    """Whether every word of `passphrase` is still in the list.

    Booklets made before the list was read by hand may carry a word since removed (a
    blocked word, or one too rare to say); the build tells the consultant to rotate them.
    """
    return set(passphrase.split("-")) <= _listed()


def entropy_bits(words: tuple[str, ...] | None = None) -> float:
    """Bits of entropy of `new_passphrase`: log2 of how many passphrases it can return."""
    lengths = Counter(len(w) for w in (words or wordlist()))
    totals: Counter[int] = Counter({0: 1})
    for _ in range(WORDS):
        following: Counter[int] = Counter()
        for total, ways in totals.items():
            for length, count in lengths.items():
                following[total + length] += ways * count
        totals = following
    accepted = sum(w for total, w in totals.items() if total + WORDS - 1 <= MAX_LENGTH)
    return math.log2(accepted)


Shapes = tuple[tuple[int, ...], tuple[tuple[int, ...], ...], dict[int, tuple[str, ...]]]


@functools.cache
def _shapes(words: tuple[str, ...]) -> Shapes:
    """Every sequence of word lengths that fits in MAX_LENGTH, with running totals.

    A shape's weight is how many passphrases have it (the product of how many words have
    each length), so the last running total is the number of possible passphrases.
    """
    groups: dict[int, list[str]] = {}
    for word in words:
        groups.setdefault(len(word), []).append(word)
    cumulative: list[int] = []
    shapes: list[tuple[int, ...]] = []
    total = 0
    for shape in itertools.product(sorted(groups), repeat=WORDS):
        if sum(shape) + WORDS - 1 <= MAX_LENGTH:
            total += math.prod(len(groups[n]) for n in shape)
            cumulative.append(total)
            shapes.append(shape)
    return tuple(cumulative), tuple(shapes), {n: tuple(ws) for n, ws in groups.items()}


def new_passphrase(words: tuple[str, ...] | None = None) -> str:
    """Six French words drawn with `secrets`, at most 32 characters (65.2 bits).

    Every passphrase that fits is equally likely, as with drawing six words and starting
    again when they are too long, but without the ~140 draws that would take: a shape
    (the six lengths) is drawn with the weight of how many passphrases have it, then each
    word among those of its length. The exact figure is `entropy_bits()`; tests keep it at
    64 bits or more and check the draw against a brute-force count.
    """
    cumulative, shapes, groups = _shapes(words or wordlist())
    shape = shapes[bisect.bisect_right(cumulative, secrets.randbelow(cumulative[-1]))]
    return "-".join(secrets.choice(groups[n]) for n in shape)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def new_booklet_id() -> str:
    return base64.b32encode(secrets.token_bytes(ID_BYTES)).decode().lower()


def store_path(project: Project) -> Path:
    override = os.environ.get(ENV_VAR)
    return Path(override) if override else project.private / STORE_NAME


def _check_file(path: Path) -> str | None:
    """Refuse a store that is not a readable regular file; close one others could read.

    Checked before reading: a FIFO in its place would make the read wait forever.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise LivretError(
            f"{path}: fichier des accès inaccessible ({error.strerror}) ; vérifiez le chemin "
            f"(ou la variable {ENV_VAR}) et les droits du dossier"
        ) from None
    if not stat.S_ISREG(info.st_mode):
        kind = "un dossier" if stat.S_ISDIR(info.st_mode) else "pas un fichier ordinaire"
        raise LivretError(
            f"{path}: le fichier des accès est {kind} ; faites pointer {ENV_VAR} vers un "
            "fichier (par exemple …/acces.json), ou déplacez ce qui occupe ce chemin"
        )
    return owner_only(path, 0o600, "le fichier des accès")


def _load(path: Path) -> dict[str, Access]:
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise LivretError(
            f"{path}: fichier des accès illisible ({error.strerror}) ; vérifiez ses droits, "
            "ou restaurez-le depuis votre sauvegarde"
        ) from None
    except ValueError as error:
        raise LivretError(
            f"{path}: fichier des accès illisible ({error}) ; restaurez-le depuis votre sauvegarde"
        ) from None
    try:
        entries = {slug: Access(slug=slug, **entry) for slug, entry in raw["livrets"].items()}
    except (ValueError, KeyError, TypeError) as error:
        raise LivretError(
            f"{path}: fichier des accès illisible ({error}) ; restaurez-le depuis votre sauvegarde"
        ) from None
    for slug, access in entries.items():
        if not valid_access(access):
            raise LivretError(
                f"{path}: entrée « {slug} » invalide (identifiant ou phrase de passe) ; "
                "restaurez le fichier depuis votre sauvegarde"
            )
    return entries


def _save(path: Path, entries: dict[str, Access]) -> None:
    data = {
        "livrets": {
            slug: {k: v for k, v in asdict(a).items() if k != "slug"}
            for slug, a in sorted(entries.items())
        }
    }
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    try:
        write_private(path, text.encode("utf-8"))
    except OSError as error:
        raise LivretError(
            f"{path}: fichier des accès impossible à écrire ({error.strerror}) ; vérifiez le "
            f"chemin (ou la variable {ENV_VAR}), les droits et la place sur le disque"
        ) from None


def valid_access(access: Access) -> bool:
    """The id becomes a folder name that is swapped and deleted: never trust its shape."""
    return (
        bool(re.fullmatch(r"[a-z2-7]{24}", access.booklet_id))
        and len(access.passphrase) >= 16
        and type(access.counter) is int
        and access.counter >= 0
    )


class Store(abc.ABC):
    """Booklet ids and passphrases by dossier, whichever way they are kept.

    Two kinds: `ClearStore`, one git-ignored file on this machine (a consultant alone, the
    default), and `protect.team.TeamStore`, one age-encrypted file per dossier committed in
    `acces/` (a team). `open_store` picks the one the repository uses; build, access and
    purge only see this interface. `notices` holds what livret had to fix on the way
    (permissions), for the CLI to show; `path` is where the store lives.
    """

    path: Path
    notices: list[str]
    _entries: dict[str, Access]

    def get(self, slug: str) -> Access | None:
        return self._entries.get(slug)

    def ensure(self, slug: str) -> Access:
        """The slug's access, created (and kept) on first use."""
        found = self._entries.get(slug)
        if found is not None:
            return found
        return self.keep(self.draft(slug))

    def draft(self, slug: str) -> Access:
        """A new access for `slug`, not kept: the build keeps it once the booklet is made,
        so a refused build leaves no entry behind."""
        taken = {a.booklet_id for s, a in self._entries.items() if s != slug}
        booklet_id = new_booklet_id()
        while booklet_id in taken:  # pragma: no cover - 120 random bits
            booklet_id = new_booklet_id()
        return Access(
            slug=slug,
            booklet_id=booklet_id,
            passphrase=new_passphrase(),
            created=_now(),
        )

    def keep(self, access: Access) -> Access:
        self._entries[access.slug] = access
        self._write(access)
        return access

    def rotate(self, slug: str, *, link: bool = True) -> Access:
        """A new passphrase, and a new booklet id when `link`; the counter goes up by one.

        Only a consultant's request calls this (livret access --nouvelle-phrase,
        --nouveau-lien): the counter is how a later build tells that change from a file
        that merely appeared.
        """
        old = self._entries.get(slug)
        fresh = self.draft(slug)
        if old is not None:
            fresh = replace(
                fresh,
                booklet_id=fresh.booklet_id if link else old.booklet_id,
                counter=old.counter + 1,
            )
        return self.keep(fresh)

    def remove(self, slug: str) -> None:
        if self._entries.pop(slug, None) is not None:
            self._forget(slug)

    def all(self) -> dict[str, Access]:
        return dict(self._entries)

    def entry_name(self, slug: str) -> str:
        """Where the slug's entry is kept, for messages."""
        return str(self.path)

    @abc.abstractmethod
    def _write(self, access: Access) -> None:
        """Keep `access` (already in `_entries`), atomically."""

    @abc.abstractmethod
    def _forget(self, slug: str) -> None:
        """Drop the slug's access (already out of `_entries`), atomically."""


class ClearStore(Store):
    """The git-ignored `.livret/acces.json`, each change written atomically with mode 0600."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.path = store_path(project)
        ensure_private(project, [self.path])
        fixed = _check_file(self.path)
        self.notices = [fixed] if fixed else []
        self._entries = _load(self.path)

    def _write(self, access: Access) -> None:
        _save(self.path, self._entries)

    def _forget(self, slug: str) -> None:
        _save(self.path, self._entries)


AccessStore = ClearStore  # the name the tests and older callers know
