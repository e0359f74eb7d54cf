"""Build one booklet: dossier -> view -> pages -> encrypted site -> verify -> publish."""

from __future__ import annotations

import shutil
import tempfile
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

from livret.access import Access
from livret.dossier import model
from livret.dossier.load import Dossier
from livret.errors import DossierError, Problem
from livret.files import data_uri, write_private
from livret.pdf import encrypt_attachment, encrypt_pdf, print_synthese, random_pdf_name
from livret.pdf_structure import verify_pdf_structure
from livret.project import Project
from livret.provider import Provider
from livret.publish import swap_in, verify_booklet
from livret.render.pages import render_pages
from livret.render.view import build_view
from livret.site import SiteInputs, build_site

CLEAR_DIR = "syntheses"


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


# Values of the contract's fixed lists (`presentiel`, `savoir_faire`…): the same in every
# dossier and written by the theme too, so never personal on their own.
_VOCABULARY = frozenset(
    str(choice)
    for kind in (
        model.Situation, model.ModeFinancement, model.Destinataire, model.Phase,
        model.Modalite, model.Categorie, model.Statut, model.Qui,
    )
    for choice in typing.get_args(kind)
) | {"beneficiaire", "consultant"}  # fmt: skip


def _is_vocabulary(value: str) -> bool:
    return value in _VOCABULARY


def work_root(project: Project) -> Path:
    """Private scratch space, outside `site/`, on the same disk as the repository."""
    path = project.private / "travail"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


@dataclass(frozen=True)
class Published:
    """Where one booklet and its PDF were published."""

    folder: Path
    pdf: Path


def clear_copy_path(project: Project, slug: str) -> Path:
    """The consultant's clear copy of the synthèse: git-ignored, never under site/."""
    return project.root / CLEAR_DIR / f"{slug}.pdf"


Attachments = tuple[list[dict[str, Any]], dict[str, bytes]]


def _attachments(dossier: Dossier, passphrase: str) -> Attachments:
    """Attachments for the Documents page: images inlined, PDFs re-encrypted."""
    pieces: list[dict[str, Any]] = []
    files: dict[str, bytes] = {}
    problems = []
    doc = dossier.docs["synthese"]
    for index, outil in enumerate(dossier.synthese.outils):
        if outil.piece is None:
            continue
        source = dossier.piece(outil.piece)
        if source.suffix.lower() == ".pdf":
            try:
                data = encrypt_attachment(source, passphrase)
            except pikepdf.PdfError:
                pos = doc.value_pos(("outils", index, "piece"))
                problems.append(
                    Problem(
                        doc.path,
                        pos.line,
                        pos.column,
                        f"pièce PDF illisible ou déjà protégée « {outil.piece} » : "
                        "fournissez le PDF sans mot de passe, livret le protège lui-même",
                    )
                )
                continue
            name = random_pdf_name()
            files[name] = data
            pieces.append({"titre": outil.nom, "url": name, "image": None})
        else:
            pieces.append({"titre": outil.nom, "url": None, "image": data_uri(source)})
    if problems:
        raise DossierError(problems)
    return pieces, files


def build_booklet(
    project: Project, provider: Provider, dossier: Dossier, access: Access, out: Path
) -> Published:
    """Build, verify and publish one booklet with its encrypted PDF."""
    view = build_view(dossier, project.theme)
    clear_pdf = print_synthese(project, provider, view)
    pdf_name = random_pdf_name()
    pieces, files = _attachments(dossier, access.passphrase)
    files[pdf_name] = encrypt_pdf(clear_pdf, access.passphrase)
    verify_pdf_structure(files[pdf_name], access.passphrase)
    extra: dict[str, Any] = {"pdf": pdf_name, "pieces": pieces}
    pages = render_pages(project, view, extra)
    work = Path(tempfile.mkdtemp(prefix=f"{access.booklet_id[:6]}-", dir=work_root(project)))
    try:
        inputs = SiteInputs(pages, access.booklet_id, access.passphrase)
        built = build_site(project, provider, inputs, work)
        site = built.folder
        for name, data in files.items():
            (site / name).write_bytes(data)
        personal = [s for s in personal_strings(dossier) if not _is_vocabulary(s)]
        verify_booklet(site, personal, access.passphrase, built.theme_dirs)
        out.mkdir(parents=True, exist_ok=True)
        staged = Path(tempfile.mkdtemp(prefix=".arrivee-", dir=out))
        staged.rmdir()
        shutil.move(str(site), staged)
        target = out / access.booklet_id
        swap_in(staged, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    # Only once published: the consultant's copy always matches what the beneficiary has.
    write_private(clear_copy_path(project, dossier.slug), clear_pdf)
    return Published(target, target / pdf_name)
