"""Sharing follows consent: `livret fiche` and the synthèse's statement of who may see it."""

from __future__ import annotations

import csv
import json
import re
import stat
import subprocess
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from conftest import ROOT, make_repo
from livret.cli import cli
from livret.dossier.load import load_dossier
from livret.dossier.provider import load_provider
from livret.outputs.pdf import synthese_html
from livret.pipeline.booklet import publishable_view
from livret.project import Project

SHARED = "2026-morel-sophie"  # partage: [financeur]
PRIVATE = "2026-durand-claire"  # partage: []


def run(repo: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["-C", str(repo), *args])


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    # One line per paragraph: words split by the layout join again.
    return re.sub(r"[-\u2010\u00ad]\n(?=\w)", "", out.stdout).replace("\n", " ")


def _line_of(path: Path, needle: str) -> int:
    return (
        path.read_text(encoding="utf-8")[: path.read_text(encoding="utf-8").index(needle)].count(
            "\n"
        )
        + 1
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(
        tmp_path / "repo",
        {s: ROOT / "dossiers" / s for s in (SHARED, PRIVATE)},
    )


def test_fiche_for_the_named_party_only(repo: Path) -> None:
    result = run(repo, "fiche", SHARED)
    assert result.exit_code == 0, result.output
    fiche = repo / "syntheses" / "fiches" / f"{SHARED}-financeur.pdf"
    assert f"Fiche projet écrite : syntheses/fiches/{SHARED}-financeur.pdf" in result.stdout
    assert sorted(p.name for p in fiche.parent.iterdir()) == [fiche.name]
    assert stat.S_IMODE(fiche.stat().st_mode) == 0o600
    assert stat.S_IMODE(fiche.parent.stat().st_mode) == 0o700
    assert not (repo / "site").exists()
    text = _text(fiche)
    # The project, and what the financeur may see by default: formation and next steps.
    assert "Devenir encadrante technique d’insertion en ressourcerie à Angers" in text
    assert "Fiche transmise au financeur, avec l’accord du ou de la bénéficiaire" in text
    assert "Titre professionnel d’encadrant technique d’insertion" in text
    assert "PROCHAINES ÉTAPES" in text
    # Nothing else of the bilan.
    for hidden in (
        "COMPÉTENCES D’APPUI",
        "CONDITIONS DE RÉUSSITE",
        "Le soutien de son conjoint",  # a condition
        "vingt-neuf ans",  # the demande and the observations
        "La fin du contrat de sécurisation",  # an obstacle
        "RIASEC",
        "Pistes",
    ):
        assert hidden not in text, hidden
    with pikepdf.open(fiche) as pdf:
        assert len(pdf.pages) <= 2
        assert str(pdf.Root.Lang) == "fr"
        assert str(pdf.docinfo["/Title"]) == "Fiche projet"
        assert "/Author" not in pdf.docinfo
    fonts = subprocess.run(["pdffonts", str(fiche)], capture_output=True, text=True).stdout
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])


def test_no_consent_no_fiche(repo: Path) -> None:
    bilan = repo / "dossiers" / PRIVATE / "bilan.yml"
    result = run(repo, "fiche", PRIVATE)
    assert result.exit_code == 1
    line = _line_of(bilan, "  partage: []")
    assert f"dossiers/{PRIVATE}/bilan.yml:{line}:12: aucune fiche projet" in result.stderr
    assert "article L6313-4" in result.stderr
    assert not (repo / "syntheses" / "fiches").exists()


def test_party_not_named_is_refused(repo: Path) -> None:
    result = run(repo, "fiche", SHARED, "--pour", "employeur")
    assert result.exit_code == 1
    assert "fiche projet pour « employeur » refusée" in result.stderr
    assert "ne nomme que financeur" in result.stderr
    assert not (repo / "syntheses" / "fiches" / f"{SHARED}-employeur.pdf").exists()
    unknown = run(repo, "fiche", SHARED, "--pour", "banque")
    assert unknown.exit_code == 2
    assert "« banque » n'est pas l'un de : cep, employeur, financeur, autre." in unknown.output


def test_each_party_sees_what_the_settings_give_it(repo: Path) -> None:
    bilan = repo / "dossiers" / SHARED / "bilan.yml"
    _edit(bilan, "partage: [financeur]", "partage: [employeur, cep]")
    assert run(repo, "fiche", SHARED).exit_code == 0
    folder = repo / "syntheses" / "fiches"
    employer = _text(folder / f"{SHARED}-employeur.pdf")
    cep = _text(folder / f"{SHARED}-cep.pdf")
    assert "Fiche transmise à l’employeur" in employer
    assert "COMPÉTENCES D’APPUI" in employer
    assert "CONDITIONS DE RÉUSSITE" not in employer
    assert "Fiche transmise au Conseil en évolution professionnelle (CEP)" in cep
    assert "CONDITIONS DE RÉUSSITE" in cep
    # The provider decides, per party: nothing but the project for the employer.
    _edit(repo / "mkdocs.yml", "employeur: [formation, competences, plan]", "employeur: []")
    assert run(repo, "fiche", SHARED, "--pour", "employeur").exit_code == 0
    bare = _text(folder / f"{SHARED}-employeur.pdf")
    assert "Devenir encadrante technique" in bare
    for part in ("FORMATION VISÉE", "COMPÉTENCES D’APPUI", "PROCHAINES ÉTAPES"):
        assert part not in bare


def test_withdrawn_consent_deletes_the_fiche(repo: Path) -> None:
    bilan = repo / "dossiers" / SHARED / "bilan.yml"
    _edit(bilan, "partage: [financeur]", "partage: [employeur, financeur]")
    assert run(repo, "fiche", SHARED).exit_code == 0
    folder = repo / "syntheses" / "fiches"
    assert len(list(folder.iterdir())) == 2
    _edit(bilan, "partage: [employeur, financeur]", "partage: [financeur]")
    result = run(repo, "fiche", SHARED)
    assert result.exit_code == 0
    assert "Fiche supprimée (le consentement ne couvre plus ce tiers)" in result.stdout
    assert [p.name for p in folder.iterdir()] == [f"{SHARED}-financeur.pdf"]
    _edit(bilan, "partage: [financeur]", "partage: []")
    refused = run(repo, "fiche", SHARED)
    assert refused.exit_code == 1
    assert "supprimées" in refused.stderr
    assert list(folder.iterdir()) == []


def test_no_project_yet(repo: Path) -> None:
    synthese = repo / "dossiers" / SHARED / "synthese.yml"
    text = synthese.read_text(encoding="utf-8")
    start = text.index("projet:\n")
    end = text.index("\nplan_action:")
    synthese.write_text(text[:start] + text[end + 1 :], encoding="utf-8")
    result = run(repo, "fiche", SHARED)
    assert result.exit_code == 1
    assert f"dossiers/{SHARED}/synthese.yml:1:1: aucune fiche projet" in result.stderr


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("employeur: [notes]", "employeur"),
        ("employeur: [formation, observations]", "employeur"),
        ("employeur: formation", "employeur"),
        ("banque: [formation]", "banque"),
    ],
)
def test_bad_fiche_settings_at_their_line(repo: Path, setting: str, expected: str) -> None:
    config = repo / "mkdocs.yml"
    _edit(config, "employeur: [formation, competences, plan]", setting)
    line = _line_of(config, setting)
    result = run(repo, "check")
    assert result.exit_code == 1
    assert f"mkdocs.yml:{line}:" in result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("slug", ["../x", "/etc", "X", "a", "2026-durand-claire\n", "inconnu-x"])
def test_bad_names(repo: Path, slug: str) -> None:
    result = run(repo, "fiche", slug)
    assert result.exit_code == 1
    assert "Traceback" not in result.output


def test_synthese_says_to_whom_sharing_is_allowed(repo: Path) -> None:
    project = Project(repo)
    provider = load_provider(project)

    def cover(slug: str) -> str:
        dossier = load_dossier(project.dossiers / slug, repo)
        html = synthese_html(project, provider, publishable_view(dossier, repo / "theme", False))
        return html[: html.index("</section>")]

    assert "a permis que la synthèse soit transmise au financeur, et à personne d’autre" in cover(
        SHARED
    )
    assert "La bénéficiaire n’a permis de transmettre la synthèse à personne" in cover(PRIVATE)
    _edit(
        repo / "dossiers" / SHARED / "bilan.yml",
        "partage: [financeur]",
        "partage: [cep, employeur, financeur]",
    )
    assert (
        "transmise au Conseil en évolution professionnelle (CEP), à l’employeur et au financeur, "
        "et à personne d’autre" in cover(SHARED)
    )


def test_purge_destroys_the_fiches(repo: Path) -> None:
    assert run(repo, "fiche", SHARED).exit_code == 0
    result = run(repo, "purge", SHARED, "--yes")
    assert result.exit_code == 0, result.output
    assert list((repo / "syntheses" / "fiches").iterdir()) == []
    with (repo / "registre-destructions.csv").open(encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["fiches_projet"] == "1"
    assert json.dumps(row).count("morel") == 0
