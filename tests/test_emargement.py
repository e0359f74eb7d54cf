"""`livret emargement`: the attendance sheet, printed for real and read back from the PDF."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import stat
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner, Result

from conftest import FIXTURES, ROOT, make_repo
from livret.cli import cli
from livret.dossier.load import check_dossiers
from livret.dossier.provider import load_provider
from livret.outputs.emargement import emargement_html
from livret.project import Project
from livret.render.charts import hours_label
from livret.render.labels import load_labels
from livret.render.view import date_fr

MINIMAL = "2026-martin-lucie"
EXAMPLE = "2026-durand-claire"
MANY = "2026-vingt-seances"
HOSTILE = "2026-objet-hostile"
SUIVI = "2026-avec-suivi"
LONG_WORD = "Anticonstitutionnellement" * 12  # 300 letters, no break opportunity
HOSTILE_OBJETS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(2)">',
    "{{ 7*7 }} et {% raw %}",
    "</td></tr></table><h1>faux titre</h1>",
    '"><style>body{display:none}</style>',
    LONG_WORD,
    "https://exemple.org/" + "chemin/" * 40,
    "&lt;b&gt; et &amp; et &#106;avascript",
]


def _bilan(
    sessions: list[str],
    *,
    start: str = "2026-01-05",
    end: str = "2026-12-18",
    financement: str = "  mode: cpf\n",
) -> str:
    return (
        "beneficiaire:\n  prenom: Lucie\n  nom: Martin\n  situation: salarie\n"
        "consultant:\n  nom: Paul Roche\n"
        f"financement:\n{financement}"
        f"consentement:\n  date: {start}\n  partage: []\n"
        f"periode:\n  debut: {start}\n  fin: {end}\n"
        "seances:\n" + "".join(sessions)
    )


def _session(date: dt.date, phase: str, duree: str, modalite: str, objet: str) -> str:
    quoted = objet.replace("\\", "\\\\").replace('"', '\\"')
    return (
        f"  - date: {date.isoformat()}\n    phase: {phase}\n    duree: {duree}\n"
        f'    modalite: {modalite}\n    objet: "{quoted}"\n'
    )


def _dossier(repo: Path, slug: str, bilan: str) -> None:
    folder = repo / "dossiers" / slug
    shutil.copytree(FIXTURES / "minimal", folder)
    (folder / "bilan.yml").write_text(bilan, encoding="utf-8")


def _many() -> str:
    phases = ["preliminaire"] * 3 + ["investigation"] * 14 + ["conclusion"] * 3
    first = dt.date(2026, 1, 5)
    return _bilan(
        [
            _session(
                first + dt.timedelta(weeks=i),
                phase,
                "1h" if i % 2 else "45min",
                "distanciel" if i % 3 == 1 else "presentiel",
                f"Séance numéro {i + 1} : travail sur le projet",
            )
            for i, phase in enumerate(phases)
        ]
    )


def _three_phases(count: int) -> list[str]:
    """A finished bilan holds the three phases (R6313-4): first and last sessions give them."""
    return ["preliminaire"] + ["investigation"] * (count - 2) + ["conclusion"]


def _hostile() -> str:
    first = dt.date(2026, 2, 2)
    return _bilan(
        [
            _session(first + dt.timedelta(days=7 * i), phase, "1h", "presentiel", objet)
            for i, (phase, objet) in enumerate(
                zip(_three_phases(len(HOSTILE_OBJETS)), HOSTILE_OBJETS, strict=True)
            )
        ]
    )


def _with_suivi() -> str:
    sessions = [
        _session(dt.date(2026, 3, 2), "preliminaire", "2h", "presentiel", "Analyse"),
        _session(dt.date(2026, 3, 16), "investigation", "3h", "distanciel", "Enquêtes"),
        _session(dt.date(2026, 4, 1), "conclusion", "2h", "presentiel", "Restitution"),
        _session(dt.date(2026, 10, 1), "suivi", "1h30", "distanciel", "Entretien à six mois"),
    ]
    convention = "  mode: plan_developpement\n  convention: CT-2026-099\n"
    return _bilan(sessions, start="2026-03-02", end="2026-10-01", financement=convention)


def _run(repo: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["-C", str(repo), "emargement", *args])


def _files(repo: Path) -> dict[str, bytes]:
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file()
    }


def _flat(text: str) -> str:
    """Text as read: hyphenation at line ends undone, every kind of space one space."""
    text = re.sub("\u2010\n", "", text)
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _text(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(
        ["pdftotext", "-raw", *pages, str(pdf), "-"], capture_output=True, text=True, check=True
    )
    # A word hyphenated at the end of a line ends with a soft hyphen: copied, it is whole.
    return out.stdout.replace("\u00ad\n", "")


def _pages(pdf: Path) -> int:
    with pikepdf.open(pdf) as doc:
        return len(doc.pages)


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One repository, every sheet written once through the real command."""
    base = tmp_path_factory.mktemp("emargement")
    repo = make_repo(
        base / "repo", {MINIMAL: FIXTURES / "minimal", EXAMPLE: ROOT / "dossiers" / EXAMPLE}
    )
    _dossier(repo, MANY, _many())
    _dossier(repo, HOSTILE, _hostile())
    _dossier(repo, SUIVI, _with_suivi())
    before = _files(repo)
    results = {slug: _run(repo, slug) for slug in (MINIMAL, EXAMPLE, MANY, HOSTILE, SUIVI)}
    return {"repo": repo, "before": before, "results": results}


def _sheet(sheets: dict[str, object], slug: str) -> Path:
    result = sheets["results"][slug]  # type: ignore[index]
    assert result.exit_code == 0, result.output
    return Path(str(sheets["repo"])) / "syntheses" / "emargements" / f"{slug}.pdf"


@pytest.mark.parametrize("slug", [MINIMAL, EXAMPLE, MANY, SUIVI])
def test_every_session_is_on_the_sheet_in_date_order(sheets: dict[str, object], slug: str) -> None:
    repo = Path(str(sheets["repo"]))
    (dossier,) = check_dossiers(repo, [slug])
    labels = load_labels(repo / "theme")
    # The sheet prints typographic apostrophes (French typography), the dossier types « ' ».
    text = _flat(_text(_sheet(sheets, slug))).replace("’", "'")
    position = 0
    for rank, seance in enumerate(sorted(dossier.bilan.seances, key=lambda s: s.date), 1):
        date = _flat(re.sub("<[^>]+>", "", str(date_fr(seance.date, labels))))
        row = (
            f"{rank} {date} {labels['phases'][seance.phase]} · "
            f"{labels['modalites'][seance.modalite]}"
        ).replace("’", "'")
        found = text.find(row, position)
        assert found >= 0, row
        position = found
        rest = text[found:]
        assert rest.index(_flat(hours_label(seance.duree))) < rest.index("SIGNATURE")
        if seance.objet:
            assert _flat(seance.objet).replace("’", "'") in rest, seance.objet


@pytest.mark.parametrize(
    ("slug", "sessions", "total"),
    [(MINIMAL, 3, "13 h"), (EXAMPLE, 10, "19 h"), (MANY, 20, "17 h 30"), (SUIVI, 4, "8 h 30")],
)
def test_total_duration_and_two_signature_boxes_per_session(
    sheets: dict[str, object], slug: str, sessions: int, total: str
) -> None:
    text = _flat(_text(_sheet(sheets, slug)))
    assert f"Durée totale des {sessions} séances {total}" in text
    assert text.count("SIGNATURE") == 2 * sessions
    # The same, read on the structure: each session row holds exactly two signature cells.
    repo = Path(str(sheets["repo"]))
    project = Project(repo)
    (dossier,) = check_dossiers(repo, [slug])
    rows = _Rows()
    rows.feed(emargement_html(project, load_provider(project), dossier))
    assert rows.signatures == [2] * sessions


class _Rows(HTMLParser):
    """Signature cells per session row, and every element seen."""

    def __init__(self) -> None:
        super().__init__()
        self.signatures: list[int] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        self.tags.append((tag, named))
        classes = (named.get("class") or "").split()
        if tag == "tr" and "seance" in classes:
            self.signatures.append(0)
        elif tag == "td" and "signature" in classes:
            self.signatures[-1] += 1


def test_follow_up_is_set_apart_and_the_convention_named(sheets: dict[str, object]) -> None:
    text = _flat(_text(_sheet(sheets, SUIVI)))
    assert "Durée du bilan, hors entretien de suivi 7 h" in text
    assert "Plan de développement des compétences de l’employeur" in text
    assert "CONVENTION CT-2026-099" in text
    assert "Suivi · À distance" in text


def test_provider_people_and_confidentiality_are_on_the_sheet(sheets: dict[str, object]) -> None:
    text = _flat(_text(_sheet(sheets, EXAMPLE)))
    for expected in [
        "Feuille d’émargement",
        "Horizons Compétences · 14 rue des Tanneurs, 19100 Brive-la-Gaillarde",
        "Déclaration d’activité enregistrée sous le n° 75 19 00000 19",
        "Certification Qualiopi délivrée",
        "BÉNÉFICIAIRE Claire Durand",
        "CONSULTANTE Marion Lefèvre",  # genre: f in the example
        "Compte personnel de formation (CPF)",
        "du 3 septembre 2026 au 19 novembre 2026",
        "Document confidentiel.",
        "L6313-4",
        "CONFIDENTIEL",
        "Claire Durand · Feuille d’émargement",  # running footer
        "page 1 / 2",
    ]:
        assert expected in text, expected
    assert "CONVENTION" not in text  # CPF: no convention line


def test_metadata_is_french_and_names_nobody(sheets: dict[str, object]) -> None:
    for slug in (MINIMAL, EXAMPLE):
        with pikepdf.open(_sheet(sheets, slug)) as pdf:
            assert str(pdf.Root.Lang) == "fr"
            info = {str(k): str(v) for k, v in pdf.docinfo.items()}
            assert info == {
                "/Title": "Feuille d’émargement",
                "/Creator": "livret",
                "/Producer": info["/Producer"],
            }
            assert info["/Producer"].startswith("WeasyPrint")
            # PDF/UA-1: the XMP names the document (never a person) and claims the part.
            with pdf.open_metadata() as meta:
                assert str(meta["dc:title"]) == "Feuille d’émargement"
                assert meta["pdfuaid:part"] == "1"
            with pdf.open_outline() as outline:
                assert [item.title for item in outline.root] == ["Feuille d’émargement"]
            box = [float(value) for value in pdf.pages[0].MediaBox]
            assert box[2:] == pytest.approx([595.28, 841.89], abs=0.1)  # A4


def test_fonts_are_embedded(sheets: dict[str, object]) -> None:
    for slug in (EXAMPLE, HOSTILE):
        fonts = subprocess.run(
            ["pdffonts", str(_sheet(sheets, slug))], capture_output=True, text=True, check=True
        ).stdout.splitlines()[2:]
        names = {line.split()[0].split("+")[-1] for line in fonts}
        assert names <= {"Noto-Sans", "Noto-Sans-Bold", "Noto-Serif", "Noto-Serif-Bold"}
        assert fonts and all(" yes yes yes " in line for line in fonts)


def test_only_the_sheets_are_written_owner_only(sheets: dict[str, object]) -> None:
    repo = Path(str(sheets["repo"]))
    new = set(_files(repo)) - set(sheets["before"])  # type: ignore[arg-type]
    slugs = (MINIMAL, EXAMPLE, MANY, HOSTILE, SUIVI)
    assert new == {f"syntheses/emargements/{slug}.pdf" for slug in slugs}
    assert not (repo / "site").exists()
    for folder in (repo / "syntheses", repo / "syntheses" / "emargements"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for slug in slugs:
        assert stat.S_IMODE(_sheet(sheets, slug).stat().st_mode) == 0o600
    output = sheets["results"][EXAMPLE].output  # type: ignore[index]
    assert f"Feuille d'émargement écrite (10 séances) : syntheses/emargements/{EXAMPLE}.pdf" in (
        output
    )


def test_many_sessions_paginate_with_the_header_repeated(sheets: dict[str, object]) -> None:
    pdf = _sheet(sheets, MANY)
    pages = _pages(pdf)
    assert pages >= 3
    seen = 0
    for page in range(1, pages + 1):
        text = _flat(_text(pdf, page))
        assert f"page {page} / {pages}" in text
        assert "Lucie Martin · Feuille d’émargement" in text
        if seen < 20:  # a page with sessions starts with the table header
            assert "N° Date, phase, modalité et objet Durée" in text
        seen += text.count("SIGNATURE") // 2
    assert seen == 20


def test_hostile_subjects_are_text_and_wrap(sheets: dict[str, object]) -> None:
    pdf = _sheet(sheets, HOSTILE)
    text = _flat(_text(pdf))
    for shown in [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(2)">',
        "{{ 7*7 }} et {% raw %}",
        "</td></tr></table><h1>faux titre</h1>",
        '"><style>body{display:none}</style>',
    ]:
        assert shown in text, shown
    assert LONG_WORD in text.replace(" ", "")
    assert text.count("SIGNATURE") == 2 * len(HOSTILE_OBJETS)
    # Nothing crosses the right margin (20 mm) or runs into the signature boxes' columns.
    right = 595.28 - 20 * 72 / 25.4
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for x_max in re.findall(r'xMax="([\d.]+)"', boxes):
        assert float(x_max) <= right + 0.5
    # Parsed, the markup holds no element the dossier wrote.
    repo = Path(str(sheets["repo"]))
    project = Project(repo)
    (dossier,) = check_dossiers(repo, [HOSTILE])
    rows = _Rows()
    rows.feed(emargement_html(project, load_provider(project), dossier))
    assert [t for t, _ in rows.tags if t in {"script", "style", "h1"}] == ["h1"]  # the title
    assert all(not any(k.startswith("on") for k in attrs) for _, attrs in rows.tags)
    assert [a.get("src", "")[:5] for t, a in rows.tags if t == "img"] == ["data:"]  # the logo


def test_invalid_dossier_is_reported_at_its_position_and_keeps_the_sheet(
    minimal_repo: Path,
) -> None:
    assert _run(minimal_repo, MINIMAL).exit_code == 0
    sheet = minimal_repo / "syntheses" / "emargements" / f"{MINIMAL}.pdf"
    kept = sheet.read_bytes()
    bilan = minimal_repo / "dossiers" / MINIMAL / "bilan.yml"
    bilan.write_text(
        bilan.read_text().replace("    duree: 2h\n", "    duree: 2h\n    dure: 2h\n", 1)
    )
    result = _run(minimal_repo, MINIMAL)
    assert result.exit_code == 1
    assert re.search(
        rf"^dossiers/{MINIMAL}/bilan\.yml:\d+:5: clé inconnue « dure »", result.output, re.M
    ), result.output
    assert "Traceback" not in result.output
    assert sheet.read_bytes() == kept
    assert sorted(p.name for p in sheet.parent.iterdir()) == [sheet.name]  # no temp file left


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("2026-inconnu", "dossiers/2026-inconnu:1:1: dossier introuvable : « 2026-inconnu »"),
        ("../2026-martin-lucie", "Erreur : « ../2026-martin-lucie » n'est pas un nom de dossier"),
        ("/etc", "Erreur : « /etc » n'est pas un nom de dossier"),
        ("Majuscules", "Erreur : « Majuscules » n'est pas un nom de dossier"),
    ],
)
def test_unknown_dossier_is_a_french_error_and_writes_nothing(
    minimal_repo: Path, slug: str, message: str
) -> None:
    result = _run(minimal_repo, slug)
    assert result.exit_code == 1
    assert message in result.output
    assert not (minimal_repo / "syntheses").exists()


def test_placeholders_of_bilan_refuse_the_sheet_not_those_of_synthese(
    minimal_repo: Path,
) -> None:
    runner = CliRunner()
    made = runner.invoke(cli, ["-C", str(minimal_repo), "new", "2027-neuf", "--prenom", "Ana"])
    assert made.exit_code == 0, made.output
    result = _run(minimal_repo, "2027-neuf")
    assert result.exit_code == 1
    assert re.search(
        r"^dossiers/2027-neuf/bilan\.yml:\d+:\d+: à compléter avant publication : « Nom » "
        r".* pour imprimer la feuille d'émargement$",
        result.output,
        re.M,
    ), result.output
    bilan = minimal_repo / "dossiers" / "2027-neuf" / "bilan.yml"
    text = bilan.read_text().replace('nom: "Nom"', "nom: Silva")
    bilan.write_text(text.replace("nom: À compléter", "nom: Paul Roche"))
    result = _run(minimal_repo, "2027-neuf")
    assert result.exit_code == 0, result.output
    assert "avertissement : à compléter avant publication" in result.output  # synthese.yml
    assert (minimal_repo / "syntheses" / "emargements" / "2027-neuf.pdf").is_file()


def test_strict_turns_warnings_into_errors(minimal_repo: Path) -> None:
    bilan = minimal_repo / "dossiers" / MINIMAL / "bilan.yml"
    bilan.write_text(
        bilan.read_text().replace("    duree: 2h\n", "    duree: 2h\n    objet: <b>x</b>\n")
    )
    result = _run(minimal_repo, MINIMAL, "--strict")
    assert result.exit_code == 1
    assert re.search(
        rf"^dossiers/{MINIMAL}/bilan\.yml:\d+:\d+: balise HTML « <b> »", result.output, re.M
    )
    assert _run(minimal_repo, MINIMAL).exit_code == 0  # without --strict: a warning
    shutil.rmtree(minimal_repo / "syntheses")
    assert not (minimal_repo / "syntheses").exists()


def test_loose_folder_is_closed_and_a_linked_one_refused(minimal_repo: Path) -> None:
    folder = minimal_repo / "syntheses" / "emargements"
    folder.mkdir(parents=True)
    os.chmod(folder, 0o755)
    result = _run(minimal_repo, MINIMAL)
    assert result.exit_code == 0, result.output
    assert "Attention :" in result.output and "droits sont ramenés à 700" in result.output
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    shutil.rmtree(folder)
    elsewhere = minimal_repo.parent / "ailleurs"
    elsewhere.mkdir()
    folder.symlink_to(elsewhere)
    result = _run(minimal_repo, MINIMAL)
    assert result.exit_code == 1
    assert "syntheses/emargements est un lien symbolique" in result.output
    assert list(elsewhere.iterdir()) == []


def test_a_repository_that_would_commit_the_sheet_is_refused(minimal_repo: Path) -> None:
    subprocess.run(["git", "init", "-q", str(minimal_repo)], check=True)
    result = _run(minimal_repo, MINIMAL)
    assert result.exit_code == 1
    assert "syntheses: ce chemin privé n'est pas ignoré par git" in result.output
    assert not (minimal_repo / "syntheses" / "emargements").exists()
    (minimal_repo / ".gitignore").write_text("/syntheses/\n")
    assert _run(minimal_repo, MINIMAL).exit_code == 0
