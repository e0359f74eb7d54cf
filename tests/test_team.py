"""The team store, as two consultants use it: two real clones of one repository, two identities.

Consultant A switches her repository to the team store and builds; B clones it and is
refused until A adds his key; then both get the same link and passphrase and rebuild the
same booklet; each adds a dossier in his own clone and git merges them without conflict;
A removes B and B is refused again. The scenario runs once (module fixture, two real
builds) and each test reads what it recorded. Every git object of both clones is then
searched for every passphrase and booklet id seen on the way.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pyrage
import pytest
from click.testing import CliRunner, Result

from conftest import FIXTURES, ROOT, make_repo
from decrypt import decrypt_all
from livret.cli import cli

LUCIE, CLAIRE, MARC = "2026-martin-lucie", "2026-durand-claire", "2026-petit-marc"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "t@example.org",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_ENV, "HOME": str(repo.parent)}
    return subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "pull.rebase=false", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@dataclass
class Consultant:
    """One machine: its clone and its identity file (outside every repository)."""

    repo: Path
    identity: Path
    config: Path
    public: str

    def run(self, *args: str, identity: str | None = None) -> Result:
        env = {
            "LIVRET_IDENTITE": identity if identity is not None else str(self.identity),
            "XDG_CONFIG_HOME": str(self.config),
            "LIVRET_ACCESS": None,
        }
        return CliRunner(env=env).invoke(cli, ["-C", str(self.repo), *args])

    def access(self, slug: str) -> dict[str, str]:
        result = self.run("access", slug, "--json")
        assert result.exit_code == 0, result.output
        info: dict[str, str] = json.loads(result.stdout)
        return info


def new_identity(folder: Path) -> tuple[Path, str, str]:
    """An identity file in `folder`, as `livret cle` writes it; its path, public key, secret."""
    folder.mkdir(parents=True)
    secret = pyrage.x25519.Identity.generate()
    path = folder / "identite.txt"
    path.write_text(f"# test\n{secret}\n")
    path.chmod(0o600)
    return path, str(secret.to_public()), str(secret)


@dataclass
class Scenario:
    a: Consultant
    b: Consultant
    a_secret: str
    seen: dict[str, Result] = field(default_factory=dict)
    access: dict[str, dict[str, str]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    secrets: set[str] = field(default_factory=set)  # every passphrase and booklet id seen
    published: dict[str, list[str]] = field(default_factory=dict)  # what site/ held, when
    decrypted: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def note(self, key: str, info: dict[str, str]) -> dict[str, str]:
        self.access[key] = info
        self.secrets |= {info["passphrase"], info["site"].split("/")[-2]}
        return info


def pages(repo: Path, info: dict[str, str]) -> dict[str, list[str]]:
    """Every page of the booklet, decrypted with its passphrase.

    The PDF's file name is drawn anew at each build (it is a capability, see security.md):
    it is the one thing two builds of the same booklet may not share.
    """
    folder = repo / info["site"]
    return {
        p.relative_to(folder).as_posix(): [
            re.sub(r"\b[a-z2-7]{16}\.pdf\b", "<pdf>", part)
            for part in decrypt_all(p.read_text(), info["passphrase"])
        ]
        for p in sorted(folder.rglob("*.html"))
        if "mkdocs-encrypted-content" in p.read_text()
    }


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    base = tmp_path_factory.mktemp("equipe")
    a_id, a_key, a_secret = new_identity(base / "machine-a")
    b_id, b_key, _ = new_identity(base / "machine-b")
    a = Consultant(base / "a", a_id, base / "machine-a" / "config", a_key)
    b = Consultant(base / "b", b_id, base / "machine-b" / "config", b_key)
    s = Scenario(a, b, a_secret)

    make_repo(a.repo, {LUCIE: FIXTURES / "minimal"})
    shutil.copy(ROOT / ".gitignore", a.repo / ".gitignore")
    git(a.repo, "init", "-q")
    commit(a.repo, "start")
    # A alone first: the clear store, then the switch keeps the same link and passphrase.
    s.note("a-clear", a.access(LUCIE))
    s.seen["init"] = a.run("equipe", "init", "--nom", "Alice Martin")
    s.note("a-team", a.access(LUCIE))
    s.seen["a-build"] = a.run("build")
    commit(a.repo, "team store")
    s.files["after-init"] = (a.repo / "acces" / f"{LUCIE}.age").read_bytes()

    # B clones and is refused; A adds him; B pulls and builds.
    git(base, "clone", "-q", str(a.repo), str(b.repo))
    s.seen["b-refused"] = b.run("build")
    site = b.repo / "site"
    s.published["b-refused"] = sorted(p.name for p in site.iterdir()) if site.is_dir() else []
    s.seen["add-b"] = a.run("equipe", "ajouter", b.public, "--nom", "Bruno Petit")
    commit(a.repo, "add Bruno")
    git(b.repo, "pull", "-q")
    s.seen["b-build"] = b.run("build")
    s.note("b-team", b.access(LUCIE))
    s.note("a-built", a.access(LUCIE))
    s.decrypted["a"] = pages(a.repo, s.access["a-built"])
    s.decrypted["b"] = pages(b.repo, s.access["b-team"])
    s.files["after-add"] = (a.repo / "acces" / f"{LUCIE}.age").read_bytes()

    # Each adds a dossier in his own clone; git merges both ways without conflict.
    shutil.copytree(FIXTURES / "minimal", a.repo / "dossiers" / CLAIRE)
    shutil.copytree(FIXTURES / "minimal", b.repo / "dossiers" / MARC)
    s.note("a-claire", a.access(CLAIRE))
    s.note("b-marc", b.access(MARC))
    commit(a.repo, "Claire")
    commit(b.repo, "Marc")
    git(a.repo, "pull", "-q", "--no-edit", str(b.repo), "main")
    git(b.repo, "pull", "-q", "--no-edit")
    s.note("a-marc", a.access(MARC))
    s.note("b-claire", b.access(CLAIRE))

    # A removes B: every file re-encrypted without his key; B pulls and is refused.
    s.seen["remove-b"] = a.run("equipe", "retirer", "bruno petit")
    s.files["after-remove"] = (a.repo / "acces" / f"{LUCIE}.age").read_bytes()
    commit(a.repo, "remove Bruno")
    git(b.repo, "pull", "-q", "--no-edit")
    s.seen["b-removed"] = b.run("access", LUCIE)
    # The identity given as the variable's value (a CI secret), not a file.
    s.seen["a-secret"] = a.run("access", LUCIE, "--json", identity=a_secret)
    # Every booklet renewed, then one dossier purged: both through the team store.
    s.seen["renew"] = a.run("equipe", "renouveler")
    s.note("a-renewed", a.access(LUCIE))
    s.seen["purge"] = a.run("purge", MARC, "--yes")
    commit(a.repo, "renewed, Marc purged")
    return s


def test_init_keeps_the_same_link_and_passphrase(scenario: Scenario) -> None:
    assert scenario.seen["init"].exit_code == 0, scenario.seen["init"].output
    assert scenario.access["a-team"] == scenario.access["a-clear"]
    assert scenario.seen["a-build"].exit_code == 0, scenario.seen["a-build"].output
    repo = scenario.a.repo
    recipients = (repo / "acces" / "destinataires.txt").read_text()
    assert f"{scenario.a.public} Alice Martin" in recipients
    # The clear store is gone; the age file is armored text.
    assert not (repo / ".livret" / "acces.json").exists()
    assert scenario.files["after-init"].startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")
    assert scenario.files["after-init"].isascii()


def test_a_colleague_not_yet_added_is_refused_in_french(scenario: Scenario) -> None:
    refused = scenario.seen["b-refused"]
    assert refused.exit_code == 1 and isinstance(refused.exception, SystemExit)
    assert "Traceback" not in refused.output
    assert scenario.b.public in refused.stderr
    assert f"livret equipe ajouter {scenario.b.public} --nom" in refused.stderr
    assert "n'en fait pas partie" in refused.stderr
    assert scenario.published["b-refused"] == []


def test_once_added_the_colleague_rebuilds_the_same_booklet(scenario: Scenario) -> None:
    assert scenario.seen["add-b"].exit_code == 0, scenario.seen["add-b"].output
    assert scenario.files["after-add"] != scenario.files["after-init"]  # re-encrypted
    built = scenario.seen["b-build"]
    assert built.exit_code == 0, built.output
    mine, theirs = scenario.access["a-built"], scenario.access["b-team"]
    assert mine == theirs and theirs["built"]
    assert mine["passphrase"] == scenario.access["a-clear"]["passphrase"]
    assert len(scenario.decrypted["a"]) > 1 and scenario.decrypted["a"] == scenario.decrypted["b"]


def test_two_consultants_adding_dossiers_merge_without_conflict(scenario: Scenario) -> None:
    # The merges in the fixture ran with check=True: no conflict. Each reads the other's.
    assert scenario.access["a-marc"] == scenario.access["b-marc"]
    assert scenario.access["b-claire"] == scenario.access["a-claire"]
    assert scenario.access["a-marc"]["passphrase"] != scenario.access["a-claire"]["passphrase"]


def test_removal_reencrypts_and_names_the_rotation(scenario: Scenario) -> None:
    removed = scenario.seen["remove-b"]
    assert removed.exit_code == 0, removed.output
    assert "« Bruno Petit » retiré" in removed.stdout
    assert "livret equipe renouveler" in removed.stdout
    assert "phrases de passe" in removed.stdout
    assert scenario.files["after-remove"] != scenario.files["after-add"]
    assert scenario.b.public not in (scenario.a.repo / "acces" / "destinataires.txt").read_text()
    refused = scenario.seen["b-removed"]
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert scenario.b.public in refused.stderr


def test_identity_given_as_the_variable_itself(scenario: Scenario) -> None:
    result = scenario.seen["a-secret"]
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["passphrase"] == scenario.access["a-team"]["passphrase"]


def test_renew_and_purge_go_through_the_team_store(scenario: Scenario) -> None:
    assert scenario.seen["renew"].exit_code == 0, scenario.seen["renew"].output
    renewed, before = scenario.access["a-renewed"], scenario.access["a-team"]
    assert renewed["passphrase"] != before["passphrase"] and renewed["site"] != before["site"]
    assert scenario.seen["purge"].exit_code == 0, scenario.seen["purge"].output
    assert not (scenario.a.repo / "acces" / f"{MARC}.age").exists()
    assert (scenario.a.repo / "acces" / f"{CLAIRE}.age").exists()


def test_no_clear_secret_in_any_committed_file_or_git_object(scenario: Scenario) -> None:
    assert len(scenario.secrets) >= 8
    for repo in (scenario.a.repo, scenario.b.repo):
        listed = git(repo, "ls-files", "-z").stdout.split("\0")
        committed = b"".join((repo / name).read_bytes() for name in listed if name)
        objects = subprocess.run(
            ["git", "-C", str(repo), "cat-file", "--batch-all-objects", "--batch"],
            capture_output=True,
            check=True,
        ).stdout
        assert len(objects) > 10_000
        for secret in scenario.secrets:
            for blob in (committed, objects):
                assert secret.encode() not in blob
                assert secret.upper().encode() not in blob


# --- hostile or broken inputs, on copies of A's repository ---------------------------------------


@pytest.fixture
def copy_a(scenario: Scenario, tmp_path: Path) -> Consultant:
    """A private copy of A's clone (same identity): a test may break it."""
    repo = tmp_path / "a"
    shutil.copytree(scenario.a.repo, repo, symlinks=True)
    return Consultant(repo, scenario.a.identity, tmp_path / "config", scenario.a.public)


def _flip(data: bytes, line: int) -> bytes:
    """One base64 character changed on `line` (2: the header's key stanza; -3: the payload)."""
    lines = data.split(b"\n")
    body = bytearray(lines[line])
    body[10] = ord("A") if body[10] != ord("A") else ord("B")
    lines[line] = bytes(body)
    return b"\n".join(lines)


NOTHING = b"-----BEGIN AGE ENCRYPTED FILE-----\n-----END AGE ENCRYPTED FILE-----\n"


TAMPERED = {
    "key stanza changed": lambda d: _flip(d, 2),
    "payload changed": lambda d: _flip(d, -3),
    "header line changed": lambda d: _flip(d, 1),
    "truncated": lambda d: d[: len(d) // 2],
    "last line dropped": lambda d: b"\n".join(d.split(b"\n")[:-3]) + b"\n",
    "not armored": lambda d: b"age-encryption.org/v1\n-> X25519 garbage\n",
    "empty": lambda d: b"",
    "random bytes": lambda d: os.urandom(400),
    "armor of nothing": lambda d: NOTHING,
    "a folder": lambda d: b"",
}


@pytest.mark.parametrize("how", sorted(TAMPERED))
def test_a_tampered_access_file_is_refused_in_french(copy_a: Consultant, how: str) -> None:
    path = copy_a.repo / "acces" / f"{LUCIE}.age"
    data = TAMPERED[how](path.read_bytes())
    if how == "a folder":
        path.unlink()
        path.mkdir()
    else:
        path.write_bytes(data)
    for command in (("access", LUCIE), ("build", CLAIRE), ("purge", CLAIRE, "--yes")):
        result = copy_a.run(*command)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        assert result.stderr.startswith(f"Erreur : acces/{LUCIE}.age : ")
        assert "abîmé ou modifié" in result.stderr or "pas un fichier ordinaire" in result.stderr
        assert "Traceback" not in result.output
    assert (copy_a.repo / "dossiers" / CLAIRE).is_dir()  # purge stopped before anything


def test_an_access_file_moved_to_another_dossier_is_refused(copy_a: Consultant) -> None:
    # A valid file for Claire renamed as Lucie's would publish Claire's booklet over hers.
    folder = copy_a.repo / "acces"
    shutil.copy(folder / f"{CLAIRE}.age", folder / f"{LUCIE}.age")
    result = copy_a.run("access", LUCIE)
    assert result.exit_code == 1 and "non authentifié" in result.stderr


def test_a_key_added_by_hand_is_refused_until_a_member_adds_it(copy_a: Consultant) -> None:
    # Anyone who can push could add their own key to the list: it is sealed by the team key.
    path, key, _ = new_identity(copy_a.repo.parent / "machine-c")
    listed = copy_a.repo / "acces" / "destinataires.txt"
    before = listed.read_text()
    listed.write_text(before + f"{key} Chloé Roux\n")  # by hand, not re-encrypted
    c = Consultant(copy_a.repo, path, copy_a.config, key)
    result = c.run("access", LUCIE)
    assert result.exit_code == 1 and "ne s'ouvre pas avec la clé de cette machine" in result.stderr
    for command in (("access", LUCIE), ("equipe", "rechiffrer"), ("build", LUCIE)):
        refused = copy_a.run(*command)
        assert refused.exit_code == 1, refused.output
        assert "acces/destinataires.txt : la liste des destinataires a été modifiée" in (
            refused.stderr + refused.stdout
        )
        assert key in refused.stderr + refused.stdout  # the key that was slipped in is named
    listed.write_text(before)
    added = copy_a.run("equipe", "ajouter", key, "--nom", "Chloé Roux")
    assert added.exit_code == 0, added.output
    assert c.access(LUCIE)["passphrase"] == copy_a.access(LUCIE)["passphrase"]


BAD_KEYS = [
    "age1xyz",
    "",
    "AGE-SECRET-KEY-1" + "Q" * 58,
    "age1" + "q" * 58,  # right shape, wrong checksum
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB",
    "age1pq1" + "q" * 60,
    " age1 ",
]


@pytest.mark.parametrize("key", BAD_KEYS)
def test_ajouter_refuses_what_is_not_an_age_key(copy_a: Consultant, key: str) -> None:
    before = (copy_a.repo / "acces" / "destinataires.txt").read_bytes()
    result = copy_a.run("equipe", "ajouter", key, "--nom", "Chloé")
    assert result.exit_code == 1 and "n'est pas une clé publique age" in result.stderr
    assert (copy_a.repo / "acces" / "destinataires.txt").read_bytes() == before


def test_ajouter_refuses_a_duplicate_name_or_key(copy_a: Consultant) -> None:
    _, key, _ = new_identity(copy_a.repo.parent / "machine-c")
    same_key = copy_a.run("equipe", "ajouter", copy_a.public, "--nom", "Autre")
    assert same_key.exit_code == 1 and "déjà celle de « Alice Martin »" in same_key.stderr
    same_name = copy_a.run("equipe", "ajouter", key, "--nom", "alice  MARTIN")
    assert same_name.exit_code == 1 and "déjà pris" in same_name.stderr
    gone = copy_a.run("equipe", "retirer", "Personne")
    assert gone.exit_code == 1 and "aucun destinataire nommé" in gone.stderr
    last = copy_a.run("equipe", "retirer", "Alice Martin")
    assert last.exit_code == 1 and "dernier destinataire" in last.stderr


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("age1xyz Chloé", "clé publique age de 7 caractères au lieu de 62"),
        ("chloe age1", "clé publique age invalide (« age1… » attendu en début de ligne)"),
        ("{key}", "nom manquant"),
        ("{key} # Chloé", "nom manquant"),
        ("{upper} Chloé", "clé publique age en majuscules"),
        ("{key} Chlo\u202ee Roux", "caractère invisible U+202E (right-to-left override)"),
        ("{key} Chloé\x07", "caractère invisible U+0007"),
        ("\u200b{key} Chloé", "caractère invisible U+200B (zero width space)"),
        ("AGE-SECRET-KEY-1QQQQ Chloé", "ceci est une clé PRIVÉE age"),
        ("{a} Chloé", "clé déjà donnée ligne 4"),
        ("{key} ALICE MARTIN", "nom déjà donné ligne 4"),
    ],
)
def test_a_hand_edited_recipients_file_is_reported_at_its_line(
    copy_a: Consultant, line: str, message: str
) -> None:
    _, key, _ = new_identity(copy_a.repo.parent / "machine-c")
    listed = copy_a.repo / "acces" / "destinataires.txt"
    assert listed.read_text().splitlines()[3].startswith(copy_a.public)
    added = line.format(key=key, a=copy_a.public, upper=key.upper())
    listed.write_text(listed.read_text() + added + "\n")
    result = copy_a.run("access", LUCIE)
    assert result.exit_code == 1
    assert re.search(rf"acces/destinataires.txt:5:\d+: {re.escape(message)}", result.stderr)
    assert "AGE-SECRET-KEY-1QQQQ" not in result.output


def test_a_bom_and_inline_comments_are_understood(copy_a: Consultant) -> None:
    listed = copy_a.repo / "acces" / "destinataires.txt"
    lines = listed.read_text().splitlines()
    lines[3] += "   # arrivée en mars"
    listed.write_text("\ufeff" + "\r\n".join(lines) + "\r\n")
    before = copy_a.access(LUCIE)
    assert before["passphrase"]
    names = copy_a.run("doctor")
    assert "arrivée" not in names.output


def test_doctor_tells_whether_this_machine_opens_the_team_store(
    scenario: Scenario, copy_a: Consultant
) -> None:
    mine = copy_a.run("doctor").output
    assert "✓ accès partagés : 2 dossier(s)" in mine
    stranger = Consultant(copy_a.repo, scenario.b.identity, copy_a.config, scenario.b.public)
    theirs = stranger.run("doctor").output
    assert "✗ accès partagés (acces/) refusés" in theirs and scenario.b.public in theirs


def test_init_twice_is_refused(copy_a: Consultant) -> None:
    result = copy_a.run("equipe", "init", "--nom", "Alice")
    assert result.exit_code == 1 and "existe déjà" in result.stderr


# --- livret cle ----------------------------------------------------------------------------------


def test_cle_makes_a_private_identity_once_outside_the_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {LUCIE: FIXTURES / "minimal"})
    config = tmp_path / "config"
    env = {"XDG_CONFIG_HOME": str(config), "LIVRET_IDENTITE": None}
    first = CliRunner(env=env).invoke(cli, ["-C", str(repo), "cle"])
    assert first.exit_code == 0, first.output
    key = first.stdout.strip()
    assert key.startswith("age1") and len(key) == 62
    made = config / "livret" / "identite-age.txt"
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert CliRunner(env=env).invoke(cli, ["-C", str(repo), "cle"]).stdout.strip() == key
    assert key not in "".join(p.read_text() for p in repo.rglob("*.yml"))
    # The identity given as the variable's value prints its own public key.
    secret = pyrage.x25519.Identity.generate()
    env["LIVRET_IDENTITE"] = str(secret)
    given = CliRunner(env=env).invoke(cli, ["-C", str(repo), "cle"])
    assert given.stdout.strip() == str(secret.to_public())
    assert str(secret) not in given.output
    # A file named by the variable: made by `livret cle`, never by a build.
    named = tmp_path / "ci" / "identite.txt"
    env["LIVRET_IDENTITE"] = str(named)
    refused = CliRunner(env=env).invoke(cli, ["-C", str(repo), "access", LUCIE])
    assert refused.exit_code == 0  # a repository alone uses the clear store: no key needed
    (repo / "acces").mkdir()
    (repo / "acces" / "destinataires.txt").write_text(f"{key} Moi\n")
    refused = CliRunner(env=env).invoke(cli, ["-C", str(repo), "access", LUCIE])
    assert refused.exit_code == 1 and "introuvable" in refused.stderr and not named.exists()
    made = CliRunner(env=env).invoke(cli, ["-C", str(repo), "cle"])
    assert made.exit_code == 0 and stat.S_IMODE(named.stat().st_mode) == 0o600


@pytest.mark.parametrize("where", ["identite.txt", ".livret/identite.txt", "dossiers/x.txt"])
def test_an_identity_inside_the_repository_is_refused(tmp_path: Path, where: str) -> None:
    repo = make_repo(tmp_path / "repo", {LUCIE: FIXTURES / "minimal"})
    env = {"XDG_CONFIG_HOME": str(repo / where), "LIVRET_IDENTITE": None}
    for variant in ({"XDG_CONFIG_HOME": str(repo / where)}, {"LIVRET_IDENTITE": str(repo / where)}):
        result = CliRunner(env={**env, **variant}).invoke(cli, ["-C", str(repo), "cle"])
        assert result.exit_code == 1 and "jamais être dans le dépôt" in result.stderr
        assert not (repo / where).exists()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "age1abc\n",
        "AGE-SECRET-KEY-1ABC\n",
        "# only a comment\n",
        "AGE-SECRET-KEY-1\nAGE-SECRET-KEY-1\n",
    ],
)
def test_a_broken_identity_is_refused_without_showing_it(tmp_path: Path, text: str) -> None:
    repo = make_repo(tmp_path / "repo", {LUCIE: FIXTURES / "minimal"})
    path = tmp_path / "id.txt"
    path.write_text(text)
    for given in (str(path), text.strip()):
        if not given.startswith("AGE-SECRET-KEY-1") and given != str(path):
            continue
        env = {"XDG_CONFIG_HOME": str(tmp_path / "c"), "LIVRET_IDENTITE": given}
        result = CliRunner(env=env).invoke(cli, ["-C", str(repo), "cle"])
        assert result.exit_code == 1 and "identit" in result.stderr, result.output
        assert "Traceback" not in result.output
