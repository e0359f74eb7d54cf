"""Only a member of the team can change who opens a booklet.

Two real clones and three identities: Alice and Bruno are members; Oscar is an outsider
who can push to the repository and knows only the public keys of `destinataires.txt`
(which is all age needs to write a file they can open). Oscar's forged access entry, for
a dossier already published and for a new one, is refused by build and access with a
French message naming the file, and nothing of his passphrase or booklet id gets
published; replacing the team key itself is refused by the fingerprint each machine (or
CI, through LIVRET_EQUIPE) trusts. A member's own change (a new passphrase, a new link)
is accepted on the other clone, and the new passphrase keeps the link.
"""

from __future__ import annotations

import json
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyrage
import pytest
from click.testing import Result

from conftest import FIXTURES, ROOT, make_repo
from decrypt import decrypt_all
from livret.protect import teamkey
from test_team import CLAIRE, LUCIE, Consultant, commit, git, new_identity


@dataclass
class World:
    a: Consultant
    b: Consultant
    recipients: list[str]  # the public keys Oscar reads in destinataires.txt
    lucie: dict[str, str]  # Lucie's access as handed over, before any forgery
    fingerprint: str


def _run(who: Consultant, *args: str, **env: str | None) -> Result:
    from click.testing import CliRunner

    from livret.cli import cli

    base = {
        "LIVRET_IDENTITE": str(who.identity),
        "XDG_CONFIG_HOME": str(who.config),
        "LIVRET_ACCESS": None,
        "CI": None,
        "LIVRET_EQUIPE": None,
    }
    return CliRunner(env={**base, **env}).invoke(cli, ["-C", str(who.repo), *args])


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    base = tmp_path_factory.mktemp("forgery")
    a_id, a_key, _ = new_identity(base / "machine-a")
    b_id, b_key, _ = new_identity(base / "machine-b")
    a = Consultant(base / "a", a_id, base / "machine-a" / "config", a_key)
    b = Consultant(base / "b", b_id, base / "machine-b" / "config", b_key)
    make_repo(a.repo, {LUCIE: FIXTURES / "minimal"})
    shutil.copy(ROOT / ".gitignore", a.repo / ".gitignore")
    git(a.repo, "init", "-q")
    commit(a.repo, "start")
    for args in (
        ("equipe", "init", "--nom", "Alice Martin"),
        ("equipe", "ajouter", b_key, "--nom", "Bruno Petit"),
        ("access", LUCIE),
    ):
        done = _run(a, *args)
        assert done.exit_code == 0, done.output
    commit(a.repo, "team")
    git(base, "clone", "-q", str(a.repo), str(b.repo))
    built = _run(b, "build")
    assert built.exit_code == 0, built.output
    assert "empreinte" in built.stderr  # first use on Bruno's machine: the key is pinned
    lucie = json.loads(_run(b, "access", LUCIE, "--json").stdout)
    doctor = _run(a, "doctor")
    fingerprint = next(
        word for word in doctor.output.split() if teamkey_shape(word.strip("()., "))
    ).strip("()., ")
    return World(a, b, [a_key, b_key], lucie, fingerprint)


def teamkey_shape(word: str) -> bool:
    parts = word.split("-")
    return len(parts) == 4 and all(len(p) == 4 and p.isalnum() and p.islower() for p in parts)


@pytest.fixture
def b_copy(world: World, tmp_path: Path) -> Consultant:
    """Bruno's clone and machine, copied: each test pushes its own forgery into it."""
    repo, config = tmp_path / "b", tmp_path / "config-b"
    shutil.copytree(world.b.repo, repo, symlinks=True)
    shutil.copytree(world.b.config, config)
    pins = json.loads((config / "livret" / "equipes.json").read_text())
    # The pin is per clone (its real path): carry Bruno's over to the copy.
    (config / "livret" / "equipes.json").write_text(
        json.dumps({str(repo.resolve()): next(iter(pins.values()))})
    )
    # What Bruno's machine recorded names his clone's folders: build the copy afresh.
    shutil.rmtree(repo / ".livret")
    shutil.rmtree(repo / "site")
    copy = Consultant(repo, world.b.identity, config, world.b.public)
    built = _run(copy, "build")
    assert built.exit_code == 0, built.output
    return copy


def _encrypt(clear: dict[str, object], keys: list[str]) -> bytes:
    recipients = [pyrage.x25519.Recipient.from_str(k) for k in keys]
    data = json.dumps(clear).encode()
    return bytes(pyrage.encrypt(data, recipients, armored=True))


FORGED_ID = "aaaabbbbccccddddeeeeffff"
FORGED_PASS = "chat-pomme-velo-lune-sel-ours"


def _fields(slug: str) -> dict[str, object]:
    return {
        "slug": slug,
        "booklet_id": FORGED_ID,
        "passphrase": FORGED_PASS,
        "created": "2026-01-01T00:00:00+00:00",
        "counter": 7,
    }


def _forge_guessed(slug: str, keys: list[str]) -> bytes:
    """The new format with a tag Oscar cannot compute: random bytes."""
    return _encrypt(
        {"acces": _fields(slug), "generation": 1, "authentification": secrets.token_hex(32)}, keys
    )


def _forge_old_format(slug: str, keys: list[str]) -> bytes:
    """The format of entries before they were authenticated."""
    fields = _fields(slug)
    del fields["counter"]
    return _encrypt(fields, keys)


FORGERIES = {"guessed tag": _forge_guessed, "old format": _forge_old_format}


def _published(repo: Path) -> list[str]:
    site = repo / "site"
    return sorted(p.name for p in site.iterdir()) if site.is_dir() else []


def _say_no(result: Result, slug: str) -> None:
    said = result.stdout + result.stderr
    assert result.exit_code == 1, said
    assert f"acces/{slug}.age" in said and "Traceback" not in said
    assert "non authentifié" in said or "antérieure à l'authentification" in said, said
    assert FORGED_PASS not in said and FORGED_ID not in said


@pytest.mark.parametrize("how", sorted(FORGERIES))
@pytest.mark.parametrize("which", ["existing", "new"])
def test_an_outsiders_entry_is_refused_by_build_and_access(
    world: World, b_copy: Consultant, how: str, which: str
) -> None:
    slug = LUCIE if which == "existing" else CLAIRE
    if which == "new":
        shutil.copytree(FIXTURES / "minimal", b_copy.repo / "dossiers" / CLAIRE)
    before = _published(b_copy.repo)
    (b_copy.repo / "acces" / f"{slug}.age").write_bytes(FORGERIES[how](slug, world.recipients))
    for args in (("build",), ("build", slug), ("access", slug), ("access", slug, "--json")):
        _say_no(_run(b_copy, *args), slug)
    # Purge and doctor refuse it too, and nothing was published or removed.
    _say_no(_run(b_copy, "purge", slug, "--yes"), slug)
    doctor = _run(b_copy, "doctor")
    assert doctor.exit_code == 1 and f"acces/{slug}.age" in doctor.output
    assert FORGED_PASS not in doctor.output
    assert _published(b_copy.repo) == before and FORGED_ID not in before
    # The repair the message gives works: remove it, and the published booklet is intact.
    (b_copy.repo / "acces" / f"{slug}.age").unlink()
    if which == "existing":
        git(b_copy.repo, "checkout", "--", f"acces/{slug}.age")
        kept = json.loads(_run(b_copy, "access", LUCIE, "--json").stdout)
        assert kept["passphrase"] == world.lucie["passphrase"]
        assert Path(kept["site"]).name == Path(world.lucie["site"]).name


def test_an_outsiders_own_team_key_is_refused_by_the_pinned_fingerprint(
    world: World, b_copy: Consultant
) -> None:
    # Oscar draws a team key, encrypts it to every member and tags his entry with it:
    # every tag checks, but his key is not in the chain this machine (or CI) trusts.
    forged = teamkey.new_team(world.recipients)
    (b_copy.repo / "acces" / "_equipe.age").write_bytes(
        _encrypt(json.loads(teamkey.encode(forged)), world.recipients)
    )

    from livret.protect.access import Access

    access = Access(LUCIE, FORGED_ID, FORGED_PASS, "2026-01-01T00:00:00+00:00", 7)
    tag = teamkey.entry_tag(forged, LUCIE, access)
    content = {"acces": teamkey.canonical_fields(access), "generation": 1, "authentification": tag}
    (b_copy.repo / "acces" / f"{LUCIE}.age").write_bytes(_encrypt(content, world.recipients))
    for env in ({}, {"CI": "true", "LIVRET_EQUIPE": world.fingerprint}):
        for args in (("build", LUCIE), ("access", LUCIE, "--json")):
            result = _run(b_copy, *args, **env)
            said = result.stdout + result.stderr
            assert result.exit_code == 1, said
            assert "acces/_equipe.age" in said and "sans lien avec celle" in said
            assert FORGED_PASS not in said
    assert FORGED_ID not in _published(b_copy.repo)
    # In CI nothing is remembered: without the fingerprint, CI refuses rather than trust.
    fresh = Consultant(b_copy.repo, b_copy.identity, b_copy.repo.parent / "ci-config", "")
    git(b_copy.repo, "checkout", "--", "acces")
    refused = _run(fresh, "build", LUCIE, CI="true")
    assert refused.exit_code == 1 and "LIVRET_EQUIPE" in refused.output
    assert _run(fresh, "build", LUCIE, CI="true", LIVRET_EQUIPE=world.fingerprint).exit_code == 0


def _opens(repo: Path, site: str, passphrase: str) -> bool:
    page = repo / site / "index.html"
    try:
        return bool(decrypt_all(page.read_text(), passphrase))
    except Exception:
        return False


def test_a_members_new_passphrase_is_accepted_and_keeps_the_link(
    world: World, b_copy: Consultant, tmp_path: Path
) -> None:
    a = Consultant(tmp_path / "a", world.a.identity, tmp_path / "config-a", world.a.public)
    git(tmp_path, "clone", "-q", str(b_copy.repo), str(a.repo))
    told = _run(a, "access", LUCIE, "--nouvelle-phrase", "--json")
    assert told.exit_code == 0, told.output
    renewed = json.loads(told.stdout)
    assert (
        renewed["site"] == world.lucie["site"]
        and renewed["passphrase"] != world.lucie["passphrase"]
    )
    commit(a.repo, "new passphrase for Lucie")
    git(b_copy.repo, "pull", "-q", "--no-edit", str(a.repo), "main")
    # Before the build, the message says the booklet *will be* online.
    shown = json.loads(_run(b_copy, "access", LUCIE, "--json").stdout)
    assert shown["passphrase"] == renewed["passphrase"] and shown["built"] is False
    built = _run(b_copy, "build", LUCIE)
    assert built.exit_code == 0, built.output
    after = json.loads(_run(b_copy, "access", LUCIE, "--json").stdout)
    assert after["site"] == world.lucie["site"] and after["built"] is True
    assert _opens(b_copy.repo, after["site"], renewed["passphrase"])
    assert not _opens(b_copy.repo, after["site"], world.lucie["passphrase"])
    # Going back to the old entry (a file restored from an older commit) is not a request.
    git(b_copy.repo, "checkout", "HEAD~1", "--", f"acces/{LUCIE}.age")
    replayed = _run(b_copy, "build", LUCIE)
    said = replayed.stdout + replayed.stderr
    assert replayed.exit_code == 1 and f"acces/{LUCIE}.age" in said and "sans demande" in said
    assert _opens(b_copy.repo, after["site"], renewed["passphrase"])


def test_a_new_link_leaves_a_neutral_page_at_the_old_address(b_copy: Consultant) -> None:
    old = json.loads(_run(b_copy, "access", LUCIE, "--json").stdout)
    moved = _run(b_copy, "access", LUCIE, "--nouveau-lien", "--json")
    assert moved.exit_code == 0, moved.output
    new = json.loads(moved.stdout)
    assert new["site"] != old["site"] and new["former_site"] == old["site"]
    left = b_copy.repo / old["site"]
    assert sorted(p.name for p in left.iterdir()) == ["index.html"]
    page = (left / "index.html").read_text()
    said = page.lower()
    assert "ce livret a changé d'adresse" in said and "demandez le nouveau lien" in said
    for personal in ("Lucie", "Martin", "2026", old["passphrase"]):
        assert personal not in page
    built = _run(b_copy, "build")
    assert built.exit_code == 0, built.output
    assert (left / "index.html").read_text() == page  # the build keeps the moved page
    assert _opens(b_copy.repo, new["site"], new["passphrase"])
    # The old name still works as an alias of --nouveau-lien.
    again = json.loads(_run(b_copy, "access", LUCIE, "--rotate", "--json").stdout)
    assert again["site"] != new["site"] and again["former_site"] == new["site"]


def test_a_refused_build_leaves_no_access_entry(b_copy: Consultant) -> None:
    folder = b_copy.repo / "dossiers" / CLAIRE
    shutil.copytree(FIXTURES / "minimal", folder)
    bilan = folder / "bilan.yml"
    bilan.write_text(bilan.read_text().replace("prenom: Lucie", "prenom: À compléter", 1))
    result = _run(b_copy, "build", CLAIRE)
    assert result.exit_code == 1 and "à compléter" in result.output, result.output
    assert not (b_copy.repo / "acces" / f"{CLAIRE}.age").exists()


def test_an_entry_left_by_a_removed_dossier_is_named_and_purged(b_copy: Consultant) -> None:
    booklet = Path(json.loads(_run(b_copy, "access", LUCIE, "--json").stdout)["site"]).name
    shutil.rmtree(b_copy.repo / "dossiers" / LUCIE)  # by hand, not with livret purge
    checked = _run(b_copy, "check")
    assert checked.exit_code == 0, checked.output
    assert f"acces/{LUCIE}.age:1:1: avertissement : accès sans dossier" in checked.stderr
    assert f"livret purge {LUCIE}" in checked.stderr
    doctor = _run(b_copy, "doctor")
    assert f"✗ acces/{LUCIE}.age : accès sans dossier" in doctor.output
    purged = _run(b_copy, "purge", LUCIE, "--yes")
    assert purged.exit_code == 0, purged.output
    assert not (b_copy.repo / "acces" / f"{LUCIE}.age").exists()
    assert booklet not in _published(b_copy.repo)
    assert "accès sans dossier" not in _run(b_copy, "check").stderr


def test_entries_of_an_older_livret_are_authenticated_by_a_member(b_copy: Consultant) -> None:
    before = json.loads(_run(b_copy, "access", LUCIE, "--json").stdout)
    # What an older livret wrote: no team key, entries without authenticator.
    (b_copy.repo / "acces" / "_equipe.age").unlink()
    old = {
        "slug": LUCIE,
        "booklet_id": Path(before["site"]).name,
        "passphrase": before["passphrase"],
        "created": "2026-01-01T00:00:00+00:00",
    }
    recipients = [
        line.split()[0]
        for line in (b_copy.repo / "acces" / "destinataires.txt").read_text().splitlines()
        if line.startswith("age1")
    ]
    (b_copy.repo / "acces" / f"{LUCIE}.age").write_bytes(_encrypt(old, recipients))
    refused = _run(b_copy, "access", LUCIE)
    assert refused.exit_code == 1 and "acces/_equipe.age introuvable" in refused.stderr
    assert "livret equipe rechiffrer --authentifier" in refused.stderr
    assert _run(b_copy, "equipe", "rechiffrer").exit_code == 1  # never without asking
    done = _run(b_copy, "equipe", "rechiffrer", "--authentifier")
    assert done.exit_code == 0, done.output
    after = json.loads(_run(b_copy, "access", LUCIE, "--json").stdout)
    assert after["passphrase"] == before["passphrase"] and after["site"] == before["site"]


def test_vouching_never_launders_an_entry_once_the_team_key_exists(
    world: World, b_copy: Consultant
) -> None:
    path = b_copy.repo / "acces" / f"{LUCIE}.age"
    path.write_bytes(_forge_old_format(LUCIE, world.recipients))
    result = _run(b_copy, "equipe", "rechiffrer", "--authentifier")
    _say_no(result, LUCIE)
