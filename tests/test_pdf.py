"""The document de synthèse: real PDFs, encrypted, read back with the passphrase."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from conftest import EXAMPLES, FIXTURES, Built, make_repo
from livret.cli import cli

CANARY = "2026-kanaslug"
SECTIONS = [
    "Document de synthèse",
    "Sommaire",
    "Circonstances du bilan",
    "Compétences et aptitudes",
    "Intérêts, valeurs, motivations",
    "Pistes explorées",
    "Projet professionnel",
    "Plan d’action",
    "Entretien de suivi",
    "Observations du ou de la bénéficiaire",  # the canary says no `genre:`: inclusive
    "Annexe — Fiche projet",
    "L6313-4",
    "CONFIDENTIEL",  # running header
]


@pytest.fixture(scope="module")
def canary(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """This module's own build: the canary dossier (the examples come from the shared build)."""
    base = tmp_path_factory.mktemp("pdf")
    repo = make_repo(base / "repo", {CANARY: FIXTURES / "canary"})
    store = base / "acces.json"
    result = CliRunner(env={"LIVRET_ACCESS": str(store)}).invoke(
        cli, ["-C", str(repo), "build", "--json"]
    )
    assert result.exit_code == 0, result.output
    booklets = {b["slug"]: b for b in json.loads(result.stdout)["booklets"]}
    access = json.loads(store.read_text())["livrets"]
    return {"repo": repo, "booklets": booklets, "access": access}


@pytest.fixture(scope="module")
def built(canary: dict[str, object], examples_built: Built) -> dict[str, object]:
    """The examples and the canary side by side: each slug with its repository."""
    repos = {slug: examples_built.repo for slug in EXAMPLES}
    booklets = {slug: dict(examples_built.manifest[slug]) for slug in EXAMPLES}
    access = {slug: {"passphrase": examples_built.passphrases[slug]} for slug in EXAMPLES}
    assert isinstance(canary["booklets"], dict) and isinstance(canary["access"], dict)
    repos[CANARY] = Path(str(canary["repo"]))
    booklets[CANARY] = canary["booklets"][CANARY]
    access[CANARY] = canary["access"][CANARY]
    return {"repos": repos, "booklets": booklets, "access": access}


def _repo(built: dict[str, object], slug: str) -> Path:
    repos = built["repos"]
    assert isinstance(repos, dict)
    return Path(repos[slug])


def _pdf(built: dict[str, object], slug: str) -> Path:
    booklets = built["booklets"]
    assert isinstance(booklets, dict)
    return _repo(built, slug) / booklets[slug]["pdf"]


def _passphrase(built: dict[str, object], slug: str) -> str:
    access = built["access"]
    assert isinstance(access, dict)
    return str(access[slug]["passphrase"])


def _text(path: Path, passphrase: str) -> str:
    result = subprocess.run(
        ["pdftotext", "-upw", passphrase, "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_manifest_names_a_pdf_inside_the_booklet(built: dict[str, object]) -> None:
    booklets = built["booklets"]
    assert isinstance(booklets, dict)
    for slug, entry in booklets.items():
        assert entry["pdf"].startswith(entry["site"]) and entry["pdf"].endswith(".pdf")
        name = Path(entry["pdf"]).stem
        assert slug not in name and len(name) >= 16
        assert _pdf(built, slug).is_file()


@pytest.mark.parametrize("slug", [*EXAMPLES, CANARY])
def test_pdf_is_aes256_r6_and_needs_the_passphrase(built: dict[str, object], slug: str) -> None:
    path = _pdf(built, slug)
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(path)
    with pikepdf.open(path, password=_passphrase(built, slug)) as pdf:
        assert pdf.is_encrypted
        info = pdf.encryption
        assert info.R == 6 and info.bits == 256
        assert str(info.stream_method).endswith("aesv3")  # AES-256
        assert str(info.string_method).endswith("aesv3")
        # Only the neutral title, for viewers (the file name is random): see encrypt_pdf.
        assert dict(pdf.docinfo) == {"/Title": "Document de synthèse"}


def test_other_passphrase_does_not_open(built: dict[str, object]) -> None:
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(_pdf(built, CANARY), password=_passphrase(built, EXAMPLES[0]))


def test_every_section_and_the_data_are_in_the_text(built: dict[str, object]) -> None:
    text = _text(_pdf(built, CANARY), _passphrase(built, CANARY))
    flat = " ".join(text.split())
    for section in SECTIONS:
        assert section in flat, section
    for token in [
        "Kanaprenom", "Kanabêta", "Kanaconsult", "KANACONV-2026-77", "Kanademande",
        "Kanaobjectif", "Kanacompetence", "Kanapreuve", "Kanavaleur", "Kanamotivation",
        "Kanaoutil", "Kanapiste retenue", "Kanaraison", "Kanaprojet", "Kanaformation",
        "Kanacondition", "Kanaobstacle", "Kanaetape", "Kanaobservation", "1 789",
    ]:  # fmt: skip
        assert token in flat, token
    # Dossier text is data: shown as written, never evaluated or interpreted as HTML.
    assert "{{ 7*7 }}" in flat and "<b>balise</b>" in flat
    assert "Kanasecret" not in flat and "Kananote" not in flat


def test_raw_bytes_hold_no_canary(built: dict[str, object]) -> None:
    raw = _pdf(built, CANARY).read_bytes()
    for token in (b"Kana", b"KANA", b"kana"):
        assert token not in raw


def test_french_characters_render_with_embedded_fonts(built: dict[str, object]) -> None:
    slug = "2026-durand-claire"
    text = _text(_pdf(built, slug), _passphrase(built, slug))
    for char in "éèàçœ€«»’":
        assert char in text, char
    fonts = subprocess.run(
        ["pdffonts", "-upw", _passphrase(built, slug), str(_pdf(built, slug))],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    names = [line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]]
    assert set(names) == {"Noto-Sans", "Noto-Sans-Bold", "Noto-Serif", "Noto-Serif-Bold"}
    for line in fonts.splitlines()[2:]:
        assert " yes " in line  # every font embedded: no fallback, no missing glyph


@pytest.mark.parametrize(
    ("slug", "low", "high"),
    [("2026-durand-claire", 10, 20), ("2026-morel-sophie", 9, 20), ("2026-benali-karim", 5, 12)],
)
def test_page_count_is_sane(built: dict[str, object], slug: str, low: int, high: int) -> None:
    with pikepdf.open(_pdf(built, slug), password=_passphrase(built, slug)) as pdf:
        assert low <= len(pdf.pages) <= high


def test_in_progress_bilan_says_so(built: dict[str, object]) -> None:
    slug = "2026-benali-karim"
    flat = " ".join(_text(_pdf(built, slug), _passphrase(built, slug)).split())
    assert "bilan en cours" in flat
    assert "en cours de construction" in flat
    assert "Annexe — Fiche projet" not in flat


def test_clear_copy_is_private_and_outside_the_site(built: dict[str, object]) -> None:
    for slug in [*EXAMPLES, CANARY]:
        copy = _repo(built, slug) / "syntheses" / f"{slug}.pdf"
        assert copy.stat().st_mode & 0o777 == 0o600
        with pikepdf.open(copy) as pdf:  # opens without password: the consultant's copy
            assert not pdf.is_encrypted
    repos = {_repo(built, slug) for slug in [*EXAMPLES, CANARY]}
    published = [p for repo in sorted(repos) for p in (repo / "site").rglob("*.pdf")]
    for path in published:
        with pytest.raises(pikepdf.PasswordError):
            pikepdf.open(path)


def test_attachments_are_encrypted_too(built: dict[str, object]) -> None:
    slug = "2026-morel-sophie"
    booklet = _pdf(built, slug).parent
    pdfs = sorted(booklet.glob("*.pdf"))
    assert len(pdfs) == 2  # the synthèse and the interest inventory
    for path in pdfs:
        with pikepdf.open(path, password=_passphrase(built, slug)) as pdf:
            assert pdf.encryption.R == 6
    assert not list(booklet.rglob("*.png")) or all(
        "assets" in p.parts for p in booklet.rglob("*.png")
    )
