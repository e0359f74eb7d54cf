"""`livret build --shard K/N` then `livret fusionner` equals one unsharded build.

One repository, one access store (as CI has after decrypting the team store): the three
examples built in 3 shards and merged, and built once unsharded. Encrypted bytes differ
between two builds (random salts, IVs and PDF names), so the comparison is: the same
booklet ids and files, the same decrypted page contents, and byte-identical deterministic
files (site root, 404 page, theme assets). Then what the merge refuses: each variant is a
copy of a good shard with one hostile change, and the target stays as it was.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import EXAMPLES, ROOT, make_repo
from decrypt import decrypt_all
from livret.cli import cli
from livret.project import Project
from livret.publish.folders import BOOKLET_DIR, MARKER, state_path

SHARDS = 3
_PDF_NAME = re.compile(r"[a-z2-7]{16}\.pdf")


@dataclass(frozen=True)
class Builds:
    repo: Path
    store: Path
    shards: list[Path]
    merged: Path
    whole: Path
    merge: Result
    passphrases: dict[str, str]
    ids: dict[str, str]

    def run(self, *args: str) -> Result:
        return CliRunner(env={"LIVRET_ACCESS": str(self.store)}).invoke(
            cli, ["-C", str(self.repo), *args]
        )


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    base = tmp_path_factory.mktemp("tranches")
    repo = make_repo(base / "repo", {slug: ROOT / "dossiers" / slug for slug in EXAMPLES})
    store = base / "acces.json"
    runner = CliRunner(env={"LIVRET_ACCESS": str(store)})
    shards = [base / f"tranche-{k}" for k in range(1, SHARDS + 1)]
    for k, out in enumerate(shards, start=1):
        result = runner.invoke(
            cli, ["-C", str(repo), "build", "--shard", f"{k}/{SHARDS}", "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
    merged = base / "fusion"
    merge = runner.invoke(
        cli, ["-C", str(repo), "fusionner", *map(str, shards), "--out", str(merged)]
    )
    whole = base / "entier"
    result = runner.invoke(cli, ["-C", str(repo), "build", "--out", str(whole)])
    assert result.exit_code == 0, result.output
    access = json.loads(store.read_text())["livrets"]
    return Builds(
        repo,
        store,
        shards,
        merged,
        whole,
        merge,
        {slug: access[slug]["passphrase"] for slug in EXAMPLES},
        {slug: access[slug]["booklet_id"] for slug in EXAMPLES},
    )


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _without_pdfs(files: list[str]) -> list[str]:
    return [f for f in files if not _PDF_NAME.fullmatch(f.rsplit("/", 1)[-1])]


def test_merge_reports_and_spreads_over_the_shards(builds: Builds) -> None:
    assert builds.merge.exit_code == 0, builds.merge.output
    assert "3 livrets fusionnés" in builds.merge.output
    held = [sorted(p.name for p in s.iterdir() if BOOKLET_DIR.match(p.name)) for s in builds.shards]
    assert sum(map(len, held)) == len(EXAMPLES)  # each booklet in exactly one shard
    assert sum(1 for h in held if h) >= 2  # really sharded: no single shard holds them all


def test_merged_equals_unsharded(builds: Builds) -> None:
    merged, whole = builds.merged, builds.whole
    top = sorted(p.name for p in merged.iterdir())
    assert top == sorted(p.name for p in whole.iterdir())
    assert top == sorted([MARKER, "index.html", "robots.txt", *builds.ids.values()])
    for name in (MARKER, "index.html", "robots.txt"):
        assert (merged / name).read_bytes() == (whole / name).read_bytes(), name
    for slug, booklet_id in builds.ids.items():
        a, b = merged / booklet_id, whole / booklet_id
        files_a, files_b = _files(a), _files(b)
        assert _without_pdfs(files_a) == _without_pdfs(files_b), slug
        assert len(files_a) == len(files_b), slug  # as many PDFs (random names per build)
        for relative in _without_pdfs(files_a):
            if relative.startswith("assets/") or relative == "404.html":
                assert (a / relative).read_bytes() == (b / relative).read_bytes(), relative
        passphrase = builds.passphrases[slug]
        for relative in (f for f in files_a if f.endswith(".html") and f != "404.html"):
            clear_a = decrypt_all((a / relative).read_text(), passphrase)
            clear_b = decrypt_all((b / relative).read_text(), passphrase)
            # The random PDF names are the one difference, in the download links.
            assert [_PDF_NAME.sub("X.pdf", t) for t in clear_a] == [
                _PDF_NAME.sub("X.pdf", t) for t in clear_b
            ], (slug, relative)


def test_merged_bytes_are_the_shards_bytes(builds: Builds) -> None:
    for shard in builds.shards:
        for booklet in (p for p in shard.iterdir() if BOOKLET_DIR.match(p.name)):
            for relative in _files(booklet):
                copied = builds.merged / booklet.name / relative
                assert copied.read_bytes() == (booklet / relative).read_bytes()


def test_later_build_finds_the_merged_booklets_unchanged(builds: Builds) -> None:
    """The shards' state is carried over: a build into the merged folder skips them all."""
    state = json.loads(state_path(Project(builds.repo), builds.merged.resolve()).read_text())
    assert sorted(state["livrets"]) == EXAMPLES
    copy = builds.merged.parent / "fusion-copie"
    shutil.copytree(builds.merged, copy)  # the shared merged folder stays as it is
    result = builds.run("fusionner", *map(str, builds.shards), "--out", str(copy))
    assert result.exit_code == 0, result.output
    result = builds.run("build", "--json", "--out", str(copy))
    assert result.exit_code == 0, result.output
    statuses = {b["slug"]: b["status"] for b in json.loads(result.stdout)["booklets"]}
    assert statuses == dict.fromkeys(EXAMPLES, "unchanged")


def test_shards_from_elsewhere_leave_no_state_to_trust(builds: Builds, tmp_path: Path) -> None:
    """As in CI: the shards' state stayed on their runners, so the merged folder is only
    recorded (a rotated link is removed from it), and a later build rebuilds each booklet."""
    copies = []
    for shard in builds.shards:
        copies.append(tmp_path / shard.name)
        shutil.copytree(shard, copies[-1])
    out = tmp_path / "public"
    result = builds.run("fusionner", *map(str, copies), "--out", str(out))
    assert result.exit_code == 0, result.output
    state = json.loads(state_path(Project(builds.repo), out.resolve()).read_text())
    assert state["livrets"] == {} and state["sortie"] == str(out.resolve())


# --- refusals ---------------------------------------------------------------------------------


def _first_booklet(shard: Path) -> Path:
    return next(p for p in sorted(shard.iterdir()) if BOOKLET_DIR.match(p.name))


def _write(relative: str, data: bytes) -> Callable[[Path], None]:
    def change(shard: Path) -> None:
        path = shard / relative.replace("ID", _first_booklet(shard).name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    return change


def _link(relative: str, to: str) -> Callable[[Path], None]:
    def change(shard: Path) -> None:
        path = shard / relative.replace("ID", _first_booklet(shard).name)
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        path.symlink_to(to)

    return change


def _remove(name: str) -> Callable[[Path], None]:
    return lambda shard: (shard / name).unlink()


def _fifo(shard: Path) -> None:
    os.mkfifo(_first_booklet(shard) / "tube.html")


def _clear_page(shard: Path) -> None:
    page = _first_booklet(shard) / "index.html"
    page.write_text(page.read_text() + '<h2 id="x">En clair</h2>')


def _hidden_dir(shard: Path) -> None:
    (_first_booklet(shard) / ".git").mkdir()


def _leftover(shard: Path) -> None:
    shutil.copytree(_first_booklet(shard), shard / ".arrivee-abc")


def _renamed(shard: Path) -> None:
    _first_booklet(shard).rename(shard / "pas-un-identifiant")


FOREIGN: dict[str, Callable[[Path], None]] = {
    "fichier étranger à la racine": _write("notes.txt", b"bonjour"),
    "page étrangère à la racine": _write("autre.html", b"<p>x</p>"),
    "dossier non livret": _renamed,
    "construction interrompue": _leftover,
    "texte dans un livret": _write("ID/secret.txt", b"mot de passe"),
    "exécutable dans assets": _write("ID/assets/x.exe", b"MZ"),
    "script hors assets": _write("ID/x.js", b"alert(1)"),
    "fichier caché": _write("ID/.env", b"A=1"),
    "dossier caché": _hidden_dir,
    "page en clair": _write("ID/clair.html", b"<p>Bonjour Claire</p>"),
    "page modifiée en clair": _clear_page,
    "PDF non chiffré": _write("ID/abcdefghijklmnop.pdf", b"%PDF-1.4\n%%EOF"),
    "lien vers un fichier": _link("ID/lien.html", "/etc/passwd"),
    "page remplacée par un lien": _link("ID/index.html", "/etc/hostname"),
    "lien vers un dossier": _link("ID/assets", "/etc"),
    "livret lien": _link("aaaaaaaaaaaaaaaaaaaaaaaa", "/etc"),
    "marqueur lien": _link(MARKER, "/etc/hostname"),
    "tube nommé": _fifo,
    "marqueur absent": _remove(MARKER),
    "robots.txt absent": _remove("robots.txt"),
    "accueil d'une autre version": _write("index.html", b"<!doctype html><p>autre</p>"),
    "robots.txt d'une autre version": _write("robots.txt", b"User-agent: *\n"),
}


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture
def target(builds: Builds, tmp_path: Path) -> Path:
    """A merged folder already published, which a refused merge must leave as it was."""
    out = tmp_path / "public"
    shutil.copytree(builds.merged, out)
    return out


def _refused(builds: Builds, target: Path, *shards: Path) -> str:
    before = _snapshot(target)
    result = builds.run("fusionner", *map(str, shards), "--out", str(target))
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Erreur : "), result.output
    assert "Traceback" not in result.output
    assert _snapshot(target) == before
    assert not [p for p in target.parent.iterdir() if ".fusion-" in p.name]
    return result.output


@pytest.mark.parametrize("change", FOREIGN.values(), ids=FOREIGN.keys())
def test_foreign_content_refused(
    builds: Builds, target: Path, tmp_path: Path, change: Callable[[Path], None]
) -> None:
    bad = tmp_path / "tranche"
    good = next(s for s in builds.shards if any(BOOKLET_DIR.match(p.name) for p in s.iterdir()))
    shutil.copytree(good, bad, symlinks=True)
    change(bad)
    others = [s for s in builds.shards if s != good]
    message = _refused(builds, target, *others, bad)
    assert "tranche" in message


def test_overlap_with_different_bytes_refused(builds: Builds, target: Path, tmp_path: Path) -> None:
    good = next(s for s in builds.shards if any(BOOKLET_DIR.match(p.name) for p in s.iterdir()))
    twin = tmp_path / "jumelle"
    shutil.copytree(good, twin)
    page = _first_booklet(twin) / "index.html"
    page.write_bytes(page.read_bytes() + b"\n")  # one byte more, still a valid page
    message = _refused(builds, target, *builds.shards, twin)
    assert f"le livret {_first_booklet(twin).name} est dans" in message
    assert "contenus différents" in message


def test_overlap_with_same_bytes_accepted(builds: Builds, target: Path, tmp_path: Path) -> None:
    """The same shard downloaded twice (a retried CI job) merges to the same folder."""
    twin = tmp_path / "jumelle"
    shutil.copytree(builds.shards[0], twin)
    result = builds.run("fusionner", *map(str, builds.shards), str(twin), "--out", str(target))
    assert result.exit_code == 0, result.output
    assert _snapshot(target) == _snapshot(builds.merged)


def test_not_an_output_folder_refused(builds: Builds, target: Path, tmp_path: Path) -> None:
    plain = tmp_path / "fichier.txt"
    plain.write_text("x")
    linked = tmp_path / "lien"
    linked.symlink_to(builds.shards[0])
    empty = tmp_path / "vide"
    empty.mkdir()
    cases = [plain, tmp_path / "absent", linked, empty, builds.repo / ".livret", builds.repo]
    for case in cases:
        _refused(builds, target, case)


def test_bad_targets_refused(builds: Builds, tmp_path: Path) -> None:
    foreign = tmp_path / "perso"
    foreign.mkdir()
    (foreign / "photo.jpg").write_bytes(b"x")
    for out in (foreign, builds.shards[0], builds.repo / "dossiers" / EXAMPLES[0]):
        before = _snapshot(out)
        result = builds.run("fusionner", *map(str, builds.shards), "--out", str(out))
        assert result.exit_code == 1 and result.output.startswith("Erreur : "), result.output
        assert _snapshot(out) == before
    for private in ("syntheses", ".livret", ".livret/public", "dossiers"):
        out = builds.repo / private
        result = builds.run("fusionner", *map(str, builds.shards), "--out", str(out))
        assert result.exit_code == 1 and result.output.startswith("Erreur : "), result.output


def test_a_booklet_this_repository_did_not_build_is_refused(
    builds: Builds, target: Path, tmp_path: Path
) -> None:
    # A complete, valid booklet folder, but with an id no access of this repository has:
    # built by another repository (or slipped into the artifact store).
    bad = tmp_path / "tranche"
    good = next(s for s in builds.shards if any(BOOKLET_DIR.match(p.name) for p in s.iterdir()))
    shutil.copytree(good, bad, symlinks=True)
    _first_booklet(bad).rename(bad / "zzzzzzzzzzzzzzzzzzzzzzzz")
    others = [s for s in builds.shards if s != good]
    message = _refused(builds, target, *others, bad)
    assert "zzzzzz… : le livret zzzzzz… n'a pas été construit par ce dépôt" in message
