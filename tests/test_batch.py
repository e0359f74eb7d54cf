"""Batch builds: skip, force, touch-one, failure isolation, keys, atomic swap, stale, shards."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import material
import pytest
from click.testing import CliRunner

from conftest import FIXTURES, ROOT, make_repo
from decrypt import decrypt_all
from livret.cli import cli
from livret.outputs.site import DECRYPT_SCRIPT
from livret.pipeline.batch import Shard, build_lock, start_method
from livret.project import Project
from livret.verify import verify_booklet

THEME_DIRS = [ROOT / "theme" / "material", Path(material.__file__).parent / "templates"]

SLUGS = ["2026-alpha-un", "2026-beta-deux", "2026-gamma-trois"]


@pytest.fixture
def batch_repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "repo", {slug: FIXTURES / "minimal" for slug in SLUGS})
    # Each dossier gets its own first name, so that leaks between booklets would show.
    for slug in SLUGS:
        bilan = repo / "dossiers" / slug / "bilan.yml"
        bilan.write_text(bilan.read_text().replace("Lucie", slug.split("-")[1].title()))
    return repo


def build(repo: Path, *args: str) -> tuple[int, dict[str, dict[str, object]], str]:
    env = {"LIVRET_ACCESS": str(repo.parent / "acces.json")}
    result = CliRunner(env=env).invoke(cli, ["-C", str(repo), "build", "--json", *args])
    booklets = {b["slug"]: b for b in json.loads(result.stdout)["booklets"]}
    return result.exit_code, booklets, result.stderr


def access(repo: Path) -> dict[str, dict[str, str]]:
    data = json.loads((repo.parent / "acces.json").read_text())["livrets"]
    return dict(data)


def statuses(booklets: dict[str, dict[str, object]]) -> dict[str, object]:
    return {slug: b["status"] for slug, b in booklets.items()}


def test_skip_force_and_touch_one(batch_repo: Path) -> None:
    code, first, _ = build(batch_repo, "-j", "1")
    assert code == 0 and set(statuses(first).values()) == {"built"}
    index = batch_repo / str(first[SLUGS[0]]["site"]) / "index.html"
    stamp = index.stat().st_mtime_ns

    code, again, _ = build(batch_repo)
    assert code == 0 and set(statuses(again).values()) == {"unchanged"}
    assert index.stat().st_mtime_ns == stamp
    assert again[SLUGS[0]]["site"] == first[SLUGS[0]]["site"]
    assert again[SLUGS[0]]["pdf"] == first[SLUGS[0]]["pdf"]

    synthese = batch_repo / "dossiers" / SLUGS[1] / "synthese.yml"
    synthese.write_text(synthese.read_text().replace("Transmettre", "Transmettre encore"))
    code, touched, _ = build(batch_repo)
    assert statuses(touched) == {SLUGS[0]: "unchanged", SLUGS[1]: "built", SLUGS[2]: "unchanged"}

    code, forced, _ = build(batch_repo, "--force")
    assert set(statuses(forced).values()) == {"built"}


def test_shared_content_change_rebuilds_everything(batch_repo: Path) -> None:
    build(batch_repo)
    page = next((batch_repo / "content").glob("*.md"))
    page.write_text(page.read_text() + "\nUne phrase de plus.\n")
    _, after, _ = build(batch_repo)
    assert set(statuses(after).values()) == {"built"}


def test_one_bad_dossier_does_not_stop_the_others(batch_repo: Path) -> None:
    code, first, _ = build(batch_repo)
    old_index = (batch_repo / str(first[SLUGS[2]]["site"]) / "index.html").read_bytes()
    bilan = batch_repo / "dossiers" / SLUGS[2] / "bilan.yml"
    bilan.write_text(bilan.read_text().replace("duree: 2h", "duree: deux heures"))
    code, result, stderr = build(batch_repo, "--force")
    assert f"dossiers/{SLUGS[2]}/bilan.yml:18:" in stderr
    assert code == 1
    assert statuses(result) == {SLUGS[0]: "built", SLUGS[1]: "built", SLUGS[2]: "failed"}
    error = result[SLUGS[2]]["errors"]
    assert isinstance(error, list) and error[0].startswith(f"dossiers/{SLUGS[2]}/bilan.yml:18:")
    # The failed booklet's previous version is still published, untouched.
    assert (batch_repo / str(first[SLUGS[2]]["site"]) / "index.html").read_bytes() == old_index


@pytest.mark.parametrize(
    ("jobs", "method"), [("1", ""), ("2", "fork"), ("2", "spawn")], ids=["j1", "fork", "spawn"]
)
def test_keys_never_cross_booklets_built_by_one_worker(
    batch_repo: Path, jobs: str, method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under `spawn` (Windows, macOS) workers inherit nothing: same booklets, same keys."""
    monkeypatch.setenv("LIVRET_START_METHOD", method)
    code, booklets, _ = build(batch_repo, "-j", jobs)
    assert code == 0
    secrets = access(batch_repo)
    pages = {
        slug: (batch_repo / str(b["site"]) / "index.html").read_text()
        for slug, b in booklets.items()
    }
    for slug, page in pages.items():
        mine = decrypt_all(page, secrets[slug]["passphrase"])[0]
        assert slug.split("-")[1].title() in mine
        for other in SLUGS:
            if other != slug:
                with pytest.raises(ValueError):
                    decrypt_all(page, secrets[other]["passphrase"])


def test_removed_dossier_and_rotated_link_leave_the_site(batch_repo: Path) -> None:
    _, first, _ = build(batch_repo)
    gone = batch_repo / str(first[SLUGS[0]]["site"])
    shutil.rmtree(batch_repo / "dossiers" / SLUGS[0])
    _, after, _ = build(batch_repo)
    assert not gone.exists()
    assert set(after) == set(SLUGS[1:])
    assert all((batch_repo / str(b["site"])).is_dir() for b in after.values())

    old = batch_repo / str(first[SLUGS[1]]["site"])
    env = {"LIVRET_ACCESS": str(batch_repo.parent / "acces.json")}
    CliRunner(env=env).invoke(cli, ["-C", str(batch_repo), "access", SLUGS[1], "--rotate"])
    _, rotated, _ = build(batch_repo)
    # Only the neutral « ce livret a changé d'adresse » page is left at the old address.
    assert [p.name for p in old.iterdir()] == ["index.html"]
    assert "changé d'adresse" in (old / "index.html").read_text()
    assert rotated[SLUGS[1]]["status"] == "built"
    assert rotated[SLUGS[1]]["site"] != first[SLUGS[1]]["site"]


def test_shards_build_each_dossier_exactly_once(batch_repo: Path) -> None:
    slugs = [f"2026-dossier-{i:04d}" for i in range(1000)]
    for count in (1, 2, 3, 7):
        owners = [[k for k in range(1, count + 1) if Shard(k, count).holds(s)] for s in slugs]
        assert all(len(o) == 1 for o in owners)
        if count > 1:
            sizes = [sum(1 for o in owners if o == [k]) for k in range(1, count + 1)]
            assert min(sizes) > 1000 / count * 0.8
    seen: list[str] = []
    for k in (1, 2):
        code, booklets, _ = build(
            batch_repo, "--shard", f"{k}/2", "--out", str(batch_repo / f"s{k}")
        )
        assert code == 0
        seen += [s for s, b in booklets.items() if b["status"] == "built"]
    assert sorted(seen) == SLUGS
    bad = CliRunner().invoke(cli, ["-C", str(batch_repo), "build", "--shard", "3/2"])
    assert bad.exit_code == 1 and "K/N" in bad.stderr


def test_start_method_is_fork_where_there_is_one_and_can_be_chosen(
    batch_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LIVRET_START_METHOD", raising=False)
    assert start_method() == "fork"  # Linux: measured faster, see the README
    monkeypatch.setenv("LIVRET_START_METHOD", "spawn")
    assert start_method() == "spawn"
    for wrong in ("forkserver", "FORK", "threads", "fork;spawn"):
        monkeypatch.setenv("LIVRET_START_METHOD", wrong)
        env = {"LIVRET_ACCESS": str(batch_repo.parent / "acces.json")}
        result = CliRunner(env=env).invoke(cli, ["-C", str(batch_repo), "build", "-j", "2"])
        assert result.exit_code == 1
        assert f"LIVRET_START_METHOD={wrong} : méthode de démarrage" in result.stderr
        assert "choisissez parmi : fork, spawn" in result.stderr


def test_concurrent_builds_are_refused(batch_repo: Path) -> None:
    with build_lock(Project(batch_repo)):
        result = CliRunner().invoke(cli, ["-C", str(batch_repo), "build"])
    assert result.exit_code == 1
    assert "une autre construction est en cours" in result.stderr


def _check_published(site: Path, secrets: dict[str, dict[str, str]]) -> int:
    """Every booklet folder in site/ is complete, encrypted, and opens with its passphrase."""
    by_id = {entry["booklet_id"]: entry["passphrase"] for entry in secrets.values()}
    count = 0
    for folder in site.iterdir():
        if folder.is_dir() and not folder.name.startswith("."):
            # The build's own sources of approved scripts: the theme, and the unlock script.
            unlock = {DECRYPT_SCRIPT: (folder / DECRYPT_SCRIPT).read_bytes()}
            verify_booklet(folder, [], by_id[folder.name], THEME_DIRS, unlock)
            assert decrypt_all((folder / "index.html").read_text(), by_id[folder.name])
            assert list(folder.glob("*.pdf"))
            count += 1
    return count


def test_killed_build_leaves_old_or_new_booklets(batch_repo: Path) -> None:
    code, _, _ = build(batch_repo, "-j", "1")
    assert code == 0
    env = {**os.environ, "LIVRET_ACCESS": str(batch_repo.parent / "acces.json")}
    command = [sys.executable, "-m", "livret", "-C", str(batch_repo), "build", "--force", "-j", "1"]
    for delay in (0.8, 1.6, 2.4, 3.2):
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert _check_published(batch_repo / "site", access(batch_repo)) == len(SLUGS)
    code, after, _ = build(batch_repo)
    assert code == 0 and set(statuses(after).values()) <= {"built", "unchanged"}
    assert not list((batch_repo / "site").glob(".arrivee-*"))
    assert _check_published(batch_repo / "site", access(batch_repo)) == len(SLUGS)


def test_rotated_link_leaves_even_on_a_partial_build(batch_repo: Path) -> None:
    _, first, _ = build(batch_repo)
    old = batch_repo / str(first[SLUGS[0]]["site"])
    backup = batch_repo.parent / "copie"
    shutil.copytree(old, backup)
    env = {"LIVRET_ACCESS": str(batch_repo.parent / "acces.json")}
    CliRunner(env=env).invoke(cli, ["-C", str(batch_repo), "access", SLUGS[0], "--rotate"])
    assert [p.name for p in old.iterdir()] == ["index.html"]  # the moved page, no booklet
    shutil.rmtree(old)
    backup.rename(old)  # as if the old folder came back, merged from another output
    _, again, _ = build(batch_repo, SLUGS[1])
    assert not old.exists()
    assert statuses(again) == {SLUGS[1]: "unchanged"}


def test_lost_access_store_is_refused(batch_repo: Path) -> None:
    _, first, _ = build(batch_repo)
    (batch_repo.parent / "acces.json").unlink()
    env = {"LIVRET_ACCESS": str(batch_repo.parent / "acces.json")}
    result = CliRunner(env=env).invoke(cli, ["-C", str(batch_repo), "build"])
    assert result.exit_code == 1 and "fichier des accès introuvable" in result.stderr
    assert all((batch_repo / str(b["site"])).is_dir() for b in first.values())


def test_invalid_slugs_are_refused_before_anything(batch_repo: Path) -> None:
    code, booklets, stderr = build(batch_repo, "..", SLUGS[0], SLUGS[0])
    assert code == 1
    assert booklets[".."]["status"] == "failed" and "nom de dossier invalide" in stderr
    assert booklets[SLUGS[0]]["status"] == "built" and len(booklets) == 2
    assert ".." not in access(batch_repo)


def test_clear_copies_must_be_ignored_by_git(batch_repo: Path) -> None:
    subprocess.run(["git", "init", "-q", str(batch_repo)], check=True)
    (batch_repo / ".gitignore").write_text("/.livret/\n/site/\n")
    result = CliRunner().invoke(cli, ["-C", str(batch_repo), "build"])
    assert result.exit_code == 1
    assert "syntheses: ce chemin privé n'est pas ignoré par git" in result.stderr
    assert not (batch_repo / "syntheses").exists()
    shutil.copy(ROOT / ".gitignore", batch_repo / ".gitignore")  # the project's own
    code, booklets, _ = build(batch_repo)
    assert code == 0 and set(statuses(booklets).values()) == {"built"}


def test_passphrase_with_a_removed_word_asks_for_rotation(batch_repo: Path) -> None:
    """A store made with the old word list: the build says which booklet to rotate, once,
    without the passphrase, and stops saying it once the passphrase is new."""
    from livret.protect.access import wordlist

    old = "cil-lune-vent-mer-sel-haie"  # « cil » was removed from the list
    assert "cil" not in wordlist() and {"lune", "vent", "mer", "sel", "haie"} <= set(wordlist())
    store = batch_repo.parent / "acces.json"
    entry = {"booklet_id": "a" * 24, "passphrase": old, "created": "2026-01-01T00:00:00+00:00"}
    store.write_text(json.dumps({"livrets": {SLUGS[0]: entry}}))
    store.chmod(0o600)
    code, _, stderr = build(batch_repo, SLUGS[0], SLUGS[1])
    assert code == 0
    notice = (
        f"Attention : dossiers/{SLUGS[0]} : la phrase de passe de ce livret contient un mot "
        f"retiré de la liste ; donnez-en une nouvelle avec livret access {SLUGS[0]} "
        "--nouvelle-phrase"
    )
    assert stderr.count(notice) == 1
    assert SLUGS[1] not in stderr and old not in stderr and "cil" not in stderr.split()

    env = {"LIVRET_ACCESS": str(store)}
    command = ["-C", str(batch_repo), "access", SLUGS[0], "--nouvelle-phrase", "--json"]
    rotated = CliRunner(env=env).invoke(cli, command)
    assert rotated.exit_code == 0
    assert json.loads(rotated.stdout)["site"].endswith("a" * 24 + "/")  # same link
    code, booklets, stderr = build(batch_repo, SLUGS[0], SLUGS[1])
    assert code == 0 and booklets[SLUGS[0]]["status"] == "built"
    assert "retiré de la liste" not in stderr
