"""Build many booklets: skip the unchanged, spread the rest over worker processes.

A booklet is rebuilt only when one of its inputs changed (see `fingerprint.py`). Each
worker process imports MkDocs, Material and WeasyPrint once and then builds many
booklets; the encryption plugin's state is reset around every build (see `outputs/site.py`).
One lock per repository keeps two builds from interleaving.
"""

from __future__ import annotations

import concurrent.futures
import functools
import hashlib
import multiprocessing
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from livret.dossier.load import LINKED_DOSSIER, check_slug, dossier_folders, load_dossier
from livret.dossier.provider import Cadre, Provider, load_provider
from livret.errors import DossierError, LivretError, display_path
from livret.lock import build_lock
from livret.outputs import pdf, site
from livret.pipeline.booklet import build_booklet, publishable_view, work_root
from livret.pipeline.fingerprint import booklet_fingerprint, shared_fingerprint
from livret.pipeline.result import BookletResult, Status
from livret.project import SET_ASIDE_SUFFIX, STAGED_PREFIX, Project
from livret.protect.access import Access, Store, in_current_list, store_path
from livret.protect.gitguard import ensure_private
from livret.protect.stores import open_store
from livret.publish.folders import (
    BOOKLET_DIR,
    check_output,
    claim_output,
    load_state,
    now,
    save_state,
    secure_private,
    state_path,
    writing_error,
)
from livret.publish.moved import is_moved_page, moved_page
from livret.publish.swap import recover_set_aside, write_site_root
from livret.render.labels import load_labels

Progress = Callable[[BookletResult, int, int], None]

# How worker processes start. `fork` (Linux, macOS when asked) copies a parent that has
# already imported MkDocs and WeasyPrint; `spawn` (the only one on Windows, the default on
# macOS) starts fresh interpreters that warm up in `_warm_up`. Set to force one (tests).
START_METHOD_VAR = "LIVRET_START_METHOD"
START_METHODS = ("fork", "spawn")


@dataclass(frozen=True)
class Shard:
    """The K-th of N deterministic slices of the dossiers (1-based)."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = re.fullmatch(r"(\d+)/(\d+)", text.strip())
        if not match or not 1 <= int(match[1]) <= int(match[2]):
            raise LivretError(f"--shard {text} : écrivez K/N avec 1 ≤ K ≤ N, par exemple 2/4")
        return cls(int(match[1]), int(match[2]))

    def holds(self, slug: str) -> bool:
        # By hash, not by position: adding a dossier never moves the others between shards.
        digest = int.from_bytes(hashlib.sha256(slug.encode()).digest()[:8], "big")
        return digest % self.count == self.index - 1


def _clean_leftovers(project: Project, out: Path) -> None:
    """What an interrupted build left behind: never published, safe to remove."""
    recover_set_aside(out)  # an old booklet set aside by an interrupted swap goes back
    if out.is_dir():
        for pattern in (
            f"{STAGED_PREFIX}*",
            f".*{SET_ASIDE_SUFFIX}",
        ):  # staged, or set aside and not a booklet's
            for leftover in out.glob(pattern):
                shutil.rmtree(leftover, ignore_errors=True)
    shutil.rmtree(work_root(project), ignore_errors=True)


# --- worker side ------------------------------------------------------------------------------


def _provider(root: str) -> Provider:
    """Loaded once per worker while mkdocs.yml is unchanged."""
    project = Project(Path(root))
    return _provider_at(root, project.config.stat().st_mtime_ns)


@functools.cache
def _provider_at(root: str, mtime: int) -> Provider:
    return load_provider(Project(Path(root)))


def _warm_up() -> None:
    """Imports paid once per worker, not once per booklet (MkDocs comes with `site.py`).

    The pool's initializer: a spawned worker pays it once; a forked one finds it done.
    """
    site.warm_up()
    pdf.warm_up()


def start_method() -> str:
    """`fork` where the system has it (measured faster, see the README), else `spawn`.

    Workers receive only picklable arguments and rebuild what they need from them, so
    both methods build the same booklets.
    """
    available = multiprocessing.get_all_start_methods()
    asked = os.environ.get(START_METHOD_VAR, "").strip()
    if asked:
        if asked not in START_METHODS or asked not in available:
            offered = ", ".join(m for m in START_METHODS if m in available)
            raise LivretError(
                f"{START_METHOD_VAR}={asked} : méthode de démarrage des processus inconnue "
                f"ou absente de ce système ; choisissez parmi : {offered}"
            )
        return asked
    return "fork" if "fork" in available else "spawn"


def build_one(
    root: str, slug: str, access: Access, out: str, strict_mode: bool = False
) -> BookletResult:
    """Build one booklet; user errors become a failed result, bugs propagate."""
    project = Project(Path(root))
    started = time.perf_counter()
    folder = project.dossiers / slug
    try:
        provider = _provider(root)
        dossier = load_dossier(folder, project.root, provider.base.extra.cadre)
        published = build_booklet(
            project, provider, dossier, access, Path(out), strict_mode=strict_mode
        )
    except DossierError as error:
        return BookletResult(slug, Status.FAILED, errors=[str(p) for p in error.problems])
    except LivretError as error:
        return BookletResult(
            slug, Status.FAILED, errors=[f"{display_path(folder, project.root)}: {error}"]
        )
    return BookletResult(
        slug,
        Status.BUILT,
        site=display_path(published.folder, project.root) + "/",
        pdf=display_path(published.pdf, project.root),
        seconds=time.perf_counter() - started,
        warnings=[str(p) for p in published.warnings],
    )


def recheck(
    project: Project, folder: Path, strict_mode: bool, cadre: Cadre | None = None
) -> list[str]:
    """What `livret check` says of an unchanged dossier: its warnings, or DossierError.

    An unchanged fingerprint proves the inputs are the same, not that today's rules
    accept them: a booklet is only ever called unchanged when the dossier still passes.
    """
    dossier = load_dossier(folder, project.root, cadre)
    view = publishable_view(dossier, project.theme, strict_mode)
    return [str(p) for p in view.warnings]


# --- coordinator ------------------------------------------------------------------------------


def _existing(out: Path, access: Access, entry: dict[str, str] | None) -> tuple[str, str] | None:
    if entry is None:
        return None
    folder = out / access.booklet_id
    pdf = folder / entry.get("pdf", "")
    if folder.is_dir() and entry.get("pdf") and pdf.is_file():
        return (folder.as_posix(), pdf.as_posix())
    return None


def build_all(
    project: Project,
    slugs: list[str] | None,
    out: Path,
    *,
    jobs: int = 1,
    force: bool = False,
    shard: Shard | None = None,
    progress: Progress | None = None,
    strict_mode: bool = False,
    notices: list[str] | None = None,
) -> list[BookletResult]:
    """Build the named booklets (all when none): unchanged ones skipped, failures isolated.

    `out` is checked before anything is written (see `publish/folders.py`). Permissions livret
    had to fix are told in `notices`, for the caller to show.
    """
    # A broken mkdocs.yml stops everything, before any work.
    cadre = load_provider(project).base.extra.cadre
    load_labels(project.theme)  # so does a broken theme/libelles.yml
    out = check_output(project, out, store_path(project))
    told = notices if notices is not None else []
    with build_lock(project):
        store = _open_output(project, out, told)
        folders = dossier_folders(project.root, sorted(set(slugs)) if slugs else None)
        if shard is not None:
            folders = [f for f in folders if shard.holds(f.name)]
        batch = _Batch(project, out, store, len(folders), progress, strict_mode, told)
        todo = [
            job for folder in folders if (job := batch.triage(folder, force, cadre)) is not None
        ]
        batch.save()  # the time each unchanged booklet was last published
        batch.run(todo, jobs)
        # Folders whose id the store no longer knows (rotated links) always go; after a
        # full build, so do the booklets of dossiers that were removed.
        known = {a.booklet_id for a in store.all().values()}
        if slugs is None and shard is None:
            known = {a.booklet_id for f in folders if (a := store.get(f.name)) is not None}
        _remove_stale(out, known, moved_page(project))
        order = {f.name: i for i, f in enumerate(folders)}
        return sorted(batch.results.values(), key=lambda r: order.get(r.slug, 0))


def _open_output(project: Project, out: Path, told: list[str]) -> Store:
    """Under the lock: private folders closed, leftovers cleared, the store and `out` ready."""
    told += secure_private(project)
    ensure_private(project, [project.private, project.clear_copies])
    _clean_leftovers(project, out)
    store = open_store(project)
    told += store.notices
    if not store.path.exists() and _published_ids(out):
        raise LivretError(
            f"{store.path}: fichier des accès introuvable alors que des livrets sont déjà "
            "publiés ; restaurez-le (ou vérifiez LIVRET_ACCESS) : sans lui, chaque livret "
            "recevrait un nouveau lien et une nouvelle phrase de passe"
        )
    try:
        claim_output(out)
        write_site_root(out, project.theme / "accueil-site.html")
    except OSError as error:
        raise writing_error(error, out, project.root) or error from None
    return store


_Job = tuple[str, Access, str]  # slug, its access, its fingerprint


class _Batch:
    """One run over an output folder: results in, the state file kept after each booklet."""

    def __init__(
        self,
        project: Project,
        out: Path,
        store: Store,
        total: int,
        progress: Progress | None,
        strict_mode: bool,
        told: list[str],
    ) -> None:
        self.project, self.out, self.store, self.total = project, out, store, total
        self.progress, self.strict_mode, self.told = progress, strict_mode, told
        self.shared = shared_fingerprint(project)
        self.state_file = state_path(project, out)
        self.state = load_state(self.state_file)
        self.results: dict[str, BookletResult] = {}

    def report(self, result: BookletResult) -> None:
        self.results[result.slug] = result
        if self.progress is not None:
            self.progress(result, len(self.results), self.total)

    def save(self) -> None:
        _save(self.state_file, self.out, self.state, self.project)

    def _refusal(self, folder: Path) -> list[str] | None:
        """Why a folder is not even read: a bad name, missing, or a link."""
        slug, shown = folder.name, display_path(folder, self.project.root)
        wrong_name = check_slug(slug, f"dossiers/{slug}")
        if wrong_name:
            return [str(p) for p in wrong_name]
        if not folder.is_dir():
            return [f"{shown}:1:1: dossier introuvable"]
        if folder.is_symlink():  # never read, not even to fingerprint it
            return [f"{shown}:1:1: {LINKED_DOSSIER}"]
        return None

    def triage(self, folder: Path, force: bool, cadre: Cadre) -> _Job | None:
        """The booklet to build, or None when it failed early or is unchanged (reported)."""
        slug = folder.name
        refusal = self._refusal(folder)
        if refusal:
            self.report(BookletResult(slug, Status.FAILED, errors=refusal))
            return None
        entry = self.state.get(slug)
        access = self.store.get(slug)
        refused = self._unrequested(slug, access, entry)
        if refused:
            self.report(BookletResult(slug, Status.FAILED, errors=[refused]))
            return None
        if access is None:
            # Kept only once built: a refused dossier leaves no access entry behind.
            access = self.store.draft(slug)
        if not in_current_list(access.passphrase):  # never show the passphrase itself
            self.told.append(
                f"dossiers/{slug} : la phrase de passe de ce livret contient un mot retiré "
                f"de la liste ; donnez-en une nouvelle avec livret access {slug} "
                "--nouvelle-phrase"
            )
        fingerprint = booklet_fingerprint(self.shared, folder, access)
        existing = _existing(self.out, access, entry)
        if force or not entry or entry.get("empreinte") != fingerprint or not existing:
            return slug, access, fingerprint
        try:
            warnings = recheck(self.project, folder, self.strict_mode, cadre)
        except DossierError as error:
            # The published booklet stays as it was; the dossier must be fixed.
            errors = [str(p) for p in error.problems]
            self.report(BookletResult(slug, Status.FAILED, errors=errors))
            return None
        root = self.project.root
        self.report(
            BookletResult(
                slug,
                Status.UNCHANGED,
                site=display_path(Path(existing[0]), root) + "/",
                pdf=display_path(Path(existing[1]), root),
                warnings=warnings,
            )
        )
        entry["publie"] = now()
        return None

    def _unrequested(self, slug: str, access: Access | None, entry: dict[str, str] | None) -> str:
        """Why the access differs from the one this folder was last built with, without a
        consultant having asked; "" when it does not.

        A change a member asks for (`livret access --nouvelle-phrase / --nouveau-lien`)
        raises the entry's counter. An entry that vanished, or came back older (a file
        restored from an old commit, a replayed copy), or changed at the same count, was
        not asked for: building it would move or re-key a booklet already handed over.
        """
        if entry is None or "livret" not in entry:
            return ""
        name = self.store.entry_name(slug)
        published = int(c) if (c := entry.get("compteur", "0")).isdigit() else 0
        if access is None:
            return (
                f"{name} : aucun accès pour ce dossier, alors que son livret est déjà publié "
                f"({entry['livret'][:6]}…) ; sans lui, le livret changerait de lien et de phrase "
                "sans que personne l'ait demandé. Restaurez le fichier des accès (git checkout, "
                f"ou votre sauvegarde) ; pour vraiment changer de lien : livret access {slug} "
                "--nouveau-lien"
            )
        same = access.booklet_id == entry["livret"] and access.created == entry.get(
            "cree", access.created
        )
        if access.counter < published or (access.counter == published and not same):
            return (
                f"{name} : l'accès de ce dossier a changé (lien ou phrase de passe) sans "
                "demande d'un consultant : il est plus ancien que celui du livret publié, "
                "ou différent au même numéro de version. Rien n'est construit ; restaurez la "
                f"version la plus récente (git log -p -- {name}) ; pour changer l'accès : "
                f"livret access {slug} --nouvelle-phrase ou --nouveau-lien"
            )
        return ""

    def record(self, result: BookletResult, fingerprint: str, access: Access) -> None:
        if result.status is Status.BUILT and result.pdf:
            if self.store.get(result.slug) != access:
                self.store.keep(access)  # first build of this dossier
            self.state[result.slug] = {
                "empreinte": fingerprint,
                "livret": access.booklet_id,
                "compteur": str(access.counter),
                "cree": access.created,
                "pdf": Path(result.pdf).name,
                "publie": now(),
            }
        else:
            # What was published stays published (a failed build leaves it in place): keep
            # which access it was made with, so a later change is still checked.
            kept = {
                k: v
                for k, v in self.state.get(result.slug, {}).items()
                if k in ("livret", "compteur", "cree", "publie", "pdf")
            }
            if kept:
                kept.pop("empreinte", None)
                self.state[result.slug] = kept
            else:
                self.state.pop(result.slug, None)
        self.save()  # after each booklet: a killed run keeps what was done
        self.report(result)

    def run(self, todo: list[_Job], jobs: int) -> None:
        """Build every job, in this process or in a pool of `jobs` workers."""
        root, out, strict_mode = str(self.project.root), str(self.out), self.strict_mode
        if jobs <= 1 or len(todo) <= 1:
            for slug, access, fingerprint in todo:
                self.record(build_one(root, slug, access, out, strict_mode), fingerprint, access)
            return
        method = start_method()
        if method == "fork":
            _warm_up()  # imported before forking: every worker starts warm
        context = multiprocessing.get_context(method)
        with concurrent.futures.ProcessPoolExecutor(
            max_workers=min(jobs, len(todo)), mp_context=context, initializer=_warm_up
        ) as pool:
            futures = {
                pool.submit(build_one, root, slug, access, out, strict_mode): (fingerprint, access)
                for slug, access, fingerprint in todo
            }
            for future in concurrent.futures.as_completed(futures):
                fingerprint, access = futures[future]
                self.record(future.result(), fingerprint, access)


def _save(path: Path, out: Path, state: dict[str, dict[str, str]], project: Project) -> None:
    try:
        save_state(path, out, state)
    except OSError as error:
        raise writing_error(error, path, project.root) or error from None


def _published_ids(out: Path) -> list[str]:
    if not out.is_dir():
        return []
    return [c.name for c in out.iterdir() if c.is_dir() and BOOKLET_DIR.match(c.name)]


def _remove_stale(out: Path, live: set[str], moved: str) -> None:
    """Booklets whose dossier was removed, or whose link was rotated, leave `site/`; the
    page left at an old link by `--nouveau-lien` stays."""
    for child in out.iterdir() if out.is_dir() else []:
        if child.is_dir() and BOOKLET_DIR.match(child.name) and child.name not in live:
            if not child.is_symlink() and is_moved_page(child, moved):
                continue
            shutil.rmtree(child, ignore_errors=True)
