"""Consultant Markdown (livret.render.markdown): what is kept, what is shown as text, what is cut.

Each case renders real text through `MarkdownRenderer` and compares the exact HTML, and
the exact problem (file, line, column, French message) when one is expected.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from livret.errors import Problem
from livret.render.markdown import MarkdownRenderer, Origin, sanitize

PATH = "dossiers/2026-x/synthese.yml"
ORIGIN = Origin(PATH, 10, 5)
LINK_REMOVED = (
    "lien retiré « {} » : un livret ne garde que les liens https://…, http://…, mailto:… "
    "et ceux vers ses propres pages (plan-action.html) ; le texte reste affiché, sans lien"
)
EXTERNAL_IMAGE = (
    "image externe interdite « {} » : elle ferait appeler un autre site par le navigateur "
    "du bénéficiaire ; placez l'image dans pieces/ et écrivez pieces/nom.png"
)
MISSING_IMAGE = (
    "image introuvable « {} » : placez une image PNG, JPEG ou WebP dans pieces/ et écrivez "
    "pieces/nom.png"
)
REL = 'rel="noopener noreferrer"'
ROW, END = "<table><tbody><tr>", "</tr></tbody></table>"


def render(text: str, origin: Origin = ORIGIN) -> tuple[str, list[Problem]]:
    renderer = MarkdownRenderer()
    html = str(renderer.render(text, origin))
    return html, renderer.problems


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Bonjour", "<p>Bonjour</p>"),
        ("**gras** et *italique*", "<p><strong>gras</strong> et <em>italique</em></p>"),
        ("__gras__ et _italique_", "<p><strong>gras</strong> et <em>italique</em></p>"),
        ("`a : b`", "<p><code>a : b</code></p>"),
        ("- un\n- deux", "<ul>\n<li>un</li>\n<li>deux</li>\n</ul>"),
        ("1. un\n2. deux", "<ol>\n<li>un</li>\n<li>deux</li>\n</ol>"),
        ("3. trois\n4. quatre", '<ol start="3">\n<li>trois</li>\n<li>quatre</li>\n</ol>'),
        ("> cité", "<blockquote>\n<p>cité</p>\n</blockquote>"),
        ("un\n\ndeux", "<p>un</p>\n<p>deux</p>"),
        ("---", "<hr>"),
        ("a  \nb", "<p>a<br>\nb</p>"),
        # Headings are kept at the level written, with French spacing.
        ("# Un", "<h1>Un</h1>"),
        ("## Deux : suite", "<h2>Deux&nbsp;: suite</h2>"),
        ("###### Six", "<h6>Six</h6>"),
        ("Titre\n=====", "<h1>Titre</h1>"),
        # French typography on text, never in code.
        ("Vraiment ? « oui »", "<p>Vraiment\u202f? «\u202foui\u202f»</p>"),
        ("l'été", "<p>l’été</p>"),
        # Template syntax is data, never evaluated.
        ("{{ 7*7 }} {% if x %}", "<p>{{ 7*7 }} {% if x %}</p>"),
        ("Fin & suite < 3", "<p>Fin &amp; suite &lt; 3</p>"),
    ],
)
def test_what_is_kept(text: str, html: str) -> None:
    assert render(text) == (html, [])


def test_tables_keep_only_their_alignment() -> None:
    html, problems = render("| a | b | c |\n|:-|-:|:-:|\n| 1 | 2 | 3 |")
    assert problems == []
    assert re.findall(r"<t[hd](?=[ >])[^>]*>", html) == [
        '<th style="text-align: left;">', '<th style="text-align: right;">',
        '<th style="text-align: center;">', '<td style="text-align: left;">',
        '<td style="text-align: right;">', '<td style="text-align: center;">',
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "html", "tag", "instead"),
    [
        ("<b>x</b>", "<p>&lt;b&gt;x&lt;/b&gt;</p>", "<b>", "**gras**"),
        ("<strong>x</strong>", "<p>&lt;strong&gt;x&lt;/strong&gt;</p>", "<strong>", "**gras**"),
        ("<i>x</i>", "<p>&lt;i&gt;x&lt;/i&gt;</p>", "<i>", "*italique*"),
        (
            "<u>x</u>",
            "<p>&lt;u&gt;x&lt;/u&gt;</p>",
            "<u>",
            "*italique* (le soulignement se confond avec un lien)",
        ),
        ("a<br/>b", "<p>a&lt;br/&gt;b</p>", "<br/>", "une ligne vide entre deux paragraphes"),
        (
            "<script>alert(1)</script>",
            "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
            "<script>",
            "la mise en forme Markdown (**gras**, *italique*, listes)",
        ),
        (
            '<img src="x" onerror="alert(1)">',
            '<p>&lt;img src="x" onerror="alert(1)"&gt;</p>',
            '<img src="x" onerror="alert(1)">',
            "![description](pieces/image.png)",
        ),
        (
            '<a href="https://exemple.fr">lien</a>',
            '<p>&lt;a href="https://exemple.fr"&gt;lien&lt;/a&gt;</p>',
            '<a href="https://exemple.fr">',
            "[texte du lien](https://…)",
        ),
        (
            "<div>\nbloc\n</div>",
            "<p>&lt;div&gt;\nbloc\n&lt;/div&gt;</p>",
            "<div>",
            "la mise en forme Markdown (**gras**, *italique*, listes)",
        ),
        (
            "<iframe src=//evil.example></iframe>",
            "<p>&lt;iframe src=//evil.example&gt;&lt;/iframe&gt;</p>",
            "<iframe src=//evil.example>",
            "la mise en forme Markdown (**gras**, *italique*, listes)",
        ),
    ],
)
def test_raw_html_is_shown_as_written_with_a_warning(
    text: str, html: str, tag: str, instead: str
) -> None:
    rendered, problems = render(text)
    assert rendered == html
    message = (
        f"balise HTML « {tag} » affichée telle quelle : le livret n'interprète pas le HTML ; "
        f"écrivez plutôt {instead}"
    )
    assert problems == [Problem(PATH, 10, 5 + text.find(tag), message, warning=True)]


@pytest.mark.parametrize(
    "text",
    ["`<b>` dans du code", "<https://exemple.fr>", "a < b > c", "3 <4"],
)
def test_no_raw_html_warning_where_there_is_no_tag(text: str) -> None:
    assert render(text)[1] == []


def test_a_long_tag_is_shortened_in_the_message() -> None:
    tag = '<span class="' + "x" * 60 + '">'
    problems = render(tag + "texte</span>")[1]
    assert len(problems) == 1
    assert problems[0].message.startswith(f"balise HTML « {tag[:39]}… » affichée telle quelle")


@pytest.mark.parametrize(
    ("link", "href", "external"),
    [
        ("https://exemple.fr", "https://exemple.fr", True),
        ("http://exemple.fr/a", "http://exemple.fr/a", True),
        ("HTTPS://EXEMPLE.FR", "https://EXEMPLE.FR", True),  # scheme lowered, host as written
        ("https://exemple.fr/?a=1&b=2", "https://exemple.fr/?a=1&amp;b=2", True),
        ("mailto:lucie@exemple.fr", "mailto:lucie@exemple.fr", False),
        ("plan-action.html", "plan-action.html", False),
        ("competences.html#savoirs", "competences.html#savoirs", False),
    ],
)
def test_links_that_are_kept(link: str, href: str, external: bool) -> None:
    html, problems = render(f"[texte]({link})")
    assert problems == []
    target = ' target="_blank"' if external else ""
    assert html == f'<p><a href="{href}"{target} {REL}>texte</a></p>'


@pytest.mark.parametrize(
    ("link", "shown"),
    [
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("JaVaScRiPt:alert(1)", "JaVaScRiPt:alert(1)"),
        ("java&#x09;script:alert(1)", "javascript:alert(1)"),
        ("&#106;avascript:alert(1)", "javascript:alert(1)"),
        ("data:text/html,abc", "data:text/html,abc"),
        ("vbscript:msgbox", "vbscript:msgbox"),
        ("file:///etc/passwd", "file:///etc/passwd"),
        ("//evil.example", "//evil.example"),
        ("ftp://exemple.fr", "ftp://exemple.fr"),
        ("../../autre/index.html", "../../autre/index.html"),
        ("/etc/passwd", "/etc/passwd"),
    ],
)
def test_links_that_lose_their_target(link: str, shown: str) -> None:
    html, problems = render(f"Voir [texte]({link})")
    assert html == f"<p>Voir <a {REL}>texte</a></p>"
    assert [(p.path, p.line, p.message, p.warning) for p in problems] == [
        (PATH, 10, LINK_REMOVED.format(shown), True)
    ]


def test_the_problem_points_at_the_line_and_column_of_the_link() -> None:
    problems = render(
        "Première ligne.\n\nVoir aussi [ici](javascript:x) merci.", Origin(PATH, 20, 3)
    )[1]
    assert problems == [
        Problem(PATH, 22, 3 + len("Voir aussi [ici]("), LINK_REMOVED.format("javascript:x"), True)
    ]


@pytest.mark.parametrize(
    "src",
    [
        "https://evil.example/x.png",
        "http://evil.example/x.png",
        "//evil.example/x.png",
        "HTTPS://evil.example/x.png",
        "data:image/png;base64,AAAA",
        "file:///etc/x.png",
    ],
)
def test_external_images_are_errors(src: str) -> None:
    html, problems = render(f"![carte]({src})")
    assert html == '<p><img alt="carte"></p>'
    assert len(problems) == 1 and not problems[0].warning
    assert problems[0].line == 10 and problems[0].column == 5 + len("![carte](")
    assert problems[0].message.startswith("image externe interdite « ")


def test_external_image_message() -> None:
    problems = render("![i](https://evil.example/x.png)")[1]
    assert problems == [
        Problem(PATH, 10, 5 + 5, EXTERNAL_IMAGE.format("https://evil.example/x.png"))
    ]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A dossier folder with one real image under pieces/ and one file that is not an image."""
    pieces = tmp_path / "dossier" / "pieces"
    pieces.mkdir(parents=True)
    shutil.copy(ROOT / "dossiers/2026-morel-sophie/pieces/carte-mentale.png", pieces / "carte.png")
    (pieces / "notes.txt").write_text("texte")
    (tmp_path / "dehors.png").write_bytes((pieces / "carte.png").read_bytes())
    return tmp_path / "dossier"


def test_a_local_image_is_inlined_re_encoded(folder: Path) -> None:
    html, problems = render("![carte](pieces/carte.png)", Origin(PATH, 1, 1, folder))
    assert problems == []
    match = re.fullmatch(
        r'<p><img alt="carte" src="data:image/png;base64,([A-Za-z0-9+/=]+)"></p>', html
    )
    assert match is not None


@pytest.mark.parametrize(
    "src",
    [
        "pieces/absente.png",
        "pieces/notes.txt",
        "../dehors.png",
        "pieces/../../dehors.png",
        "pieces",
    ],
)
def test_images_that_are_not_a_picture_of_the_dossier(folder: Path, src: str) -> None:
    html, problems = render(f"![x]({src})", Origin(PATH, 3, 7, folder))
    assert html == '<p><img alt="x"></p>'
    assert problems == [Problem(PATH, 3, 7 + len("![x]("), MISSING_IMAGE.format(src))]


def test_without_a_folder_no_image_is_found() -> None:
    problems = render("![x](pieces/carte.png)")[1]
    assert problems == [Problem(PATH, 10, 10, MISSING_IMAGE.format("pieces/carte.png"))]


def test_render_inline_drops_the_single_paragraph() -> None:
    renderer = MarkdownRenderer()
    assert str(renderer.render_inline("**a** b ?", ORIGIN)) == "<strong>a</strong> b\u202f?"
    assert str(renderer.render_inline("a\n\nb", ORIGIN)) == "<p>a</p>\n<p>b</p>"
    assert renderer.problems == []


def test_problems_accumulate_across_renders() -> None:
    renderer = MarkdownRenderer()
    renderer.render("[a](javascript:x)", Origin("a.yml", 1, 1))
    renderer.render("<b>", Origin("b.md", 4, 1))
    assert [(p.path, p.line) for p in renderer.problems] == [("a.yml", 1), ("b.md", 4)]


@pytest.mark.parametrize(
    ("fragment", "clean"),
    [
        ('<p onclick="x">a</p>', "<p>a</p>"),
        ("<iframe src=x></iframe>b", "b"),
        ("<script>alert(1)</script>c", "c"),
        ("<style>p{}</style>d", "d"),
        ('<img src="https://e.example/x.png" alt="a">', '<img alt="a">'),
        ('<img src="data:image/svg+xml;base64,AAAA">', "<img>"),
        ('<img src="data:image/png;base64,AAAA">', '<img src="data:image/png;base64,AAAA">'),
        ('<a href="javascript:x" target="_top">l</a>', f"<a {REL}>l</a>"),
        (
            '<a href="https://e.example" target="_blank">l</a>',
            f'<a href="https://e.example" target="_blank" {REL}>l</a>',
        ),
        (f'{ROW}<td style="color:red">c</td>{END}', f"{ROW}<td>c</td>{END}"),
        (
            f'{ROW}<td style="text-align: right;">c</td>{END}',
            f'{ROW}<td style="text-align: right;">c</td>{END}',
        ),
        ('<ol start="2x"><li>a</li></ol>', "<ol><li>a</li></ol>"),
        ('<ol start="2"><li>a</li></ol>', '<ol start="2"><li>a</li></ol>'),
        ("<!-- secret -->e", "e"),
        ('<p class="x" id="y">f</p>', "<p>f</p>"),
        ("<svg><use href='#a'/></svg>g", "g"),
        ("<form action=x><input></form>h", "h"),
    ],
)
def test_the_sanitiser_is_a_second_wall(fragment: str, clean: str) -> None:
    assert sanitize(fragment) == clean


def test_an_email_autolink_stays_a_mailto_link() -> None:
    html, problems = render("<nom@exemple.fr>")
    assert problems == []
    assert 'href="mailto:' in html


@pytest.mark.parametrize(
    "written",
    [
        "<java&#115;cript:alert(1)@x.fr>",
        "<javascript:alert(1)@exemple.fr>",
        "<nom@exemple.fr\\u0000>",
        "<a@b@c.fr>",
        "<data:text/html@x.fr>",
    ],
)
def test_hostile_email_autolinks_lose_their_target(written: str) -> None:
    html, _ = render(written)
    assert "href=" not in html or 'href="mailto:' in html
    for href in re.findall(r'href="([^"]*)"', html):
        assert re.fullmatch(r"mailto:[^:\s]+@[^:\s]+", href), href
