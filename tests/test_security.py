"""The privacy checks, on a real build of a dossier full of canary tokens.

What they protect is told in the README, « Ce que voit quelqu'un qui n'a pas la phrase de passe ».
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, ROOT, make_repo
from decrypt import decrypt_all
from livret.cli import cli
from livret.outputs.site import encryption_settings
from livret.project import Project
from livret.protect.access import AccessStore
from livret.verify import UnsafeBooklet, verify_booklet

CANARY = "2026-kanaslug"
# The shape of the script the encryption plugin writes in every page (only data varies).
UNLOCK_SCRIPT = (
    'var encryptcontent_id = "livret_x_1";\nvar encryptcontent_path = "index.html";\n'
    'var decryption_failure_message = "Non.";\n'
    'var encryptcontent_keystore = ["QUFB;QkJC;Q0ND"];\nvar encryptcontent_obfuscate = 0;\n'
    'const encryptcontent_event = new Event("encryptcontent_event");\n'
    "var encryptcontent_done = false;\n"
)
PUBLIC_TOKENS = [
    "Kanaprenom", "Élodie", "L'Kanabêta-Nom", "Kanaposte",
    "Kanaemployeur & Fils", "Kanaconsult Dupré", "KANACONV-2026-77", "Kanaobjet premier",
    "Kanademande", "Kanaobjectif", "Kanacompetence savoir-faire", "Kanapreuve",
    "Kanacompetence savoir-être", "Kanavaleur", "Kanamotivation", "Kanaoutil", "Kanaresume",
    "Kanapiste retenue", "Kanapiste écartée", "Kanaatout", "Kanafrein", "Kanaenquete",
    "Kanaraison", "Kanaprojet", "Kanadescription", "Kanaformation", "Kanacondition",
    "Kanaobstacle", "Kanaetape", "Kanaressource", "Kanaobservation", "Kananote titre",
    "Kananote corps",
]  # fmt: skip
PRIVATE_TOKENS = ["Kanasecret"]
THIRD_PARTIES = ["fonts.googleapis", "gstatic", "unpkg", "jsdelivr", "cdnjs", "googletagmanager"]


def _forms(token: str) -> set[str]:
    slug = re.sub(r"[^a-z0-9]+", "-", token.casefold()).strip("-")
    return {
        token,
        token.casefold(),
        slug,
        html.escape(token),
        json.dumps(token)[1:-1],
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    base = tmp_path_factory.mktemp("securite")
    repo = make_repo(
        base / "repo",
        {CANARY: FIXTURES / "canary", "2026-durand-claire": ROOT / "dossiers/2026-durand-claire"},
    )
    store_file = base / "acces.json"
    env = {"LIVRET_ACCESS": str(store_file)}
    result = CliRunner(env=env).invoke(cli, ["-C", str(repo), "build", "--json"])
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout)
    access = json.loads(store_file.read_text())["livrets"]
    return {"repo": repo, "manifest": manifest, "access": access, "store": store_file}


def _site(built: dict[str, object]) -> Path:
    return Path(str(built["repo"])) / "site"


def _booklet(built: dict[str, object], slug: str) -> Path:
    access = built["access"]
    assert isinstance(access, dict)
    return _site(built) / access[slug]["booklet_id"]


def _passphrase(built: dict[str, object], slug: str) -> str:
    access = built["access"]
    assert isinstance(access, dict)
    return str(access[slug]["passphrase"])


def test_manifest_names_each_booklet(built: dict[str, object]) -> None:
    manifest = built["manifest"]
    assert isinstance(manifest, dict)
    entries = {b["slug"]: b for b in manifest["booklets"]}
    assert set(entries) == {CANARY, "2026-durand-claire"}
    for slug, entry in entries.items():
        assert entry["status"] == "built"
        assert entry["errors"] == []
        assert entry["site"] == f"site/{_booklet(built, slug).name}/"
        assert "passphrase" not in json.dumps(entry)


def test_canary_scan_finds_nothing_in_any_published_file(built: dict[str, object]) -> None:
    files = [p for p in _site(built).rglob("*") if p.is_file()]
    assert len(files) > 20
    for path in files:
        raw = path.read_bytes().decode("utf-8", errors="replace")
        folded = raw.casefold()
        for token in PUBLIC_TOKENS + PRIVATE_TOKENS + [CANARY]:
            for form in _forms(token):
                assert form not in raw and form.casefold() not in folded, (path, form)


def test_decrypted_pages_hold_every_public_token(built: dict[str, object]) -> None:
    passphrase = _passphrase(built, CANARY)
    text = ""
    for page in sorted(_booklet(built, CANARY).glob("*.html")):
        if page.name != "404.html":
            text += "\n".join(decrypt_all(page.read_text(), passphrase))
    text = html.unescape(text)
    for token in PUBLIC_TOKENS:
        # A job title inside a sentence starts with a small letter (« kanaposte chez … »).
        forms = {token, token.replace("'", "’"), token[0].lower() + token[1:]}
        assert any(form in text for form in forms), token
    # User text is data: shown as written, never evaluated, never raw HTML.
    assert "{{ 7*7 }}" in text and "49" not in text.split("Kanademande")[1][:80]
    assert "<b>balise</b>" in text


def test_private_notes_absent_even_after_decryption(built: dict[str, object]) -> None:
    passphrase = _passphrase(built, CANARY)
    for page in _booklet(built, CANARY).glob("*.html"):
        if page.name == "404.html":
            continue
        for part in decrypt_all(page.read_text(), passphrase):
            assert "Kanasecret" not in part, page.name


def test_booklets_never_open_with_each_other_passphrase(built: dict[str, object]) -> None:
    mine = _booklet(built, CANARY) / "index.html"
    theirs = _booklet(built, "2026-durand-claire") / "index.html"
    with pytest.raises(ValueError):
        decrypt_all(mine.read_text(), _passphrase(built, "2026-durand-claire"))
    with pytest.raises(ValueError):
        decrypt_all(theirs.read_text(), _passphrase(built, CANARY))
    assert decrypt_all(theirs.read_text(), _passphrase(built, "2026-durand-claire"))


def test_head_is_neutral_on_every_page(built: dict[str, object]) -> None:
    for page in _site(built).rglob("*.html"):
        text = page.read_text()
        head = text.split("</head>")[0]
        titles = re.findall(r"<title>(.*?)</title>", head, re.S)
        assert titles in (["Livret de bilan de compétences"], ["Livrets"]), (page, titles)
        assert 'name="description"' not in head and 'name="author"' not in head
        assert not re.search(r'rel="(canonical|prev|next)"', text), page
        assert 'class="md-skip"' not in text
    assert not list(_site(built).rglob("sitemap.xml*"))
    assert (_site(built) / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"
    index = (_site(built) / "index.html").read_text()
    for slug in (CANARY, "2026-durand-claire"):
        assert _booklet(built, slug).name not in index


def test_no_third_party_anywhere(built: dict[str, object]) -> None:
    for path in _site(built).rglob("*"):
        if path.is_file():
            raw = path.read_bytes().decode("utf-8", errors="replace")
            for host in THIRD_PARTIES:
                assert host not in raw, (path, host)


def test_only_allowed_files_are_published(built: dict[str, object]) -> None:
    for path in _site(built).rglob("*"):
        if path.is_dir():
            continue
        relative = path.relative_to(_site(built)).as_posix()
        if relative in ("index.html", "robots.txt", ".livret-publication"):
            continue
        inner = relative.split("/", 1)[1]
        assert inner.endswith((".html", ".pdf")) or (
            inner.startswith("assets/") and path.suffix in (".css", ".js", ".svg", ".png")
        ), relative


def test_secrets_never_published_and_no_cache_file(built: dict[str, object]) -> None:
    repo = Path(str(built["repo"]))
    passphrases = [_passphrase(built, s) for s in (CANARY, "2026-durand-claire")]
    for path in _site(built).rglob("*"):
        if path.is_file():
            raw = path.read_bytes().decode("utf-8", errors="replace")
            assert not any(p in raw for p in passphrases), path
    assert not list(repo.rglob("encryptcontent.cache"))
    store = Path(str(built["store"]))
    assert store.stat().st_mode & 0o777 == 0o600


def test_every_page_verified_encrypted(built: dict[str, object]) -> None:
    booklet = _booklet(built, CANARY)
    pages = [p for p in booklet.glob("*.html") if p.name != "404.html"]
    assert {p.name for p in pages} >= {
        "index.html", "demarche.html", "competences.html", "ce-qui-vous-anime.html",
        "pistes.html", "projet.html", "plan-action.html", "notes.html", "documents.html",
    }  # fmt: skip
    for page in pages:
        text = page.read_text()
        assert 'id="mkdocs-encrypted-content"' in text
        assert "md-nav__link" not in text and 'class="livret-' not in text


def test_missing_keystore_is_refused(built: dict[str, object], tmp_path: Path) -> None:
    copy = tmp_path / "livret"
    shutil.copytree(_booklet(built, CANARY), copy)
    page = copy / "pistes.html"
    page.write_text(re.sub(r"var encryptcontent_keystore = \[.*?\];", "", page.read_text()))
    with pytest.raises(UnsafeBooklet, match=r"pistes\.html"):
        verify_booklet(copy, [], "x" * 20)


def test_tampered_keystore_does_not_open(built: dict[str, object]) -> None:
    text = (_booklet(built, CANARY) / "index.html").read_text()
    store = re.search(r'var encryptcontent_keystore = \["([^;]+);([^;]+);', text)
    assert store is not None
    ct = store.group(2)
    flipped = ct[:10] + ("A" if ct[10] != "A" else "B") + ct[11:]
    with pytest.raises(ValueError):
        decrypt_all(text.replace(ct, flipped), _passphrase(built, CANARY))


def test_clear_page_is_refused(tmp_path: Path) -> None:
    booklet = tmp_path / "livret"
    booklet.mkdir()
    (booklet / "index.html").write_text("<html><h2 id='x'>Bonjour Kanaprenom</h2></html>")
    with pytest.raises(UnsafeBooklet, match="non chiffrée"):
        verify_booklet(booklet, ["Kanaprenom"], "x" * 20)


def test_no_build_without_passphrase() -> None:
    with pytest.raises(Exception, match="phrase de passe"):
        encryption_settings("", "abc")


def test_access_is_stable_and_rotates(built: dict[str, object], tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"2026-martin-lucie": FIXTURES / "minimal"})
    env = {"LIVRET_ACCESS": str(tmp_path / "a.json")}
    first = CliRunner(env=env).invoke(
        cli, ["-C", str(repo), "access", "2026-martin-lucie", "--json"]
    )
    again = CliRunner(env=env).invoke(
        cli, ["-C", str(repo), "access", "2026-martin-lucie", "--json"]
    )
    assert first.exit_code == 0 and json.loads(first.stdout) == json.loads(again.stdout)
    info = json.loads(first.stdout)
    words = info["passphrase"].split("-")
    assert len(words) >= 5 and all(w.isascii() and w.isalpha() for w in words)
    assert re.fullmatch(r"site/[a-z2-7]{24}/", info["site"])
    rotated = CliRunner(env=env).invoke(
        cli, ["-C", str(repo), "access", "2026-martin-lucie", "--rotate", "--json"]
    )
    new = json.loads(rotated.stdout)
    assert new["site"] != info["site"] and new["passphrase"] != info["passphrase"]


def test_store_tracked_by_git_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"2026-martin-lucie": FIXTURES / "minimal"})
    shutil.copy(ROOT / ".gitignore", repo / ".gitignore")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    project = Project(repo)
    AccessStore(project).ensure("2026-martin-lucie")  # ignored by .gitignore: accepted
    subprocess.run(["git", "-C", str(repo), "add", "-f", ".livret/acces.json"], check=True)
    result = CliRunner().invoke(cli, ["-C", str(repo), "build"])
    assert result.exit_code == 1
    assert "suivies par git" in result.stderr
    assert not (repo / "site").exists() or not any((repo / "site").iterdir())


def test_store_not_ignored_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"2026-martin-lucie": FIXTURES / "minimal"})
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    result = CliRunner().invoke(cli, ["-C", str(repo), "access", "2026-martin-lucie"])
    assert result.exit_code == 1
    assert "n'est pas ignoré par git" in result.stderr


def test_passphrase_strength_and_length() -> None:
    from livret.protect.access import entropy_bits, wordlist

    assert entropy_bits() >= 64  # at least 64 bits against an offline guess
    assert round(entropy_bits(), 1) == 65.2
    assert len(wordlist()) == 3955
    assert wordlist() == tuple(sorted(set(wordlist())))


@pytest.mark.parametrize(
    "words",
    [
        ("a", "bb", "ccc"),
        ("abc", "defgh", "ij"),
        ("abcdef", "ghijkl", "mn"),  # six 6-letter words make 41 characters: never fit
        ("abcdefghijkl", "abcdefg", "abc"),  # only 28 of 729 fit
        ("mot", "motif", "motte", "abcdefghij", "ab"),
    ],
)
def test_entropy_bits_matches_brute_force(words: tuple[str, ...]) -> None:
    """`entropy_bits` counts the accepted passphrases exactly: check it by listing them all."""
    import itertools
    import math

    from livret.protect.access import MAX_LENGTH, WORDS, entropy_bits

    accepted = sum(
        1
        for choice in itertools.product(words, repeat=WORDS)
        if len("-".join(choice)) <= MAX_LENGTH
    )
    assert entropy_bits(words) == pytest.approx(math.log2(accepted), abs=1e-12)


def test_passphrase_draw_is_uniform_over_what_fits() -> None:
    """On a tiny list where most passphrases are too long, every one that fits comes out,
    about equally often, and nothing else does: no bias towards short words."""
    import itertools
    from collections import Counter

    from livret.protect.access import MAX_LENGTH, WORDS, _shapes, new_passphrase

    words = ("abcdefghij", "abcde", "ab")
    every = ("-".join(choice) for choice in itertools.product(words, repeat=WORDS))
    fitting = {phrase for phrase in every if len(phrase) <= MAX_LENGTH}
    assert _shapes(words)[0][-1] == len(fitting) == 159
    counts = Counter(new_passphrase(words) for _ in range(159 * 200))
    assert set(counts) == fitting
    # 200 expected each: a bias of one shape (x2 or /2) would be far outside this range.
    assert min(counts.values()) > 120
    assert max(counts.values()) < 290


def test_generated_passphrases_fit_and_use_listed_words() -> None:
    from livret.protect.access import MAX_LENGTH, WORDS, new_passphrase, wordlist

    listed = set(wordlist())
    phrases = [new_passphrase() for _ in range(10_000)]
    assert all(len(phrase) <= MAX_LENGTH for phrase in phrases)
    assert all(
        len(words := phrase.split("-")) == WORDS and set(words) <= listed for phrase in phrases
    )
    assert len(set(phrases)) == len(phrases)  # 2**64 choices: a repeat would mean a bug


def test_leak_scan_matches_whole_words_only(tmp_path: Path) -> None:
    """A random file name that happens to spell a short value is not a leak; the value is."""
    booklet = tmp_path / "livret"
    booklet.mkdir()
    page = (
        '<html><div id="mkdocs-encrypted-content">QUFB;QkJC</div>'
        "<script>" + UNLOCK_SCRIPT + "</script>"
        '<a href="zq2rivex7a.pdf">x</a></html>'
    )
    (booklet / "index.html").write_text(page)
    verify_booklet(booklet, ["Rive"], "x" * 20)  # "rive" only inside a random name
    (booklet / "index.html").write_text(page.replace("</html>", "<p>La Rive</p></html>"))
    with pytest.raises(UnsafeBooklet, match="donnée personnelle"):
        verify_booklet(booklet, ["Rive"], "x" * 20)


@pytest.mark.parametrize(
    ("path", "addition"),
    [
        (
            "material/assets/stylesheets/livret.css",
            '\n@import url("https://fonts.bunny.net/a.css");\n',
        ),
        (
            "material/main.html",
            "\n{% block libs %}"
            '<script src="https://stats.example.net/a.js"></script>{% endblock %}\n',
        ),
    ],
)
def test_any_remote_load_in_the_theme_is_refused(tmp_path: Path, path: str, addition: str) -> None:
    repo = make_repo(tmp_path / "r", {"2026-martin-lucie": FIXTURES / "minimal"})
    target = repo / "theme" / path
    target.write_text(target.read_text() + addition)
    env = {"LIVRET_ACCESS": str(tmp_path / "a.json")}
    result = CliRunner(env=env).invoke(cli, ["-C", str(repo), "build"])
    assert result.exit_code == 1
    assert "publication refusée" in result.stderr
    assert "appel à un site tiers" in result.stderr or "hors du livret" in result.stderr
    assert not [p for p in (repo / "site").iterdir() if p.is_dir()]
