"""French typography (livret.render.typography): which spaces become non-breaking, and where not.

Each rule is checked on the exact output string: a narrow no-break space (U+202F) before
`; ! ?` and inside guillemets, a no-break space (U+00A0) before `:`, a typographic
apostrophe between letters; nothing inserted where nothing was written, nothing changed
inside code or tags.
"""

from __future__ import annotations

import pytest
from markdown import Markdown

from livret.render.typography import (
    NBSP,
    NNBSP,
    FrenchTypography,
    french_html,
    french_spacing,
    lower_first,
    upper_first,
)


def test_the_two_spaces_are_the_unicode_ones() -> None:
    assert NBSP == "\u00a0"
    assert NNBSP == "\u202f"


@pytest.mark.parametrize(
    ("written", "printed"),
    [
        # A written space before `:` becomes a no-break space (not the narrow one).
        ("Objet : bilan", "Objet\u00a0: bilan"),
        ("Objet   : bilan", "Objet\u00a0: bilan"),
        ("Objet\u202f: bilan", "Objet\u00a0: bilan"),
        ("Objet\u00a0: bilan", "Objet\u00a0: bilan"),
        # Before `; ! ?`: the narrow no-break space.
        ("Vraiment ?", "Vraiment\u202f?"),
        ("Bravo !", "Bravo\u202f!"),
        ("un ; deux", "un\u202f; deux"),
        ("Quoi  ?!", "Quoi\u202f?!"),
        ("Non !!", "Non\u202f!!"),
        ("Ça va\u00a0?", "Ça va\u202f?"),
        # Guillemets: a narrow no-break space inside, added when missing.
        ("« oui »", "«\u202foui\u202f»"),
        ("«oui»", "«\u202foui\u202f»"),
        ("«  oui  »", "«\u202foui\u202f»"),
        ("«\u00a0oui\u00a0»", "«\u202foui\u202f»"),
        ("«»", "«\u202f»"),
        # Apostrophes between letters become typographic ones.
        ("l'arbre", "l’arbre"),
        ("aujourd'hui", "aujourd’hui"),
        ("rock'n'roll", "rock’n’roll"),
        ("d'Élodie", "d’Élodie"),
        # An apostrophe that is not between letters is a quote mark: left alone.
        ("'début", "'début"),
        ("fin'", "fin'"),
        ("l' arbre", "l' arbre"),
        # No space is ever inserted before `:` (times, URLs, ratios).
        ("10:30", "10:30"),
        ("https://exemple.fr/a:b", "https://exemple.fr/a:b"),
        ("a:b", "a:b"),
        ("ratio 3:1", "ratio 3:1"),
        # Nor before `?` `!` `;` written without a space.
        ("Quoi?", "Quoi?"),
        ("https://exemple.fr/?q=1", "https://exemple.fr/?q=1"),
        ("&amp;", "&amp;"),
        # Numbers are left as written.
        ("1 789 €", "1 789 €"),
        ("12,5 %", "12,5 %"),
        ("", ""),
        ("Bonjour", "Bonjour"),
    ],
)
def test_french_spacing(written: str, printed: str) -> None:
    assert french_spacing(written) == printed


def test_french_spacing_on_a_whole_sentence() -> None:
    written = "Elle dit : « c'est clair ! » Et vous ? Oui ; à 10:30."
    assert french_spacing(written) == (
        "Elle dit\u00a0: «\u202fc’est clair\u202f!\u202f» Et vous\u202f? Oui\u202f; à 10:30."
    )


def test_french_spacing_is_idempotent() -> None:
    once = french_spacing("Objet : « l'essai » ; fin ? oui !")
    assert french_spacing(once) == once


@pytest.mark.parametrize(
    ("markup", "printed"),
    [
        ("<p>Titre : ok ?</p>", "<p>Titre\u00a0: ok\u202f?</p>"),
        # Attributes are never touched: the space stays an ordinary one.
        ('<a title="x : y">z ?</a>', '<a title="x : y">z\u202f?</a>'),
        # Code and preformatted text are shown as written.
        ("<code>a : b ?</code> c ?", "<code>a : b ?</code> c\u202f?"),
        ("<pre>q ?</pre> après ?", "<pre>q ?</pre> après\u202f?"),
        ("<kbd>Ctrl ;</kbd> !", "<kbd>Ctrl ;</kbd>\u202f!"),
        ("<samp>x !</samp>", "<samp>x !</samp>"),
        ("<script>a ? b : c</script>", "<script>a ? b : c</script>"),
        ("<style>a :hover {}</style>", "<style>a :hover {}</style>"),
        ("<CODE>a : b</CODE> c ?", "<CODE>a : b</CODE> c\u202f?"),
        ('<code class="x">a ?</code> b ?', '<code class="x">a ?</code> b\u202f?'),
        # Nested tags inside code stay skipped until code closes.
        ("<pre><b>a ?</b></pre> b ?", "<pre><b>a ?</b></pre> b\u202f?"),
        # The template engine escapes apostrophes as entities: they become typographic too.
        ("l&#39;arbre", "l’arbre"),
        ("l&#x27;arbre", "l’arbre"),
        ("&#39;seul", "&#39;seul"),
        ("«oui»", "«\u202foui\u202f»"),
        ("", ""),
    ],
)
def test_french_html(markup: str, printed: str) -> None:
    assert french_html(markup) == printed


@pytest.mark.parametrize(
    ("label", "mid_sentence"),
    [
        ("Responsable d'exploitation", "responsable d'exploitation"),
        ("Salariée", "salariée"),
        ("Élève infirmière", "élève infirmière"),
        ("A", "a"),
        # Acronyms and names keep their capitals.
        ("CPF", "CPF"),
        ("DRH adjointe", "DRH adjointe"),
        ("France Travail", "France Travail"),
        ("Pôle Emploi", "Pôle Emploi"),
        # Already lower case, empty, or not a letter: unchanged.
        ("formatrice", "formatrice"),
        ("", ""),
        ("3 ans", "3 ans"),
        ("« Cadre »", "« Cadre »"),
    ],
)
def test_lower_first(label: str, mid_sentence: str) -> None:
    assert lower_first(label) == mid_sentence


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("la consultante", "La consultante"),
        ("été", "Été"),
        ("CPF", "CPF"),
        ("", ""),
    ],
)
def test_upper_first(text: str, start: str) -> None:
    assert upper_first(text) == start


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("Titre : ok ?", "<p>Titre\u00a0: ok\u202f?</p>"),
        ("`a : b ?` c ?", "<p><code>a : b ?</code> c\u202f?</p>"),
        ("**Fort** ! et *doux* ;", "<p><strong>Fort</strong>\u202f! et <em>doux</em>\u202f;</p>"),
        ("    bloc : de code ?", "<pre><code>bloc : de code ?\n</code></pre>"),
        ("« citation »", "<p>«\u202fcitation\u202f»</p>"),
        ("l'été", "<p>l’été</p>"),
    ],
)
def test_the_markdown_extension_spaces_text_nodes_only(source: str, html: str) -> None:
    md = Markdown(extensions=[FrenchTypography()])
    assert md.convert(source) == html
