"""`livret serve`: the consultant's live preview of one booklet, rebuilt on every save.

The pages go through the same path as a published booklet (view, theme templates, the
site configuration of `outputs/site.py` and its allowlist), without encryption and with
a banner saying it is a preview. Everything lives in one temporary folder, removed when
the preview stops: nothing is written to `site/`, `syntheses/`, the access store or the
change-detection state. When an edit breaks the dossier, the pages give way to one page
listing the problems; the next good save brings the booklet back.

The synthèse PDF takes as long as the whole site to lay out, so it is made only when the
Documents page's link asks for it, from the last good version: reloads stay fast.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup

from livret.dossier.load import LINKED_DOSSIER, check_slug, load_dossier
from livret.dossier.provider import Provider, load_provider
from livret.errors import DossierError, LivretError, Problem, display_path
from livret.outputs import pdf, site
from livret.pipeline.booklet import prepare_attachments
from livret.project import Project, check_layout
from livret.render.pages import render_pages
from livret.render.typography import french_html
from livret.render.view import build_view
from livret.render.view_model import Downloads, View

PDF_NAME = "synthese-apercu.pdf"
BANNER = "Aperçu — non publié"
FOLDER_PREFIX = "livret-apercu-"
_OWNER_FILE = "pid"  # the process that owns a preview folder, to clean after a crash


@dataclass(frozen=True)
class Rebuilt:
    """What one rebuild gave, for the terminal; the page says the same."""

    ok: bool
    seconds: float
    problems: list[Problem] = field(default_factory=list)  # errors and warnings, sorted
    message: str | None = None  # an error without a position (LivretError)
    bug: str | None = None  # livret's own failure: the traceback, for the terminal

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]


@dataclass(frozen=True)
class _Good:
    """The last version that built: what the on-demand PDF is made from."""

    provider: Provider
    view: View
    generation: int


class Preview:
    """One dossier's preview in `work`: `rebuild` after each change, `answer` for the PDF."""

    def __init__(self, project: Project, slug: str, work: Path) -> None:
        self.project = project
        self.folder = project.dossiers / slug
        self.work = work
        self.site = work / "site"
        self.site.mkdir(parents=True, exist_ok=True)
        self._good: _Good | None = None
        self._generation = 0
        self._pdf: tuple[int, bytes] | None = None
        self._pdf_lock = threading.Lock()

    @property
    def watched(self) -> list[Path]:
        """What a save of changes the booklet: the dossier, shared pages, theme, config."""
        p = self.project
        return [self.folder, p.content, p.theme, p.config]

    def rebuild(self) -> Rebuilt:
        """Build the pages again, or the page of problems; never raises for a user error."""
        started = time.perf_counter()
        self._generation += 1
        try:
            warnings = self._build()
        except DossierError as error:
            outcome = Rebuilt(False, time.perf_counter() - started, error.problems)
        except jinja2.TemplateSyntaxError as error:
            shown = display_path(Path(error.filename), self.project.root) if error.filename else ""
            problem = Problem(shown or "theme/", error.lineno or 1, 1, f"gabarit : {error.message}")
            outcome = Rebuilt(False, time.perf_counter() - started, [problem])
        except LivretError as error:
            outcome = Rebuilt(False, time.perf_counter() - started, message=str(error))
        except Exception:  # a bug: the terminal gets the traceback, the page says where to look
            outcome = Rebuilt(False, time.perf_counter() - started, bug=traceback.format_exc())
        else:
            return Rebuilt(True, time.perf_counter() - started, warnings)
        self._good = None
        self._show_problems(outcome)
        return outcome

    def _build(self) -> list[Problem]:
        project = self.project
        check_layout(project)
        provider = load_provider(project)
        dossier = load_dossier(self.folder, project.root, provider.base.extra.cadre)
        # Placeholders and other warnings do not stop a preview: it is for a dossier in
        # progress. They are listed in the banner and the terminal.
        view = build_view(dossier, project.theme, provider.base.extra.cadre.questionnaires)
        pieces, files = prepare_attachments(dossier, None)
        pages = render_pages(project, view, Downloads(PDF_NAME, pieces))
        built = site.build_preview(project, provider, pages, self.work, _banner(view.warnings))
        for name, data in files.items():
            (built / name).write_bytes(data)
        self._good = _Good(provider, view, self._generation)
        return list(view.warnings)

    def answer(self, path: str) -> tuple[str, bytes] | None:
        """The synthèse PDF of the last good version, laid out when first asked for."""
        good = self._good
        if path != f"/{PDF_NAME}" or good is None:
            return None
        with self._pdf_lock:
            if self._pdf is None or self._pdf[0] != good.generation:
                self._pdf = (
                    good.generation,
                    pdf.print_synthese(self.project, good.provider, good.view),
                )
            return "application/pdf", self._pdf[1]

    def _show_problems(self, outcome: Rebuilt) -> None:
        """The page of problems, under the name of every page the browser may be showing."""
        page = _problems_page(outcome).encode("utf-8")
        names = {p.name for p in self.site.glob("*.html")} | {"index.html", "404.html"}
        for name in names:
            (self.site / name).write_bytes(page)


def _problem_items(problems: list[Problem]) -> Markup:
    return Markup("").join(
        Markup("<li><code>{}:{}:{}</code> {}</li>").format(p.path, p.line, p.column, p.message)
        for p in problems
    )


_BANNER_STYLE = (
    "background:#fff3cd;color:#3d2f00;border-bottom:2px solid #b38600;padding:.5rem 1rem;"
    "font:600 .8rem/1.4 system-ui,sans-serif;text-align:center"
)


def _banner(warnings: tuple[Problem, ...] | list[Problem]) -> str:
    """The bar at the top of every preview page; the warnings, when there are some."""
    text = Markup("{} · ce que la personne verra, sans chiffrement, sur cet ordinateur seulement")
    html = Markup('<div class="livret-apercu" role="status" style="{}">').format(_BANNER_STYLE)
    html += text.format(BANNER)
    if warnings:
        count = len(warnings)
        summary = f"{count} avertissement{'s' if count > 1 else ''}"
        html += Markup(
            '<details style="font-weight:400;text-align:left;margin-top:.3rem">'
            "<summary>{}</summary><ul>{}</ul></details>"
        ).format(summary, _problem_items(list(warnings)))
    return str(html + Markup("</div>"))


def _problems_page(outcome: Rebuilt) -> str:
    """A page in French listing what stops the build, in place of the booklet."""
    parts: list[Markup] = []
    errors, warnings = outcome.errors, outcome.warnings
    if errors:
        count = len(errors)
        parts.append(
            Markup("<h2>{}</h2><ul>{}</ul>").format(
                f"{count} erreur{'s' if count > 1 else ''} à corriger", _problem_items(errors)
            )
        )
    if outcome.message:
        parts.append(Markup("<h2>Erreur</h2><p>{}</p>").format(outcome.message))
    if outcome.bug:
        parts.append(
            Markup(
                "<h2>Erreur interne de livret</h2><p>La reconstruction a échoué pour une raison "
                "qui ne vient pas de vos fichiers : le détail est affiché dans le terminal. "
                "Signalez-le avec ce détail.</p>"
            )
        )
    if warnings:
        count = len(warnings)
        parts.append(
            Markup("<h2>{}</h2><ul>{}</ul>").format(
                f"{count} avertissement{'s' if count > 1 else ''}", _problem_items(warnings)
            )
        )
    # French spacing and apostrophes, as in the booklet: « objectifs » never parts from its
    # guillemets at a line end.
    return french_html(
        Markup(
            '<!doctype html>\n<html lang="fr"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            '<meta name="robots" content="noindex, nofollow">'
            "<title>Aperçu — à corriger</title><style>"
            "body{{margin:0;font:1rem/1.5 system-ui,sans-serif;color:#1b1b1b}}"
            "main{{max-width:52rem;margin:2rem auto;padding:0 1rem}}"
            "code{{background:#f3f3f3;padding:0 .25rem;border-radius:3px}}"
            "li{{margin:.4rem 0}}</style></head><body>"
            '<div class="livret-apercu" role="status" style="{}">{}</div>'
            '<main id="livret-problemes"><h1>L\'aperçu ne peut pas être affiché</h1>'
            "<p>Corrigez les fichiers indiqués (fichier:ligne:colonne) et enregistrez : "
            "cette page se recharge d'elle-même.</p>{}</main></body></html>\n"
        ).format(_BANNER_STYLE, BANNER, Markup("").join(parts))
    )


def check_dossier(project: Project, slug: str) -> Path:
    """The dossier's folder, or a French error naming what is wrong with SLUG."""
    problems = check_slug(slug, f"dossiers/{slug}")
    if problems:
        raise LivretError(f"« {slug} » n'est pas un nom de dossier : {problems[0].message}")
    folder = project.dossiers / slug
    if folder.is_symlink():
        raise LivretError(f"dossiers/{slug} : {LINKED_DOSSIER}")
    if not folder.is_dir():
        known = sorted(p.name for p in project.dossiers.iterdir() if p.is_dir())
        close = _close(slug, known)
        hint = f" : vouliez-vous dire « {close} » ?" if close else " (créez-le avec livret new)"
        raise LivretError(f"dossier introuvable : « {slug} » n'existe pas dans dossiers/{hint}")
    return folder


def _close(slug: str, known: list[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(slug, known, n=1, cutoff=0.75)
    return found[0] if found else None


@contextlib.contextmanager
def preview_folder() -> Iterator[Path]:
    """A private temporary folder, removed at the end, even after Ctrl-C.

    Folders left by a preview that was killed (power cut, `kill -9`) are removed first:
    they hold a dossier's pages in clear.
    """
    _remove_orphans()
    work = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))  # mode 0700
    try:
        (work / _OWNER_FILE).write_text(str(os.getpid()), encoding="ascii")
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _remove_orphans() -> None:
    if os.name != "posix":  # no owner to compare, and os.kill would end the process
        return
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"):
        try:
            if folder.is_symlink() or folder.stat().st_uid != os.getuid():
                continue
            pid = int((folder / _OWNER_FILE).read_text(encoding="ascii"))
        except (OSError, ValueError):
            continue
        if not _alive(pid):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def serve_preview(
    project: Project,
    slug: str,
    port: int,
    *,
    ready: Callable[[str], None],
    report: Callable[[Rebuilt], None],
) -> None:
    """Serve the live preview of `slug` on 127.0.0.1:`port` until interrupted.

    `ready` gets the address once the port is open; `report` gets every rebuild. Raises
    LivretError for an unknown dossier or a port already in use.
    """
    check_dossier(project, slug)
    with preview_folder() as work:
        preview = Preview(project, slug, work)

        # WeasyPrint takes seconds to import: done once the first pages are shown, so that
        # the PDF link answers sooner, and never in the way of that first build.
        warming = threading.Thread(target=pdf.warm_up, daemon=True)

        def rebuild() -> None:
            report(preview.rebuild())
            if warming.ident is None:  # not started yet
                warming.start()

        server = site.PreviewServer(preview.site, port, rebuild, preview.watched, preview.answer)
        ready(server.url)
        server.run()
