"""The team key: what proves that an access entry was written by a member of the team.

age encrypts to the recipients of `acces/destinataires.txt` but says nothing of who wrote
a file: with the public keys alone, anyone who can push one file could write an access
entry of their own. So every entry carries an HMAC-SHA256 tag made with a 32-byte team
key that only members hold: the key is kept in `acces/_equipe.age`, age-encrypted to the
recipients, and a new one is drawn whenever someone leaves the team.

`acces/_equipe.age` itself is attacker-writable like any file: someone outside the team
could draw a key of their own and encrypt it to every recipient. Two things stop that:
- each new key is linked to the one before by a tag made with the one before
  (`links`), so a key nobody in the team made has no valid link;
- each machine remembers the fingerprint of the key it last trusted (outside the
  repository, next to its age identity), and CI is given it in `LIVRET_EQUIPE`; a key
  whose chain does not reach that fingerprint is refused.
The file also seals the list of recipients: a key added to `destinataires.txt` by hand
(or by someone outside the team) is refused instead of being encrypted to at the next
change.

What the HMAC covers is the whole entry, field by field from the dataclass (so a field
added later is covered without anyone thinking of it), with the slug, the team, the key's
generation and a format label: a tag cannot be moved to another file, team or format.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, hmac

from livret.files import write_private

KEY_BYTES = 32
FORMAT = "livret-equipe-1"
ENTRY_FORMAT = "livret-acces-1"
PIN_VAR = "LIVRET_EQUIPE"
PIN_FILE = "equipes.json"


@dataclass(frozen=True)
class TeamKey:
    """Every team key drawn so far (the last one is current), chained, and the sealed
    recipient list."""

    team: str  # a random id of the team, bound into every tag
    keys: tuple[bytes, ...]
    links: tuple[str, ...]  # links[i] ties keys[i + 1] to keys[i]
    recipients: tuple[str, ...]  # the public keys the current key was sealed for, sorted
    seal: str

    @property
    def current(self) -> bytes:
        return self.keys[-1]

    @property
    def generation(self) -> int:
        return len(self.keys)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.current)


def _mac(key: bytes, *parts: str) -> bytes:
    h = hmac.HMAC(key, hashes.SHA256())
    h.update(json.dumps(parts, ensure_ascii=True, separators=(",", ":")).encode("ascii"))
    return h.finalize()


def _check(key: bytes, tag: str, *parts: str) -> bool:
    try:
        expected = bytes.fromhex(tag)
    except ValueError:
        return False
    h = hmac.HMAC(key, hashes.SHA256())
    h.update(json.dumps(parts, ensure_ascii=True, separators=(",", ":")).encode("ascii"))
    try:
        h.verify(expected)  # constant time
    except InvalidSignature:
        return False
    return True


def fingerprint(key: bytes) -> str:
    """A short public name of a team key (a MAC of a label: it tells nothing of the key)."""
    raw = base64.b32encode(_mac(key, "livret/equipe/empreinte")[:10]).decode().lower()
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _link(previous: bytes, team: str, generation: int, following: bytes) -> str:
    return _mac(previous, "lien", team, str(generation), fingerprint(following)).hex()


def _seal(key: bytes, team: str, generation: int, recipients: tuple[str, ...]) -> str:
    return _mac(key, "destinataires", team, str(generation), *recipients).hex()


def new_team(recipients: list[str]) -> TeamKey:
    key, team = secrets.token_bytes(KEY_BYTES), secrets.token_hex(16)
    listed = tuple(sorted(recipients))
    return TeamKey(team, (key,), (), listed, _seal(key, team, 1, listed))


def sealed_for(team: TeamKey, recipients: list[str]) -> TeamKey:
    """The same key, sealed for a new list (a colleague added)."""
    listed = tuple(sorted(recipients))
    return dataclasses.replace(
        team, recipients=listed, seal=_seal(team.current, team.team, team.generation, listed)
    )


def rotated(team: TeamKey, recipients: list[str]) -> TeamKey:
    """A new key linked to the current one, sealed for `recipients` (a colleague left)."""
    key = secrets.token_bytes(KEY_BYTES)
    generation = team.generation + 1
    link = _link(team.current, team.team, generation, key)
    listed = tuple(sorted(recipients))
    return TeamKey(
        team.team,
        (*team.keys, key),
        (*team.links, link),
        listed,
        _seal(key, team.team, generation, listed),
    )


def encode(team: TeamKey) -> bytes:
    data = {
        "format": FORMAT,
        "equipe": team.team,
        "cles": [base64.b64encode(k).decode("ascii") for k in team.keys],
        "liens": list(team.links),
        "destinataires": list(team.recipients),
        "sceau": team.seal,
    }
    return json.dumps(data, sort_keys=True).encode("utf-8")


def decode(clear: bytes) -> TeamKey | None:
    """The team key file's content, or None when its shape or any tag is wrong."""
    try:
        raw = json.loads(clear.decode("utf-8"))
        if raw["format"] != FORMAT:
            return None
        keys = tuple(base64.b64decode(k, validate=True) for k in raw["cles"])
        team = TeamKey(
            str(raw["equipe"]),
            keys,
            tuple(str(x) for x in raw["liens"]),
            tuple(str(x) for x in raw["destinataires"]),
            str(raw["sceau"]),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if not keys or any(len(k) != KEY_BYTES for k in keys) or len(team.links) != len(keys) - 1:
        return None
    for index, link in enumerate(team.links):
        if not _check(
            keys[index], link, "lien", team.team, str(index + 2), fingerprint(keys[index + 1])
        ):
            return None
    if list(team.recipients) != sorted(team.recipients):
        return None
    if not _check(
        team.current, team.seal, "destinataires", team.team, str(team.generation), *team.recipients
    ):
        return None
    return team


def reaches(team: TeamKey, pinned: str) -> bool:
    """Whether the chain holds the key this machine trusted (then every later key was
    linked by a member: nobody can link a key without holding the one before)."""
    return any(fingerprint(k) == pinned for k in team.keys)


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def canonical_fields(entry: Any) -> dict[str, Any]:
    """Every field of a dataclass entry, as JSON values (bytes as base64, tuples as lists)."""
    return {f.name: _plain(getattr(entry, f.name)) for f in dataclasses.fields(entry)}


def restore(value: Any) -> Any:
    """The inverse of `_plain` for what JSON gives back."""
    if isinstance(value, dict) and set(value) == {"base64"}:
        return base64.b64decode(value["base64"], validate=True)
    if isinstance(value, list):
        return tuple(restore(v) for v in value)
    return value


def entry_tag(team: TeamKey, slug: str, entry: Any) -> str:
    body = json.dumps(canonical_fields(entry), sort_keys=True, ensure_ascii=True)
    return _mac(team.current, ENTRY_FORMAT, team.team, str(team.generation), slug, body).hex()


def entry_made_with(team: TeamKey, slug: str, entry: Any, tag: str, generation: int) -> str:
    """ "current" when `tag` is the current key's, "old" when an earlier key's, else "no"."""
    body = json.dumps(canonical_fields(entry), sort_keys=True, ensure_ascii=True)
    if 1 <= generation <= team.generation:
        key = team.keys[generation - 1]
        if _check(key, tag, ENTRY_FORMAT, team.team, str(generation), slug, body):
            return "current" if generation == team.generation else "old"
    return "no"


# --- the fingerprint this machine trusts -------------------------------------------------


def pin_path() -> Path:
    return Path(platformdirs.user_config_dir("livret", appauthor=False)) / PIN_FILE


def _pins() -> dict[str, str]:
    try:
        raw = json.loads(pin_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


def pinned(root: Path) -> tuple[str | None, str]:
    """The fingerprint to reach, and where it comes from (`LIVRET_EQUIPE` first)."""
    given = " ".join(os.environ.get(PIN_VAR, "").split()).lower()
    if given:
        return given, f"la variable {PIN_VAR}"
    return _pins().get(os.path.realpath(root)), str(pin_path())


def remember(root: Path, fp: str) -> None:
    """Trust `fp` from now on for this repository (never when CI gives the pin)."""
    if os.environ.get(PIN_VAR, "").strip():
        return
    pins = _pins()
    key = os.path.realpath(root)
    if pins.get(key) == fp:
        return
    pins[key] = fp
    path = pin_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_private(path, json.dumps(pins, indent=1, sort_keys=True).encode("utf-8"))
    except OSError:
        pass  # not remembering only means the next run trusts the same way again


def in_ci() -> bool:
    """Where nothing is remembered between runs: trusting on first use would trust anyone."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
