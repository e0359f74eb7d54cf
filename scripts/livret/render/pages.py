"""The booklet's pages: theme templates filled with the view, plus the shared content pages.

Templates live in `theme/pages/` and shared prose in `content/`; this module only
decides which pages exist and in what order. Page files have neutral names, the same
in every booklet, so that no URL says anything about the person.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup
from pydantic import Field, ValidationError

from livret.dossier.model import Strict, Texte
from livret.errors import DossierError, Problem
from livret.project import Project
from livret.render.labels import angle_brackets, load_labels
from livret.render.markdown import MarkdownRenderer, Origin
from livret.render.templates import environment
from livret.render.typography import french_html
from livret.render.view_model import Downloads, View
from livret.sources.frontmatter import Fault, split_front_matter
from livret.sources.messages import validation_problems
from livret.sources.yamlpos import decode_text, parse_yaml


@dataclass(frozen=True)
class Page:
    """One page of the booklet: its file name, title, section and HTML body."""

    filename: str
    title: str
    html: Markup
    section: str | None = None


class ContentMeta(Strict):
    """En-tête d'une page de content/."""

    titre: Texte = Field(description="Titre de la page.")
    ordre: int = Field(100, description="Rang dans le menu (1 en premier).")


@dataclass(frozen=True)
class MenuEntry:
    """A link of the home page's table of contents."""

    url: str
    titre: str


def _always(view: View) -> bool:
    return True


# (file, template, title in theme/libelles.yml `pages`, shown when)
_DOSSIER_PAGES: tuple[tuple[str, str, str, Callable[[View], bool]], ...] = (
    ("index.md", "accueil.html", "accueil", _always),
    ("demarche.md", "demarche.html", "demarche", _always),
    ("competences.md", "competences.html", "competences", lambda v: v.nb_competences > 0),
    ("ce-qui-vous-anime.md", "anime.html", "anime", _always),
    ("pistes.md", "pistes.html", "pistes", lambda v: bool(v.pistes)),
    ("projet.md", "projet.html", "projet", _always),
    ("plan-action.md", "plan.html", "plan", lambda v: bool(v.plan)),
    ("notes.md", "notes.html", "notes", lambda v: bool(v.notes)),
    ("documents.md", "documents.html", "documents", _always),
)


def template_environment(project: Project) -> jinja2.Environment:
    return environment(project.theme / "pages")


@functools.cache
def _content_pages(
    folder: Path, stamp: tuple[tuple[str, float], ...], section: str
) -> tuple[Page, ...]:
    renderer = MarkdownRenderer(extra_extensions=("admonition", "toc"))
    problems: list[Problem] = []
    found: list[tuple[int, str, Page]] = []
    for path in sorted(p for p in folder.glob("*.md") if p.is_file()):
        shown = f"content/{path.name}"
        text, trouble = decode_text(shown, path.read_bytes())
        if text is None:
            problems += trouble
            continue
        split = split_front_matter(text)
        # Two fences with no line between them count as no header, as they always have here.
        if isinstance(split, Fault) or split.body_line == 3:
            problems.append(Problem(shown, 1, 1, "en-tête manquant : ---, titre:, ordre:, ---"))
            continue
        doc, trouble = parse_yaml(shown, split.yaml, line_offset=1)
        if doc is None or trouble:
            problems += trouble
            continue
        try:
            meta = ContentMeta.model_validate(doc.data)
        except ValidationError as error:
            problems += validation_problems(error.errors(), doc, ContentMeta)
            continue
        if angle_brackets(meta.titre):
            pos = doc.value_pos(("titre",))
            problems.append(Problem(shown, pos.line, pos.column, angle_brackets(meta.titre)))
            continue
        body = renderer.render(split.body, Origin(shown, split.body_line))
        # The title goes inside the encrypted content: Material would not add it there.
        html = Markup("<h1>{}</h1>\n").format(meta.titre) + body
        name = "a-savoir-" + path.name
        found.append((meta.ordre, path.name, Page(name, meta.titre, html, section)))
    # Shared pages are the provider's own text: what a dossier may get as a warning
    # (a link that loses its target) is an error here, found once for every booklet.
    problems += [p.as_error() for p in renderer.problems]
    if problems:
        raise DossierError(problems)
    return tuple(page for _, _, page in sorted(found, key=lambda x: (x[0], x[1])))


def content_pages(project: Project) -> tuple[Page, ...]:
    """The shared pages of `content/`, rendered once per process while unchanged."""
    folder = project.content
    if not folder.is_dir():
        return ()
    stamp = tuple((p.name, p.stat().st_mtime) for p in sorted(folder.glob("*.md")))
    return _content_pages(folder, stamp, load_labels(project.theme)["pages"]["a_savoir"])


def render_pages(project: Project, view: View, downloads: Downloads) -> list[Page]:
    """Every page of one booklet, in menu order."""
    env = template_environment(project)
    shared = content_pages(project)
    chosen = [entry for entry in _DOSSIER_PAGES if entry[3](view)]
    titles = view.labels["pages"]
    context = {
        **view.template_context(),
        "pdf": downloads.pdf,
        "pieces": downloads.pieces,
        "pages_communes": shared,
        "menu": tuple(
            MenuEntry(name.replace(".md", ".html"), titles[key]) for name, _, key, _ in chosen
        ),
    }
    pages = []
    for filename, template, key, _ in chosen:
        title = titles[key]
        html = french_html(env.get_template(template).render(context, titre_page=title))
        pages.append(Page(filename, title, Markup(html)))  # autoescaped template
    return [*pages, *shared]
