"""The document de synthèse: our own print template laid out by WeasyPrint, then encrypted.

The PDF is fed by the same view as the booklet pages (same data, same Markdown
rendering) and never by the built site, whose pages are encrypted. Encryption is
AES-256 (revision 6) with the booklet's passphrase; the owner password is random and
thrown away, so nobody can lift the restrictions with a known password.
"""

from __future__ import annotations

import base64
import functools
import io
import secrets
from pathlib import Path
from typing import Any

import pikepdf

from livret.dossier.provider import Provider, logo_bytes
from livret.outputs.pdf_tags import HYPHENATION, NEUTRAL_TITLES, finish_tags
from livret.project import Project
from livret.protect.pieces import clean_pdf
from livret.render.templates import environment
from livret.render.typography import french_html
from livret.render.view_model import View


def _euros(amount: float) -> str:
    whole = f"{amount:,.2f}".replace(",", "\u202f").replace(".", ",").removesuffix(",00")
    return f"{whole}\u00a0€"


def _logo_uri(logo: Path) -> str:
    kind = "image/svg+xml" if logo.suffix.lower() == ".svg" else "image/png"
    return f"data:{kind};base64,{base64.b64encode(logo_bytes(logo)).decode()}"


PDF_DIR = "pdf"  # in theme/: every printed document's template and stylesheet
COMMON_CSS = "commun.css"  # the page frame, type and tables all printed documents share


def provider_context(provider: Provider) -> dict[str, Any]:
    """What every printed document shows of the provider: its block and its logo."""
    return {
        "prestataire": provider.base.extra.prestataire,
        "logo": _logo_uri(provider.logo) if provider.logo else None,
    }


def document_html(project: Project, template: str, context: dict[str, Any]) -> str:
    """A template of `theme/pdf/` rendered with French spacing, as WeasyPrint lays it out."""
    folder = project.theme / PDF_DIR
    return french_html(environment(folder).get_template(template).render(context))


def synthese_html(project: Project, provider: Provider, view: View) -> str:
    """The HTML of the document, as WeasyPrint will lay it out."""
    montant = view.financement.montant
    context: dict[str, Any] = {
        **view.template_context(),
        **provider_context(provider),
        "montant": _euros(montant) if montant else "",
    }
    return document_html(project, "synthese.html", context)


def warm_up() -> None:
    """Import WeasyPrint now, before worker processes are forked, not in each of them."""
    import weasyprint  # noqa: F401


def print_document(project: Project, html: str, stylesheet: str) -> bytes:
    """The clear PDF bytes of one printed document (the synthèse, the attendance sheet).

    The one way livret turns HTML into PDF: a change of PDF profile, tagging or metadata
    made here applies to every document. `stylesheet` is the document's own, read after
    `commun.css`. Nothing is fetched from the network.

    Every document is tagged PDF/UA-1 (WeasyPrint's own variant: structure tree, `/Lang`
    from `<html lang>`, the `<title>` as XMP title shown by viewers), finished by
    `pdf_tags.finish_tags` (chart alt texts, header scopes, soft hyphens).
    """
    import weasyprint
    from weasyprint.urls import URLFetcher

    folder = project.theme / PDF_DIR
    fonts = _fonts()
    paths = [folder / COMMON_CSS, folder / stylesheet]
    stylesheets = [_stylesheet(path, path.stat().st_mtime) for path in paths]
    # A U+2010 typed in the dossier is drawn as the hyphen-minus it looks like: in the PDF,
    # U+2010 is the hyphen of hyphenation only, and extracts as a soft hyphen (pdf_tags).
    html = html.replace(HYPHENATION, "-")
    document = weasyprint.HTML(
        string=html,
        base_url=str(folder),
        # Inline data only: the logo and charts are embedded, nothing is fetched.
        url_fetcher=URLFetcher(allowed_protocols={"data"}, fail_on_errors=True),
    )
    laid_out: bytes = document.write_pdf(
        stylesheets=stylesheets,
        font_config=fonts,
        pdf_identifier=secrets.token_bytes(16),
        pdf_variant="pdf/ua-1",
    )
    return finish_tags(laid_out, html)


def print_synthese(project: Project, provider: Provider, view: View) -> bytes:
    """The clear PDF bytes of the document de synthèse."""
    return print_document(project, synthese_html(project, provider, view), "synthese.css")


@functools.cache
def _fonts() -> Any:
    """One font configuration per process, shared by every stylesheet and document."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@functools.cache
def _stylesheet(path: Path, mtime: float) -> Any:
    """A print stylesheet, parsed once per process while unchanged."""
    import weasyprint

    return weasyprint.CSS(string=path.read_text(encoding="utf-8"), font_config=_fonts())


def encrypt_pdf(clear: bytes, passphrase: str) -> bytes:
    """AES-256 (R6) with the passphrase as user password and a random owner password.

    Encryption covers strings and streams only: the numbers and names of every object
    written outside a stream stay in clear (page boxes, link rectangles, font widths,
    named destinations with their coordinates, outline counts). So every object that
    can go into an object stream does: object streams are streams, hence encrypted.
    What a PDF cannot put there (the catalog once encrypted, the encryption dictionary,
    stream dictionaries) is checked by `livret.pdf_structure.verify_pdf_structure`.
    """
    if not passphrase:
        raise ValueError("passphrase required")
    with pikepdf.open(io.BytesIO(clear)) as pdf:
        # Metadata is encrypted with the rest (R6 encrypts metadata unless told not to);
        # the document info keeps only the title, when it is one of ours: PDF/UA readers
        # take it from the XMP, poppler-based viewers from /Info, and the file name is random.
        title = _neutral_title(pdf)
        if "/Info" in pdf.trailer:
            del pdf.trailer["/Info"]
        if title:
            pdf.trailer.Info = pdf.make_indirect(pikepdf.Dictionary(Title=pikepdf.String(title)))
        # qpdf writes the catalog outside object streams when encrypting: whatever it holds
        # directly (the named destinations with their page positions) would stay in clear.
        # (/Extensions is written by qpdf itself, the same in every file.)
        root = pdf.Root
        for key in [k for k in list(root.keys()) if k != "/Extensions"]:
            value = root[key]
            if isinstance(value, pikepdf.Dictionary | pikepdf.Array) and not value.is_indirect:
                root[key] = pdf.make_indirect(value)
        out = io.BytesIO()
        pdf.save(
            out,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            encryption=pikepdf.Encryption(
                user=passphrase,
                owner=secrets.token_urlsafe(32),
                R=6,
                aes=True,
                metadata=True,
                # Screen readers extract the text under this permission (and PDF/UA-1
                # asks for it); the structure tree, /MarkInfo, /Lang and the XMP title
                # are kept as WeasyPrint wrote them, encrypted like the rest.
                allow=pikepdf.Permissions(accessibility=True),
            ),
        )
    return out.getvalue()


def _neutral_title(pdf: pikepdf.Pdf) -> str | None:
    """The XMP title WeasyPrint wrote from the template's `<title>`, if it is a neutral one."""
    if "/Metadata" not in pdf.Root:
        return None
    title = str(pdf.open_metadata().get("dc:title", ""))
    return title if title in NEUTRAL_TITLES else None


def random_pdf_name() -> str:
    return base64.b32encode(secrets.token_bytes(10)).decode().lower() + ".pdf"


def encrypt_attachment(source: Path, passphrase: str) -> tuple[bytes, tuple[str, ...]]:
    """A consultant's PDF attachment, sanitised then encrypted like the synthèse.

    Also returns the French names of what sanitising removed (JavaScript, embedded
    files…), for the consultant. PieceRefused when the file cannot be made safe.
    """
    clean = clean_pdf(source)
    return encrypt_pdf(clean.data, passphrase), clean.removed
