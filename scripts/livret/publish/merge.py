"""Merge the output folders of a sharded build (`livret build --shard K/N`) into one.

In CI each runner builds one shard into its own published folder; a last job puts them
together before the folder goes to the static host. A shard's folder comes back from an
artifact store, so it is read as hostile: only what livret itself publishes is taken
(the marker, `index.html`, `robots.txt`, booklet folders named by their random id holding
pages, encrypted PDFs and theme assets), no symbolic link, no special file, nothing
hidden, and two shards never disagree on the bytes of a booklet or of the site root.
Everything is read and checked before anything is written; the result is assembled
beside the target and swapped in whole (see `swap.py`), so a refusal leaves the target
as it was.

Change detection: when the shards were built in this repository (one checkout, several
`--out`), their state files are here and the merged folder's state carries their entries
over, so a later `livret build --out <merged>` skips the unchanged booklets exactly as
after an unsharded build. In CI the shards' state stays on their runners: the merged
folder is then recorded with no booklet, which a later build reads as "rebuild each
one" (always safe, same ids and passphrases from the access store), while a rotated
link is still removed from it (`folders.remove_booklet` walks every recorded folder).
"""

from __future__ import annotations

import filecmp
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from livret.errors import LivretError, display_path
from livret.lock import build_lock
from livret.project import Project
from livret.protect.access import store_path
from livret.publish.folders import (
    BOOKLET_DIR,
    MARKER,
    check_output,
    claim_output,
    load_state,
    save_state,
    state_path,
    writing_error,
)
from livret.publish.swap import swap_in, write_site_root
from livret.verify import ASSET_SUFFIXES, CLEAR_MARKERS, ENCRYPTED_MARKERS

_ROOT_FILES = ("index.html", "robots.txt")
# What a booklet folder holds, by the build's own rules (see `verify.verify_booklet`).
_PAGE, _PDF = ".html", ".pdf"


@dataclass(frozen=True)
class Merged:
    """What `merge_shards` published: the booklet ids, and how many came from each shard."""

    out: Path
    booklets: tuple[str, ...]
    per_shard: tuple[int, ...]
    state_carried: int  # booklets whose change-detection entry came from a shard's state


def _shard_error(shown: str, why: str) -> LivretError:
    return LivretError(f"{shown} : {why} ; seul un dossier de sortie de livret build se fusionne")


def _booklet_file_problem(relative: str, path: Path) -> str | None:
    """Why a file inside a booklet folder is not one livret publishes, else None."""
    parts = relative.split("/")
    if any(part.startswith(".") for part in parts):
        return "fichier caché"
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return "lien symbolique"
    if not stat.S_ISREG(info.st_mode):
        return "fichier spécial"
    suffix = path.suffix.lower()
    if suffix == _PAGE:
        text = path.read_text(encoding="utf-8", errors="replace")
        if relative != "404.html" and (
            not all(m in text for m in ENCRYPTED_MARKERS) or any(m in text for m in CLEAR_MARKERS)
        ):
            return "page non chiffrée"
        return None
    if suffix == _PDF:
        return None if b"/Encrypt" in path.read_bytes() else "PDF non chiffré"
    if parts[0] == "assets" and suffix in ASSET_SUFFIXES:
        return None
    return "fichier que livret ne publie pas"


def _booklet_files(shown: str, folder: Path) -> list[str]:
    """The relative paths of a booklet's files, all checked; refuse anything else."""
    files: list[str] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        for name in dirnames:
            path = here / name
            relative = path.relative_to(folder).as_posix()
            if path.is_symlink():
                raise _shard_error(f"{shown}/{relative}", "lien symbolique")
            if name.startswith("."):
                raise _shard_error(f"{shown}/{relative}", "dossier caché")
        for name in filenames:
            path = here / name
            relative = path.relative_to(folder).as_posix()
            problem = _booklet_file_problem(relative, path)
            if problem:
                raise _shard_error(f"{shown}/{relative}", problem)
            files.append(relative)
    if not any(f.endswith(_PAGE) and f != "404.html" for f in files):
        raise _shard_error(shown, "ce livret n'a aucune page chiffrée")
    return sorted(files)


@dataclass(frozen=True)
class _Shard:
    shown: str
    real: Path
    booklets: dict[str, list[str]]  # id -> its files


def _read_shard(given: Path) -> _Shard:
    """One shard's folder, checked whole: livret's marker, site root and booklets only."""
    shown = given.as_posix()
    if given.is_symlink():
        raise _shard_error(shown, "c'est un lien symbolique")
    if not given.is_dir():
        raise _shard_error(shown, "ce n'est pas un dossier")
    real = Path(os.path.realpath(given))
    booklets: dict[str, list[str]] = {}
    for required in (MARKER, *_ROOT_FILES):
        path = real / required
        if path.is_symlink() or not path.is_file():
            raise _shard_error(shown, f"{required} manque ou n'est pas un fichier ordinaire")
    for entry in sorted(real.iterdir()):
        if entry.name in (MARKER, *_ROOT_FILES):
            continue
        if entry.is_symlink():
            raise _shard_error(f"{shown}/{entry.name}", "lien symbolique")
        if not entry.is_dir() or not BOOKLET_DIR.match(entry.name):
            raise _shard_error(
                f"{shown}/{entry.name}",
                "ni un livret ni un fichier de livret (ou une construction interrompue)",
            )
        booklets[entry.name] = _booklet_files(f"{shown}/{entry.name}", entry)
    return _Shard(shown, real, booklets)


def _same_tree(a: Path, b: Path, files: list[str]) -> bool:
    return all(filecmp.cmp(a / f, b / f, shallow=False) for f in files)


def _plan(shards: list[_Shard]) -> dict[str, _Shard]:
    """Which shard each booklet comes from; refuse two shards that disagree on one."""
    origin: dict[str, _Shard] = {}
    for shard in shards:
        for booklet_id, files in shard.booklets.items():
            first = origin.get(booklet_id)
            if first is None:
                origin[booklet_id] = shard
                continue
            same = first.booklets[booklet_id] == files and _same_tree(
                first.real / booklet_id, shard.real / booklet_id, files
            )
            if not same:
                raise LivretError(
                    f"le livret {booklet_id} est dans {first.shown} et dans {shard.shown} avec "
                    "des contenus différents : ces tranches ne viennent pas d'une même "
                    "construction ; relancez livret build --shard K/N pour chacune"
                )
    return origin


def _check_root_files(shards: list[_Shard], staged: Path) -> None:
    """Every shard's home page and robots.txt are this repository's, byte for byte."""
    for shard in shards:
        for name in _ROOT_FILES:
            if not filecmp.cmp(shard.real / name, staged / name, shallow=False):
                raise LivretError(
                    f"{shard.shown}/{name} diffère de celui que produit ce dépôt : la tranche "
                    "a été construite depuis une autre version ; reconstruisez-la"
                )


def _carried_state(
    project: Project, shards: list[_Shard], origin: dict[str, _Shard]
) -> dict[str, dict[str, str]]:
    """The shards' change-detection entries for the booklets taken from them."""
    carried: dict[str, dict[str, str]] = {}
    for shard in shards:
        for slug, entry in load_state(state_path(project, shard.real)).items():
            booklet_id = entry.get("livret", "")
            if origin.get(booklet_id) is shard and entry.get("pdf") in shard.booklets[booklet_id]:
                carried[slug] = entry
    return carried


def merge_shards(project: Project, given: list[Path], out: Path) -> Merged:
    """Merge the shard folders `given` into `out`, replacing what `out` held.

    `out` is checked like any output folder (`folders.check_output`); a shard that is
    `out`, holds it or sits in it is refused, since `out` is replaced whole.
    """
    if not given:
        raise LivretError("aucune tranche à fusionner : donnez les dossiers de sortie des tranches")
    real_out = check_output(project, out, store_path(project))
    with build_lock(project):
        shards: list[_Shard] = []
        for path in given:
            shard = _read_shard(path)
            if (
                shard.real == real_out
                or shard.real.is_relative_to(real_out)
                or (real_out.is_relative_to(shard.real))
            ):
                raise LivretError(
                    f"{shard.shown} : cette tranche recouvre le dossier de sortie "
                    f"{out.as_posix()}, qui est remplacé en entier ; "
                    "fusionnez vers un autre dossier"
                )
            if all(s.real != shard.real for s in shards):
                shards.append(shard)
        origin = _plan(shards)
        _check_ours(project, origin)
        try:
            real_out.parent.mkdir(parents=True, exist_ok=True)
            staged = Path(tempfile.mkdtemp(prefix=f".{real_out.name}.fusion-", dir=real_out.parent))
            try:
                _assemble(project, shards, origin, staged)
                state = _carried_state(project, shards, origin)
                swap_in(staged, real_out)
            finally:
                shutil.rmtree(staged, ignore_errors=True)
        except OSError as error:
            raise writing_error(error, real_out, project.root) or error from None
        save_state(state_path(project, real_out), real_out, state)
    per_shard = tuple(sum(1 for s in origin.values() if s is shard) for shard in shards)
    return Merged(real_out, tuple(sorted(origin)), per_shard, len(state))


def _check_ours(project: Project, origin: dict[str, _Shard]) -> None:
    """Refuse a booklet this repository did not build.

    A shard folder comes back from an artifact store: a booklet folder slipped into it
    (from another repository, or made by hand) would be published under this site's
    address. Each booklet id must be that of an access entry of this repository, read
    through the store, so in a team each one is authenticated by the team key: only a
    member can have made it.
    """
    from livret.protect.stores import open_store

    store = open_store(project)
    known = {a.booklet_id for a in store.all().values()}
    for booklet_id, shard in sorted(origin.items()):
        if booklet_id not in known:
            raise LivretError(
                f"{shard.shown}/{booklet_id[:6]}… : le livret {booklet_id[:6]}… n'a pas été "
                "construit par ce dépôt (aucun accès "
                f"de {display_path(store.path, project.root)} n'a cet identifiant) ; rien n'a "
                "été fusionné : ne fusionnez que les tranches construites par « livret build "
                "--shard » dans ce dépôt, avec ses accès à jour (git pull)"
            )


def _assemble(
    project: Project, shards: list[_Shard], origin: dict[str, _Shard], staged: Path
) -> None:
    """The merged folder, in `staged`: the site root as this repository writes it, then
    every booklet copied byte for byte from the shard that holds it."""
    claim_output(staged)
    write_site_root(staged, project.theme / "accueil-site.html")
    _check_root_files(shards, staged)
    for booklet_id, shard in sorted(origin.items()):
        for relative in shard.booklets[booklet_id]:
            target = staged / booklet_id / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_read_no_link(shard.real / booklet_id / relative))


def _read_no_link(path: Path) -> bytes:
    """A checked file's bytes; a file turned into a link since the check is not followed."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as file:
        return file.read()
