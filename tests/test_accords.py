"""Words that fit the person, French typography, one scale of levels, the plan in date order.

One real build of the small fixture in five variants of `genre:` (both féminin, both
masculin, both x, absent, and a mix to show the two people agree apart). Pages are
decrypted offline and parsed; the PDF is read back with pdftotext.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from markupsafe import Markup
from ruamel.yaml import YAML

from conftest import FIXTURES, ROOT, make_repo
from decrypt import decrypt_all
from livret.cli import cli
from livret.dossier.model import NIVEAUX_DESCRIPTION, Competence
from livret.render.charts import hours_label
from livret.render.typography import lower_first, upper_first
from livret.render.view import date_fr, download_name, load_labels

NBSP = "\u00a0"
# slug: (beneficiaire genre, consultant genre); None leaves the line out.
VARIANTS: dict[str, tuple[str | None, str | None]] = {
    "2026-genre-f": ("f", "f"),
    "2026-genre-m": ("m", "m"),
    "2026-genre-x": ("x", "x"),
    "2026-genre-absent": (None, None),
    "2026-genre-mixte": ("m", "f"),
}
BENEFICIAIRE = {
    "f": {"situation": "salariée", "le": "la bénéficiaire", "seul": "seule", "du": "de la"},
    "m": {"situation": "salarié", "le": "le bénéficiaire", "seul": "seul", "du": "du"},
    "x": {
        "situation": "salarié·e",
        "le": "le ou la bénéficiaire",
        "seul": "seul·e",
        "du": "du ou de la",
    },
}
ACCOMPAGNE = {"f": "accompagnée", "m": "accompagné", "x": "accompagné·e"}
CONSULTANT = {
    "f": {"titre": "Consultante", "votre": "Votre consultante", "le": "La consultante"},
    "m": {"titre": "Consultant", "votre": "Votre consultant", "le": "Le consultant"},
    "x": {"titre": "Consultant·e", "votre": "Votre consultant·e", "le": "Le ou la consultante"},
}
# In YAML order; the expected display order is by date, a month alone at its end.
PLAN = [
    ("Étape de mars", "2027-03"),
    ("Étape du 15 janvier", "2027-01-15"),
    ("Étape de fin mars", "2027-03-31"),
    ("Étape de janvier", "2027-01"),
    ("Étape du 2 janvier", "2027-01-02"),
]
PLAN_ORDER = [4, 1, 3, 0, 2]  # stable: « 2027-03 » and « 2027-03-31 » keep their YAML order
INCLUSIVE = re.compile(r"\w·\w")


def norm(text: str) -> str:
    return " ".join(text.replace(NBSP, " ").replace("\u202f", " ").replace("’", "'").split())


def _dossier(target: Path, genres: tuple[str | None, str | None]) -> None:
    shutil.copytree(FIXTURES / "minimal", target)
    yaml = YAML()
    bilan = yaml.load((target / "bilan.yml").read_text(encoding="utf-8"))
    bilan["beneficiaire"]["poste"] = "Responsable d'exploitation"
    bilan["financement"]["montant"] = 1600
    for who, genre in zip(("beneficiaire", "consultant"), genres, strict=True):
        if genre is not None:
            bilan[who]["genre"] = genre
    with (target / "bilan.yml").open("w", encoding="utf-8") as out:
        yaml.dump(bilan, out)
    synthese = yaml.load((target / "synthese.yml").read_text(encoding="utf-8"))
    synthese["plan_action"] = [
        {"etape": etape, "echeance": echeance, "qui": "consultant"} for etape, echeance in PLAN
    ]
    (target / "pieces").mkdir()
    for name in ("inventaire-interets.pdf", "carte-mentale.png"):
        shutil.copy(ROOT / "dossiers" / "2026-morel-sophie" / "pieces" / name, target / "pieces")
    synthese["outils"] = [
        {"nom": "Inventaire **d'intérêts** : v2/3", "piece": "pieces/inventaire-interets.pdf"},
        {"nom": "Carte mentale", "piece": "pieces/carte-mentale.png"},
    ]
    with (target / "synthese.yml").open("w", encoding="utf-8") as out:
        yaml.dump(synthese, out)


@dataclass
class Built:
    folder: Path
    passphrase: str
    pdf: Path

    def page(self, name: str) -> BeautifulSoup:
        html = decrypt_all((self.folder / name).read_text(), self.passphrase)[0]
        return BeautifulSoup(html, "html.parser")

    def raw(self, name: str) -> str:
        return decrypt_all((self.folder / name).read_text(), self.passphrase)[0]

    def pdf_text(self) -> str:
        result = subprocess.run(
            ["pdftotext", "-upw", self.passphrase, str(self.pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        )
        # Words hyphenated at a line end: the hyphen copies as a soft hyphen (PDF/UA).
        return re.sub("[\u2010\u00ad]\n", "", result.stdout)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    base = tmp_path_factory.mktemp("accords")
    repo = make_repo(base / "repo")
    for slug, genres in VARIANTS.items():
        _dossier(repo / "dossiers" / slug, genres)
    store = base / "acces.json"
    result = CliRunner(env={"LIVRET_ACCESS": str(store)}).invoke(
        cli, ["-C", str(repo), "build", "--json"]
    )
    assert result.exit_code == 0, result.output
    manifest = {b["slug"]: b for b in json.loads(result.stdout)["booklets"]}
    access = json.loads(store.read_text())["livrets"]
    return {
        slug: Built(
            repo / "site" / access[slug]["booklet_id"],
            access[slug]["passphrase"],
            repo / manifest[slug]["pdf"],
        )
        for slug in VARIANTS
    }


def _genres(slug: str) -> tuple[str, str]:
    b, c = VARIANTS[slug]
    return b or "x", c or "x"


@pytest.mark.parametrize("slug", VARIANTS)
def test_pages_agree_with_each_person(built: dict[str, Built], slug: str) -> None:
    genre_b, genre_c = _genres(slug)
    booklet = built[slug]
    home = booklet.page("index.html")
    heading = next(norm(h.get_text()) for h in home.find_all("h2") if "Paul Roche" in h.get_text())
    assert heading == f"{CONSULTANT[genre_c]['votre']} : Paul Roche"
    chapo = norm(home.select_one(".livret-chapo").get_text())  # type: ignore[union-attr]
    assert f"vous avez été {ACCOMPAGNE[genre_b]} par Paul Roche" in chapo
    assert chapo.endswith(f"à vous, et à vous {BENEFICIAIRE[genre_b]['seul']}.")
    cadre = booklet.page("demarche.html").select_one("dl.livret-cadre")
    assert cadre is not None
    terms = {norm(dt.get_text()): norm(dt.find_next("dd").get_text()) for dt in cadre("dt")}
    situation = BENEFICIAIRE[genre_b]["situation"]
    # A label or job title inside a sentence starts with a small letter.
    assert terms["Bénéficiaire"] == f"Lucie Martin, {situation}, responsable d'exploitation"
    assert terms[CONSULTANT[genre_c]["titre"]] == "Paul Roche"
    if genre_b != "x" and genre_c != "x":
        for name in ("index.html", "demarche.html", "notes.html", "plan-action.html"):
            if (booklet.folder / name).exists():
                assert not INCLUSIVE.search(booklet.page(name).get_text()), (slug, name)


@pytest.mark.parametrize("slug", VARIANTS)
def test_pdf_agrees_with_each_person(built: dict[str, Built], slug: str) -> None:
    genre_b, genre_c = _genres(slug)
    text = norm(built[slug].pdf_text())
    forms = BENEFICIAIRE[genre_b]
    assert f"{forms['le']} est {forms['seul']} destinataire" in text
    assert f"Observations {forms['du']} bénéficiaire" in text
    assert f"Lucie Martin, {forms['situation']}, responsable d'exploitation" in text
    assert "Financement : compte personnel de formation (CPF), pour un montant de 1 600 €" in text
    assert f"{CONSULTANT[genre_c]['titre']} Paul Roche" in text  # the cover
    assert CONSULTANT[genre_c]["le"] in text  # signatures
    if genre_b != "x" and genre_c != "x":
        assert not INCLUSIVE.search(text), slug


def test_numbers_never_part_from_their_unit(built: dict[str, Built]) -> None:
    booklet = built["2026-genre-f"]
    for name in ("index.html", "demarche.html"):
        html = booklet.raw(name)
        assert not re.search(r"\d h\b|\d min\b|\bh \d", html), name
        assert re.search(r"\d[\u00a0\u202f]h\b", html), name
    demarche = booklet.raw("demarche.html")
    # The minimal fixture: 2 h + 5 h 30 + 5 h 30 (13 h, the legal minimum of a finished bilan).
    assert "13\u00a0h" in demarche and "5\u00a0h\u00a030" in demarche
    # The first of a month, with its superscript; day and month stay together.
    assert "1<sup>er</sup>\u00a0septembre 2026" in demarche
    assert "30\u00a0octobre 2026" in demarche


def test_units_dates_and_amounts_use_no_break_spaces() -> None:
    labels = load_labels(ROOT / "theme")
    assert hours_label(19 * 60) == "19\u00a0h"
    assert hours_label(90) == "1\u00a0h\u00a030"
    assert hours_label(45) == "45\u00a0min"
    assert date_fr(__import__("datetime").date(2026, 9, 3), labels) == "3\u00a0septembre 2026"
    first = date_fr(__import__("datetime").date(2027, 1, 1), labels)
    assert first == "1<sup>er</sup>\u00a0janvier 2027" and isinstance(first, Markup)


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Responsable d'exploitation", "responsable d'exploitation"),
        ("Salariée", "salariée"),
        ("Agent·e public·que", "agent·e public·que"),
        ("À distance", "à distance"),
        ("Compte personnel de formation (CPF)", "compte personnel de formation (CPF)"),
        ("CPF", "CPF"),
        ("DRH adjointe", "DRH adjointe"),
        ("France Travail", "France Travail"),
        ("Opérateur de compétences (OPCO)", "opérateur de compétences (OPCO)"),
        ("Agent SNCF", "agent SNCF"),
        ("déjà minuscule", "déjà minuscule"),
        ("", ""),
        ("É", "é"),
        ("3 ans", "3 ans"),
    ],
)
def test_lower_first_keeps_acronyms_and_names(label: str, expected: str) -> None:
    assert lower_first(label) == expected
    assert lower_first(Markup(label)) == expected


def test_upper_first_only_touches_the_first_letter() -> None:
    assert upper_first("le ou la consultante") == "Le ou la consultante"
    assert upper_first("") == ""


def test_action_plan_in_date_order_with_stable_keys(built: dict[str, Built]) -> None:
    booklet = built["2026-genre-f"]
    soup = booklet.page("plan-action.html")
    steps = soup.select("li.livret-plan__etape")
    assert [norm(s.select_one(".livret-plan__texte").get_text()) for s in steps] == [  # type: ignore[union-attr]
        PLAN[i][0] for i in PLAN_ORDER
    ]
    keys = [int(str(s.select_one("input")["data-livret-etape"])) for s in steps]  # type: ignore[index]
    assert keys == [i + 1 for i in PLAN_ORDER]
    assert [norm(s.select_one(".livret-plan__rang").get_text()) for s in steps] == [  # type: ignore[union-attr]
        f"{n}." for n in range(1, len(PLAN) + 1)
    ]
    # The PDF table: same order, numbered by position.
    text = norm(booklet.pdf_text())
    table = text[text.index("N° Étape") :]
    places = [table.index(PLAN[i][0]) for i in PLAN_ORDER]
    assert places == sorted(places)
    for rank, i in enumerate(PLAN_ORDER, start=1):
        assert f"{rank} {PLAN[i][0]}" in table


@pytest.mark.parametrize("slug", ["2026-genre-f", "2026-genre-absent"])
def test_downloads_get_a_meaningful_name(built: dict[str, Built], slug: str) -> None:
    booklet = built[slug]
    pdf = booklet.pdf.name
    wanted = "Document de synthèse - Lucie Martin.pdf"
    for name in ("index.html", "documents.html"):
        links = [a for a in booklet.page(name).find_all("a", href=pdf)]
        assert links and all(a.get("download") == wanted for a in links), name
    documents = booklet.page("documents.html")
    others = [
        a for a in documents.find_all("a", download=True) if a["href"] != pdf
    ]  # the PDF attachment, named after its tool with the Markdown and slash cleaned
    assert [a["download"] for a in others] == ["Inventaire d'intérêts v2 3.pdf"]
    # The image opens full size without a link to its data: URI.
    zoom = documents.select("details.livret-piece__zoom > summary > img.livret-piece__image")
    assert len(zoom) == 1 and str(zoom[0]["src"]).startswith("data:image/")
    assert not [a for a in documents.find_all("a", href=True) if a["href"].startswith("data:")]
    # The published file keeps its random name: nothing of the person in clear.
    assert "Martin" not in pdf and "Martin" not in (booklet.folder / "documents.html").read_text()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Lucie Martin", "Lucie Martin.pdf"),
        ("../../etc/passwd", "etc passwd.pdf"),
        ('a/b\\c:d*e?f"g<h>i|j', "a b c d e f g h i j.pdf"),
        ("tab\there\nnew\x00line\x7f", "tab here new line.pdf"),
        ("**gras** et `code`", "gras et code.pdf"),
        ("", "livret.pdf"),
        ("///", "livret.pdf"),
        ("Émilie O’Brien-Noël", "Émilie O’Brien-Noël.pdf"),
        ("x" * 300, "x" * 100 + ".pdf"),
        ("\u202e\u200bfdp.exe", "fdp.exe.pdf"),
    ],
)
def test_download_names_are_cleaned(name: str, expected: str) -> None:
    assert download_name("{nom}.pdf", name) == expected


def test_one_scale_of_levels_everywhere(built: dict[str, Built]) -> None:
    names = load_labels(ROOT / "theme")["niveaux"]
    assert names == {1: "Notions", 2: "Pratique", 3: "Maîtrise", 4: "Expertise"}
    # The schema's description (what the consultant sees in the editor) names the same scale.
    scale = ", ".join(f"{n} {label}" for n, label in names.items())
    assert scale in NIVEAUX_DESCRIPTION
    assert Competence.model_fields["niveau"].description == NIVEAUX_DESCRIPTION
    schema = json.loads(
        (ROOT / "scripts/livret/dossier/schema/synthese.schema.json").read_text(encoding="utf-8")
    )
    assert scale in json.dumps(schema, ensure_ascii=False)
    page = built["2026-genre-f"].page("competences.html")
    legend = [norm(t.get_text()) for t in page.select("svg text")][:4]
    assert legend == [f"{n} · {label}" for n, label in names.items()]
    assert norm(page.select_one(".livret-niveau__texte").get_text()) == "Maîtrise"  # type: ignore[union-attr]
    caption = norm(page.select_one("figcaption").get_text())  # type: ignore[union-attr]
    assert "1 au niveau « Maîtrise »" in caption and "niveau 3" not in caption
    assert f"Niveaux : {' · '.join(f'{n} {x}' for n, x in names.items())}." in norm(page.get_text())
    text = norm(built["2026-genre-f"].pdf_text())
    assert "3 · Maîtrise" in text and "1 Notions · 2 Pratique · 3 Maîtrise · 4 Expertise" in text
