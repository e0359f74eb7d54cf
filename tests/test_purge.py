"""`livret purge` and `livret retention`: destruction of one dossier, and nothing else.

One workspace is built once (three dossiers published to `site/` and to `../sortie/`);
each test that destroys works on its own copy. What must hold: the purged dossier's every
trace is gone from every folder it was published to; every other byte stays as it was;
the register line names no one; nothing is deleted through a link or outside livret's
folders; a build holding the lock, a declined confirmation, a bad name stop everything.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from conftest import FIXTURES, make_repo, snapshot
from livret.cli import cli
from livret.lifecycle.purge import REFERENCE, REGISTER_COLUMNS
from livret.lifecycle.retention import add_years, retention_end
from livret.lock import build_lock
from livret.project import Project
from livret.publish.folders import state_path
from livret.sources.yamlpos import read_yaml

# Three dossiers, each with its own names so that a scan can tell them apart.
PEOPLE = {
    "2026-martin-lucie": ("Lucie", "Martin"),
    "2026-garnier-odile": ("Odile", "Garnier"),
    "2026-vasseur-remi": ("Rémi", "Vasseur"),
}
A, B, C = PEOPLE
NO_STORE_ENV: dict[str, str | None] = {"LIVRET_ACCESS": None}


def run(repo: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner(env=NO_STORE_ENV).invoke(cli, ["-C", str(repo), *args], input=input)


def add_dossier(
    repo: Path, slug: str, first: str, last: str, fin: str | None = "2026-10-30"
) -> Path:
    folder = repo / "dossiers" / slug
    shutil.copytree(FIXTURES / "minimal", folder)
    text = (folder / "bilan.yml").read_text(encoding="utf-8")
    text = text.replace("prenom: Lucie", f"prenom: {first}").replace("nom: Martin", f"nom: {last}")
    if fin is None:
        text = text.replace("  fin: 2026-10-30\n", "")
    else:
        text = text.replace("fin: 2026-10-30", f"fin: {fin}")
    (folder / "bilan.yml").write_text(text, encoding="utf-8")
    return folder


def new_repo(base: Path) -> Path:
    repo = make_repo(base / "repo")
    for slug, (first, last) in PEOPLE.items():
        add_dossier(repo, slug, first, last)
    return repo


def store(repo: Path) -> dict[str, dict[str, str]]:
    path = repo / ".livret" / "acces.json"
    if not path.exists():
        return {}
    entries: dict[str, dict[str, str]] = json.loads(path.read_text())["livrets"]
    return entries


def states(repo: Path) -> dict[str, dict[str, Any]]:
    return {
        p.name: json.loads(p.read_text()) for p in sorted((repo / ".livret").glob("etat-*.json"))
    }


def register_rows(repo: Path) -> list[dict[str, str]]:
    with (repo / "registre-destructions.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == REGISTER_COLUMNS
        return list(reader)


# --- one built workspace, copied per test ---------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three dossiers published to site/ and to ../sortie/, with an attendance sheet each."""
    base = tmp_path_factory.mktemp("purge")
    repo = new_repo(base)
    for extra in ((), ("--out", str(base / "sortie"))):
        result = run(repo, "build", "--json", "-j", "2", *extra)
        assert result.exit_code == 0, result.output
        assert {b["status"] for b in json.loads(result.stdout)["booklets"]} == {"built"}
    for slug in PEOPLE:  # written by `livret emargement`; any bytes do here
        sheet = Project(repo).attendance_sheet(slug)
        sheet.parent.mkdir(parents=True, exist_ok=True)
        sheet.write_bytes(b"%PDF-1.7 emargement " + slug.encode())
    return base


@pytest.fixture
def work(built: Path, tmp_path: Path) -> Path:
    """A private copy of the built workspace, its state files moved with it."""
    base = tmp_path / "ws"
    shutil.copytree(built, base, symlinks=True)
    repo = base / "repo"
    for state in sorted((repo / ".livret").glob("etat-*.json")):
        data = json.loads(state.read_text())
        data["sortie"] = data["sortie"].replace(str(built), str(base), 1)
        state.unlink()
        moved = state_path(Project(repo), Path(data["sortie"]))
        moved.write_text(json.dumps(data))
        os.chmod(moved, 0o600)
    return base


def booklet_id(repo: Path, slug: str) -> str:
    return store(repo)[slug]["booklet_id"]


def traces(base: Path, slug: str, booklet: str) -> list[str]:
    """The paths (relative to the workspace) that belong to one dossier only."""
    return [
        f"repo/dossiers/{slug}",
        f"repo/site/{booklet}",
        f"sortie/{booklet}",
        f"repo/syntheses/{slug}.pdf",
        f"repo/syntheses/emargements/{slug}.pdf",
    ]


# Files that lose the purged dossier's entry, and folders whose listing changes.
CHANGED = {
    "repo",  # the register appears there
    "repo/.livret",
    "repo/.livret/acces.json",
    "repo/.livret/construction.lock",
    "repo/dossiers",
    "repo/site",
    "sortie",
    "repo/syntheses",
    "repo/syntheses/emargements",
}


def assert_only_removed(before: dict[str, Any], after: dict[str, Any], gone: list[str]) -> None:
    """Every path is as it was, except the dossier's own (gone) and the expected changes."""
    mine = tuple(gone)
    removed = set(before) - set(after)
    assert removed and all(k.startswith(mine) for k in removed), removed
    assert all(k not in after and not any(a.startswith(k + "/") for a in after) for k in gone)
    assert set(after) - set(before) <= {"repo/registre-destructions.csv"}
    for key in set(before) & set(after):
        if key in CHANGED or re.fullmatch(r"repo/\.livret/etat-[0-9a-f]{12}\.json", key):
            continue
        assert before[key] == after[key], key


# --- purge after a build ------------------------------------------------------------------------


def test_purge_after_build_cleans_both_output_folders_and_nothing_else(work: Path) -> None:
    repo = work / "repo"
    booklet = booklet_id(repo, A)
    assert (repo / "site" / booklet).is_dir() and (work / "sortie" / booklet).is_dir()
    old_store, old_states = store(repo), states(repo)
    before = snapshot(work)
    result = run(repo, "purge", A, "--yes")
    assert result.exit_code == 0, result.output
    after = snapshot(work)
    assert_only_removed(before, after, traces(work, A, booklet))
    # The store and the state files lost this dossier's entry, and only it.
    assert store(repo) == {k: v for k, v in old_store.items() if k != A}
    new_states = states(repo)
    assert set(new_states) == set(old_states)
    for name, data in old_states.items():
        assert A in data["livrets"]
        assert new_states[name]["livrets"] == {k: v for k, v in data["livrets"].items() if k != A}
    # What the consultant is told.
    out = result.stdout
    assert f"Dossier {A} détruit" in out
    assert f"git filter-repo --invert-paths --path dossiers/{A}/" in out
    assert "téléchargées par le ou la bénéficiaire" in out and "lui appartiennent" in out
    (row,) = register_rows(repo)
    assert row["livrets_publies"] == "2" and row["synthese_en_clair"] == "1"
    assert row["feuille_emargement"] == "1" and row["acces"] == "1"
    assert row["etats_de_construction"] == "2" and row["fichiers_du_dossier"] == "3"
    assert row["fin_du_bilan"] == "2026-10" and row["conservation_ans"] == "3"


def test_build_after_purge_leaves_the_others_unchanged(work: Path) -> None:
    repo = work / "repo"
    booklet = booklet_id(repo, A)
    assert run(repo, "purge", A, "--yes").exit_code == 0
    root_page = (repo / "site" / "index.html").read_bytes()
    before = snapshot(work)
    for extra in ((), ("--out", str(work / "sortie"))):
        result = run(repo, "build", "--json", "-j", "1", *extra)
        assert result.exit_code == 0, result.output
        statuses = {b["slug"]: b["status"] for b in json.loads(result.stdout)["booklets"]}
        assert statuses == {B: "unchanged", C: "unchanged"}
    after = snapshot(work)
    # Nothing made again for the purged dossier, nothing rebuilt for the others.
    assert A not in store(repo)
    for gone in traces(work, A, booklet):
        assert gone not in after
    assert all(A not in data["livrets"] for data in states(repo).values())
    for key in set(before) & set(after):
        if key.startswith(("repo/.livret", "repo/site/", "sortie/")) and key.count("/") <= 2:
            continue  # state files, lock, site root files rewritten with the same bytes
        assert before[key] == after[key], key
    assert set(after) - set(before) == set()
    assert (repo / "site" / "index.html").read_bytes() == root_page
    for slug in (B, C):
        other = booklet_id(repo, slug)
        assert before[f"repo/site/{other}"] == after[f"repo/site/{other}"]
        assert before[f"sortie/{other}"] == after[f"sortie/{other}"]


def bilan_strings(folder: Path) -> set[str]:
    """Every value written in bilan.yml, as text (strings, dates, numbers)."""
    doc = read_yaml("bilan.yml", (folder / "bilan.yml").read_bytes())
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif value is not None:
            found.add(value.isoformat() if isinstance(value, dt.date) else str(value))

    walk(doc.data)
    return found


def test_register_after_several_purges_names_no_one(work: Path) -> None:
    repo = work / "repo"
    secrets_of: dict[str, set[str]] = {}
    for slug in PEOPLE:
        access = store(repo)[slug]
        secrets_of[slug] = bilan_strings(repo / "dossiers" / slug) | {
            slug,
            access["booklet_id"],
            access["passphrase"],
            *slug.split("-")[1:],
            *(state["livrets"][slug]["pdf"] for state in states(repo).values()),
        }
    for slug in PEOPLE:
        result = run(repo, "purge", slug, "--yes")
        assert result.exit_code == 0, result.output
    rows = register_rows(repo)
    assert len(rows) == 3  # one line per purge, the header once
    text = (repo / "registre-destructions.csv").read_text(encoding="utf-8")
    assert text.count("\n") == 4 and text.startswith("date,reference,")
    assert len({r["reference"] for r in rows}) == 3
    assert all(REFERENCE.match(r["reference"]) for r in rows)
    data = "\n".join(text.splitlines()[1:])
    # The random reference is upper case: every other cell may be compared case-folded.
    folded = "\n".join(",".join(v for k, v in r.items() if k != "reference") for r in rows)
    cells = {cell for row in rows for cell in row.values()}
    for slug, strings in secrets_of.items():
        for value in strings:
            assert value not in cells, (slug, value)
            if len(value) >= 3 and not re.fullmatch(r"\d{1,4}", value):
                assert value not in data, (slug, value)
                assert value.casefold() not in folded.casefold(), (slug, value)
    # 2026-10-30 is a date of the bilan: only its month is written.
    assert "2026-10-30" not in text and all(r["fin_du_bilan"] == "2026-10" for r in rows)
    assert all(r["date"] == dt.date.today().isoformat() for r in rows)
    # The site root is still there and neutral once every booklet is gone.
    assert (repo / "site" / "index.html").is_file() and (work / "sortie" / "index.html").is_file()
    assert not [p for p in (repo / "site").iterdir() if p.is_dir()]


@pytest.mark.parametrize(
    "typed",
    ["", "n", "non", "oui", "o", "y", f"{A[:-1]}", f"{A}x", B, A.upper(), f"dossiers/{A}", None],
)
def test_declined_confirmation_destroys_nothing(work: Path, typed: str | None) -> None:
    repo = work / "repo"
    before = snapshot(work)
    result = run(repo, "purge", A, input=None if typed is None else typed + "\n")
    assert result.exit_code == 1, result.output
    assert "rien n'a été détruit" in result.stderr
    assert f"tapez le nom du dossier ({A}) : " in result.stdout
    after = snapshot(work)
    lock = "repo/.livret/construction.lock"
    assert {k: v for k, v in after.items() if k != lock} == {
        k: v for k, v in before.items() if k != lock
    }


def test_typed_slug_confirms(work: Path) -> None:
    repo = work / "repo"
    result = run(repo, "purge", B, input=f"  {B} \n")
    assert result.exit_code == 0, result.output
    assert "Destruction définitive du dossier" in result.stdout
    assert not (repo / "dossiers" / B).exists() and (repo / "dossiers" / A).is_dir()


# --- purge without a build ----------------------------------------------------------------------


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    return new_repo(tmp_path / "ws")


def test_purge_of_a_dossier_never_built(fresh: Path) -> None:
    before = snapshot(fresh / "dossiers" / B)
    result = run(fresh, "purge", A, "--yes")
    assert result.exit_code == 0, result.output
    assert not (fresh / "dossiers" / A).exists()
    assert snapshot(fresh / "dossiers" / B) == before
    assert not (fresh / ".livret" / "acces.json").exists()  # no access made on the way
    assert not (fresh / "site").exists()
    (row,) = register_rows(fresh)
    assert row["livrets_publies"] == "0" and row["acces"] == "0"
    assert row["synthese_en_clair"] == "0" and row["etats_de_construction"] == "0"
    assert row["conservation_echue"] == "non"


def test_purge_refused_while_a_build_holds_the_lock(fresh: Path) -> None:
    before = snapshot(fresh / "dossiers")
    with build_lock(Project(fresh)):
        result = run(fresh, "purge", A, "--yes")
    assert result.exit_code == 1
    assert "une autre construction est en cours" in result.stderr
    assert snapshot(fresh / "dossiers") == before
    assert not (fresh / "registre-destructions.csv").exists()


HOSTILE_NAMES = [
    "../etc", "..", ".", "/etc", "a", "ab", "Dossier", "2026_martin", "2026 martin",
    "a--b", "-abc", "abc-", f"{A}/", f"{A}/..", f"../repo/dossiers/{A}", "é-martin-lucie",
    "x" * 65, "dossiers", f"{A}\n", f"{A}\x00", "~", "$HOME", "*",
]  # fmt: skip


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_are_refused(fresh: Path, name: str) -> None:
    before = snapshot(fresh.parent)
    result = run(fresh, "purge", "--yes", "--", name)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Erreur : " in result.stderr and "rien n'a été détruit" in result.stderr
    lock = "repo/.livret/construction.lock"
    after = {k: v for k, v in snapshot(fresh.parent).items() if not k.startswith("repo/.livret")}
    assert after == {k: v for k, v in before.items() if k != lock}


@pytest.mark.parametrize("name", ["2026-inconnu-jean", "abc", "2027-martin-lucie"])
def test_unknown_dossier(fresh: Path, name: str) -> None:
    result = run(fresh, "purge", name, "--yes")
    assert result.exit_code == 1
    assert f"Erreur : dossiers/{name} : dossier introuvable ; rien n'a été détruit" in result.stderr
    assert not (fresh / "registre-destructions.csv").exists()


# --- links and odd files: nothing deleted through them -------------------------------------------


def outside(base: Path) -> Path:
    """A folder outside the repository holding what must survive."""
    folder = base / "ailleurs"
    add_dossier(folder, A, "Lucie", "Martin")  # a look-alike dossier
    (folder / f"{A}.pdf").write_bytes(b"%PDF precious")
    (folder / "emargements").mkdir()
    (folder / "emargements" / f"{A}.pdf").write_bytes(b"%PDF precious")
    return folder


def link_dossier_outside(repo: Path, away: Path) -> None:
    shutil.rmtree(repo / "dossiers" / A)
    (repo / "dossiers" / A).symlink_to(away / "dossiers" / A)


def link_dossier_to_sibling(repo: Path, away: Path) -> None:
    shutil.rmtree(repo / "dossiers" / A)
    (repo / "dossiers" / A).symlink_to(repo / "dossiers" / B)


def link_dossiers_folder(repo: Path, away: Path) -> None:
    shutil.rmtree(repo / "dossiers")
    (repo / "dossiers").symlink_to(away / "dossiers")


def link_clear_copy(repo: Path, away: Path) -> None:
    (repo / "syntheses").mkdir(exist_ok=True)
    (repo / "syntheses" / f"{A}.pdf").symlink_to(away / f"{A}.pdf")


def link_attendance_folder(repo: Path, away: Path) -> None:
    (repo / "syntheses").mkdir(exist_ok=True)
    (repo / "syntheses" / "emargements").symlink_to(away / "emargements")


def link_attendance_sheet(repo: Path, away: Path) -> None:
    (repo / "syntheses" / "emargements").mkdir(parents=True, exist_ok=True)
    (repo / "syntheses" / "emargements" / f"{A}.pdf").symlink_to(away / "emargements" / f"{A}.pdf")


def folder_as_clear_copy(repo: Path, away: Path) -> None:
    (repo / "syntheses" / f"{A}.pdf").mkdir(parents=True)
    (repo / "syntheses" / f"{A}.pdf" / "x").write_text("x")


def link_syntheses(repo: Path, away: Path) -> None:
    (repo / "syntheses").symlink_to(away)


def link_private(repo: Path, away: Path) -> None:
    (repo / ".livret").symlink_to(away)


def link_register(repo: Path, away: Path) -> None:
    (repo / "registre-destructions.csv").symlink_to(away / f"{A}.pdf")


def folder_as_register(repo: Path, away: Path) -> None:
    (repo / "registre-destructions.csv").mkdir()


LINK_TRICKS = [
    (link_dossier_outside, "lien symbolique"),
    (link_dossier_to_sibling, "lien symbolique"),
    (link_dossiers_folder, "lien symbolique"),
    (link_clear_copy, "lien symbolique"),
    (link_attendance_folder, "lien symbolique"),
    (link_attendance_sheet, "lien symbolique"),
    (folder_as_clear_copy, "fichier inattendu"),
    (link_syntheses, "syntheses est un lien symbolique"),
    (link_private, ".livret est un lien symbolique"),
    (link_register, "registre des destructions"),
    (folder_as_register, "registre des destructions"),
]


@pytest.mark.parametrize(
    ("trick", "expected"), LINK_TRICKS, ids=[t.__name__ for t, _ in LINK_TRICKS]
)
def test_links_are_never_followed(fresh: Path, trick: Any, expected: str) -> None:
    away = outside(fresh.parent)
    trick(fresh, away)
    before = snapshot(fresh.parent)
    result = run(fresh, "purge", A, "--yes")
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert expected in result.stderr, result.stderr
    after = snapshot(fresh.parent)
    assert all(k.startswith("repo/.livret") for k in set(after) - set(before))
    for key in before:
        if key != "repo" and not key.startswith("repo/.livret"):  # the lock made .livret/
            assert after.get(key) == before[key], key


def test_links_inside_the_dossier_are_removed_not_followed(fresh: Path) -> None:
    away = outside(fresh.parent)
    folder = fresh / "dossiers" / A
    (folder / "notes" / "ailleurs.md").symlink_to(away / f"{A}.pdf")
    (folder / "pieces").symlink_to(away / "emargements")
    before = snapshot(away)
    result = run(fresh, "purge", A, "--yes")
    assert result.exit_code == 0, result.output
    assert not os.path.lexists(folder)
    assert snapshot(away) == before


def test_linked_booklet_in_output_folder_is_refused(work: Path) -> None:
    repo = work / "repo"
    booklet = booklet_id(repo, A)
    away = outside(work)
    shutil.rmtree(work / "sortie" / booklet)
    (work / "sortie" / booklet).symlink_to(away / "emargements")
    before = snapshot(work)
    result = run(repo, "purge", A, "--yes")
    assert result.exit_code == 1 and "lien symbolique" in result.stderr
    lock = "repo/.livret/construction.lock"
    assert {k: v for k, v in snapshot(work).items() if k != lock} == {
        k: v for k, v in before.items() if k != lock
    }


def test_output_folder_replaced_by_a_link_is_refused(work: Path) -> None:
    repo = work / "repo"
    away = work / "ailleurs-site"
    (repo / "site").rename(away)
    (repo / "site").symlink_to(away)
    before = snapshot(work)
    result = run(repo, "purge", A, "--yes")
    assert result.exit_code == 1 and "ne reconnaît plus" in result.stderr
    lock = "repo/.livret/construction.lock"
    assert {k: v for k, v in snapshot(work).items() if k != lock} == {
        k: v for k, v in before.items() if k != lock
    }


# --- retention ----------------------------------------------------------------------------------


def retention(repo: Path, day: str, *args: str) -> Result:
    return run(repo, "retention", "--date", day, *args)


def test_add_years_counts_to_the_same_day_or_the_end_of_february() -> None:
    assert add_years(dt.date(2026, 11, 19), 3) == dt.date(2029, 11, 19)
    assert add_years(dt.date(2028, 2, 29), 3) == dt.date(2031, 2, 28)
    assert add_years(dt.date(2028, 2, 29), 4) == dt.date(2032, 2, 29)
    assert add_years(dt.date(2027, 2, 28), 1) == dt.date(2028, 2, 28)
    assert add_years(dt.date(2026, 12, 31), 3) == dt.date(2029, 12, 31)
    assert retention_end(dt.date(2028, 2, 29), 1) == dt.date(2029, 2, 28)


@pytest.fixture
def dated(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "repo")
    add_dossier(repo, "2026-fin-novembre", "Anne", "Roux", "2026-11-19")
    add_dossier(repo, "2028-fin-fevrier", "Jean", "Petit", "2028-02-29")
    add_dossier(repo, "2027-en-cours", "Marc", "Blanc", None)
    return repo


def expired(result: Result) -> dict[str, int]:
    assert result.exit_code == 0, result.output
    return {e["slug"]: e["days_past"] for e in json.loads(result.stdout)["expired"]}


@pytest.mark.parametrize(
    ("day", "listed"),
    [
        ("2029-11-18", {}),  # the day before three years
        ("2029-11-19", {}),  # three years to the day: the last day it is kept
        ("2029-11-20", {"2026-fin-novembre": 1}),  # the day after
        ("2031-02-27", {"2026-fin-novembre": 465}),
        ("2031-02-28", {"2026-fin-novembre": 466}),  # 29 February + 3 years: kept until 28th
        ("2031-03-01", {"2026-fin-novembre": 467, "2028-fin-fevrier": 1}),
    ],
)
def test_retention_boundaries(dated: Path, day: str, listed: dict[str, int]) -> None:
    assert expired(retention(dated, day, "--json")) == listed


def test_retention_follows_the_setting(dated: Path) -> None:
    config = dated / "mkdocs.yml"
    config.write_text(config.read_text().replace("conservation_ans: 3", "conservation_ans: 4"))
    assert expired(retention(dated, "2032-02-29", "--json")) == {"2026-fin-novembre": 467}
    assert expired(retention(dated, "2032-03-01", "--json")) == {
        "2026-fin-novembre": 468,
        "2028-fin-fevrier": 1,
    }


def test_retention_json_shape(dated: Path) -> None:
    result = retention(dated, "2030-01-01", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "retention_years": 3,
        "date": "2030-01-01",
        "expired": [
            {
                "slug": "2026-fin-novembre",
                "end": "2026-11-19",
                "retention_end": "2029-11-19",
                "days_past": 43,
            }
        ],
        "within": [
            {"slug": "2028-fin-fevrier", "end": "2028-02-29", "retention_end": "2031-02-28"}
        ],
        "ongoing": ["2027-en-cours"],
        "unreadable": [],
    }


def test_retention_text(dated: Path) -> None:
    result = retention(dated, "2030-01-01")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Durée de conservation : 3 ans après la fin du bilan" in out
    assert "1 dossier a dépassé la durée de conservation" in out
    assert "2026-fin-novembre  fin du bilan 19/11/2026, conservation échue le 19/11/2029" in out
    assert "dépassée de 43 jours" in out
    assert "1 dossier est encore dans la durée de conservation" in out
    assert "1 dossier est en cours (sans periode.fin)" in out
    assert "Roux" not in out and "Anne" not in out


def test_retention_today_by_default(dated: Path) -> None:
    result = run(dated, "retention", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["date"] == dt.date.today().isoformat()
    assert run(dated, "retention", "--date", "19/11/2029").exit_code == 1


def break_synthese(folder: Path) -> None:
    (folder / "synthese.yml").unlink()


def break_rule(folder: Path) -> None:
    bilan = folder / "bilan.yml"
    bilan.write_text(bilan.read_text().replace("situation: salarie", "situation: salariée"))


def test_invalid_dossier_is_still_listed(dated: Path) -> None:
    for fix in (break_synthese, break_rule):
        fix(dated / "dossiers" / "2026-fin-novembre")
    assert run(dated, "check", "2026-fin-novembre").exit_code == 1
    assert expired(retention(dated, "2030-01-01", "--json")) == {"2026-fin-novembre": 43}


PERIODE = "periode:\n  debut: 2026-09-01\n  fin: 2026-11-19\n"
UNREADABLE = [
    ("fin: 2026-11-19", "fin: 2026-13-19", "bilan.yml:14:8: date de fin illisible"),
    ("fin: 2026-11-19", "fin: bientot", "bilan.yml:14:8: date de fin illisible"),
    (PERIODE, "", "bilan.yml:1:1: « periode »"),
    (PERIODE, "periode: 2026\n", "bilan.yml:12:10: « periode »"),
    ("consultant:", "consultant: [", "bilan.yml:"),
]


@pytest.mark.parametrize(("old", "new", "expected"), UNREADABLE)
def test_unreadable_end_is_reported_not_hidden(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    repo = make_repo(tmp_path / "repo")
    folder = add_dossier(repo, "2026-illisible", "Anne", "Roux", "2026-11-19")
    bilan = folder / "bilan.yml"
    text = bilan.read_text()
    assert old in text
    bilan.write_text(text.replace(old, new, 1))
    add_dossier(repo, "2026-lisible", "Jean", "Petit", "2026-11-19")
    result = retention(repo, "2030-01-01", "--json")
    assert result.exit_code == 1  # a dossier that may be overdue is never « all is well »
    data = json.loads(result.stdout)
    assert [e["slug"] for e in data["expired"]] == ["2026-lisible"]
    (problem,) = data["unreadable"]
    assert problem.startswith("dossiers/2026-illisible/bilan.yml:") and expected in problem
    text_result = retention(repo, "2030-01-01")
    assert text_result.exit_code == 1
    assert "la fin ne peut être lue" in text_result.stderr and expected in text_result.stderr


def test_unreadable_folders(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    away = add_dossier(tmp_path / "ailleurs", "2026-ailleurs", "Anne", "Roux", "2020-01-01")
    (repo / "dossiers" / "2026-lien").symlink_to(away)
    (repo / "dossiers" / "2026-vide").mkdir()
    add_dossier(repo, "Mauvais_Nom", "Jean", "Petit", "2020-01-01")
    result = retention(repo, "2030-01-01", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["expired"] == [] and len(data["unreadable"]) == 3
    joined = "\n".join(data["unreadable"])
    assert "dossiers/2026-lien:1:1: ce dossier est un lien symbolique" in joined
    assert "dossiers/2026-vide/bilan.yml:1:1: fichier introuvable" in joined
    assert "dossiers/Mauvais_Nom:1:1: nom de dossier invalide" in joined


def test_purge_tells_when_the_period_is_not_over(fresh: Path) -> None:
    result = run(fresh, "purge", A, input="non\n")
    assert "conservation jusqu'au 30/10/2029 (3 ans" in result.stdout
    assert "la durée de conservation n'est pas écoulée" in result.stdout


def test_the_git_commands_told_after_a_purge_work(fresh: Path) -> None:
    """In a git repository, the printed commands record the destruction naming no one."""
    import subprocess

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(fresh), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    (fresh / ".gitignore").write_text("/site/\n/.livret/\n/syntheses/\n")
    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "init")
    result = run(fresh, "purge", A, "--yes")
    assert result.exit_code == 0, result.output
    commands = [
        line.strip()
        for line in result.stdout.splitlines()
        if line.strip().startswith(("git rm", "git add", "git commit"))
    ]
    assert len(commands) == 3
    for command in commands:
        subprocess.run(
            command,
            shell=True,
            cwd=fresh,
            check=True,
            env={
                **os.environ,
                "GIT_AUTHOR_NAME": "t",
                "GIT_AUTHOR_EMAIL": "t@example.org",
                "GIT_COMMITTER_NAME": "t",
                "GIT_COMMITTER_EMAIL": "t@example.org",
            },
        )
    tracked = git("ls-files")
    assert f"dossiers/{A}/" not in tracked and f"dossiers/{B}/bilan.yml" in tracked
    assert "registre-destructions.csv" in tracked
    message = git("log", "-1", "--format=%s")
    assert re.fullmatch(r"Destruction D-[A-Z2-7]{8}\n", message)
    assert git("status", "--porcelain") == ""
