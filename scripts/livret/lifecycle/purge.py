"""Destroy one dossier and everything livret made from it; keep one anonymous register line.

R6313-7 has the documents of a bilan destroyed once their retention period is over
(see `retention.py`). What livret holds of one dossier: its folder `dossiers/<slug>/`, its
booklet in every folder it was published to (found through the state files), the clear
copy of its synthèse, its attendance sheet and fiches projet in `syntheses/`, its access
entry (link and passphrase) and its change-detection entries. All of it goes, under the
build lock, and nothing else: every path is built from the repository's real path and
must be its own real path (no symbolic link anywhere on the way), or the purge refuses
before deleting anything.

The register (`registre-destructions.csv`, committed) proves the destruction to an
auditor without naming anyone: a random reference, the date, the month the bilan ended
and what kinds of files were destroyed, in counts. The reference is random rather than a
hash of the slug or the name because a slug is `year-name-firstname`: anyone could hash
every plausible name and find the line again. The booklet id is not used either: it is
in the link the beneficiary received.

The folder goes last, so that a purge stopped halfway (a disk error) can be run again.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import os
import re
import secrets
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from livret.dossier.load import check_slug
from livret.dossier.model import Destinataire
from livret.dossier.provider import load_provider
from livret.errors import DossierError, LivretError, display_path
from livret.lifecycle.retention import read_end, retention_end
from livret.lock import build_lock
from livret.project import SET_ASIDE_SUFFIX, STAGED_PREFIX, Project
from livret.protect.access import Store
from livret.protect.stores import open_store
from livret.publish.folders import (
    BOOKLET_DIR,
    MARKER,
    check_private,
    load_state,
    published_outputs,
    save_state,
    state_path,
)

REGISTER_COLUMNS = (
    "date",
    "reference",
    "fin_du_bilan",
    "conservation_ans",
    "conservation_echue",
    "fichiers_du_dossier",
    "livrets_publies",
    "restes_de_construction",
    "synthese_en_clair",
    "feuille_emargement",
    "fiches_projet",
    "acces",
    "etats_de_construction",
)
PARTIES: tuple[str, ...] = get_args(Destinataire)
REFERENCE = re.compile(r"^D-[A-Z2-7]{8}$")


@dataclass(frozen=True)
class PurgePlan:
    """What a purge of one dossier will destroy, found under the lock before any deletion."""

    slug: str
    dossier: Path
    dossier_files: int
    booklets: tuple[Path, ...]  # booklet folders, one per output folder it is published in
    leftovers: tuple[Path, ...]  # scratch and staged folders of interrupted builds
    clear_copy: Path | None
    attendance: Path | None
    fiches: tuple[Path, ...]  # fiches projet for third parties
    access: bool
    states: tuple[Path, ...]  # state files holding an entry for the slug
    end: dt.date | None  # periode.fin, when it can be read
    years: int
    today: dt.date

    @property
    def retention_end(self) -> dt.date | None:
        return None if self.end is None else retention_end(self.end, self.years)

    @property
    def expired(self) -> bool | None:
        """Whether the retention period is over; None when the end of the bilan is unknown."""
        last = self.retention_end
        return None if last is None else self.today > last


@dataclass(frozen=True)
class Purged:
    """A purge done: its register reference and the line written."""

    plan: PurgePlan
    reference: str
    register: Path
    row: dict[str, str]


Confirm = Callable[[PurgePlan], bool]


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _is_own_path(path: Path) -> bool:
    """`path` is its own real path: no symbolic link on the way, nor at the end."""
    return _real(path) == path and not path.is_symlink()


def _dossier_folder(project: Project, slug: str, *, orphan_ok: bool = False) -> Path:
    """The dossier's real folder inside `dossiers/`; refuse a bad name, a link, a miss
    (unless `orphan_ok`: an access entry left behind by a dossier removed by hand)."""
    shown = f"dossiers/{slug}"
    wrong = check_slug(slug, shown)
    if wrong:
        raise LivretError(f"{wrong[0].message} ; rien n'a été détruit")
    folder = project.dossiers / slug
    if folder.is_symlink() or project.dossiers.is_symlink():
        raise LivretError(
            f"{shown} : ce dossier (ou dossiers/) est un lien symbolique ; livret ne détruit "
            "rien à travers un lien. Rien n'a été détruit : supprimez le lien vous-même "
            f"(rm {shown}) et, si ce qu'il désigne doit être détruit, faites-le à la main"
        )
    if not folder.is_dir():
        if orphan_ok and not os.path.lexists(folder):
            return folder
        raise LivretError(
            f"{shown} : dossier introuvable ; rien n'a été détruit (livret retention liste "
            "les dossiers présents)"
        )
    if not _is_own_path(folder):
        raise LivretError(
            f"{shown} : le chemin du dépôt passe par un lien symbolique ; lancez livret "
            f"depuis le chemin réel ({_real(project.root)}). Rien n'a été détruit"
        )
    return folder


def _count_files(folder: Path) -> int:
    count = 0
    for top, dirs, files in os.walk(folder):  # never descends into a linked folder
        count += len(files) + sum(1 for d in dirs if (Path(top) / d).is_symlink())
    return count


def _trusted_output(out: Path, root: Path) -> bool:
    """An output folder livret made: its marker, its own real path, apart from the repository."""
    return (
        out.is_dir()
        and _is_own_path(out)
        and (out / MARKER).is_file()
        and not (out / MARKER).is_symlink()
        and not (out == root or root.is_relative_to(out))
    )


def _private_file(path: Path, refused: list[Path]) -> Path | None:
    """A clear file of the dossier, when it exists; a link or odd entry is refused."""
    if not os.path.lexists(path):
        return None
    if not _is_own_path(path) or not stat.S_ISREG(path.lstat().st_mode):
        refused.append(path)
        return None
    return path


def _booklet_ids(
    project: Project, slug: str, store: Store, outputs: list[tuple[Path, Any]]
) -> tuple[list[str], list[Path]]:
    """The dossier's booklet ids no other dossier claims, and the state files naming it."""
    entry = store.get(slug)
    mine = {entry.booklet_id} if entry else set()
    others = {a.booklet_id for s, a in store.all().items() if s != slug}
    states: list[Path] = []
    for out, booklets in outputs:
        for owner, recorded in booklets.items():
            booklet_id = recorded.get("livret", "")
            (mine if owner == slug else others).add(booklet_id)
        path = state_path(project, out)
        if slug in booklets and path.is_file():
            states.append(path)
    # An id another dossier also claims is never this dossier's to delete.
    return sorted(i for i in mine - others if BOOKLET_DIR.match(i)), states


def _published(
    project: Project, outputs: list[tuple[Path, Any]], ids: list[str], refused: list[Path]
) -> tuple[list[Path], list[Path]]:
    """The booklet folders to delete, and leftovers of interrupted builds; odd paths go to
    `refused`."""
    booklets_found: list[Path] = []
    leftovers: list[Path] = []
    for out, _ in outputs:
        targets = [out / i for i in ids if os.path.lexists(out / i)]
        if not _trusted_output(out, project.root):
            refused += targets  # a booklet of ours in a folder livret no longer recognises
            continue
        for target in targets:
            (booklets_found if _is_own_path(target) and target.is_dir() else refused).append(target)
        for child in sorted(out.iterdir()):
            staged = child.name.startswith(STAGED_PREFIX) or (
                child.name.startswith(".") and child.name.endswith(SET_ASIDE_SUFFIX)
            )
            if staged and child.is_dir() and not child.is_symlink():
                leftovers.append(child)
    if project.work.is_dir() and _is_own_path(project.work):
        prefixes = tuple(f"{i[:6]}-" for i in ids)
        leftovers += [
            child
            for child in sorted(project.work.iterdir())
            if prefixes and child.name.startswith(prefixes) and not child.is_symlink()
        ]
    return booklets_found, leftovers


def _plan(project: Project, slug: str, store: Store, today: dt.date) -> PurgePlan:
    orphan = store.get(slug) is not None or any(
        slug in booklets for _, booklets in published_outputs(project)
    )
    folder = _dossier_folder(project, slug, orphan_ok=orphan)
    root = project.root
    try:
        end = read_end(folder, root) if folder.is_dir() else None
    except DossierError:
        end = None  # unknown end: the register says so, the purge still goes ahead
    years = load_provider(project).base.extra.cadre.conservation_ans

    outputs = published_outputs(project)
    ids, states = _booklet_ids(project, slug, store, outputs)
    refused: list[Path] = []
    booklets_found, leftovers = _published(project, outputs, ids, refused)
    entry = store.get(slug)
    clear_copy = _private_file(project.clear_copy(slug), refused)
    attendance = _private_file(project.attendance_sheet(slug), refused)
    fiches = [_private_file(project.fiche(slug, party), refused) for party in PARTIES]
    if refused:
        shown = ", ".join(display_path(p, root) for p in refused)
        raise LivretError(
            f"{shown} : lien symbolique, fichier inattendu ou dossier de publication que livret "
            "ne reconnaît plus (sans son fichier .livret-publication) ; livret ne détruit rien "
            "hors de ses propres dossiers. Rien n'a été détruit : supprimez ce chemin vous-même, "
            "ou, pour un dossier de publication abandonné, son fichier d'état .livret/etat-*.json, "
            "puis relancez"
        )
    return PurgePlan(
        slug=slug,
        dossier=folder,
        dossier_files=_count_files(folder) if folder.is_dir() else 0,
        booklets=tuple(booklets_found),
        leftovers=tuple(leftovers),
        clear_copy=clear_copy,
        attendance=attendance,
        fiches=tuple(f for f in fiches if f is not None),
        access=entry is not None,
        states=tuple(states),
        end=end,
        years=years,
        today=today,
    )


def _check_register(project: Project) -> None:
    """Refuse before destroying anything when the register could not take the line."""
    path = project.register
    if os.path.lexists(path) and (not _is_own_path(path) or not stat.S_ISREG(path.lstat().st_mode)):
        raise LivretError(
            f"{path.name} : le registre des destructions n'est pas un fichier ordinaire "
            "(lien symbolique ?) ; remplacez-le par le vrai fichier. Rien n'a été détruit"
        )
    target = path if path.exists() else path.parent
    if not os.access(target, os.W_OK):
        raise LivretError(
            f"{path.name} : le registre des destructions ne peut pas être écrit (droits) ; "
            "corrigez les droits. Rien n'a été détruit"
        )


def _references(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    with path.open(encoding="utf-8", newline="") as handle:
        return {row.get("reference", "") for row in csv.DictReader(handle)}


def new_reference(taken: set[str]) -> str:
    """A random reference (40 bits), `D-` and eight base32 letters: it says nothing."""
    while True:
        reference = "D-" + base64.b32encode(secrets.token_bytes(5)).decode()
        if reference not in taken:
            return reference


def register_row(plan: PurgePlan, reference: str) -> dict[str, str]:
    """The register line: kinds and counts, the month the bilan ended, never a name or id."""
    expired = plan.expired
    return {
        "date": plan.today.isoformat(),
        "reference": reference,
        "fin_du_bilan": plan.end.strftime("%Y-%m") if plan.end else "",
        "conservation_ans": str(plan.years),
        "conservation_echue": "" if expired is None else ("oui" if expired else "non"),
        "fichiers_du_dossier": str(plan.dossier_files),
        "livrets_publies": str(len(plan.booklets)),
        "restes_de_construction": str(len(plan.leftovers)),
        "synthese_en_clair": "1" if plan.clear_copy else "0",
        "feuille_emargement": "1" if plan.attendance else "0",
        "fiches_projet": str(len(plan.fiches)),
        "acces": "1" if plan.access else "0",
        "etats_de_construction": str(len(plan.states)),
    }


def _append_register(path: Path, row: dict[str, str]) -> None:
    """One CSV line at the end of the register, with its header when the file is new."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REGISTER_COLUMNS, lineterminator="\n")
    exists = path.is_file() and path.stat().st_size > 0
    if not exists:
        writer.writeheader()
    elif not path.read_bytes().endswith(b"\n"):
        buffer.write("\n")  # a line typed by hand without its end
    writer.writerow(row)
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(buffer.getvalue())
        handle.flush()
        os.fsync(handle.fileno())


def _destroy(project: Project, plan: PurgePlan, store: Store) -> None:
    for folder in (*plan.booklets, *plan.leftovers):
        shutil.rmtree(folder)
    for path in (plan.clear_copy, plan.attendance, *plan.fiches):
        if path is not None:
            path.unlink()
    for out, booklets in published_outputs(project):
        path = state_path(project, out)
        if path in plan.states:
            booklets = load_state(path)
            booklets.pop(plan.slug, None)
            save_state(path, out, booklets)
    store.remove(plan.slug)
    if plan.dossier.is_dir():  # absent when only an orphaned access entry was left
        shutil.rmtree(plan.dossier)  # last: a purge stopped before this can be run again


def _left_behind(project: Project, slug: str) -> bool:
    """Whether a missing dossier left an access entry or a published booklet (looked up
    without opening any secret, before anything is written)."""
    from livret.protect.stores import orphan_entries

    return any(s == slug for s, _ in orphan_entries(project)) or any(
        slug in booklets for _, booklets in published_outputs(project)
    )


def purge(
    project: Project, slug: str, confirm: Confirm, *, today: dt.date | None = None
) -> Purged | None:
    """Destroy the dossier `slug` and what livret made from it, once `confirm(plan)` agrees.

    Runs under the build lock, so no build can publish the booklet again meanwhile; the
    plan given to `confirm` is exactly what is destroyed. None when `confirm` declines
    (nothing is touched). The register line is written once everything is gone.
    """
    day = today or dt.date.today()
    check_private(project)  # before the lock writes into .livret/
    # A missing dossier is said before taking the lock, unless an access entry or a
    # published booklet is left of it (the store, opened under the lock, tells).
    _dossier_folder(project, slug, orphan_ok=_left_behind(project, slug))
    with build_lock(project):
        store = open_store(project)
        plan = _plan(project, slug, store, day)
        _check_register(project)
        if not confirm(plan):
            return None
        try:
            _destroy(project, plan, store)
        except OSError as error:
            raise LivretError(
                f"dossiers/{slug} : destruction interrompue ({error.strerror} : "
                f"{error.filename}) ; corrigez la cause et relancez livret purge {slug} "
                "(rien n'est inscrit au registre tant que la destruction n'est pas complète)"
            ) from None
        reference = new_reference(_references(project.register))
        row = register_row(plan, reference)
        _append_register(project.register, row)
    return Purged(plan, reference, project.register, row)
