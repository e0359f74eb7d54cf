"""Where booklets may be published, and what livret does to its private files and folders.

Every refusal goes through the real CLI: exit code 1, a French message naming the folder,
nothing written anywhere, the booklets already published untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import FIXTURES, make_repo, snapshot
from livret.cli import cli
from livret.pipeline.fingerprint import _hash_tree
from livret.publish.folders import MARKER

SLUG = "2026-martin-lucie"
OTHER = "2026-durand-paul"
NO_STORE_ENV: dict[str, str | None] = {"LIVRET_ACCESS": None}


def run(repo: Path, *args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner(env={**NO_STORE_ENV, **(env or {})}).invoke(cli, ["-C", str(repo), *args])


def build(repo: Path, *args: str, env: dict[str, str | None] | None = None) -> Result:
    return run(repo, "build", "--json", "-j", "1", *args, env=env)


def booklets(result: Result) -> dict[str, dict[str, object]]:
    return {b["slug"]: b for b in json.loads(result.stdout)["booklets"]}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace holding a repository with one dossier already published to site/."""
    base = tmp_path_factory.mktemp("publie")
    repo = make_repo(base / "repo", {SLUG: FIXTURES / "minimal"})
    result = build(repo)
    assert result.exit_code == 0, result.stderr
    return base


@pytest.fixture
def work(published: Path, tmp_path: Path) -> Path:
    """A private copy of the published workspace: each test may break it its own way."""
    shutil.copytree(published, tmp_path / "ws", symlinks=True)
    # State files name the folder they describe: here, the original's site/, not ours.
    for state in (tmp_path / "ws" / "repo" / ".livret").glob("etat-*.json"):
        state.unlink()
    return tmp_path / "ws"


def refused(work: Path, out: str, expected: str, env: dict[str, str | None] | None = None) -> None:
    """The build is refused with `expected` in its message and writes nothing."""
    repo = work / "repo"
    before = snapshot(work)
    result = build(repo, "--out", out, env=env)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert "Erreur : " in result.stderr and expected in result.stderr, result.stderr
    assert json.loads(result.stdout)["booklets"] == []
    assert snapshot(work) == before


# --- output folders that overlap what must stay private ----------------------------------------

# (what --out is, relative to the workspace or absolute via {ws}; expected message)
OVERLAPS = [
    ("{ws}/repo", "contient le dépôt"),
    ("{ws}/repo/", "contient le dépôt"),
    ("{ws}/repo/.", "contient le dépôt"),
    ("{ws}/repo/site/..", "contient le dépôt"),
    ("{ws}/repo/dossiers/../site/../", "contient le dépôt"),
    ("{ws}", "contient le dépôt"),
    ("/", "contient le dépôt"),
    ("{ws}/repo/syntheses", "« syntheses »"),
    ("{ws}/repo/syntheses/publie", "« syntheses »"),
    ("{ws}/repo/.livret", "« .livret »"),
    ("{ws}/repo/.livret/travail/x", "« .livret »"),
    ("{ws}/repo/dossiers", "« dossiers »"),
    ("{ws}/repo/dossiers/" + SLUG, "« dossiers »"),
    ("{ws}/repo/dossiers/" + SLUG + "/pieces", "« dossiers »"),
    ("{ws}/repo/content", "« content »"),
    ("{ws}/repo/theme/site", "« theme »"),
    ("{ws}/repo/.git", "« .git »"),
    ("{ws}/repo/site/../dossiers", "« dossiers »"),
    ("{ws}/repo/site/../.livret/", "« .livret »"),
    ("{ws}/ailleurs/../repo/syntheses", "« syntheses »"),
]


@pytest.mark.parametrize(("out", "expected"), OVERLAPS)
def test_output_overlapping_the_repository_is_refused(work: Path, out: str, expected: str) -> None:
    (work / "ailleurs").mkdir()
    refused(work, out.format(ws=work), expected)


# Relative forms, from a folder inside the repository.
RELATIVE = [
    ("repo", ".", "contient le dépôt"),
    ("repo", "./", "contient le dépôt"),
    ("repo", "syntheses", "« syntheses »"),
    ("repo", "syntheses/", "« syntheses »"),
    ("repo", "./.livret", "« .livret »"),
    ("repo/dossiers", "..", "contient le dépôt"),
    ("repo/dossiers", "../syntheses", "« syntheses »"),
    ("repo/dossiers", ".", "« dossiers »"),
    ("repo/site", "../dossiers/" + SLUG, "« dossiers »"),
    ("repo/site", "../..", "contient le dépôt"),
]


@pytest.mark.parametrize(("cwd", "out", "expected"), RELATIVE)
def test_relative_output_is_decided_on_its_real_path(
    work: Path, cwd: str, out: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(work / cwd)
    refused(work, out, expected)


# --- symbolic links on the way -----------------------------------------------------------------


def _link(path: Path, target: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target, target_is_directory=True)


LINKS: list[tuple[str, Callable[[Path], None], str, str]] = [
    (
        "output folder linked to dossiers/",
        lambda ws: _link(ws / "pub", ws / "repo" / "dossiers"),
        "{ws}/pub",
        "lien symbolique",
    ),
    (
        "output folder linked to a harmless folder",
        lambda ws: (ws / "vrai").mkdir() or _link(ws / "pub", ws / "vrai"),
        "{ws}/pub",
        "donnez le chemin réel",
    ),
    (
        "link in the middle, to .livret/",
        lambda ws: _link(ws / "milieu", ws / "repo" / ".livret"),
        "{ws}/milieu/x",
        "lien symbolique",
    ),
    (
        "link in the middle, to a harmless folder",
        lambda ws: (ws / "vrai").mkdir() or _link(ws / "milieu", ws / "vrai"),
        "{ws}/milieu/site",
        "lien symbolique",
    ),
    (
        "link in the middle followed by ..",
        lambda ws: _link(ws / "milieu", ws / "repo" / "dossiers" / SLUG),
        "{ws}/milieu/../pub",
        "lien symbolique",
    ),
    (
        "repository reached through a link, output in dossiers/",
        lambda ws: _link(ws / "alias", ws),
        "{ws}/alias/repo/dossiers",
        "« dossiers »",
    ),
    (
        "site/ replaced by a link",
        lambda ws: (
            shutil.move(ws / "repo" / "site", ws / "vrai")
            and _link(ws / "repo" / "site", ws / "vrai")
        ),
        "{ws}/repo/site",
        "lien symbolique",
    ),
    (
        "syntheses/ linked into site/",
        lambda ws: (
            shutil.rmtree(ws / "repo" / "syntheses")
            or _link(ws / "repo" / "syntheses", ws / "repo" / "site")
        ),
        "{ws}/repo/site",
        "syntheses est un lien symbolique",
    ),
    (
        ".livret/ linked elsewhere",
        lambda ws: (
            shutil.move(ws / "repo" / ".livret", ws / "cache")
            and _link(ws / "repo" / ".livret", ws / "cache")
        ),
        "{ws}/repo/site",
        ".livret est un lien symbolique",
    ),
    (
        ".livret/travail linked into the output",
        lambda ws: (
            shutil.rmtree(ws / "repo" / ".livret" / "travail", ignore_errors=True)
            or _link(ws / "repo" / ".livret" / "travail", ws / "repo" / "site")
        ),
        "{ws}/repo/site",
        ".livret/travail est un lien symbolique",
    ),
    (
        "marker replaced by a link",
        lambda ws: (
            (ws / "repo" / "site" / MARKER).unlink()
            or (ws / "repo" / "site" / MARKER).symlink_to(ws / "repo" / "mkdocs.yml")
        ),
        "{ws}/repo/site",
        f"{MARKER} n'est pas un fichier ordinaire",
    ),
]


@pytest.mark.parametrize(
    ("setup", "out", "expected"), [c[1:] for c in LINKS], ids=[c[0] for c in LINKS]
)
def test_symbolic_links_on_the_way_are_refused(
    work: Path, setup: Callable[[Path], None], out: str, expected: str
) -> None:
    setup(work)
    refused(work, out.format(ws=work), expected)


# --- folders livret did not make ---------------------------------------------------------------

FOREIGN: list[tuple[str, dict[str, str]]] = [
    ("a file of the consultant", {"notes.txt": "à garder"}),
    ("a folder of the consultant", {"photos/vacances.jpg": "jpeg"}),
    ("a hidden file", {".env": "SECRET=1"}),
    ("a booklet-like folder beside a foreign file", {"a" * 24 + "/index.html": "", "x.md": ""}),
    ("a file named like a booklet", {"b" * 24: "pas un dossier"}),
]


@pytest.mark.parametrize("files", [c[1] for c in FOREIGN], ids=[c[0] for c in FOREIGN])
def test_existing_folder_livret_did_not_make_is_refused(work: Path, files: dict[str, str]) -> None:
    target = work / "mien"
    for name, text in files.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(text)
    refused(work, str(target), "n'a pas été créé par livret")


def test_output_holding_the_access_store_is_refused(work: Path) -> None:
    secrets = work / "secrets"
    secrets.mkdir()
    shutil.copy(work / "repo" / ".livret" / "acces.json", secrets / "acces.json")
    env: dict[str, str | None] = {"LIVRET_ACCESS": str(secrets / "acces.json")}
    refused(work, str(secrets), "acces.json", env=env)
    refused(work, str(work), "contient le dépôt", env=env)


# --- folders that are accepted ------------------------------------------------------------------


def test_new_empty_and_livret_made_folders_are_accepted(work: Path) -> None:
    repo = work / "repo"
    site = repo / "site"
    # An existing site/ from before the marker existed is adopted, and nothing is rebuilt.
    (site / MARKER).unlink()
    (site / (".arrivee-" + "x")).mkdir()  # left by a killed build
    first = build(repo, "--out", str(site) + "/")
    assert first.exit_code == 0, first.stderr
    assert (site / MARKER).is_file() and not list(site.glob(".arrivee-*"))
    again = build(repo, "--out", f"{repo}/dossiers/../site/.")
    assert again.exit_code == 0 and booklets(again)[SLUG]["status"] == "unchanged"
    # A new folder outside the repository, and an existing empty one.
    for out in (work / "nouveau" / "profond", work / "vide"):
        if out.name == "vide":
            out.mkdir()
        result = build(repo, "--out", str(out))
        assert result.exit_code == 0, result.stderr
        assert (out / MARKER).is_file()
        assert sorted(p.name for p in out.iterdir() if len(p.name) != 24) == [
            MARKER,
            "index.html",
            "robots.txt",
        ]
    # A repository reached through a link to one of its parents is still a repository.
    (work / "alias").symlink_to(work, target_is_directory=True)
    linked = build(repo, "--out", str(work / "alias" / "repo" / "site"))
    assert linked.exit_code == 0, linked.stderr


# --- every folder published to is recorded ------------------------------------------------------


def _access(repo: Path, *args: str) -> dict[str, str]:
    result = run(repo, "access", SLUG, "--json", *args)
    assert result.exit_code == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_rotation_removes_the_old_booklet_from_every_output(work: Path) -> None:
    repo = work / "repo"
    other = work / "hebergeur" / "livrets"
    old = _access(repo)
    assert old["site"] == f"site/{_id(repo)}/"  # no state yet: where it will be published
    assert build(repo).exit_code == 0
    assert build(repo, "--out", str(other)).exit_code == 0
    assert (other / _id(repo)).is_dir()
    assert _access(repo)["site"] == f"{other}/{_id(repo)}/"  # where it was last published
    assert booklets(build(repo))[SLUG]["status"] == "unchanged"
    assert _access(repo)["site"] == f"site/{_id(repo)}/"
    old_id = _id(repo)
    rotated = _access(repo, "--rotate")
    # The booklet leaves every output; only the neutral moved page stays at its address.
    assert _moved_only(repo / "site" / old_id) and _moved_only(other / old_id)
    assert rotated["site"] == f"site/{_id(repo)}/" and _id(repo) != old_id


def test_old_state_files_are_read_as_no_state(work: Path) -> None:
    repo = work / "repo"
    for state in (repo / ".livret").glob("etat-*.json"):
        data = json.loads(state.read_text())
        state.write_text(json.dumps(data["livrets"]))  # the format before folders were recorded
    assert build(repo).exit_code == 0
    for state in (repo / ".livret").glob("etat-*.json"):
        data = json.loads(state.read_text())
        state.write_text(json.dumps(data["livrets"]))  # the format before folders were recorded
    old_id = _id(repo)
    result = build(repo)
    assert result.exit_code == 0 and booklets(result)[SLUG]["status"] == "built"
    for state in (repo / ".livret").glob("etat-*.json"):
        state.write_text("[1, 2")  # broken: read as no state, not a traceback
    _access(repo, "--rotate")
    assert not (repo / "site" / old_id).exists() or _moved_only(repo / "site" / old_id)


def _moved_only(folder: Path) -> bool:
    names = [p.name for p in folder.iterdir()]
    return names == ["index.html"] and "changé d'adresse" in (folder / "index.html").read_text()


def _id(repo: Path) -> str:
    data = json.loads((repo / ".livret" / "acces.json").read_text())
    return str(data["livrets"][SLUG]["booklet_id"])


# --- permissions of the store and of the private folders ----------------------------------------


@pytest.mark.parametrize(
    ("name", "mode", "fixed"),
    [
        (".livret/acces.json", 0o644, 0o600),
        (".livret/acces.json", 0o606, 0o600),
        (".livret/acces.json", 0o660, 0o600),
        (".livret", 0o755, 0o700),
        (".livret", 0o770, 0o700),
        ("syntheses", 0o755, 0o700),
    ],
)
@pytest.mark.parametrize("command", ["build", "access"])
def test_private_files_open_to_others_are_closed_with_a_notice(
    work: Path, name: str, mode: int, fixed: int, command: str
) -> None:
    repo = work / "repo"
    (repo / name).chmod(mode)
    result = build(repo) if command == "build" else run(repo, "access", SLUG)
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE((repo / name).stat().st_mode) == fixed
    assert "Attention : " in result.stderr and f"ramenés à {fixed:o}" in result.stderr
    assert "Traceback" not in result.stderr
    if command == "build":
        json.loads(result.stdout)  # the manifest stays parseable: notices go to stderr


def test_store_that_cannot_be_fixed_is_refused(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Root may chmod any file, so the refusal of a file we do not own is simulated here.
    repo = work / "repo"
    (repo / ".livret" / "acces.json").chmod(0o644)

    def denied(path: object, mode: int) -> None:
        raise PermissionError(1, "Operation not permitted", str(path))

    monkeypatch.setattr(os, "chmod", denied)
    result = run(repo, "access", SLUG)
    assert result.exit_code == 1 and "ne peut pas le corriger ; lancez « chmod 600" in result.stderr


def _fifo(path: Path) -> None:
    os.mkfifo(path)


STORES: list[tuple[str, Callable[[Path], Path], str]] = [
    ("a directory", lambda ws: (ws / "d").mkdir() or ws / "d", "est un dossier"),
    ("the private folder", lambda ws: ws / "repo" / ".livret", "est un dossier"),
    ("a FIFO", lambda ws: _fifo(ws / "f") or ws / "f", "pas un fichier ordinaire"),
    (
        "a path under a file",
        lambda ws: (ws / "fichier").write_text("x") and ws / "fichier" / "acces.json",
        "fichier des accès inaccessible",
    ),
    (
        "a loop of links",
        lambda ws: (ws / "boucle").symlink_to(ws / "boucle") or ws / "boucle",
        "fichier des accès inaccessible",
    ),
    (
        "a file that is not JSON",
        lambda ws: (ws / "faux.json").write_text("{") and ws / "faux.json",
        "fichier des accès illisible",
    ),
]


@pytest.mark.parametrize(("make", "expected"), [s[1:] for s in STORES], ids=[s[0] for s in STORES])
@pytest.mark.parametrize("command", ["build", "access"])
def test_unusable_store_is_a_french_error(
    work: Path, make: Callable[[Path], Path], expected: str, command: str
) -> None:
    repo = work / "repo"
    env: dict[str, str | None] = {"LIVRET_ACCESS": str(make(work))}
    before = snapshot(repo / "site")
    result = build(repo, env=env) if command == "build" else run(repo, "access", SLUG, env=env)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert expected in result.stderr, result.stderr
    assert snapshot(repo / "site") == before


# --- dossiers that are links, or hold hard links ------------------------------------------------


def test_dossier_folder_that_is_a_link_is_refused_and_never_read(work: Path) -> None:
    repo = work / "repo"
    elsewhere = work / "ailleurs"
    elsewhere.mkdir()
    os.mkfifo(elsewhere / "tube")  # reading it would block the build forever
    shutil.copytree(FIXTURES / "minimal", elsewhere / "copie")
    (repo / "dossiers" / OTHER).symlink_to(elsewhere, target_is_directory=True)
    (repo / "dossiers" / "2026-copie-lien").symlink_to(elsewhere / "copie")
    result = build(repo)
    assert result.exit_code == 1
    found = booklets(result)
    assert found[SLUG]["status"] == "built"
    for slug in (OTHER, "2026-copie-lien"):
        assert found[slug]["status"] == "failed"
        assert f"dossiers/{slug}:1:1: ce dossier est un lien symbolique" in result.stderr
    check = run(repo, "check", "2026-copie-lien")
    assert check.exit_code == 1 and "ce dossier est un lien symbolique" in check.stderr


def test_fingerprint_never_follows_a_link() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as temp:
        base = Path(temp)
        (base / "cible").mkdir()
        (base / "cible" / "secret.txt").write_text("un")
        os.mkfifo(base / "cible" / "tube")
        (base / "dossier").mkdir()
        (base / "dossier" / "pieces").symlink_to(base / "cible", target_is_directory=True)
        (base / "dossier" / "fichier").symlink_to(base / "cible" / "secret.txt")
        (base / "lien").symlink_to(base / "cible", target_is_directory=True)

        def digest(folder: Path) -> str:
            value = hashlib.sha256()
            _hash_tree(value, folder, base)
            return value.hexdigest()

        first = digest(base / "dossier"), digest(base / "lien")
        (base / "cible" / "secret.txt").write_text("deux")
        assert (digest(base / "dossier"), digest(base / "lien")) == first


HARD_LINKS = [
    ("pieces/photo.png", True),
    ("notes/entretien.md", False),  # the note's own file, linked from outside
    ("bilan.yml", False),
    ("synthese.yml", False),
    ("notes/autre.md", True),  # a second name inside the dossier
]


@pytest.mark.parametrize(("relative", "new"), HARD_LINKS)
def test_hard_linked_file_in_a_dossier_is_refused(work: Path, relative: str, new: bool) -> None:
    repo = work / "repo"
    target = repo / "dossiers" / SLUG / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if new:
        outside = work / "dehors"
        shutil.copy(repo / "dossiers" / SLUG / "notes" / "entretien.md", outside)
        os.link(outside, target)
    else:
        os.link(target, work / "dehors")
    result = build(repo)
    assert result.exit_code == 1
    assert f"dossiers/{SLUG}/{relative}:1:1: fichier lié à un autre fichier" in result.stderr
    assert booklets(result)[SLUG]["status"] == "failed"
    check = run(repo, "check")
    assert check.exit_code == 1 and "lien physique" in check.stderr


# --- a disk that fills up -----------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> object:
    """A 2 MB tmpfs: room for two booklets (~0.6 MB each) and not for a big one."""
    mount = tmp_path / "disque"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_full_disk_leaves_the_previous_booklet_and_builds_the_others(
    tmp_path: Path, small_disk: Path
) -> None:
    later = "2026-zola-emile"  # built after the one that fails
    repo = make_repo(tmp_path / "repo", {SLUG: FIXTURES / "minimal", later: FIXTURES / "minimal"})
    out = small_disk / "site"
    first = build(repo, "--out", str(out))
    assert first.exit_code == 0, first.stderr
    folder = out / str(booklets(first)[SLUG]["site"]).rstrip("/").rsplit("/", 1)[1]
    before = snapshot(folder)
    # A long note (~1.5 MB) makes the new booklet bigger than what is left on the disk.
    note = repo / "dossiers" / SLUG / "notes" / "longue.md"
    paragraph = "Une phrase de compte rendu qui revient souvent dans cet entretien. " * 110
    note.write_text(
        "---\ntitre: Long entretien\ndate: 2026-09-02\nvisibilite: beneficiaire\n---\n"
        + "\n\n".join(f"{i} {paragraph}" for i in range(200))
    )
    result = build(repo, "--out", str(out), "--force")
    assert result.exit_code == 1
    found = booklets(result)
    assert found[SLUG]["status"] == "failed" and found[later]["status"] == "built"
    assert "écriture impossible, le disque est plein" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(out.glob(".arrivee-*")) and not list(out.glob(".*.ancien"))
    assert not list((repo / ".livret" / "travail").iterdir())
    assert snapshot(folder) == before
