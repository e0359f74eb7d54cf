"""Structure of each booklet page, read from the decrypted HTML of a real build.

The three example dossiers are built once. Each page is decrypted offline with its
passphrase (tests/decrypt.py) and parsed; expected counts come from the dossier itself,
read with livret's own loader, or from the files of `notes/` read independently.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup, Tag

from conftest import EXAMPLES, ROOT, Built
from decrypt import decrypt_all
from livret.dossier.load import Dossier, load_dossier

FINISHED = "2026-durand-claire"
IN_PROGRESS = "2026-benali-karim"
DOSSIER_PAGES = [
    "index.html", "demarche.html", "competences.html", "ce-qui-vous-anime.html",
    "pistes.html", "projet.html", "plan-action.html", "notes.html", "documents.html",
]  # fmt: skip
CATEGORIES = [
    ("savoir", "Savoirs"),
    ("savoir_faire", "Savoir-faire"),
    ("savoir_etre", "Savoir-être"),
]
STATUS_LABELS = {
    "retenue": "Piste retenue",
    "alternative": "Piste alternative",
    "ecartee": "Piste écartée",
}
PHASE_LABELS = {
    "preliminaire": "Phase préliminaire",
    "investigation": "Phase d'investigation",
    "conclusion": "Phase de conclusion",
    "suivi": "Suivi",
}
RAW_TEXT = {"code", "pre", "kbd", "samp", "script", "style"}
# Tags whose URL attribute makes the browser fetch something (an <a> only navigates).
FETCHING = {
    "img": ("src", "srcset"),
    "script": ("src",),
    "link": ("href",),
    "iframe": ("src",),
    "frame": ("src",),
    "object": ("data",),
    "embed": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
    "input": ("src",),
    "form": ("action",),
}


def norm(text: str) -> str:
    """Text as a reader compares it: typographic spaces and apostrophes made plain."""
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("’", "'")
    return " ".join(text.split())


def plain(markdown: str) -> str:
    """A short consultant string without its Markdown emphasis marks."""
    return norm(re.sub(r"\*\*|__|`", "", markdown))


MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip


def date_fr(day: dt.date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def hours(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    if not h:
        return f"{m} min"
    return f"{h} h {m:02d}" if m else f"{h} h"


@dataclass
class Booklet:
    slug: str
    folder: Path
    passphrase: str
    pdf: str | None
    dossier: Dossier
    _parts: dict[str, list[str]] = field(default_factory=dict)

    def parts(self, name: str) -> list[str]:
        """Every decrypted bundle of a page: content first, then navigation, header, footer."""
        if name not in self._parts:
            self._parts[name] = decrypt_all((self.folder / name).read_text(), self.passphrase)
        return self._parts[name]

    def content(self, name: str) -> BeautifulSoup:
        return BeautifulSoup(self.parts(name)[0], "html.parser")

    def pages(self) -> list[str]:
        return sorted(p.name for p in self.folder.glob("*.html") if p.name != "404.html")


@pytest.fixture(scope="module")
def booklets(examples_built: Built) -> dict[str, Booklet]:
    """The booklets of the session's shared build of the examples (read only)."""
    repo = examples_built.repo
    found = {}
    for slug in EXAMPLES:
        assert examples_built.manifest[slug]["status"] == "built", examples_built.manifest[slug]
        found[slug] = Booklet(
            slug=slug,
            folder=examples_built.booklet(slug),
            passphrase=examples_built.passphrases[slug],
            pdf=examples_built.manifest[slug]["pdf"],
            dossier=load_dossier(repo / "dossiers" / slug, repo),
        )
    return found


@pytest.fixture(params=EXAMPLES)
def booklet(request: pytest.FixtureRequest, booklets: dict[str, Booklet]) -> Booklet:
    return booklets[request.param]


def _text(tag: Tag | None) -> str:
    assert tag is not None
    return norm(tag.get_text())


def _classes(tag: Tag) -> list[str]:
    value = tag.get("class") or []
    return list(value) if isinstance(value, list) else value.split()


# --- Home page --------------------------------------------------------------------------------


def test_every_dossier_page_exists(booklet: Booklet) -> None:
    s = booklet.dossier.synthese
    expected = {
        "index.html", "demarche.html", "ce-qui-vous-anime.html", "projet.html", "documents.html",
    }  # fmt: skip
    if s.competences:
        expected.add("competences.html")
    if s.pistes:
        expected.add("pistes.html")
    if s.plan_action:
        expected.add("plan-action.html")
    if any(n.published for n in booklet.dossier.notes):
        expected.add("notes.html")
    dossier_pages = {p for p in booklet.pages() if not p.startswith("a-savoir-")}
    assert dossier_pages == expected


def test_home_greets_by_first_name(booklet: Booklet) -> None:
    soup = booklet.content("index.html")
    titles = soup.find_all("h1")
    assert len(titles) == 1
    assert _text(titles[0]) == f"Bonjour {booklet.dossier.bilan.beneficiaire.prenom},"


def test_home_key_figures_match_the_dossier(booklet: Booklet) -> None:
    b, s = booklet.dossier.bilan, booklet.dossier.synthese
    soup = booklet.content("index.html")
    figures = {}
    for cle in soup.select(".livret-cles .livret-cle"):
        label = _text(cle.select_one(".livret-cle__libelle"))
        figures[label] = _text(cle.select_one(".livret-cle__valeur"))
    seances = len(b.seances)
    expected = {
        "d'accompagnement": hours(sum(x.duree for x in b.seances)),
        "séances" if seances > 1 else "séance": str(seances),
    }
    if s.competences:
        expected["compétences repérées"] = str(len(s.competences))
    if b.periode.fin is not None:
        assert figures.get(f"le {date_fr(b.periode.fin)}") == "Bilan terminé", figures
    else:
        latest = max(b.seances, key=lambda x: x.date)
        assert figures.get("en cours") == PHASE_LABELS[latest.phase], figures
    for label, value in expected.items():
        assert figures.get(label) == value, (label, figures)
    assert len(figures) == len(expected) + 1


def test_home_links_to_every_other_page(booklet: Booklet) -> None:
    soup = booklet.content("index.html")
    links = [a["href"] for a in soup.select("ul.livret-sommaire a[href]")]
    others = [p for p in booklet.pages() if p != "index.html"]
    assert sorted(links) == others
    assert len(set(links)) == len(links)
    for href in links:
        assert (booklet.folder / str(href)).is_file(), href


def _pdf_links(soup: BeautifulSoup) -> list[str]:
    return [
        str(a["href"]) for a in soup.find_all("a", href=True) if str(a["href"]).endswith(".pdf")
    ]


def test_pdf_link_only_when_a_pdf_is_published(booklet: Booklet) -> None:
    home = booklet.content("index.html")
    documents = booklet.content("documents.html")
    synthese = [
        str(a["href"])
        for soup in (home, documents)
        for a in soup.find_all("a", href=True, download=True)
        if "synthèse" in a.get_text()
    ]
    if booklet.pdf is None:
        assert _pdf_links(home) == [] and synthese == []
        assert not home.select(".livret-telechargement")
        assert "remis à la fin du bilan" in _text(documents)
        return
    name = Path(booklet.pdf).name
    assert Path(booklet.pdf).parent.name == booklet.folder.name
    assert (booklet.folder / name).is_file()
    assert _pdf_links(home) == [name]
    assert synthese == [name, name]
    finished = booklet.dossier.bilan.periode.fin is not None
    assert ("remis à la fin du bilan" in _text(documents)) is not finished
    # Other PDFs on the Documents page are the dossier's own attachments.
    pieces = [o for o in booklet.dossier.synthese.outils if o.piece and o.piece.endswith(".pdf")]
    others = [href for href in _pdf_links(documents) if href != name]
    assert len(others) == len(pieces)
    for href in others:
        assert "/" not in href and (booklet.folder / href).is_file()
    published = sorted(p.name for p in booklet.folder.glob("*.pdf"))
    assert published == sorted([name, *others])


def test_each_dossier_page_has_one_title(booklet: Booklet) -> None:
    for name in booklet.pages():
        if not name.startswith("a-savoir-"):
            titles = booklet.content(name).find_all("h1")
            assert len(titles) == 1 and _text(titles[0]), name


def test_shared_pages_have_their_title(booklets: dict[str, Booklet]) -> None:
    booklet = booklets[FINISHED]
    shared = [name for name in booklet.pages() if name.startswith("a-savoir-")]
    assert len(shared) == len(list((ROOT / "content").glob("*.md")))
    home = booklet.content("index.html")
    titles = {str(a["href"]): _text(a) for a in home.select("ul.livret-sommaire a[href]")}
    for name in shared:
        headings = booklet.content(name).find_all("h1")
        assert [_text(h) for h in headings] == [titles[name]], name


# --- Démarche ----------------------------------------------------------------------------------


def test_demarche_phases_and_sessions_follow_the_dossier(booklet: Booklet) -> None:
    b = booklet.dossier.bilan
    soup = booklet.content("demarche.html")
    phases = soup.select("ol.livret-frise > li.livret-frise__phase")
    codes = []
    for phase in phases:
        code = next(c for c in _classes(phase) if c.startswith("livret-frise__phase--"))
        code = code.removeprefix("livret-frise__phase--")
        codes.append(code)
        mine = [x for x in b.seances if x.phase == code]
        dates = [str(t["datetime"]) for t in phase.select("time[datetime]")]
        assert dates == sorted(x.date.isoformat() for x in mine)
        heading = phase.find("h3")
        duration = _text(heading.select_one(".livret-frise__duree") if heading else None)
        assert duration == hours(sum(x.duree for x in mine))
        assert _text(heading).startswith(PHASE_LABELS[code])
    order = ["preliminaire", "investigation", "conclusion", "suivi"]
    assert codes == [c for c in order if any(x.phase == c for x in b.seances)]
    all_dates = [str(t["datetime"]) for t in soup.select("ol.livret-frise time[datetime]")]
    assert len(all_dates) == len(b.seances)
    assert all_dates == sorted(x.date.isoformat() for x in b.seances)


def test_finished_bilan_has_three_phases_and_nineteen_hours(booklets: dict[str, Booklet]) -> None:
    soup = booklets[FINISHED].content("demarche.html")
    labels = [norm(str(h.contents[0])) for h in soup.select("ol.livret-frise > li > h3")]
    assert labels == ["Phase préliminaire", "Phase d'investigation", "Phase de conclusion"]
    dates = [str(t["datetime"]) for t in soup.select(".livret-frise time[datetime]")]
    assert dates == sorted(dates) and len(dates) == 10
    summary = next(_text(p) for p in soup.find_all("p") if "d'accompagnement" in norm(p.get_text()))
    assert "10 séances pour 19 h d'accompagnement" in summary
    assert "du 3 septembre 2026 au 19 novembre 2026" in summary


# --- Compétences -------------------------------------------------------------------------------


def test_competences_grouped_one_card_each(booklet: Booklet) -> None:
    competences = booklet.dossier.synthese.competences
    soup = booklet.content("competences.html")
    groups = soup.find_all("h2")
    expected_groups = [
        (code, label) for code, label in CATEGORIES if any(x.categorie == code for x in competences)
    ]
    assert [_text(h) for h in groups] == [label for _, label in expected_groups]
    for heading, (code, _) in zip(groups, expected_groups, strict=True):
        cards_box = heading.find_next_sibling("div")
        assert cards_box is not None and "livret-cartes" in _classes(cards_box)
        cards = cards_box.select("article.livret-carte")
        mine = [x for x in competences if x.categorie == code]
        assert len(cards) == len(mine)
        by_title = {plain(x.intitule): x for x in mine}
        for card in cards:
            title = _text(card.select_one(".livret-carte__titre"))
            assert title in by_title, title
            competence = by_title.pop(title)
            assert len(card.select(".livret-niveau__point--plein")) == competence.niveau
            assert len(card.select(".livret-niveau__point")) == 4
            badge = card.select(".livret-badge")
            assert [_text(x) for x in badge] == (
                ["Transférable"] if competence.transferable else []
            )
            assert len(card.select(".livret-preuves li")) == len(competence.preuves)
        assert by_title == {}
    assert len(soup.select("article.livret-carte")) == len(competences)


def test_transferable_badges_match_the_dossier(booklet: Booklet) -> None:
    competences = booklet.dossier.synthese.competences
    transferable = sum(1 for c in competences if c.transferable)
    soup = booklet.content("competences.html")
    assert len(soup.select(".livret-badge")) == transferable
    chapo = _text(soup.select_one(".livret-chapo"))
    assert chapo.startswith(
        f"{len(competences)} compétences repérées ensemble, dont {transferable} "
    )


# --- Charts and external resources -------------------------------------------------------------


def _charts_expected(booklet: Booklet) -> dict[str, int]:
    interets = booklet.dossier.synthese.interets
    return {
        "demarche.html": 1,
        "competences.html": 1,
        "ce-qui-vous-anime.html": 1 if interets and interets.riasec else 0,
    }


def test_charts_are_inline_svg_with_text_alternatives(booklet: Booklet) -> None:
    for name, count in _charts_expected(booklet).items():
        soup = booklet.content(name)
        charts = soup.find_all("svg")
        assert len(charts) == count, name
        for svg in charts:
            title, desc = svg.find("title"), svg.find("desc")
            assert _text(title) and _text(desc), name
            assert svg.get("role") == "img"
            figure = svg.find_parent("figure")
            assert figure is not None
            caption = figure.find("figcaption")
            assert _text(caption) == _text(desc), name
            assert not svg.find(["image", "use", "foreignObject", "script"])


def test_chart_aria_references_resolve(booklet: Booklet) -> None:
    for name, count in _charts_expected(booklet).items():
        if not count:
            continue
        soup = booklet.content(name)
        for svg in soup.find_all("svg"):
            for ref in str(svg.get("aria-labelledby", "")).split():
                assert svg.find(id=ref) is not None, (name, ref)


def _external(url: str) -> bool:
    parts = urlsplit(url.strip())
    return bool(parts.scheme or parts.netloc) and parts.scheme not in ("data", "blob")


def test_nothing_in_decrypted_content_loads_from_outside(booklet: Booklet) -> None:
    for name in booklet.pages():
        for part in booklet.parts(name):
            soup = BeautifulSoup(part, "html.parser")
            for tag in soup.find_all(True):
                for attr in FETCHING.get(tag.name, ()):
                    value = tag.get(attr)
                    if value is None:
                        continue
                    urls = [str(value)]
                    if attr == "srcset":
                        urls = [u.strip().split(" ")[0] for u in str(value).split(",")]
                    for url in urls:
                        assert not _external(url), (name, tag.name, url)
                        if tag.name == "img" and not url.startswith("data:"):
                            assert (booklet.folder / url).is_file(), (name, url)
                style = str(tag.get("style", ""))
                assert not re.search(r"url\(\s*['\"]?(https?:)?//", style), (name, style)
                assert not str(tag.get("srcdoc", "")), name
            assert not soup.find_all("script"), name
            assert not soup.find_all("link"), name
    # Inside the page content, an image can only be inline (an attachment made data: URI).
    for name in DOSSIER_PAGES:
        if name in booklet.pages():
            for img in booklet.content(name).find_all("img"):
                assert str(img.get("src", "")).startswith("data:image/"), name


# --- Pistes, projet, plan ----------------------------------------------------------------------


def test_pistes_status_labels_and_reasons(booklet: Booklet) -> None:
    pistes = booklet.dossier.synthese.pistes
    soup = booklet.content("pistes.html")
    articles = soup.select("article.livret-piste")
    assert len(articles) == len(pistes)
    by_title = {plain(p.intitule): p for p in pistes}
    seen = []
    for article in articles:
        piste = by_title.pop(_text(article.find("h2")))
        assert f"livret-piste--{piste.statut}" in _classes(article)
        assert _text(article.select_one(".livret-piste__statut")) == STATUS_LABELS[piste.statut]
        reasons = [
            h for h in article.find_all("h3") if _text(h) == "Pourquoi cette piste a été écartée"
        ]
        assert len(reasons) == (1 if piste.statut == "ecartee" else 0), piste.intitule
        assert len(article.find_all("h3", string="Enquêtes métiers")) == (
            1 if piste.enquetes else 0
        )
        seen.append(piste.statut)
    assert by_title == {}
    rank = {"retenue": 0, "alternative": 1, "ecartee": 2}
    assert seen == sorted(seen, key=rank.__getitem__)


def _due(echeance: str) -> dt.date:
    year, month, *day = (int(x) for x in echeance.split("-"))
    if day:
        return dt.date(year, month, day[0])
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def test_plan_has_one_checkbox_per_step(booklet: Booklet) -> None:
    steps = booklet.dossier.synthese.plan_action
    soup = booklet.content("plan-action.html")
    boxes = soup.select('input[type="checkbox"]')
    assert len(boxes) == len(steps)
    # Shown in date order (a month alone counts as its last day; equal dates keep the YAML
    # order), each box keyed by its place in the YAML so that ticks survive a reordering.
    order = sorted(range(len(steps)), key=lambda i: _due(steps[i].echeance))
    assert [int(str(b["data-livret-etape"])) for b in boxes] == [i + 1 for i in order]
    texts = [_text(x) for x in soup.select(".livret-plan__etape .livret-plan__texte")]
    assert texts == [plain(steps[i].etape) for i in order]
    ranks = [_text(x) for x in soup.select(".livret-plan__etape .livret-plan__rang")]
    assert ranks == [f"{n}." for n in range(1, len(steps) + 1)]
    progress = soup.select_one("[data-livret-progression]")
    assert progress is not None and progress.has_attr("hidden")
    assert _text(progress) == f"Étapes faites : 0 sur {len(steps)}"


def test_projet_page_follows_the_dossier(booklet: Booklet) -> None:
    projet = booklet.dossier.synthese.projet
    soup = booklet.content("projet.html")
    assert _text(soup.find("h1")) == "Votre projet"
    if projet is None:
        assert soup.select(".livret-projet-titre") == []
        assert "Votre projet se construit" in _text(soup.select_one(".livret-chapo"))
    else:
        assert _text(soup.select_one(".livret-projet-titre")) == plain(projet.intitule)


def test_in_progress_dossier_has_no_project_yet(booklets: dict[str, Booklet]) -> None:
    booklet = booklets[IN_PROGRESS]
    assert booklet.dossier.bilan.periode.fin is None
    assert booklet.dossier.synthese.projet is None
    home = booklet.content("index.html")
    figures = [_text(x) for x in home.select(".livret-cle__libelle")]
    assert "en cours" in figures
    projet = booklet.content("projet.html")
    assert _text(projet.select_one(".livret-chapo")).startswith(
        "Votre projet se construit au fil de la phase d'investigation."
    )
    assert not projet.select(".livret-projet-titre, .livret-colonnes")
    headings = [_text(h) for h in projet.find_all("h2")]
    assert "Projet de formation" not in headings and "Obstacles à lever" not in headings


def test_in_progress_dossier_offers_a_provisional_synthese(booklets: dict[str, Booklet]) -> None:
    booklet = booklets[IN_PROGRESS]
    assert booklet.dossier.bilan.periode.fin is None
    assert booklet.pdf is not None
    home = booklet.content("index.html")
    assert "synthèse provisoire" in _text(home.select_one(".livret-telechargement"))
    documents = _text(booklet.content("documents.html"))
    assert "Synthèse provisoire" in documents
    assert "définitif vous sera remis à la fin du bilan" in documents
    finished = _text(booklets[FINISHED].content("documents.html"))
    assert "provisoire" not in finished


def test_in_progress_booklet_never_says_the_bilan_is_over(
    booklets: dict[str, Booklet],
) -> None:
    booklet = booklets[IN_PROGRESS]
    for name in booklet.pages():
        text = norm(booklet.content(name).get_text())
        assert "votre bilan est terminé" not in text.lower(), name


# --- Notes -------------------------------------------------------------------------------------


@functools.cache
def _note_files(folder: Path) -> list[tuple[str, bool, str]]:
    """(title, shared with the beneficiary, body) of each notes/*.md, read without livret."""
    found = []
    for path in sorted((folder / "notes").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        match = re.match(r"---\n(.*?\n)---\n(.*)", text, re.S)
        assert match is not None, path
        head, body = match.groups()
        title = re.search(r"^titre:\s*(.+)$", head, re.M)
        shown = re.search(r"^visibilite:\s*(\S+)\s*$", head, re.M)
        assert title is not None
        found.append((norm(title.group(1)), bool(shown and shown.group(1) == "beneficiaire"), body))
    return found


def _sentences(body: str) -> list[str]:
    """Lines of a note plain enough to be found verbatim in the rendered page."""
    return [
        norm(line)
        for line in body.splitlines()
        if len(line.strip()) >= 30 and not re.search(r"[*_`\[\]<>#|-]", line)
    ]


def test_notes_page_shows_only_shared_notes(booklet: Booklet) -> None:
    files = _note_files(ROOT / "dossiers" / booklet.slug)
    shared = [(t, body) for t, shown, body in files if shown]
    private = [(t, body) for t, shown, body in files if not shown]
    assert shared, "every example dossier shares at least one note"
    loaded = [norm(n.meta.titre) for n in booklet.dossier.notes if n.published]
    assert sorted(loaded) == sorted(t for t, _ in shared)
    soup = booklet.content("notes.html")
    articles = soup.select("article.livret-note-entretien")
    assert sorted(_text(a.find("h2")) for a in articles) == sorted(t for t, _ in shared)
    page_text = norm(soup.get_text())
    for _, body in shared:
        lines = _sentences(body)
        assert lines and all(line in page_text for line in lines)
    everything = norm(
        " ".join(
            BeautifulSoup(part, "html.parser").get_text()
            for name in booklet.pages()
            for part in booklet.parts(name)
        )
    )
    for title, body in private:
        assert title not in everything, title
        for line in _sentences(body):
            assert line not in everything, line


def test_every_example_has_a_private_note_to_exclude(booklets: dict[str, Booklet]) -> None:
    private = [
        t for slug in EXAMPLES for t, shown, _ in _note_files(ROOT / "dossiers" / slug) if not shown
    ]
    assert len(private) >= 2  # so the test above really checks exclusion


# --- French typography -------------------------------------------------------------------------

_BREAKING_BEFORE_PUNCT = re.compile(r"[ \t\r\n]+[:;!?]")


def test_no_breaking_space_before_high_punctuation(booklet: Booklet) -> None:
    checked = 0
    for name in booklet.pages():
        for part in booklet.parts(name):
            soup = BeautifulSoup(part, "html.parser")
            for node in soup.find_all(string=True):
                if node.find_parent(list(RAW_TEXT)) or type(node).__name__ == "Comment":
                    continue
                text = str(node)
                match = _BREAKING_BEFORE_PUNCT.search(text)
                assert match is None, (name, text[max(0, match.start() - 40) : match.end() + 10])
                checked += len(re.findall(r"[\u00a0\u202f][:;!?]", text))
    assert checked > 20  # the pages do hold French punctuation, all of it non-breaking


def test_tooltips_follow_french_typography(booklets: dict[str, Booklet]) -> None:
    for booklet in booklets.values():
        for name in booklet.pages():
            for part in booklet.parts(name):
                soup = BeautifulSoup(part, "html.parser")
                for tag in soup.find_all(True):
                    for attr in ("title", "alt", "aria-label", "placeholder"):
                        value = str(tag.get(attr, ""))
                        assert not _BREAKING_BEFORE_PUNCT.search(value), (name, attr, value)
