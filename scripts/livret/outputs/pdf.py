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


def synthese_html(project: Project, provider: Provider, view: View) -> str:
    """The HTML of the document, as WeasyPrint will lay it out."""
    folder = project.theme / "pdf"
    montant = view.financement.montant
    context: dict[str, Any] = {
        **view.template_context(),
        "prestataire": provider.base.extra.prestataire,
        "logo": _logo_uri(provider.logo) if provider.logo else None,
        "montant": _euros(montant) if montant else "",
    }
    return french_html(environment(folder).get_template("synthese.html").render(context))


def warm_up() -> None:
    """Import WeasyPrint now, before worker processes are forked, not in each of them."""
    import weasyprint  # noqa: F401


def print_synthese(project: Project, provider: Provider, view: View) -> bytes:
    """The clear PDF bytes. Nothing in it is fetched from the network."""
    import weasyprint
    from weasyprint.urls import URLFetcher

    css_path = project.theme / "pdf" / "synthese.css"
    fonts, stylesheet = _stylesheet(css_path, css_path.stat().st_mtime)
    document = weasyprint.HTML(
        string=synthese_html(project, provider, view),
        base_url=str(project.theme / "pdf"),
        # Inline data only: the logo and charts are embedded, nothing is fetched.
        url_fetcher=URLFetcher(allowed_protocols={"data"}, fail_on_errors=True),
    )
    result: bytes = document.write_pdf(
        stylesheets=[stylesheet],
        font_config=fonts,
        pdf_identifier=secrets.token_bytes(16),
    )
    return result


@functools.cache
def _stylesheet(path: Path, mtime: float) -> tuple[Any, Any]:
    """The print stylesheet and its fonts, parsed once per process while unchanged."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    css = weasyprint.CSS(string=path.read_text(encoding="utf-8"), font_config=fonts)
    return fonts, css


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
        # drop the document info anyway so nothing sits in a trailer dictionary.
        if "/Info" in pdf.trailer:
            del pdf.trailer["/Info"]
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
            ),
        )
    return out.getvalue()


def random_pdf_name() -> str:
    return base64.b32encode(secrets.token_bytes(10)).decode().lower() + ".pdf"


def encrypt_attachment(source: Path, passphrase: str) -> tuple[bytes, tuple[str, ...]]:
    """A consultant's PDF attachment, sanitised then encrypted like the synthèse.

    Also returns the French names of what sanitising removed (JavaScript, embedded
    files…), for the consultant. PieceRefused when the file cannot be made safe.
    """
    clean = clean_pdf(source)
    return encrypt_pdf(clean.data, passphrase), clean.removed
