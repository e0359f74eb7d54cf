"""`livret suivi` and the satisfaction questionnaires, on real dossiers."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT, make_repo
from livret.cli import cli
from livret.dossier.load import load_dossier
from livret.dossier.provider import load_provider
from livret.pipeline.booklet import publishable_view
from livret.project import Project
from livret.render.pages import render_pages
from livret.render.view_model import Downloads

EXAMPLE = ROOT / "dossiers" / "2026-durand-claire"  # finished, follow-up on 2027-05-20
ONGOING = ROOT / "dossiers" / "2026-benali-karim"  # no end date, no follow-up


def run(repo: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["-C", str(repo), *args], catch_exceptions=False)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    dossiers = {
        "2026-durand-claire": EXAMPLE,
        "2026-benali-karim": ONGOING,
        "2026-tardif-leo": EXAMPLE,
    }
    root = make_repo(tmp_path / "repo", dossiers)
    _edit(root / "dossiers/2026-tardif-leo/bilan.yml", "date: 2027-05-20", "date: 2027-04-02")
    return root


@pytest.mark.parametrize(
    ("today", "days", "overdue", "due"),
    [
        ("2027-03-01", 30, [], []),
        ("2027-03-03", 30, [], ["2026-tardif-leo"]),  # exactly 30 days ahead: listed
        ("2027-03-02", 30, [], []),  # 31 days ahead: not yet
        ("2027-04-02", 0, [], ["2026-tardif-leo"]),  # today
        ("2027-04-03", 60, ["2026-tardif-leo"], ["2026-durand-claire"]),
        ("2027-06-01", 30, ["2026-tardif-leo", "2026-durand-claire"], []),
    ],
)
def test_due_and_overdue(repo: Path, today: str, days: int, overdue: list, due: list) -> None:
    result = run(repo, "suivi", "--date", today, "--jours", str(days), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [f["slug"] for f in data["overdue"]] == overdue
    assert [f["slug"] for f in data["due"]] == due
    for entry in data["overdue"]:
        assert entry["days"] < 0
        assert entry["consultant"] == "Marion Lefèvre"


def test_plain_output_in_french(repo: Path) -> None:
    result = run(repo, "suivi", "--date", "2027-04-05", "--jours", "60")
    assert result.exit_code == 0
    assert (
        "Entretiens de suivi en retard :\n"
        "  02/04/2027  2026-tardif-leo  (Marion Lefèvre, en retard de 3 jours)" in result.stdout
    )
    assert "  20/05/2027  2026-durand-claire  (Marion Lefèvre, dans 45 jours)" in result.stdout
    assert (
        "Questionnaire à six mois à transmettre : "
        "https://horizons-competences.example.org/satisfaction/six-mois" in result.stdout
    )
    quiet = run(repo, "suivi", "--date", "2027-01-01")
    assert (
        "Aucun entretien de suivi en retard ni prévu dans les 30 prochains jours." in quiet.stdout
    )
    assert "Questionnaire" not in quiet.stdout


def test_held_interview_is_not_listed(repo: Path) -> None:
    bilan = repo / "dossiers/2026-tardif-leo/bilan.yml"
    _edit(
        bilan,
        "suivi:\n",
        "  - date: 2027-04-02\n    phase: suivi\n    duree: 1h\n    modalite: distanciel\nsuivi:\n",
    )
    data = json.loads(run(repo, "suivi", "--date", "2027-06-01", "--json").stdout)
    assert [f["slug"] for f in data["overdue"]] == ["2026-durand-claire"]


def test_finished_without_follow_up_and_broken_dossiers_are_named(repo: Path) -> None:
    bilan = repo / "dossiers/2026-tardif-leo/bilan.yml"
    _edit(bilan, "suivi:\n  date: 2027-04-02\n", "")
    shutil.copytree(EXAMPLE, repo / "dossiers/2026-casse-eva")
    _edit(repo / "dossiers/2026-casse-eva/bilan.yml", "phase: conclusion", "phase: fin")
    result = run(repo, "suivi", "--date", "2027-01-01")
    assert result.exit_code == 0
    assert "Bilans terminés sans entretien de suivi prévu : 2026-tardif-leo" in result.stdout
    assert "le dossier 2026-casse-eva contient des erreurs" in result.stderr
    data = json.loads(run(repo, "suivi", "--date", "2027-01-01", "--json").stdout)
    assert data["unplanned"] == ["2026-tardif-leo"]
    assert data["unreadable"] == ["2026-casse-eva"]
    # The ongoing bilan has no end date: not "finished without follow-up".
    assert "2026-benali-karim" not in result.stdout


@pytest.mark.parametrize("bad", ["-1", "abc", "99999"])
def test_bad_horizon_is_a_french_usage_error(repo: Path, bad: str) -> None:
    result = run(repo, "suivi", "--jours", bad)
    assert result.exit_code == 2
    assert "--jours" in result.output
    assert "Traceback" not in result.output


def _demarche(repo: Path, slug: str) -> str:
    project = Project(repo)
    provider = load_provider(project)
    dossier = load_dossier(project.dossiers / slug, repo)
    view = publishable_view(dossier, project.theme, False, provider)
    (page,) = [p for p in render_pages(project, view, Downloads("s.pdf")) if "démarche" in p.title]
    return str(page.__dict__)


def test_booklet_links_the_questionnaires(repo: Path) -> None:
    finished = _demarche(repo, "2026-durand-claire")
    assert "Votre avis" in finished
    links = re.findall(r'<a href="([^"]+)" rel="noopener noreferrer" target="_blank">', finished)
    assert "https://horizons-competences.example.org/satisfaction/fin-de-bilan" in links
    assert "https://horizons-competences.example.org/satisfaction/six-mois" in links
    # Ongoing, no follow-up planned yet: neither questionnaire is due.
    assert "Votre avis" not in _demarche(repo, "2026-benali-karim")


def test_no_questionnaire_configured_no_section(repo: Path) -> None:
    config = repo / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text[: text.index("    questionnaires:")], encoding="utf-8")
    assert "Votre avis" not in _demarche(repo, "2026-durand-claire")
    assert "Questionnaire" not in run(repo, "suivi", "--date", "2027-06-01").stdout


@pytest.mark.parametrize(
    "link",
    [
        "http://horizons.example.org/avis",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "&#106;avascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example/avis",
        "https:/evil.example",
        "ftp://files.example.org/avis",
        "https://exa mple.org/avis",
        "https://example.org/\u2028avis",
        "mailto:avis@example.org",
        "avis.html",
    ],
)
def test_hostile_questionnaire_links_refused_at_their_line(repo: Path, link: str) -> None:
    config = repo / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    written = "https://horizons-competences.example.org/satisfaction/fin-de-bilan"
    config.write_text(text.replace(written, json.dumps(link)), encoding="utf-8")
    line = text[: text.index(written)].count("\n") + 1
    result = run(repo, "check")
    assert result.exit_code == 1
    assert f"mkdocs.yml:{line}:" in result.stderr
    assert "adresse de questionnaire refusée" in result.stderr
    assert "Traceback" not in result.output
