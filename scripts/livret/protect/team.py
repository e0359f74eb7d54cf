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
import stat
import subprocess
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path

import pyrage

from livret.errors import DossierError, LivretError, Problem
from livret.files import write_private
from livret.lock import build_lock
from livret.project import Project
from livret.protect.access import Access, ClearStore, Store, valid_access
from livret.protect.identity import Identity, load_identity, parse_recipient
from livret.publish.folders import check_private, remove_booklet, secure_private

FOLDER = "acces"
RECIPIENTS = "destinataires.txt"
SUFFIX = ".age"
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
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, _, name = line.strip().partition(" ")
        name = " ".join(name.split())
        column = line.index(key[0]) + 1
        if parse_recipient(key) is None:
            problems.append(
                Problem(shown, number, column, "clé publique age invalide (« age1… » attendu)")
            )
            continue
        if not _valid_name(name):
            problems.append(Problem(shown, number, column, "nom manquant après la clé"))
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


def _encrypt(access: Access, recipients: list[Recipient]) -> bytes:
    clear = json.dumps(asdict(access), ensure_ascii=False, sort_keys=True).encode("utf-8")
    keys = [parse_recipient(r.key) for r in recipients]
    return bytes(pyrage.encrypt(clear, keys, armored=True))


def _decrypt(path: Path, shown: str, slug: str, identity: Identity) -> Access:
    data = _read_small(path, shown)
    try:
        clear = bytes(pyrage.decrypt(data, [identity.secret]))
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
    try:
        raw = json.loads(clear.decode("utf-8"))
        access = Access(
            slug=raw["slug"],
            booklet_id=raw["booklet_id"],
            passphrase=raw["passphrase"],
            created=raw["created"],
        )
    except (ValueError, KeyError, TypeError):
        raise _damaged(shown) from None
    if not all(isinstance(v, str) for v in asdict(access).values()):
        raise _damaged(shown)
    if access.slug != slug or not valid_access(access):
        # A file renamed or copied from another dossier would publish over that dossier.
        raise _damaged(shown)
    return access


def _damaged(shown: str) -> LivretError:
    return LivretError(
        f"{shown} : fichier d'accès abîmé ou modifié (le déchiffrement age a échoué) ; "
        f"restaurez-le depuis l'historique git (git log -- {shown}, puis git checkout "
        f"<commit> -- {shown}) ; s'il est perdu, supprimez-le : le prochain livret build "
        "donnera à ce livret un nouveau lien et une nouvelle phrase de passe"
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
        slug = entry.name[: -len(SUFFIX)]
        if check_slug(slug, slug):
            raise LivretError(
                f"{FOLDER}/{entry.name} : nom de fichier inattendu (« <dossier>.age » attendu) ; "
                "retirez-le du dossier acces/"
            )
        found[slug] = entry
    return found


class TeamStore(Store):
    """`acces/<slug>.age`, each encrypted to every recipient, read with this machine's key."""

    def __init__(self, project: Project, identity: Identity | None = None) -> None:
        self.project = project
        self.path = folder(project)
        self.notices = []
        self.recipients = read_recipients(project)
        self.identity = identity or load_identity(project.root, notices=self.notices)
        if self.identity is None or self.identity.public not in {r.key for r in self.recipients}:
            raise refusal(self.identity)
        self._entries = {}
        ids: dict[str, str] = {}
        for slug, path in _access_files(project).items():
            shown = _shown(project, path)
            access = _decrypt(path, shown, slug, self.identity)
            if access.booklet_id in ids:
                raise LivretError(
                    f"{shown} : même identifiant de livret que {FOLDER}/{ids[access.booklet_id]}"
                    f"{SUFFIX} ; supprimez l'un des deux fichiers (ce livret recevra un nouveau "
                    "lien et une nouvelle phrase de passe)"
                )
            ids[access.booklet_id] = slug
            self._entries[slug] = access

    def file(self, slug: str) -> Path:
        return self.path / f"{slug}{SUFFIX}"

    def _write(self, access: Access) -> None:
        _write(self.file(access.slug), _encrypt(access, self.recipients))

    def _forget(self, slug: str) -> None:
        try:
            self.file(slug).unlink(missing_ok=True)
        except OSError as error:
            raise LivretError(
                f"{FOLDER}/{slug}{SUFFIX} : impossible de supprimer ({error.strerror})"
            ) from None

    def reencrypt(self, recipients: list[Recipient]) -> list[str]:
        """Every access file encrypted to `recipients`, then the list written; the slugs.

        Files first: an interruption leaves the old list, and running the command again
        finishes the work (the list is what decides who is asked for).
        """
        for access in self._entries.values():
            _write(self.file(access.slug), _encrypt(access, recipients))
        _write_recipients(self.project, recipients)
        self.recipients = recipients
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
        for access in entries.values():
            _write(folder(project) / f"{access.slug}{SUFFIX}", _encrypt(access, me))
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
        files = team.reencrypt(kept)
    return Change(gone[0].key, gone[0].name, files)


def reencrypt_all(project: Project) -> Change:
    """Every access file encrypted again for the current list (after a merge, say)."""
    check_private(project)
    with build_lock(project):
        team = _open_team(project)
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
