"""Build one booklet: dossier -> view -> pages -> encrypted site -> verify -> publish."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from livret.access import Access
from livret.dossier.load import Dossier
from livret.project import Project
from livret.provider import Provider
from livret.publish import swap_in, verify_booklet
from livret.render.pages import render_pages
from livret.render.view import build_view
from livret.site import SiteInputs, build_site


@dataclass
class BookletResult:
    """What happened to one booklet, as reported by `livret build --json`."""

    slug: str
    status: str  # built | unchanged | failed
    site: str | None = None
    pdf: str | None = None
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "status": self.status,
            "site": self.site,
            "pdf": self.pdf,
            "errors": self.errors,
        }


def personal_strings(dossier: Dossier) -> Iterator[str]:
    """Every string the consultant wrote for this person, including published notes."""

    def walk(value: Any) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from walk(item)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item)

    for doc in dossier.docs.values():
        yield from walk(doc.data)
    for note in dossier.notes:
        yield note.meta.titre
        yield from (line for line in note.body.splitlines() if len(line.strip()) >= 12)
    yield dossier.slug


# Strings that are the dossier's data but also ordinary words of the theme or the
# contract (enum values such as `presentiel`): never personal on their own.
def _is_vocabulary(value: str) -> bool:
    return value.isascii() and value.replace("_", "").isalpha() and value.islower()


def work_root(project: Project) -> Path:
    """Private scratch space, outside `site/`, on the same disk as the repository."""
    path = project.private / "travail"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def build_booklet(
    project: Project, provider: Provider, dossier: Dossier, access: Access, out: Path
) -> Path:
    """Build, verify and publish one booklet; return its published folder."""
    view = build_view(dossier, project.theme)
    extra: dict[str, Any] = {"pdf": None, "pieces": []}
    pages = render_pages(project, view, extra)
    work = Path(tempfile.mkdtemp(prefix=f"{access.booklet_id[:6]}-", dir=work_root(project)))
    try:
        inputs = SiteInputs(pages, access.booklet_id, access.passphrase)
        built = build_site(project, provider, inputs, work)
        site = built.folder
        personal = [s for s in personal_strings(dossier) if not _is_vocabulary(s)]
        verify_booklet(site, personal, access.passphrase, built.theme_dirs)
        out.mkdir(parents=True, exist_ok=True)
        staged = Path(tempfile.mkdtemp(prefix=".arrivee-", dir=out))
        staged.rmdir()
        shutil.move(str(site), staged)
        target = out / access.booklet_id
        swap_in(staged, target)
        return target
    finally:
        shutil.rmtree(work, ignore_errors=True)


def build_booklets(project: Project, slugs: list[str] | None, out: Path) -> list[BookletResult]:
    """Build the named booklets (all when none); one bad dossier does not stop the others."""
    import time

    from livret.access import AccessStore
    from livret.dossier.load import dossier_folders, load_dossier
    from livret.errors import DossierError, LivretError, display_path
    from livret.provider import load_provider
    from livret.publish import write_site_root

    provider = load_provider(project)
    store = AccessStore(project)
    write_site_root(out)
    results = []
    for folder in dossier_folders(project.root, slugs):
        slug = folder.name
        started = time.perf_counter()
        if not folder.is_dir():
            message = f"{display_path(folder, project.root)}:1:1: dossier introuvable"
            results.append(BookletResult(slug, "failed", errors=[message]))
            continue
        try:
            dossier = load_dossier(folder, project.root)
            access = store.ensure(slug)
            target = build_booklet(project, provider, dossier, access, out)
        except DossierError as error:
            results.append(BookletResult(slug, "failed", errors=[str(p) for p in error.problems]))
            continue
        except LivretError as error:
            results.append(BookletResult(slug, "failed", errors=[str(error)]))
            continue
        results.append(
            BookletResult(
                slug,
                "built",
                site=display_path(target, project.root) + "/",
                seconds=time.perf_counter() - started,
            )
        )
    return results
