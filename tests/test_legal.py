"""The legal frame: duration bounds, the three phases, the follow-up, the CPF ceiling.

Each rule is checked through the loader (`load_dossier` with a `Cadre`) and, for the
wiring, through the real `livret check` and `livret build` with the bounds written in
`mkdocs.yml`. The bilan under test is written from a list of sessions, so that every
position asserted is computed from the text itself.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, make_repo
from livret.cli import cli
from livret.dossier.load import Dossier, load_dossier
from livret.dossier.provider import Cadre
from livret.errors import DossierError, Problem

SLUG = "2026-martin-lucie"
SHOWN = f"dossiers/{SLUG}/bilan.yml"
Seance = tuple[str, str, str]  # date, phase, duree

# 13 h in the three phases, within the period 2026-09-01 .. 2026-10-30.
TROIS_PHASES: list[Seance] = [
    ("2026-09-01", "preliminaire", "2h"),
    ("2026-10-01", "investigation", "8h"),
    ("2026-10-30", "conclusion", "3h"),
]
# 24 h exactly: three sessions of the longest length a session may have.
VINGT_QUATRE: list[Seance] = [
    ("2026-09-01", "preliminaire", "8h"),
    ("2026-10-01", "investigation", "480min"),
    ("2026-10-30", "conclusion", "8"),
]


def bilan_text(
    seances: list[Seance],
    *,
    debut: str = "2026-09-01",
    fin: str | None = "2026-10-30",
    suivi: str | None = "2027-04-30",
    financement: str = "mode: cpf",
) -> str:
    lines = [
        "beneficiaire:",
        "  prenom: Lucie",
        "  nom: Martin",
        "  situation: salarie",
        "consultant:",
        "  nom: Paul Roche",
        "financement:",
        *(f"  {line}" for line in financement.splitlines()),
        "consentement:",
        f"  date: {debut}",
        "periode:",
        f"  debut: {debut}",
        *([f"  fin: {fin}"] if fin else []),
        "seances:",
    ]
    for date, phase, duree in seances:
        lines += [
            f"  - date: {date}",
            f"    phase: {phase}",
            f"    duree: {duree}",
            "    modalite: presentiel",
        ]
    if suivi:
        lines += ["suivi:", f"  date: {suivi}"]
    return "\n".join(lines) + "\n"


def position(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first line holding `needle` (at its first character)."""
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(needle)


def value_position(text: str, key: str) -> tuple[int, int]:
    """Where the value of `key:` starts (the first such key)."""
    line, column = position(text, f"{key}:")
    rest = text.splitlines()[line - 1][column - 1 + len(key) + 1 :]
    return line, column + len(key) + 1 + (len(rest) - len(rest.lstrip()))


def write_dossier(base: Path, text: str, slug: str = SLUG) -> Path:
    folder = base / "dossiers" / slug
    if not folder.exists():
        shutil.copytree(FIXTURES / "minimal", folder)
    (folder / "bilan.yml").write_text(text, encoding="utf-8")
    return folder


def load(tmp_path: Path, text: str, cadre: Cadre | None = None) -> Dossier:
    return load_dossier(write_dossier(tmp_path, text), tmp_path, cadre)


def errors_of(tmp_path: Path, text: str, cadre: Cadre | None = None) -> list[Problem]:
    with pytest.raises(DossierError) as caught:
        load(tmp_path, text, cadre)
    return caught.value.errors


def legal_warnings(dossier: Dossier) -> list[Problem]:
    return [w for w in dossier.warnings if "article" in w.message or "Qualiopi" in w.message]


# --- the maximum duration (L6313-4) -------------------------------------------------------------


def test_exactly_the_maximum_is_accepted(tmp_path: Path) -> None:
    dossier = load(tmp_path, bilan_text(VINGT_QUATRE))
    assert legal_warnings(dossier) == []


def test_one_minute_over_the_maximum_is_an_error_at_seances(tmp_path: Path) -> None:
    text = bilan_text([*VINGT_QUATRE, ("2026-10-30", "conclusion", "1min")])
    (error,) = errors_of(tmp_path, text)
    assert (error.line, error.column) == position(text, "seances:")
    assert "24 h 01" in error.message and "24 h permises" in error.message
    assert "article L6313-4" in error.message and "retirez des séances" in error.message


def test_the_total_is_said_in_hours_and_minutes(tmp_path: Path) -> None:
    text = bilan_text([*VINGT_QUATRE, ("2026-10-30", "conclusion", "3h30")])
    (error,) = errors_of(tmp_path, text)
    assert error.message.startswith("durée totale des séances de 27 h 30, au-delà des 24 h")


def test_follow_up_sessions_do_not_count_by_default(tmp_path: Path) -> None:
    text = bilan_text([*VINGT_QUATRE, ("2026-10-30", "suivi", "2h")])
    assert legal_warnings(load(tmp_path, text)) == []


def test_follow_up_sessions_count_when_the_setting_says_so(tmp_path: Path) -> None:
    text = bilan_text([*VINGT_QUATRE, ("2026-10-30", "suivi", "2h")])
    (error,) = errors_of(tmp_path, text, Cadre(suivi_compte_dans_duree=True))
    assert "26 h" in error.message and "non comptées" not in error.message


def test_uncounted_follow_up_is_said_when_over_anyway(tmp_path: Path) -> None:
    text = bilan_text(
        [*VINGT_QUATRE, ("2026-10-30", "conclusion", "1h"), ("2026-10-30", "suivi", "2h")]
    )
    (error,) = errors_of(tmp_path, text)
    assert "25 h (séances de suivi non comptées)" in error.message


def test_a_lower_maximum_from_the_provider(tmp_path: Path) -> None:
    (error,) = errors_of(tmp_path, bilan_text(TROIS_PHASES), Cadre(duree_maximale_heures=12.5))
    assert "13 h, au-delà des 12 h 30 permises" in error.message


# --- the minimum duration (draft décret modifying R6313-4) --------------------------------------


def test_exactly_the_minimum_is_accepted(tmp_path: Path) -> None:
    assert legal_warnings(load(tmp_path, bilan_text(TROIS_PHASES))) == []


def test_one_minute_under_the_minimum_is_a_warning_at_seances(tmp_path: Path) -> None:
    seances = [*TROIS_PHASES[:2], ("2026-10-30", "conclusion", "2h59")]
    text = bilan_text(seances)
    (warning,) = legal_warnings(load(tmp_path, text))
    assert warning.warning
    assert (warning.line, warning.column) == position(text, "seances:")
    assert "12 h 59" in warning.message and "13 h d'accompagnement" in warning.message
    assert "R6313-4" in warning.message and "ajoutez les séances manquantes" in warning.message


def test_follow_up_sessions_do_not_make_up_the_minimum(tmp_path: Path) -> None:
    seances = [*TROIS_PHASES[:2], ("2026-10-30", "conclusion", "2h"), ("2026-10-30", "suivi", "1h")]
    (warning,) = legal_warnings(load(tmp_path, bilan_text(seances)))
    assert "12 h de séances (séances de suivi non comptées)" in warning.message
    counted = load(tmp_path, bilan_text(seances), Cadre(suivi_compte_dans_duree=True))
    assert legal_warnings(counted) == []


def test_minimum_switched_off(tmp_path: Path) -> None:
    text = bilan_text([(d, p, "1h") for d, p, _ in TROIS_PHASES])
    assert len(legal_warnings(load(tmp_path, text))) == 1
    assert legal_warnings(load(tmp_path, text, Cadre(duree_minimale_heures=None))) == []


def test_an_ongoing_bilan_is_not_held_to_the_minimum(tmp_path: Path) -> None:
    text = bilan_text([("2026-09-01", "preliminaire", "2h")], fin=None, suivi=None)
    assert legal_warnings(load(tmp_path, text)) == []


def test_sessions_on_the_first_and_last_day_of_the_period(tmp_path: Path) -> None:
    text = bilan_text(TROIS_PHASES)  # 2026-09-01 and 2026-10-30 are debut and fin
    dossier = load(tmp_path, text)
    assert [s.date.isoformat() for s in dossier.bilan.seances][::2] == ["2026-09-01", "2026-10-30"]
    assert legal_warnings(dossier) == []


# --- the three phases (R6313-4) -----------------------------------------------------------------


@pytest.mark.parametrize(
    "missing",
    [
        ("preliminaire",),
        ("investigation",),
        ("conclusion",),
        ("preliminaire", "investigation"),
        ("preliminaire", "conclusion"),
        ("investigation", "conclusion"),
    ],
)
def test_a_finished_bilan_needs_the_three_phases(tmp_path: Path, missing: tuple[str, ...]) -> None:
    # The missing phases' hours go to a kept phase: only the phase rule may fire.
    kept = [s for s in TROIS_PHASES if s[1] not in missing]
    seances = [*kept, *((d, kept[0][1], dur) for d, p, dur in TROIS_PHASES if p in missing)]
    text = bilan_text(seances)
    (error,) = errors_of(tmp_path, text)
    assert (error.line, error.column) == value_position(text, "fin")
    assert "article R6313-4" in error.message
    named = " et ".join(f"« phase: {p} »" for p in missing)
    assert f"{'des phases' if len(missing) > 1 else 'de la phase'} {named} :" in error.message
    for phase in {"preliminaire", "investigation", "conclusion"} - set(missing):
        assert f"phase: {phase} »" not in error.message


@pytest.mark.parametrize("kept", ["preliminaire", "investigation", "conclusion", "suivi"])
def test_an_ongoing_bilan_may_lack_phases(tmp_path: Path, kept: str) -> None:
    text = bilan_text([("2026-09-01", kept, "2h")], fin=None, suivi=None)
    assert legal_warnings(load(tmp_path, text)) == []


def test_suivi_does_not_stand_for_conclusion(tmp_path: Path) -> None:
    seances = [*TROIS_PHASES[:2], ("2026-10-30", "suivi", "3h")]
    (error,) = errors_of(tmp_path, bilan_text(seances), Cadre(suivi_compte_dans_duree=True))
    assert "« phase: conclusion »" in error.message


# --- the follow-up interview (R6313-4, Qualiopi) ------------------------------------------------


def test_a_finished_bilan_without_follow_up_is_warned(tmp_path: Path) -> None:
    text = bilan_text(TROIS_PHASES, suivi=None)
    (warning,) = legal_warnings(load(tmp_path, text))
    assert warning.warning and (warning.line, warning.column) == value_position(text, "fin")
    assert "« suivi: »" in warning.message and "« date: 2027-04-30 »" in warning.message


@pytest.mark.parametrize(
    ("fin", "suggested"),
    [("2026-08-31", "2027-02-28"), ("2027-08-31", "2028-02-29"), ("2026-12-15", "2027-06-15")],
)
def test_the_suggested_follow_up_date_exists(tmp_path: Path, fin: str, suggested: str) -> None:
    seances = [("2026-08-01", "preliminaire", "2h"), ("2026-08-02", "investigation", "8h")]
    seances.append((fin, "conclusion", "3h"))
    text = bilan_text(seances, debut="2026-08-01", fin=fin, suivi=None)
    (warning,) = legal_warnings(load(tmp_path, text))
    assert f"« date: {suggested} »" in warning.message


def test_an_ongoing_bilan_needs_no_follow_up_yet(tmp_path: Path) -> None:
    assert legal_warnings(load(tmp_path, bilan_text(TROIS_PHASES, fin=None, suivi=None))) == []


# --- the CPF ceiling (D6323-1 A, décret 2026-127) -----------------------------------------------


@pytest.mark.parametrize("montant", ["1600", "1600.0", "1599.99", "0", "103.20"])
def test_cpf_up_to_the_ceiling_is_accepted(tmp_path: Path, montant: str) -> None:
    text = bilan_text(TROIS_PHASES, financement=f"mode: cpf\nmontant: {montant}")
    assert legal_warnings(load(tmp_path, text)) == []


@pytest.mark.parametrize(
    ("montant", "shown"), [("1600.01", "1 600,01 €"), ("2100", "2 100 €"), ("100000", "100 000 €")]
)
def test_cpf_above_the_ceiling_is_warned(tmp_path: Path, montant: str, shown: str) -> None:
    text = bilan_text(TROIS_PHASES, financement=f"mode: cpf\nmontant: {montant}")
    (warning,) = legal_warnings(load(tmp_path, text))
    assert warning.warning
    assert (warning.line, warning.column) == value_position(text, "montant")
    assert f"montant de {shown} au-delà des 1 600 €" in warning.message
    assert "D6323-1 A" in warning.message and "décret 2026-127" in warning.message


@pytest.mark.parametrize(
    "financement",
    [
        "mode: plan_developpement\nmontant: 2500\nconvention: CT-1",
        "mode: conge_reclassement\nmontant: 2500\nconvention: CT-2",
        "mode: france_travail\nmontant: 1600.01",
        "mode: opco\nmontant: 3000",
        "mode: personnel\nmontant: 1800",
        "mode: autre\nmontant: 99999",
        "mode: cpf",  # no amount written: nothing to compare
    ],
)
def test_other_modes_have_no_ceiling(tmp_path: Path, financement: str) -> None:
    text = bilan_text(TROIS_PHASES, financement=financement)
    assert legal_warnings(load(tmp_path, text)) == []


def test_ceiling_from_the_provider_or_switched_off(tmp_path: Path) -> None:
    text = bilan_text(TROIS_PHASES, financement="mode: cpf\nmontant: 1800")
    assert legal_warnings(load(tmp_path, text, Cadre(plafond_cpf_euros=None))) == []
    assert legal_warnings(load(tmp_path, text, Cadre(plafond_cpf_euros=2000))) == []
    (warning,) = legal_warnings(load(tmp_path, text, Cadre(plafond_cpf_euros=1500)))
    assert "au-delà des 1 500 €" in warning.message


# --- the real commands, with the bounds written in mkdocs.yml -----------------------------------


def _repo(tmp_path: Path, text: str, cadre: str | None = None) -> Path:
    repo = make_repo(tmp_path / "repo")
    write_dossier(repo, text)
    if cadre is not None:
        config = repo / "mkdocs.yml"
        head, _, _ = config.read_text(encoding="utf-8").partition("  cadre:\n")
        config.write_text(head + "  cadre:\n" + cadre, encoding="utf-8")
    return repo


def test_check_prints_errors_and_warnings_at_their_place(tmp_path: Path) -> None:
    text = bilan_text(
        [("2026-09-01", "preliminaire", "2h"), ("2026-10-30", "investigation", "2h")],
        financement="mode: cpf\nmontant: 1700",
        suivi=None,
    )
    repo = _repo(tmp_path, text)
    result = CliRunner().invoke(cli, ["-C", str(repo), "check"])
    assert result.exit_code == 1, result.output
    line, column = value_position(text, "fin")
    assert f"{SHOWN}:{line}:{column}: bilan terminé sans séance de la phase" in result.stderr
    # Warnings of a dossier with an error wait for the error to be fixed, as lint warnings do.
    assert "avertissement" not in result.stderr


def test_check_warns_and_strict_refuses(tmp_path: Path) -> None:
    text = bilan_text(TROIS_PHASES, financement="mode: cpf\nmontant: 1700", suivi=None)
    repo = _repo(tmp_path, text)
    result = CliRunner().invoke(cli, ["-C", str(repo), "check"])
    assert result.exit_code == 0, result.output
    montant = "{}:{}:{}: avertissement : montant de 1 700 €".format(
        SHOWN, *value_position(text, "montant")
    )
    fin = "{}:{}:{}: avertissement : bilan terminé sans entretien de suivi".format(
        SHOWN, *value_position(text, "fin")
    )
    lines = result.stderr.splitlines()
    assert any(x.startswith(montant) for x in lines) and any(x.startswith(fin) for x in lines)
    assert "2 avertissements" in result.stdout
    strict = CliRunner().invoke(cli, ["-C", str(repo), "check", "--strict"])
    assert strict.exit_code == 1
    assert "avertissement" not in strict.stderr
    assert f"{SHOWN}:{value_position(text, 'montant')[0]}:" in strict.stderr
    built = CliRunner(env={"LIVRET_ACCESS": str(tmp_path / "acces.json")}).invoke(
        cli, ["-C", str(repo), "build", "--strict", "--json"]
    )
    assert built.exit_code == 1
    (booklet,) = json.loads(built.stdout)["booklets"]
    assert booklet["status"] == "failed" and any("1 700 €" in e for e in booklet["errors"])


def test_check_follows_the_settings_of_mkdocs_yml(tmp_path: Path) -> None:
    seances = [*TROIS_PHASES, ("2026-10-30", "suivi", "1h")]
    cadre = "    duree_maximale_heures: 13.5\n    suivi_compte_dans_duree: true\n"
    repo = _repo(tmp_path, bilan_text(seances), cadre)
    result = CliRunner().invoke(cli, ["-C", str(repo), "check"])
    assert result.exit_code == 1, result.output
    assert "de 14 h, au-delà des 13 h 30 permises" in result.stderr
    cadre = "    duree_minimale_heures: null\n    plafond_cpf_euros: null\n"
    text = bilan_text(
        [(d, p, "1h") for d, p, _ in TROIS_PHASES], financement="mode: cpf\nmontant: 9000"
    )
    repo = _repo(tmp_path / "off", text, cadre)
    result = CliRunner().invoke(cli, ["-C", str(repo), "check"])
    assert result.exit_code == 0 and "aucun problème" in result.stdout, result.output


def test_a_broken_mkdocs_yml_still_checks_dossiers_with_the_law(tmp_path: Path) -> None:
    text = bilan_text([*VINGT_QUATRE, ("2026-10-30", "conclusion", "1min")])
    repo = _repo(tmp_path, text, "    duree_maximale_heures: 100\n    inconnue: 1\n")
    result = CliRunner().invoke(cli, ["-C", str(repo), "check"])
    assert result.exit_code == 1
    assert "mkdocs.yml:" in result.stderr and "clé inconnue « inconnue »" in result.stderr
    assert "24 h 01, au-delà des 24 h" in result.stderr


def test_build_refuses_a_dossier_in_error(tmp_path: Path) -> None:
    text = bilan_text([*VINGT_QUATRE, ("2026-10-30", "conclusion", "1min")])
    repo = _repo(tmp_path, text)
    write_dossier(
        repo,
        bilan_text(TROIS_PHASES, fin="2026-10-30").replace("conclusion", "suivi"),
        "2026-autre-cas",
    )
    env = {"LIVRET_ACCESS": str(tmp_path / "acces.json")}
    result = CliRunner(env=env).invoke(cli, ["-C", str(repo), "build", "--json"])
    assert result.exit_code == 1, result.output
    booklets = {b["slug"]: b for b in json.loads(result.stdout)["booklets"]}
    assert {b["status"] for b in booklets.values()} == {"failed"}
    assert any("article L6313-4" in e for e in booklets[SLUG]["errors"])
    assert any("« phase: conclusion »" in e for e in booklets["2026-autre-cas"]["errors"])
    assert not list((repo / "site").glob("*/*.pdf"))


def test_build_follows_the_settings_of_mkdocs_yml(tmp_path: Path) -> None:
    cadre = "    duree_maximale_heures: 12\n    duree_minimale_heures: null\n"
    repo = _repo(tmp_path, bilan_text(TROIS_PHASES), cadre)
    env = {"LIVRET_ACCESS": str(tmp_path / "acces.json")}
    result = CliRunner(env=env).invoke(cli, ["-C", str(repo), "build", "--json"])
    assert result.exit_code == 1, result.output
    (booklet,) = json.loads(result.stdout)["booklets"]
    assert booklet["status"] == "failed"
    assert any("13 h, au-delà des 12 h permises" in e for e in booklet["errors"])


# --- hostile or invalid settings in mkdocs.yml --------------------------------------------------

HOSTILE_SETTINGS = [
    ("duree_maximale_heures: -3", "duree_maximale_heures", "écrivez un nombre supérieur à 0"),
    ("duree_maximale_heures: 0", "duree_maximale_heures", "écrivez un nombre supérieur à 0"),
    ("duree_maximale_heures: 1000", "duree_maximale_heures", "le maximum est 100"),
    ("duree_maximale_heures: .inf", "duree_maximale_heures", "doit être un nombre"),
    ("duree_maximale_heures: .nan", "duree_maximale_heures", "doit être un nombre"),
    ("duree_maximale_heures: vingt-quatre", "duree_maximale_heures", "doit être un nombre"),
    ('duree_maximale_heures: "24"', "duree_maximale_heures", "sans guillemets : écrivez 24"),
    ("duree_maximale_heures: true", "duree_maximale_heures", "pas « true »"),
    ("duree_maximale_heures: [24]", "duree_maximale_heures", "doit être un nombre"),
    ("duree_maximale_heures: null", "duree_maximale_heures", "est vide : écrivez un nombre"),
    ("duree_minimale_heures: -13", "duree_minimale_heures", "supérieur à 0"),
    ("duree_minimale_heures: treize", "duree_minimale_heures", "doit être un nombre"),
    ("duree_minimale_heures: 30", "duree_minimale_heures", "au-delà de la durée maximale"),
    ("duree_maximale_heures: 12", "duree_maximale_heures", "durée minimale (13 h) au-delà"),
    ("suivi_compte_dans_duree: oui", "suivi_compte_dans_duree", "true ou false"),
    ("suivi_compte_dans_duree: 1", "suivi_compte_dans_duree", "true ou false"),
    ('suivi_compte_dans_duree: "true"', "suivi_compte_dans_duree", "true sans guillemets"),
    ("plafond_cpf_euros: -1600", "plafond_cpf_euros", "supérieur à 0"),
    ("plafond_cpf_euros: 1 600 €", "plafond_cpf_euros", "doit être un nombre"),
    ("plafond_cpf_euros: false", "plafond_cpf_euros", "pas « false »"),
    ("conservation_ans: 0", "conservation_ans", "le minimum est 1"),
    ("conservation_ans: 2.5", "conservation_ans", "nombre entier"),
    ("conservation_ans: trois", "conservation_ans", "nombre entier"),
    ("plafond_cpf: 1600", "plafond_cpf", "clé inconnue « plafond_cpf » : vouliez-vous dire"),
    ("duree_max: 24", "duree_max", "clé inconnue"),
    ("__class__: x", "__class__", "clé inconnue"),
]
HOSTILE_LINKS = [
    "http://example.org/questionnaire",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example.org/q",
    "/questionnaire",
    "mailto:qualite@example.org",
    "ftp://example.org/q",
    "https:/example.org",
]


def _config_with(tmp_path: Path, setting: str) -> tuple[Path, int]:
    """mkdocs.yml whose `cadre` holds only `setting`; the number of its last line."""
    repo = _repo(tmp_path, bilan_text(TROIS_PHASES), f"    {setting}\n")
    return repo, len((repo / "mkdocs.yml").read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize(
    ("setting", "key", "said"), HOSTILE_SETTINGS, ids=[s for s, _, _ in HOSTILE_SETTINGS]
)
def test_invalid_settings_are_reported_at_their_line(
    tmp_path: Path, setting: str, key: str, said: str
) -> None:
    repo, line = _config_with(tmp_path, setting)
    result = CliRunner().invoke(cli, ["-C", str(repo), "check"])
    assert result.exit_code == 1, result.output
    shown = [x for x in result.stderr.splitlines() if x.startswith("mkdocs.yml:")]
    assert len(shown) == 1, result.stderr
    unknown = said.startswith("clé inconnue")  # at the key; a wrong value at the value
    column = 5 if unknown else 5 + len(key) + 2
    assert shown[0].startswith(f"mkdocs.yml:{line}:{column}:"), shown
    assert said in shown[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("link", HOSTILE_LINKS)
@pytest.mark.parametrize("which", ["fin", "six_mois"])
def test_questionnaire_links_must_be_https(tmp_path: Path, link: str, which: str) -> None:
    quoted = json.dumps(link)  # YAML reads a JSON string as the same text
    repo, line = _config_with(tmp_path, f"questionnaires:\n      {which}: {quoted}")
    result = CliRunner().invoke(cli, ["-C", str(repo), "check"])
    assert result.exit_code == 1, result.output
    column = 7 + len(which) + 2
    assert f"mkdocs.yml:{line}:{column}: adresse de questionnaire refusée" in result.stderr
    assert "https://" in result.stderr


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Le cadre légal", 1)[1].split("\n## ", 1)[0]
    for name in Cadre.model_fields:
        assert f"`{name}" in section, name
    for article in ("L6313-4", "R6313-4", "D6323-1 A", "R6313-8", "R6313-7"):
        assert article in section, article
