"""Build one booklet: dossier -> view -> pages -> encrypted site -> verify -> publish."""

from __future__ import annotations

import errno
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from livret.dossier import lint
from livret.dossier.load import Dossier
from livret.dossier.provider import Provider
from livret.errors import DossierError, Problem, strict
from livret.files import write_private
from livret.outputs.pdf import encrypt_attachment, encrypt_pdf, print_synthese, random_pdf_name
from livret.outputs.pdf_structure import verify_pdf_structure
from livret.outputs.site import SiteInputs, build_site
from livret.project import STAGED_PREFIX, Project
from livret.protect.access import Access
from livret.protect.pieces import PieceRefused, clean_pdf, image_data_uri
from livret.publish.folders import writing_error
from livret.publish.swap import swap_in
from livret.render.pages import Page, render_pages
from livret.render.view import build_view
from livret.render.view_model import Attachment, Downloads, View
from livret.verify import personal_strings, verify_booklet


def work_root(project: Project) -> Path:
    """Private scratch space, outside `site/`, on the same disk as the repository."""
    path = project.work
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


@dataclass(frozen=True)
class Published:
    """Where one booklet and its PDF were published."""

    folder: Path
    pdf: Path
    warnings: list[Problem] = field(default_factory=list)


def clear_copy_path(project: Project, slug: str) -> Path:
    """The consultant's clear copy of the synthèse: git-ignored, never under site/."""
    return project.clear_copy(slug)


Attachments = tuple[tuple[Attachment, ...], dict[str, bytes]]


def prepare_attachments(dossier: Dossier, passphrase: str | None) -> Attachments:
    """Attachments for the Documents page: images cleaned and inlined, PDFs sanitised and
    re-encrypted (what cleaning removed is a warning of the view, see render/view.py).

    Without a passphrase (the consultant's local preview), PDFs are sanitised only."""
    pieces: list[Attachment] = []
    files: dict[str, bytes] = {}
    problems = []
    doc = dossier.docs["synthese"]
    for index, outil in enumerate(dossier.synthese.outils):
        if outil.piece is None:
            continue
        source = dossier.piece(outil.piece)
        pos = doc.value_pos(("outils", index, "piece"))
        try:
            if source.suffix.lower() == ".pdf":
                if passphrase is None:
                    data = clean_pdf(source).data
                else:
                    data, _removed = encrypt_attachment(source, passphrase)
                name = random_pdf_name()
                files[name] = data
                pieces.append(Attachment(outil.nom, url=name, image=None, piece=outil.piece))
            else:
                image = image_data_uri(source)
                pieces.append(Attachment(outil.nom, url=None, image=image, piece=outil.piece))
        except PieceRefused as error:
            problems.append(Problem(doc.path, pos.line, pos.column, error.describe(outil.piece)))
    if problems:
        raise DossierError(problems)
    return tuple(pieces), files


def _shell_texts(provider: Provider, view: View, pages: list[Page]) -> list[str]:
    """What the provider's settings and the theme's labels put in the clear shell of a page."""
    base = provider.base
    form = view.labels.get("verrou", {})
    # The provider's name is on the lock page (theme/material/verrou.html): not personal.
    named = [base.site_name, base.copyright or "", base.extra.prestataire.nom]
    return [*named, *map(str, form.values())] + [p.title for p in pages]


def publishable_view(
    dossier: Dossier, theme: Path, strict_mode: bool, provider: Provider | None = None
) -> View:
    """The view of a dossier that may be published; DossierError when it may not."""
    questionnaires = provider.base.extra.cadre.questionnaires if provider else None
    view = build_view(dossier, theme, questionnaires)
    if dossier.placeholders:
        # Normal in a dossier in progress; never in what the beneficiary receives.
        raise DossierError(lint.refusals(dossier.placeholders))
    if strict_mode and view.warnings:
        raise strict(view.warnings)
    return view


def build_booklet(
    project: Project,
    provider: Provider,
    dossier: Dossier,
    access: Access,
    out: Path,
    *,
    strict_mode: bool = False,
) -> Published:
    """Build, verify and publish one booklet with its encrypted PDF."""
    view = publishable_view(dossier, project.theme, strict_mode, provider)
    clear_pdf = print_synthese(project, provider, view)
    pdf_name = random_pdf_name()
    pieces, files = prepare_attachments(dossier, access.passphrase)
    files[pdf_name] = encrypt_pdf(clear_pdf, access.passphrase)
    verify_pdf_structure(files[pdf_name], access.passphrase)
    pages = render_pages(project, view, Downloads(pdf_name, pieces))
    staged: Path | None = None
    target = out / access.booklet_id
    try:
        work = Path(tempfile.mkdtemp(prefix=f"{access.booklet_id[:6]}-", dir=work_root(project)))
        try:
            inputs = SiteInputs(pages, access.booklet_id, access.passphrase)
            built = build_site(project, provider, inputs, work)
            site = built.folder
            for name, data in files.items():
                (site / name).write_bytes(data)
            personal = list(personal_strings(dossier))
            verify_booklet(
                site,
                personal,
                access.passphrase,
                built.theme_dirs,
                built.generated,
                known=_shell_texts(provider, view, pages),
            )
            out.mkdir(parents=True, exist_ok=True)
            staged = Path(tempfile.mkdtemp(prefix=STAGED_PREFIX, dir=out))
            staged.rmdir()
            # A copy when `out` is on another disk: it may stop half-way when that disk fills.
            _move(site, staged)
            swap_in(staged, target)
            staged = None
        finally:
            # At once, not at the next build: a half-copied booklet must not sit in `out`.
            if staged is not None:
                shutil.rmtree(staged, ignore_errors=True)
            shutil.rmtree(work, ignore_errors=True)
        # Only once published: the consultant's copy always matches what the beneficiary has.
        write_private(clear_copy_path(project, dossier.slug), clear_pdf)
    except OSError as error:
        written = Path(error.filename) if isinstance(error.filename, str) else out
        where = out if written.is_relative_to(out) else work_root(project)
        raise writing_error(error, where, project.root) or error from None
    return Published(target, target / pdf_name, list(view.warnings))


class _CopyStopped(Exception):
    """Carries an OSError out of `shutil.copytree`, which would go on copying and lump it."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error


def _copy_file(source: str, destination: str) -> None:
    try:
        shutil.copy2(source, destination)
    except OSError as error:
        raise _CopyStopped(error) from error


def _move(site: Path, staged: Path) -> None:
    """Rename when `out` is on the disk of `.livret/`, else copy and stop at the first failure."""
    try:
        site.rename(staged)
        return
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
    try:
        shutil.copytree(site, staged, copy_function=_copy_file)
    except _CopyStopped as stopped:
        raise stopped.error from None
    except shutil.Error as error:  # a folder that could not be made
        raise OSError(errno.EIO, str(error)) from None
