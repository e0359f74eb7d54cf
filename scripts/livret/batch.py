"""Build many booklets: skip the unchanged, spread the rest over worker processes.

A booklet is rebuilt only when one of its inputs changed: its dossier's files, the
shared `content/`, `theme/`, `mkdocs.yml`, livret itself, or its access entry. Each
worker process imports MkDocs, Material and WeasyPrint once and then builds many
booklets; the encryption plugin's state is reset around every build (see `site.py`).
One lock per repository keeps two builds from interleaving.
"""

from __future__ import annotations

import concurrent.futures
import functools
import hashlib
import json
import multiprocessing
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from livret import __version__
from livret.access import Access, AccessStore
from livret.build import CLEAR_DIR, BookletResult, build_booklet, work_root
from livret.dossier.load import check_slug, dossier_folders, load_dossier
from livret.errors import DossierError, LivretError, display_path, strict
from livret.files import write_private
from livret.gitguard import ensure_private
from livret.lock import build_lock
from livret.project import Project
from livret.provider import Provider, load_provider
from livret.publish import write_site_root
from livret.render.view import build_view

BOOKLET_DIR = re.compile(r"^[a-z2-7]{24}$")
Progress = Callable[[BookletResult, int, int], None]


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


def _hash_tree(digest: hashlib._Hash, folder: Path, root: Path) -> None:
    if not folder.exists():
        return
    paths = [folder] if folder.is_file() else sorted(p for p in folder.rglob("*") if p.is_file())
    for path in paths:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")


# Libraries whose upgrade changes what a booklet looks like or how it is protected.
_DEPENDENCIES = (
    "mkdocs", "mkdocs-material", "mkdocs-encryptcontent-plugin", "weasyprint", "pikepdf",
    "markdown", "jinja2",
)  # fmt: skip


@functools.cache
def _tool_fingerprint() -> str:
    """livret's own code and the libraries it drives: a change to them changes every booklet."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256(__version__.encode())
    for name in _DEPENDENCIES:
        try:
            digest.update(f"{name}={version(name)}\0".encode())
        except PackageNotFoundError:
            digest.update(f"{name}=?\0".encode())
    package = Path(__file__).parent
    _hash_tree(digest, package, package)
    return digest.hexdigest()


def shared_fingerprint(project: Project) -> str:
    """Everything every booklet depends on."""
    digest = hashlib.sha256(_tool_fingerprint().encode())
    for part in (project.content, project.theme, project.config):
        _hash_tree(digest, part, project.root)
    logo = load_provider(project).logo
    if logo is not None and logo.is_file():  # may live outside theme/
        digest.update(logo.read_bytes())
    return digest.hexdigest()


def booklet_fingerprint(shared: str, folder: Path, access: Access) -> str:
    digest = hashlib.sha256(shared.encode())
    # The access entry by its id and creation time: a rotation changes both.
    digest.update(f"{access.booklet_id}\0{access.created}\0".encode())
    _hash_tree(digest, folder, folder.parent)
    return digest.hexdigest()


def _state_path(project: Project, out: Path) -> Path:
    key = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:12]
    return project.private / f"etat-{key}.json"


def _load_state(path: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return dict(data) if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}  # no state: everything is rebuilt, which is always safe


def _save_state(path: Path, state: dict[str, dict[str, str]]) -> None:
    write_private(path, json.dumps(state, indent=1, sort_keys=True).encode("utf-8"))


def _clean_leftovers(project: Project, out: Path) -> None:
    """What an interrupted build left behind: never published, safe to remove."""
    if out.is_dir():
        for pattern in (".arrivee-*", ".*.ancien"):  # staged, or set aside by a slow swap
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
    """Imports paid once per worker, not once per booklet."""
    import mkdocs.commands.build  # noqa: F401
    import weasyprint  # noqa: F401


def build_one(
    root: str, slug: str, access: Access, out: str, strict_mode: bool = False
) -> BookletResult:
    """Build one booklet; user errors become a failed result, bugs propagate."""
    project = Project(Path(root))
    started = time.perf_counter()
    folder = project.dossiers / slug
    try:
        dossier = load_dossier(folder, project.root)
        published = build_booklet(
            project, _provider(root), dossier, access, Path(out), strict_mode=strict_mode
        )
    except DossierError as error:
        return BookletResult(slug, "failed", errors=[str(p) for p in error.problems])
    except LivretError as error:
        return BookletResult(
            slug, "failed", errors=[f"{display_path(folder, project.root)}: {error}"]
        )
    return BookletResult(
        slug,
        "built",
        site=display_path(published.folder, project.root) + "/",
        pdf=display_path(published.pdf, project.root),
        seconds=time.perf_counter() - started,
        warnings=[str(p) for p in published.warnings],
    )


def recheck(project: Project, folder: Path, strict_mode: bool) -> list[str]:
    """What `livret check` says of an unchanged dossier: its warnings, or DossierError.

    An unchanged fingerprint proves the inputs are the same, not that today's rules
    accept them: a booklet is only ever called unchanged when the dossier still passes.
    """
    view = build_view(load_dossier(folder, project.root), project.theme)
    if strict_mode and view.warnings:
        raise strict(view.warnings)
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
) -> list[BookletResult]:
    """Build the named booklets (all when none): unchanged ones skipped, failures isolated."""
    load_provider(project)  # a broken mkdocs.yml stops everything, before any work
    with build_lock(project):
        ensure_private(project, [project.private, project.root / CLEAR_DIR])
        _clean_leftovers(project, out)
        store = AccessStore(project)
        if not store.path.exists() and _published_ids(out):
            raise LivretError(
                f"{store.path}: fichier des accès introuvable alors que des livrets sont déjà "
                "publiés ; restaurez-le (ou vérifiez LIVRET_ACCESS) : sans lui, chaque livret "
                "recevrait un nouveau lien et une nouvelle phrase de passe"
            )
        write_site_root(out, project.theme / "accueil-site.html")
        folders = dossier_folders(project.root, sorted(set(slugs)) if slugs else None)
        if shard is not None:
            folders = [f for f in folders if shard.holds(f.name)]
        shared = shared_fingerprint(project)
        state_path = _state_path(project, out)
        state = _load_state(state_path)
        results: dict[str, BookletResult] = {}
        todo: list[tuple[str, Access, str]] = []
        total = len(folders)

        def report(result: BookletResult) -> None:
            results[result.slug] = result
            if progress is not None:
                progress(result, len(results), total)

        for folder in folders:
            slug = folder.name
            wrong_name = check_slug(slug, f"dossiers/{slug}")
            if wrong_name:
                report(BookletResult(slug, "failed", errors=[str(p) for p in wrong_name]))
                continue
            if not folder.is_dir():
                shown = display_path(folder, project.root)
                report(BookletResult(slug, "failed", errors=[f"{shown}:1:1: dossier introuvable"]))
                continue
            access = store.ensure(slug)
            fingerprint = booklet_fingerprint(shared, folder, access)
            entry = state.get(slug)
            existing = _existing(out, access, entry)
            if not force and entry and entry.get("empreinte") == fingerprint and existing:
                try:
                    warnings = recheck(project, folder, strict_mode)
                except DossierError as error:
                    # The published booklet stays as it was; the dossier must be fixed.
                    errors = [str(p) for p in error.problems]
                    report(BookletResult(slug, "failed", errors=errors))
                    continue
                report(
                    BookletResult(
                        slug,
                        "unchanged",
                        site=display_path(Path(existing[0]), project.root) + "/",
                        pdf=display_path(Path(existing[1]), project.root),
                        warnings=warnings,
                    )
                )
                continue
            todo.append((slug, access, fingerprint))

        def record(result: BookletResult, fingerprint: str, access: Access) -> None:
            if result.status == "built" and result.pdf:
                state[result.slug] = {
                    "empreinte": fingerprint,
                    "livret": access.booklet_id,
                    "pdf": Path(result.pdf).name,
                }
            else:
                state.pop(result.slug, None)
            _save_state(state_path, state)  # after each booklet: an interrupted run keeps it
            report(result)

        if jobs <= 1 or len(todo) <= 1:
            for slug, access, fingerprint in todo:
                result = build_one(str(project.root), slug, access, str(out), strict_mode)
                record(result, fingerprint, access)
        else:
            _warm_up()  # imported before forking: every worker starts warm
            context = multiprocessing.get_context("fork")
            with concurrent.futures.ProcessPoolExecutor(
                max_workers=min(jobs, len(todo)), mp_context=context
            ) as pool:
                futures = {
                    pool.submit(
                        build_one, str(project.root), slug, access, str(out), strict_mode
                    ): (
                        fingerprint,
                        access,
                    )
                    for slug, access, fingerprint in todo
                }
                for future in concurrent.futures.as_completed(futures):
                    fingerprint, access = futures[future]
                    record(future.result(), fingerprint, access)

        # Folders whose id the store no longer knows (rotated links) always go; after a
        # full build, so do the booklets of dossiers that were removed.
        known = {a.booklet_id for a in store.all().values()}
        if slugs is None and shard is None:
            known = {a.booklet_id for f in folders if (a := store.get(f.name)) is not None}
        _remove_stale(out, known)
        order = {f.name: i for i, f in enumerate(folders)}
        return sorted(results.values(), key=lambda r: order.get(r.slug, 0))


def _published_ids(out: Path) -> list[str]:
    if not out.is_dir():
        return []
    return [c.name for c in out.iterdir() if c.is_dir() and BOOKLET_DIR.match(c.name)]


def _remove_stale(out: Path, live: set[str]) -> None:
    """Booklets whose dossier was removed, or whose link was rotated, leave `site/`."""
    for child in out.iterdir() if out.is_dir() else []:
        if child.is_dir() and BOOKLET_DIR.match(child.name) and child.name not in live:
            shutil.rmtree(child, ignore_errors=True)
