"""Handing a booklet over, and what the repository gives a consultant out of the box.

- VS Code: `.vscode/settings.json` maps the dossier files to the committed schemas; the
  mapping is checked by hand (paths, globs) and by the real `yaml-language-server`, the
  server inside the Red Hat YAML extension, when it is installed (`make test` installs it
  with npm); the examples are also validated with `jsonschema` in every case.
- git: every private path livret writes is ignored by the committed `.gitignore`, asked of
  the real `git check-ignore`.
- The public address (`extra.publication.adresse`): refused variants at their position,
  the link and both messages of `livret access`, and a real build that writes the address
  into no published file.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

from conftest import EXAMPLES, FIXTURES, ROOT, make_repo
from livret import project as names
from livret.cli import cli
from livret.project import Project
from livret.sources.frontmatter import FrontMatter, split_front_matter

SCHEMAS = ROOT / "scripts/livret/dossier/schema"
SLUG = "2026-martin-lucie"
COMMENTED = "  # publication:\n  #   adresse: https://livrets.example.org/\n"


def run(repo: Path, *args: str, store: Path | None = None) -> Result:
    env = {"LIVRET_ACCESS": str(store) if store else None}
    return CliRunner(env=env).invoke(cli, ["-C", str(repo), *args])


# --- VS Code ------------------------------------------------------------------------------------


def _settings() -> dict[str, Any]:
    return dict(json.loads((ROOT / ".vscode/settings.json").read_text(encoding="utf-8")))


def test_vscode_files_parse_and_recommend_the_yaml_extension() -> None:
    extensions = json.loads((ROOT / ".vscode/extensions.json").read_text(encoding="utf-8"))
    assert extensions["recommendations"] == ["redhat.vscode-yaml"]
    settings = _settings()
    assert settings["yaml.validate"] is True
    # No schema catalog fetched from a third party, and none of its schemas can claim a
    # dossier's file.
    assert settings["yaml.schemaStore.enable"] is False


def test_every_schema_named_exists_and_every_glob_matches_the_examples() -> None:
    mapping = _settings()["yaml.schemas"]
    assert sorted(Path(path).name for path in mapping) == [
        "bilan.schema.json",
        "synthese.schema.json",
    ]
    covered: set[Path] = set()
    for path, globs in mapping.items():
        schema = (ROOT / path).resolve()
        assert schema.is_file() and schema.parent == SCHEMAS.resolve(), path
        json.loads(schema.read_text(encoding="utf-8"))
        for pattern in globs:
            matched = set(ROOT.glob(pattern))
            assert matched, f"{pattern} ne correspond à aucun fichier"
            kind = schema.name.removesuffix(".schema.json")
            assert all(p.name == f"{kind}.yml" for p in matched), pattern
            covered |= matched
    examples = {ROOT / "dossiers" / s / f for s in EXAMPLES for f in ("bilan.yml", "synthese.yml")}
    assert covered == examples
    # A new dossier's files match too, whatever its slug.
    for pattern in (g for globs in mapping.values() for g in globs):
        assert fnmatch.fnmatch(pattern.replace("*", "2027-x-y"), pattern)


def _as_json(value: Any) -> Any:
    """YAML as JSON Schema sees it: a date is the string it was written as."""
    if isinstance(value, dict):
        return {str(k): _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _validator(kind: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.mark.parametrize("slug", EXAMPLES)
def test_examples_follow_the_committed_schemas(slug: str) -> None:
    folder = ROOT / "dossiers" / slug
    for kind in ("bilan", "synthese"):
        data = _as_json(YAML(typ="safe").load(folder / f"{kind}.yml"))
        errors = [e.message for e in _validator(kind).iter_errors(data)]
        assert errors == [], (kind, errors)
    # Note front matter: no editor validates YAML inside Markdown; livret check does, and
    # the schema it follows is committed too.
    notes = _validator("note")
    for note in sorted((folder / "notes").glob("*.md")):
        front = split_front_matter(note.read_text(encoding="utf-8"))
        assert isinstance(front, FrontMatter), note
        errors = [e.message for e in notes.iter_errors(_as_json(YAML(typ="safe").load(front.yaml)))]
        assert errors == [], (note.name, errors)


def test_the_schemas_refuse_what_check_refuses() -> None:
    """The committed schemas are not vacuous: a typo and a wrong choice are errors."""
    data = _as_json(YAML(typ="safe").load(ROOT / "dossiers" / EXAMPLES[0] / "bilan.yml"))
    data["beneficiaire"]["situatio"] = data["beneficiaire"].pop("situation")
    data["financement"]["mode"] = "gratuit"
    messages = [e.message for e in _validator("bilan").iter_errors(data)]
    assert any("situatio" in m for m in messages) and any("gratuit" in m for m in messages)


# Installed by `make test` from package.json (npm ci), or anywhere on the PATH.
YAML_SERVER = shutil.which(
    "yaml-language-server",
    path=f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ.get('PATH', '')}",
)


class LanguageServer:
    """The real yaml-language-server over stdio (JSON-RPC with Content-Length frames)."""

    def __init__(self, root: Path, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.process = subprocess.Popen(
            [str(YAML_SERVER), "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        uri = root.as_uri()
        self.send(
            id=1,
            method="initialize",
            params={
                "processId": None,
                "rootUri": uri,
                "workspaceFolders": [{"uri": uri, "name": "livret"}],
                "capabilities": {"workspace": {"configuration": True}},
            },
        )
        self.send(method="initialized", params={})
        self.send(method="workspace/didChangeConfiguration", params={"settings": settings})

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while line := stream.readline():
                if not line.strip():
                    break
                key, _, value = line.decode().partition(":")
                if key.lower() == "content-length":
                    length = int(value)
            if length is None:
                return
            self.inbox.put(json.loads(stream.read(length)))

    def send(self, **message: Any) -> None:
        data = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.process.stdin.flush()

    def diagnostics(self, documents: dict[Path, str], seconds: float = 30) -> dict[Path, list[Any]]:
        """Open each document (path -> text) and collect what the server publishes."""
        for path, text in documents.items():
            document = {"uri": path.as_uri(), "languageId": "yaml", "version": 1, "text": text}
            self.send(method="textDocument/didOpen", params={"textDocument": document})
        found: dict[str, list[Any]] = {}
        deadline = time.monotonic() + seconds
        settle: float | None = None
        while time.monotonic() < (settle or deadline):
            try:
                message = self.inbox.get(timeout=0.2)
            except queue.Empty:
                continue
            if message.get("method") == "workspace/configuration":
                items = message["params"]["items"]
                result = [self.settings.get(i.get("section"), None) for i in items]
                self.send(id=message["id"], result=result)
            elif "id" in message and "method" in message:
                self.send(id=message["id"], result=None)
            elif message.get("method") == "textDocument/publishDiagnostics":
                found[message["params"]["uri"]] = message["params"]["diagnostics"]
                if len(found) == len(documents) and settle is None:
                    settle = time.monotonic() + 1  # a second publication may follow
        return {path: found[path.as_uri()] for path in documents if path.as_uri() in found}

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.mark.skipif(
    YAML_SERVER is None,
    reason="yaml-language-server absent (make test l'installe avec npm)",
)
def test_the_real_yaml_language_server_applies_the_committed_settings() -> None:
    """What VS Code's YAML extension shows: no problem in the examples, the typo found.

    The examples' `# yaml-language-server: $schema=` first lines are blanked, so that only
    the workspace settings can bring the schemas.
    """
    raw = _settings()
    settings = {
        "yaml": {
            "schemas": raw["yaml.schemas"],
            "validate": raw["yaml.validate"],
            "schemaStore": {"enable": raw["yaml.schemaStore.enable"]},
        }
    }
    documents: dict[Path, str] = {}
    for slug in EXAMPLES:
        for kind in ("bilan", "synthese"):
            path = ROOT / "dossiers" / slug / f"{kind}.yml"
            lines = path.read_text(encoding="utf-8").splitlines()
            documents[path] = "\n".join(
                "#" if line.startswith("# yaml-language-server") else line for line in lines
            )
    # A new dossier with a typo (what the server resolves is the path, never read from disk).
    typo = ROOT / "dossiers" / "2027-essai-serveur" / "bilan.yml"
    documents[typo] = documents[ROOT / "dossiers" / EXAMPLES[0] / "bilan.yml"].replace(
        "\n  situation:", "\n  situatio:", 1
    )
    server = LanguageServer(ROOT, settings)
    try:
        found = server.diagnostics(documents)
    finally:
        server.close()
    assert set(found) == set(documents)
    typo_messages = [d["message"] for d in found.pop(typo)]
    assert any("situatio" in m for m in typo_messages), typo_messages
    assert {path.relative_to(ROOT).as_posix(): d for path, d in found.items() if d} == {}


# --- git ----------------------------------------------------------------------------------------


def test_gitignore_covers_every_private_path(tmp_path: Path) -> None:
    """Asked of the real git: each path project.py names for private data is ignored, and
    what the consultant commits is not."""
    repo = tmp_path / "depot"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    shutil.copy(ROOT / ".gitignore", repo / ".gitignore")
    project = Project(repo)
    private = [
        project.private / "acces.json",
        project.work / "x" / "index.html",
        project.lock,
        project.state_file("abc"),
        project.clear_copy(SLUG),
        project.attendance_sheet(SLUG),
        project.fiche(SLUG, "cep"),
        project.default_out / "index.html",
        project.default_out / ("a" * 24) / "index.html",
        repo / "sortie" / "index.html",
        repo / "encryptcontent.cache",
        repo / "dossiers" / SLUG / ".bilan.yml.swp",
        repo / "dossiers" / SLUG / "synthese.yml~",
        repo / "dossiers" / SLUG / "notes" / ".#entretien.md",
        repo / ".vscode" / "launch.json",
        repo / ".venv" / "bin" / "livret",
    ]
    public = [
        repo / "dossiers" / SLUG / "bilan.yml",
        repo / "dossiers" / SLUG / "notes" / "entretien.md",
        repo / "dossiers" / SLUG / "pieces" / "riasec.pdf",
        project.register,
        repo / names.CONFIG_FILE,
        repo / ".vscode" / "settings.json",
        repo / ".vscode" / "extensions.json",
        repo / ".pre-commit-config.yaml",
        repo / "theme" / "libelles.yml",
    ]
    for path in private + public:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    shown = [p.relative_to(repo).as_posix() for p in private + public]
    result = subprocess.run(
        ["git", "-C", str(repo), "check-ignore", "--no-index", *shown],
        capture_output=True,
        text=True,
    )
    ignored = set(result.stdout.split())
    assert ignored == set(shown[: len(private)])
    # Every private folder project.py names lies under an ignored folder.
    for folder in (names.PRIVATE_DIR, names.WORK_DIR, names.CLEAR_DIR, names.ATTENDANCE_DIR):
        assert any(folder == d or folder.startswith(d + "/") for d in (".livret", "syntheses"))
    assert names.FICHES_DIR.startswith(names.CLEAR_DIR + "/")


# --- the public address -------------------------------------------------------------------------


def set_address(repo: Path, value: str) -> int:
    """Write `extra.publication.adresse` into the repository's mkdocs.yml; its line."""
    config = repo / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert COMMENTED in text
    written = json.dumps(value, ensure_ascii=False)  # a YAML double-quoted string
    text = text.replace(COMMENTED, f"  publication:\n    adresse: {written}\n")
    config.write_text(text, encoding="utf-8")
    return text[: text.index("  publication:\n")].count("\n") + 2


@pytest.fixture(scope="module")
def address_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp("adresse") / "repo", {SLUG: FIXTURES / "minimal"})


REFUSED = [
    "http://livrets.example.org/",
    "HTTP://livrets.example.org/",
    "livrets.example.org",
    "//livrets.example.org/",
    "/livrets/",
    "ftp://livrets.example.org/",
    "javascript:alert(1)//livrets.example.org/",
    "java\tscript:alert(1)",
    "https://user:secret@livrets.example.org/",
    "https://user@livrets.example.org/",
    "https://livrets.example.org/?source=courriel",
    "https://livrets.example.org/#haut",
    "https://livrets.example.org/../autre/",
    "https://livrets.example.org/./",
    "https://livrets.example.org/%2e%2e/",
    "https://livrets.example.org/a b/",
    "https://livrets.example.org/é/",
    "https://livrets.exemple-é.org/",
    "https://localhost/",
    "https://-livrets.example.org/",
    "https://livrets..example.org/",
    "https://livrets.example.org:port/",
    "https://livrets.example.org/\u202e/",
    "https://livrets.example.org/\x00/",
    "https://livrets.example.org\\@autre.example.org/",
    "https://livrets.example.org/<script>/",
    "https://",
]


@pytest.mark.parametrize("value", REFUSED)
def test_a_refused_address_is_an_error_at_its_position(address_repo: Path, value: str) -> None:
    config = address_repo / "mkdocs.yml"
    original = config.read_text(encoding="utf-8")
    try:
        line = set_address(address_repo, value)
        result = run(address_repo, "check")
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith(f"mkdocs.yml:{line}:14: "), result.stderr
        assert "https://" in result.stderr.splitlines()[0]
        # livret access reports it too, before making any access.
        access = run(address_repo, "access", SLUG, store=address_repo.parent / "acces.json")
        assert access.exit_code == 1 and f"mkdocs.yml:{line}:14: " in access.stderr
        assert not (address_repo.parent / "acces.json").exists()
    finally:
        config.write_text(original, encoding="utf-8")


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("https://livrets.example.org", "https://livrets.example.org/"),
        ("https://livrets.example.org/", "https://livrets.example.org/"),
        ("HTTPS://Livrets.Example.ORG/Bilans/", "https://livrets.example.org/Bilans/"),
        ("https://example.org:8443/livrets//", "https://example.org:8443/livrets/"),
        ("https://xn--comptences-g7a.example.org/a_b~c.d-e/", None),
    ],
)
def test_an_accepted_address_is_kept_with_one_final_slash(
    address_repo: Path, value: str, kept: str | None
) -> None:
    config = address_repo / "mkdocs.yml"
    original = config.read_text(encoding="utf-8")
    store = address_repo.parent / "acces-accepte.json"
    try:
        set_address(address_repo, value)
        assert run(address_repo, "check").exit_code == 0
        result = run(address_repo, "access", SLUG, "--json", store=store)
        assert result.exit_code == 0, result.stderr
        info = json.loads(result.stdout)
        booklet = Path(info["site"]).name
        assert info["link"] == f"{kept or value}{booklet}/"
    finally:
        config.write_text(original, encoding="utf-8")


def test_without_address_access_says_where_the_booklet_is_and_how_to_set_it(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "repo", {SLUG: FIXTURES / "minimal"})
    store = tmp_path / "acces.json"
    result = run(repo, "access", SLUG, store=store)
    assert result.exit_code == 0, result.stderr
    assert "Adresse publique non réglée" in result.stdout
    assert "publication:" in result.stdout and "adresse: https://" in result.stdout
    assert "pas encore construit" in result.stdout
    assert "Message 1" not in result.stdout
    info = json.loads(run(repo, "access", SLUG, "--json", store=store).stdout)
    assert info["link"] is None and info["messages"] is None
    assert info["site"].startswith("site/") and len(info["passphrase"]) >= 16


ADDRESS = "https://canari-publication-q7x3.example.org/livrets-zq9w/"
TOKENS = ("canari-publication-q7x3", "livrets-zq9w")


@pytest.fixture(scope="module")
def built_with_address(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("publie")
    repo = make_repo(base / "repo", {SLUG: FIXTURES / "minimal"})
    set_address(repo, ADDRESS)
    store = base / "acces.json"
    build = run(repo, "build", "--json", "-j", "1", store=store)
    assert build.exit_code == 0, build.output
    access = run(repo, "access", SLUG, store=store)
    as_json = json.loads(run(repo, "access", SLUG, "--json", store=store).stdout)
    return {"repo": repo, "build": build, "access": access, "json": as_json}


def test_the_address_is_written_in_no_published_file(built_with_address: dict[str, Any]) -> None:
    site = built_with_address["repo"] / "site"
    files = [p for p in site.rglob("*") if p.is_file()]
    assert len(files) > 5
    for path in files:
        data = path.read_bytes().lower()
        for token in TOKENS:
            assert token.encode() not in data, path
    assert not any(t in built_with_address["build"].output for t in TOKENS)


def test_access_gives_the_link_and_two_messages(built_with_address: dict[str, Any]) -> None:
    info = built_with_address["json"]
    booklet = Path(info["site"]).name
    link = f"{ADDRESS}{booklet}/"
    passphrase = info["passphrase"]
    assert info["built"] is True
    assert info["link"] == link
    assert (built_with_address["repo"] / info["site"]).is_dir()
    first, second = info["messages"]["link"], info["messages"]["passphrase"]
    # Two channels: each message alone opens nothing.
    assert link in first and passphrase not in first
    assert passphrase in second and link not in second and booklet not in second
    assert "Horizons Compétences" in first  # from mkdocs.yml, signed by the provider
    assert "SMS" in first and len(second) <= 160
    text = built_with_address["access"].stdout
    assert f"lien : {link}" in text and f"phrase de passe : {passphrase}" in text
    assert text.index("Message 1") < text.index(first) < text.index("Message 2")
    assert text.index("Message 2") < text.index(second)
    assert "pas encore construit" not in text


def test_the_readme_documents_handing_over_and_publishing() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for heading in (
        "## Remettre le livret",
        "## Publier site/",
        "## Guide du consultant",
    ):
        assert heading in readme
    assert "extra.publication.adresse" in readme and "rsync" in readme
