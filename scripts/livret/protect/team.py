"""The team store: each dossier's access encrypted with age, committed in `acces/`.

A centre with several consultants shares one repository. Each dossier's booklet id and
passphrase live in `acces/<slug>.age` (one file per dossier, so two consultants working
on different dossiers never touch the same file), encrypted to every public key listed
in the committed `acces/destinataires.txt` (`age1… Name` per line, `#` comments). The
files are armored (text), so a diff shows which dossier changed and nothing else.

The store is opt-in: `livret equipe init` writes `acces/destinataires.txt`, and its
presence is what makes `open_store` choose this store over the clear one. Whoever is not
a recipient is refused with the key to add; nobody's passphrase is ever written in clear
inside the work tree.
"""

from __future__ import annotations

import json
import re
import stat
import subprocess
import unicodedata
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any

import pyrage

from livret.errors import DossierError, LivretError, Problem
from livret.files import write_private
from livret.lock import build_lock
from livret.project import Project
from livret.protect.access import Access, ClearStore, Store, valid_access
from livret.protect.identity import Identity, load_identity, parse_recipient
from livret.protect.teamkey import (
    PIN_VAR,
    TeamKey,
    canonical_fields,
    decode,
    encode,
    entry_made_with,
    entry_tag,
    in_ci,
    new_team,
    pinned,
    reaches,
    remember,
    restore,
    rotated,
    sealed_for,
)
from livret.publish.folders import check_private, remove_booklet, secure_private

FOLDER = "acces"
RECIPIENTS = "destinataires.txt"
SUFFIX = ".age"
TEAM_KEY = "_equipe.age"  # "_" is in no slug: never a dossier's access file
MAX_FILE = 64 * 1024  # one access is ~500 bytes armored; a bigger file is not ours
ROTATE_ALL = "livret equipe renouveler"
HEADER = """\
# Destinataires des accès partagés de livret : une clé publique age et un nom par ligne.
# Chaque fichier acces/<dossier>.age est chiffré pour toutes ces clés.
# Ne modifiez pas ce fichier à la main : livret equipe ajouter / retirer le rechiffrent.
"""


@dataclass(frozen=True)
class Recipient:
    key: str  # an age X25519 public key, checked
    name: str


def folder(project: Project) -> Path:
    return project.root / FOLDER


def recipients_path(project: Project) -> Path:
    return folder(project) / RECIPIENTS


def is_team(project: Project) -> bool:
    """Whether the repository uses the team store (a link or folder there counts too)."""
    path = recipients_path(project)
    return path.exists() or path.is_symlink()


def _shown(project: Project, path: Path) -> str:
    return path.relative_to(project.root).as_posix()


def _valid_name(name: str) -> bool:
    return (
        0 < len(name) <= 80
        and name == name.strip()
        and not any(unicodedata.category(c).startswith(("C", "Z")) and c != " " for c in name)
    )


def _read_small(path: Path, shown: str) -> bytes:
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE:
            raise LivretError(
                f"{shown} : ce n'est pas un fichier ordinaire de livret ; restaurez-le "
                f"depuis git (git checkout -- {shown})"
            )
        return path.read_bytes()
    except OSError as error:
        raise LivretError(f"{shown} : illisible ({error.strerror}) ; vérifiez ses droits") from None


# A comment: `#` at the start of a line, or after a blank (a name never holds " #").
_COMMENT = re.compile(r"(^|[ \t])#.*$")


def _odd_character(line: str) -> tuple[int, str] | None:
    """The first character that does not print (control, format, bidi override…)."""
    for index, char in enumerate(line):
        if char != "\t" and unicodedata.category(char) in ("Cc", "Cf", "Co", "Cn", "Zl", "Zp"):
            return index, char
    return None


def _odd_message(char: str) -> str:
    name = unicodedata.name(char, "caractère de contrôle")
    why = (
        "il change le sens d'affichage du texte et peut faire lire autre chose que ce qui est écrit"
        if unicodedata.bidirectional(char)
        in ("RLO", "LRO", "RLE", "LRE", "RLI", "LRI", "FSI", "PDF", "PDI")
        else "il ne s'affiche pas"
    )
    return (
        f"caractère invisible U+{ord(char):04X} ({name.lower()}) : {why} ; retirez-le "
        "(retapez la ligne, ou relancez « livret equipe ajouter »)"
    )


def _bad_key(key: str) -> str:
    """Why `key` is not an age public key; a private key is named, never quoted."""
    if "age-secret-key" in key.casefold():
        return (
            "ceci est une clé PRIVÉE age : retirez-la tout de suite de ce fichier et de "
            "l'historique git, et faites une nouvelle identité (« livret cle ») ; seule la "
            "clé publique « age1… » va ici"
        )
    if key.casefold().startswith("age1") and len(key) != 62:
        return f"clé publique age de {len(key)} caractères au lieu de 62 (tronquée ?)"
    if key.startswith("AGE1") or (key.startswith("age1") and key != key.lower()):
        return (
            "clé publique age en majuscules : écrivez-la en minuscules, telle que "
            "l'affiche livret cle"
        )
    if key.startswith("age1"):
        return (
            "clé publique age abîmée (la somme de contrôle ne concorde pas : une lettre changée ?)"
        )
    return "clé publique age invalide (« age1… » attendu en début de ligne)"


def read_recipients(project: Project) -> list[Recipient]:
    """The committed recipients, each key checked; a bad line is a positioned problem."""
    path = recipients_path(project)
    shown = _shown(project, path)
    try:
        text = _read_small(path, shown).decode("utf-8")
    except UnicodeDecodeError:
        raise DossierError([Problem(shown, 1, 1, "fichier illisible : UTF-8 attendu")]) from None
    found: list[Recipient] = []
    problems: list[Problem] = []
    keys: dict[str, int] = {}
    names: dict[str, int] = {}
    # Split on LF only: str.splitlines also breaks on U+2028, form feeds and the like,
    # which would shift every line number after them.
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.removesuffix("\r")
        if number == 1:
            line = line.removeprefix("\ufeff")  # a BOM some Windows editors add: harmless
        offset = len(raw) - len(raw.lstrip("\ufeff")) if number == 1 else 0
        odd = _odd_character(line)
        if odd is not None:
            index, char = odd
            problems.append(Problem(shown, number, index + 1 + offset, _odd_message(char)))
            continue
        line = _COMMENT.sub("", line)  # `age1… Claire # arrivée en mars`
        if not line.strip():
            continue
        key, _, rest = line.strip().replace("\t", " ").partition(" ")
        name = " ".join(rest.split())
        column = line.index(key[0]) + 1 + offset
        if parse_recipient(key) is None:
            problems.append(Problem(shown, number, column, _bad_key(key)))
            continue
        if not _valid_name(name):
            problems.append(
                Problem(
                    shown,
                    number,
                    column,
                    "nom manquant après la clé (« age1… Prénom Nom », séparés par une espace)",
                )
            )
            continue
        if key in keys:
            problems.append(Problem(shown, number, column, f"clé déjà donnée ligne {keys[key]}"))
            continue
        if name.casefold() in names:
            problems.append(
                Problem(shown, number, column, f"nom déjà donné ligne {names[name.casefold()]}")
            )
            continue
        keys[key], names[name.casefold()] = number, number
        found.append(Recipient(key, name))
    if not found and not problems:
        problems.append(Problem(shown, 1, 1, "aucun destinataire : il faut au moins une clé"))
    if problems:
        raise DossierError(problems)
    return found


def _write_recipients(project: Project, recipients: list[Recipient]) -> None:
    lines = "".join(f"{r.key} {r.name}\n" for r in recipients)
    _write(recipients_path(project), (HEADER + lines).encode("utf-8"))


def _write(path: Path, data: bytes) -> None:
    try:
        write_private(path, data)  # temp file + rename: a crash leaves the old file
    except OSError as error:
        raise LivretError(
            f"{path} : impossible d'écrire ({error.strerror}) ; vérifiez les droits et la "
            "place sur le disque"
        ) from None


def refusal(identity: Identity | None) -> LivretError:
    """Why this machine cannot open the team's accesses, and how to be added."""
    lead = (
        f"ce dépôt partage ses accès entre consultants ({FOLDER}/{RECIPIENTS}), chiffrés pour "
        "les clés de l'équipe"
    )
    if identity is None:
        return LivretError(
            f"{lead}, et cette machine n'a pas encore d'identité age : lancez « livret cle » "
            "pour la créer et afficher votre clé publique, puis demandez à un collègue déjà "
            "destinataire de lancer « livret equipe ajouter <votre clé> --nom <votre nom> », "
            "de committer et de pousser ; récupérez ensuite ses changements (git pull)"
        )
    return LivretError(
        f"{lead}, et la clé de cette machine n'en fait pas partie : {identity.public} "
        f"(identité : {identity.origin}). Demandez à un collègue déjà destinataire de lancer "
        f"« livret equipe ajouter {identity.public} --nom <votre nom> », de committer et de "
        "pousser ; récupérez ensuite ses changements (git pull)"
    )


def _encrypt(access: Access, recipients: list[Recipient], key: TeamKey) -> bytes:
    content = {
        "acces": canonical_fields(access),
        "generation": key.generation,
        "authentification": entry_tag(key, access.slug, access),
    }
    clear = json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return _encrypt_bytes(clear, recipients)


def _encrypt_bytes(clear: bytes, recipients: list[Recipient]) -> bytes:
    keys = [parse_recipient(r.key) for r in recipients]
    return bytes(pyrage.encrypt(clear, keys, armored=True))


def _open(path: Path, shown: str, identity: Identity) -> bytes:
    data = _read_small(path, shown)
    try:
        return bytes(pyrage.decrypt(data, [identity.secret]))
    except pyrage.DecryptError as error:
        if "No matching keys" in str(error):
            # age cannot tell a file made without this key from a stanza altered on the way.
            raise LivretError(
                f"{shown} : ce fichier ne s'ouvre pas avec la clé de cette machine "
                f"({identity.public}), bien qu'elle soit dans {FOLDER}/{RECIPIENTS} : soit il a "
                "été chiffré sans elle (clé ajoutée à la main, ou fichier créé par un collègue "
                "avant votre ajout) et un collègue qui peut l'ouvrir doit lancer « livret "
                "equipe rechiffrer », committer et pousser ; soit il est abîmé ou modifié, et "
                f"il faut le restaurer depuis l'historique git (git log -- {shown})"
            ) from None
        raise _damaged(shown) from None


def _entry(raw: dict[str, Any], slug: str) -> Access | None:
    """The entry's fields, generically (a field added to `Access` later is read the same
    way); None when a field is missing, unknown or of the wrong kind."""
    known = {f.name: f for f in fields(Access)}
    if not set(raw) <= set(known):
        return None
    values: dict[str, Any] = {}
    for name, spec in known.items():
        if name in raw:
            values[name] = restore(raw[name])
        elif spec.default is MISSING:
            return None
    try:
        access = Access(**values)
    except TypeError:
        return None
    if not all(
        isinstance(getattr(access, n), str) for n in ("slug", "booklet_id", "passphrase", "created")
    ):
        return None
    if access.slug != slug or not valid_access(access):
        return None
    return access


def _decrypt(path: Path, shown: str, slug: str, identity: Identity, key: TeamKey) -> Access:
    clear = _open(path, shown, identity)
    try:
        raw = json.loads(clear.decode("utf-8"))
    except ValueError:
        raise _damaged(shown) from None
    if not isinstance(raw, dict):
        raise _damaged(shown)
    if "authentification" not in raw:
        if "booklet_id" in raw:  # written before entries were authenticated
            raise _unauthenticated(shown, slug, old_format=True)
        raise _damaged(shown)
    body, tag, generation = raw.get("acces"), raw.get("authentification"), raw.get("generation")
    if not isinstance(body, dict) or not isinstance(tag, str) or type(generation) is not int:
        raise _damaged(shown)
    access = _entry(body, slug)
    if access is None:
        # A file renamed or copied from another dossier would publish over that dossier.
        raise _unauthenticated(shown, slug)
    made = entry_made_with(key, slug, access, tag, generation)
    if made == "old":
        raise _unauthenticated(shown, slug, stale=True)
    if made != "current":
        raise _unauthenticated(shown, slug)
    return access


def _unauthenticated(
    shown: str, slug: str, *, old_format: bool = False, stale: bool = False
) -> LivretError:
    """An entry no current member vouches for: it could set the link and passphrase of a
    booklet to anyone's choice, so nothing is built, shown or removed from it."""
    if old_format:
        what = (
            "fichier d'accès écrit par une version de livret antérieure à l'authentification "
            "des accès : rien ne prouve qu'un membre de l'équipe l'a écrit"
        )
        fix = (
            f"vérifiez dans l'historique (git log -p -- {shown}) qu'il vient bien d'un "
            "collègue, puis un membre lance « livret equipe rechiffrer --authentifier », "
            "committe et pousse"
        )
    else:
        what = (
            "fichier d'accès non authentifié : il n'a pas été écrit avec la clé actuelle de "
            "l'équipe"
            + (" (mais avec une clé d'avant le retrait d'un membre)" if stale else "")
            + " ; il peut venir de quelqu'un qui n'est pas membre et qui voudrait choisir le "
            "lien et la phrase de passe de ce livret"
        )
        fix = (
            f"ne l'utilisez pas : regardez qui l'a ajouté (git log -p -- {shown}) ; restaurez "
            f"la dernière version écrite par un membre (git checkout <commit> -- {shown}), ou "
            f"supprimez-le (git rm {shown}) et un membre lance « livret access {slug} "
            "--nouveau-lien » pour donner au livret un nouveau lien et une nouvelle phrase"
        )
    return LivretError(f"{shown} : {what}. Aucun livret n'est construit ni montré ; {fix}")


def _damaged(shown: str) -> LivretError:
    return LivretError(
        f"{shown} : fichier d'accès abîmé ou modifié (le déchiffrement age a échoué) ; "
        f"restaurez-le depuis l'historique git (git log -- {shown}, puis git checkout "
        f"<commit> -- {shown}) ; s'il est perdu, supprimez-le : un membre lance ensuite "
        "« livret access <dossier> --nouveau-lien » pour donner à ce livret un nouveau lien "
        "et une nouvelle phrase de passe"
    )


def team_key_path(project: Project) -> Path:
    return folder(project) / TEAM_KEY


def _read_team_key(
    project: Project, identity: Identity, recipients: list[Recipient]
) -> tuple[TeamKey, str | None]:
    """The team key, checked against what this machine trusts, and the recipient list
    against the one it seals; with what to tell when this machine trusts it for the
    first time."""
    path = team_key_path(project)
    shown = _shown(project, path)
    if not (path.exists() or path.is_symlink()):
        raise LivretError(
            f"{shown} introuvable : sans la clé d'équipe, rien ne prouve que les fichiers "
            f"d'accès de {FOLDER}/ ont été écrits par un membre. S'il vient d'être supprimé, "
            f"restaurez-le (git checkout -- {shown}) ; si ce dépôt a été passé aux accès "
            "partagés par une version de livret plus ancienne, un membre vérifie l'historique "
            f"(git log -p -- {FOLDER}/) puis lance « livret equipe rechiffrer --authentifier »"
        )
    key = decode(_open(path, shown, identity))
    if key is None:
        raise LivretError(
            f"{shown} : clé d'équipe abîmée ou falsifiée (ses sceaux ne concordent pas) ; "
            f"restaurez la dernière version écrite par un membre (git log -p -- {shown}, puis "
            f"git checkout <commit> -- {shown})"
        )
    pin, source = pinned(project.root)
    if pin is None and in_ci():
        raise LivretError(
            f"{shown} : en intégration continue, la clé d'équipe doit être vérifiée contre son "
            f"empreinte : donnez-la dans la variable {PIN_VAR} (non secrète), telle que "
            f"l'affiche « livret doctor » sur la machine d'un membre ({key.fingerprint} ici ; "
            "comparez-la avant de la recopier)"
        )
    if pin is not None and not reaches(key, pin):
        raise LivretError(
            f"{shown} : la clé d'équipe a changé sans lien avec celle que cette machine "
            f"connaît (empreinte {pin}, d'après {source}) : ce fichier n'a pas été écrit par un "
            f"membre, ou {PIN_VAR} n'est plus à jour. Regardez qui l'a modifié (git log -p -- "
            f"{shown}) et restaurez la version d'un membre ; si un membre a bien renouvelé la "
            f"clé, mettez à jour {PIN_VAR} avec l'empreinte affichée par « livret doctor » sur "
            "sa machine"
        )
    listed = sorted(r.key for r in recipients)
    if tuple(listed) != key.recipients:
        added = sorted(set(listed) - set(key.recipients))
        raise LivretError(
            f"{FOLDER}/{RECIPIENTS} : la liste des destinataires a été modifiée hors de « livret "
            "equipe ajouter / retirer »"
            + (f" (clé ajoutée : {', '.join(added)})" if added else " (clé retirée)")
            + " : aucun accès ne sera chiffré pour elle. Restaurez la liste "
            f"(git checkout -- {FOLDER}/{RECIPIENTS}) ; pour ajouter un collègue, un membre "
            "lance « livret equipe ajouter <clé> --nom <nom> »"
        )
    remember(project.root, key.fingerprint)
    if pin is not None:
        return key, None
    return key, (
        f"clé d'équipe de ce dépôt enregistrée sur cette machine (empreinte "
        f"{key.fingerprint}) : comparez-la de vive voix avec un collègue"
    )


def _access_files(project: Project) -> dict[str, Path]:
    from livret.dossier.load import check_slug

    found: dict[str, Path] = {}
    try:
        entries = sorted(folder(project).iterdir())
    except OSError as error:
        raise LivretError(f"{FOLDER}/ : dossier illisible ({error.strerror})") from None
    for entry in entries:
        if entry.name.startswith(".") or not entry.name.endswith(SUFFIX):
            continue  # temp files of an interrupted write, notes
        if entry.name == TEAM_KEY:
            continue
        slug = entry.name[: -len(SUFFIX)]
        if check_slug(slug, slug):
            raise LivretError(
                f"{FOLDER}/{entry.name} : nom de fichier inattendu (« <dossier>.age » attendu) ; "
                "retirez-le du dossier acces/"
            )
        found[slug] = entry
    return found


class TeamStore(Store):
    """`acces/<slug>.age`, each encrypted to every recipient and authenticated with the
    team key, read with this machine's key.

    `authenticate` is only for `livret equipe rechiffrer --authentifier`: a member, having
    read the history, vouches for entries written before entries were authenticated.
    """

    def __init__(
        self, project: Project, identity: Identity | None = None, *, authenticate: bool = False
    ) -> None:
        self.project = project
        self.path = folder(project)
        self.notices = []
        self.recipients = read_recipients(project)
        self.identity = identity or load_identity(project.root, notices=self.notices)
        if self.identity is None or self.identity.public not in {r.key for r in self.recipients}:
            raise refusal(self.identity)
        self.migrated: list[str] = []
        # Vouching is only for the move to authenticated entries: once the repository has
        # a team key, an entry without a valid tag is refused, asked or not.
        authenticate = authenticate and not (
            team_key_path(project).exists() or team_key_path(project).is_symlink()
        )
        if authenticate:
            self.key = new_team([r.key for r in self.recipients])
        else:
            self.key, told = _read_team_key(project, self.identity, self.recipients)
            if told:
                self.notices.append(told)
        self._entries = {}
        ids: dict[str, str] = {}
        for slug, path in _access_files(project).items():
            shown = _shown(project, path)
            access = self._read(path, shown, slug, authenticate)
            if access.booklet_id in ids:
                raise LivretError(
                    f"{shown} : même identifiant de livret que {FOLDER}/{ids[access.booklet_id]}"
                    f"{SUFFIX} ; supprimez l'un des deux fichiers (ce livret recevra un nouveau "
                    "lien et une nouvelle phrase de passe)"
                )
            ids[access.booklet_id] = slug
            self._entries[slug] = access
        if authenticate:  # written once every entry was read: a refusal leaves nothing
            _write(team_key_path(project), _encrypt_bytes(encode(self.key), self.recipients))

    def _read(self, path: Path, shown: str, slug: str, authenticate: bool) -> Access:
        assert self.identity is not None
        try:
            return _decrypt(path, shown, slug, self.identity, self.key)
        except LivretError:
            if not authenticate:
                raise
        raw = json.loads(_open(path, shown, self.identity).decode("utf-8"))
        access = _entry(raw, slug) if isinstance(raw, dict) else None
        if access is None:  # only the old, complete format is vouched for
            raise _damaged(shown)
        self.migrated.append(slug)
        return access

    @property
    def fingerprint(self) -> str:
        return self.key.fingerprint

    def file(self, slug: str) -> Path:
        return self.path / f"{slug}{SUFFIX}"

    def entry_name(self, slug: str) -> str:
        return f"{FOLDER}/{slug}{SUFFIX}"

    def _write(self, access: Access) -> None:
        _write(self.file(access.slug), _encrypt(access, self.recipients, self.key))

    def _forget(self, slug: str) -> None:
        try:
            self.file(slug).unlink(missing_ok=True)
        except OSError as error:
            raise LivretError(
                f"{FOLDER}/{slug}{SUFFIX} : impossible de supprimer ({error.strerror})"
            ) from None

    def reencrypt(self, recipients: list[Recipient], *, new_key: bool = False) -> list[str]:
        """Every access file encrypted to `recipients` (and tagged with a new team key when
        `new_key`: someone left), then the team key, then the list; the slugs.

        Files first: an interruption leaves the old list, and running the command again
        finishes the work (the list is what decides who is asked for). The team key file
        is written before the list so that both always agree once the list is written.
        """
        keys = [r.key for r in recipients]
        key = rotated(self.key, keys) if new_key else sealed_for(self.key, keys)
        for access in self._entries.values():
            _write(self.file(access.slug), _encrypt(access, recipients, key))
        _write(team_key_path(self.project), _encrypt_bytes(encode(key), recipients))
        _write_recipients(self.project, recipients)
        self.recipients, self.key = recipients, key
        remember(self.project.root, key.fingerprint)
        return sorted(self._entries)


@dataclass(frozen=True)
class Change:
    """What an `equipe` command did, for the CLI to tell."""

    public: str  # the key added, removed, or this machine's
    name: str
    files: list[str]  # the slugs whose access file was (re)written


def git_user_name(root: Path) -> str | None:
    try:
        answer = subprocess.run(
            ["git", "-C", str(root), "config", "user.name"],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        return None
    name = " ".join(answer.stdout.split())
    return name if answer.returncode == 0 and _valid_name(name) else None


def _check_name(name: str) -> str:
    clean = " ".join(name.split())
    if not _valid_name(clean):
        raise LivretError(
            'nom invalide : de 1 à 80 caractères lisibles, par exemple --nom "Claire Durand"'
        )
    return clean


def init_team(project: Project, name: str | None) -> Change:
    """Switch the repository to the team store, moving the clear entries in unchanged.

    Age files first, then the recipients list (which turns the team store on), then the
    clear entries are removed: an interruption at any point loses nothing, and running
    the command again finishes the work.
    """
    if is_team(project):
        raise LivretError(
            f"{FOLDER}/{RECIPIENTS} existe déjà : ce dépôt utilise déjà les accès partagés "
            "(livret equipe ajouter pour ajouter un collègue)"
        )
    chosen = name if name is not None else git_user_name(project.root)
    if chosen is None:
        raise LivretError(
            'nom introuvable (git config user.name est vide) : donnez-le avec --nom "Claire Durand"'
        )
    chosen = _check_name(chosen)
    check_private(project)
    with build_lock(project):
        notices = secure_private(project)
        del notices  # permissions fixed; nothing to tell beyond the result
        identity = load_identity(project.root, create=True)
        assert identity is not None
        me = [Recipient(identity.public, chosen)]
        clear = ClearStore(project)
        entries = clear.all()
        folder(project).mkdir(exist_ok=True)
        key = new_team([identity.public])
        for access in entries.values():
            _write(folder(project) / f"{access.slug}{SUFFIX}", _encrypt(access, me, key))
        _write(team_key_path(project), _encrypt_bytes(encode(key), me))
        remember(project.root, key.fingerprint)
        _write_recipients(project, me)
        # Read back with this machine's key before the clear copy goes: fail closed.
        team = TeamStore(project, identity)
        if team.all() != entries:  # pragma: no cover - would be a pyrage bug
            raise LivretError(f"{FOLDER}/ : relecture des accès chiffrés différente ; rien retiré")
        for slug in list(entries):
            clear.remove(slug)
        if clear.path.exists() and not clear.all():
            clear.path.unlink()
    return Change(identity.public, chosen, sorted(entries))


def _open_team(project: Project) -> TeamStore:
    if not is_team(project):
        raise LivretError(
            f"{FOLDER}/{RECIPIENTS} introuvable : ce dépôt n'utilise pas les accès partagés ; "
            "lancez d'abord « livret equipe init »"
        )
    return TeamStore(project)


def add_recipient(project: Project, key: str, name: str) -> Change:
    """Add a colleague's public key and re-encrypt every access file for the new list."""
    key = key.strip()
    if parse_recipient(key) is None:
        raise LivretError(
            f"« {key[:80]} » n'est pas une clé publique age (« age1… », 62 caractères, telle "
            "que l'affiche « livret cle » sur la machine du collègue)"
        )
    clean = _check_name(name)
    check_private(project)
    with build_lock(project):
        team = _open_team(project)
        for r in team.recipients:
            if r.key == key:
                raise LivretError(f"cette clé est déjà celle de « {r.name} »")
            if r.name.casefold() == clean.casefold():
                raise LivretError(
                    f"le nom « {r.name} » est déjà pris (par une autre clé) ; choisissez-en "
                    "un autre, ou retirez d'abord l'ancienne clé (livret equipe retirer)"
                )
        files = team.reencrypt([*team.recipients, Recipient(key, clean)])
    return Change(key, clean, files)


def remove_recipient(project: Project, name: str) -> Change:
    """Remove a colleague and re-encrypt every access file without their key."""
    check_private(project)
    with build_lock(project):
        team = _open_team(project)
        wanted = " ".join(name.split()).casefold()
        gone = [r for r in team.recipients if r.name.casefold() == wanted]
        if not gone:
            names = ", ".join(f"« {r.name} »" for r in team.recipients)
            raise LivretError(f"aucun destinataire nommé « {name} » (destinataires : {names})")
        kept = [r for r in team.recipients if r is not gone[0]]
        if not kept:
            raise LivretError(
                "c'est le dernier destinataire : plus personne ne pourrait ouvrir les accès ; "
                "ajoutez d'abord une autre clé (livret equipe ajouter)"
            )
        # A new team key: the one who leaves knows the old one and could tag entries.
        files = team.reencrypt(kept, new_key=True)
    return Change(gone[0].key, gone[0].name, files)


def reencrypt_all(project: Project, *, authenticate: bool = False) -> Change:
    """Every access file encrypted again for the current list (after a merge, say).

    With `authenticate`, entries written before entries were authenticated are vouched
    for by this member (who read the history first) and tagged with the team key, made
    now when the repository has none.
    """
    check_private(project)
    with build_lock(project):
        if not is_team(project):
            _open_team(project)
        team = TeamStore(project, authenticate=authenticate)
        files = team.reencrypt(team.recipients)
        assert team.identity is not None
    return Change(team.identity.public, "", files)


def rotate_all(project: Project) -> list[str]:
    """A new link and passphrase for every booklet; old links stop working now."""
    check_private(project)
    with build_lock(project):
        secure_private(project)
        team = _open_team(project)
        for slug, old in team.all().items():
            team.rotate(slug)
            remove_booklet(project, old.booklet_id)
    return sorted(team.all())
