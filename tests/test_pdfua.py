"""Every printed document is tagged PDF/UA-1, and stays so once encrypted.

Checked with what runs here: the `pdfua` checker (the machine-checkable subset of
PDF/UA-1, on pikepdf), poppler (`pdfinfo`, `pdftotext`) and pdf.js run with node (the
reader of Firefox; `npm ci` installs it from package.json). The three example syntheses
come from the shared build, the attendance sheet and the fiche projet from this module's
own CLI runs.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from pdfua import Validator

from conftest import EXAMPLES, ROOT, Built, make_repo
from livret.cli import cli
from livret.errors import LivretError
from livret.outputs.pdf import encrypt_pdf
from livret.outputs.pdf_structure import verify_pdf_structure
from livret.outputs.pdf_tags import NEUTRAL_TITLES

PDFJS = ROOT / "tests" / "tools" / "pdfjs_structure.mjs"
# pdfua 0.1.3 cannot run this rule on a heading whose /K is an array (every heading
# WeasyPrint writes): `getattr(array, "is_integer", False)` raises ValueError, not
# AttributeError. `test_headings_have_text` checks the same thing instead.
CHECKER_BUG = {"UA-14-001": "is_integer"}


@pytest.fixture(scope="module")
def others(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The attendance sheet and a fiche projet, written by the real commands."""
    base = tmp_path_factory.mktemp("pdfua")
    repo = make_repo(base / "repo", {slug: ROOT / "dossiers" / slug for slug in EXAMPLES})
    runner = CliRunner(env={"LIVRET_ACCESS": str(base / "acces.json")})
    for args in (["emargement", "2026-durand-claire"], ["fiche", "2026-morel-sophie"]):
        result = runner.invoke(cli, ["-C", str(repo), *args])
        assert result.exit_code == 0, result.output
    return {
        "emargement": repo / "syntheses" / "emargements" / "2026-durand-claire.pdf",
        "fiche": repo / "syntheses" / "fiches" / "2026-morel-sophie-financeur.pdf",
    }


DOCUMENTS = [*EXAMPLES, "emargement", "fiche"]
TITLES = {"emargement": "Feuille d’émargement", "fiche": "Fiche projet"}


def _clear(name: str, built: Built, others: dict[str, Path]) -> Path:
    return others[name] if name in others else built.repo / "syntheses" / f"{name}.pdf"


def _elements(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    pending: list[object] = [pdf.Root.StructTreeRoot.K]
    while pending:
        node = pending.pop()
        if isinstance(node, pikepdf.Array):
            pending.extend(node)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            yield node
            pending.append(node.get("/K"))


def _marks_content(node: object) -> bool:
    if isinstance(node, int):
        return True
    if isinstance(node, pikepdf.Array):
        return any(_marks_content(kid) for kid in node)
    return isinstance(node, pikepdf.Dictionary) and _marks_content(node.get("/K"))


def _text(path: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", *args, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


# --- The checker ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", DOCUMENTS)
def test_pdfua_checker_finds_nothing(
    examples_built: Built, others: dict[str, Path], name: str
) -> None:
    report = Validator().validate(str(_clear(name, examples_built, others)))
    findings = [(f.rule_id, f.severity.name, f.message) for f in report.findings]
    assert findings == []
    skipped = {o.rule_id: o.skipped_reason for o in report.outcomes if o.skipped_reason}
    assert set(skipped) <= set(CHECKER_BUG), skipped
    assert all(CHECKER_BUG[rule] in str(reason) for rule, reason in skipped.items())


@pytest.mark.parametrize("name", DOCUMENTS)
def test_structure_of_every_document(
    examples_built: Built, others: dict[str, Path], name: str
) -> None:
    path = _clear(name, examples_built, others)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    assert re.search(r"^Tagged:\s+yes$", info.stdout, re.M), info.stdout
    with pikepdf.open(path) as pdf:
        assert str(pdf.Root.Lang) == "fr"
        assert pdf.Root.MarkInfo.Marked is True
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        title = str(pdf.open_metadata()["dc:title"])
        assert title == TITLES.get(name, "Document de synthèse")
        roles = [str(e.S) for e in _elements(pdf)]
        headings = [e for e in _elements(pdf) if re.fullmatch(r"/H[1-6]", str(e.S))]
        # What pdfua cannot check (CHECKER_BUG): no empty heading.
        assert headings and all(_marks_content(h.get("/K")) for h in headings)
        assert roles.count("/H1") == 1
        assert "/L" in roles and "/LI" in roles
        headers = [e for e in _elements(pdf) if e.S == "/TH"]
        assert all(h.A.Scope == "/Column" for h in headers)
        assert bool(headers) == ("/Table" in roles) == (name != "fiche")  # the fiche has none
        figures = [e for e in _elements(pdf) if e.S == "/Figure"]
        assert figures and all(str(f.get("/Alt", "")).strip() for f in figures)


def test_headings_of_the_synthese(examples_built: Built) -> None:
    with pikepdf.open(examples_built.repo / "syntheses" / "2026-durand-claire.pdf") as pdf:
        roles = [str(e.S) for e in _elements(pdf)]
    assert roles.count("/H2") >= 9 and "/H3" in roles  # sommaire + sections + annexe


def test_chart_alt_text_is_its_text_equivalent(examples_built: Built) -> None:
    """The `<desc>` (the sentence the pages show under the chart), not the short title."""
    with pikepdf.open(examples_built.repo / "syntheses" / "2026-durand-claire.pdf") as pdf:
        alts = [str(e.Alt) for e in _elements(pdf) if e.S == "/Figure"]
    charts = [alt for alt in alts if alt != "Logo de l'organisme"]
    assert len(charts) == 3, alts
    assert all(len(alt) > 60 for alt in charts), charts
    text = " ".join(_text(examples_built.repo / "syntheses" / "2026-durand-claire.pdf").split())
    assert all(" ".join(alt.split())[:40] in text for alt in charts)  # shown as the caption


# --- The cover and the text as extracted ------------------------------------------------------


@pytest.mark.parametrize("slug", EXAMPLES)
@pytest.mark.parametrize("mode", [(), ("-raw",)])
def test_cover_reads_in_order(examples_built: Built, slug: str, mode: tuple[str, ...]) -> None:
    """Layout order and drawing order (what pdf.js and copying follow) are the same."""
    cover = _text(examples_built.repo / "syntheses" / f"{slug}.pdf", "-l", "1", *mode)
    lines = [line.strip() for line in cover.splitlines() if line.strip()]
    assert "BILAN DE COMPÉTENCES" in lines and "Document de synthèse" in lines
    flat = " ".join(lines)
    order = ["BILAN DE COMPÉTENCES", "Document de synthèse", "Période", "Financement"]
    order += ["Document confidentiel", "L6313-4"]
    places = [flat.index(words) for words in order]
    assert places == sorted(places), flat
    if mode:  # each label is drawn just before its value
        assert re.search(r"Période (du|depuis le) \d", flat), flat


def test_sheet_and_fiche_titles_extract_as_words(others: dict[str, Path]) -> None:
    for name, path in others.items():
        lines = [line.strip() for line in _text(path, "-l", "1").splitlines()]
        assert "BILAN DE COMPÉTENCES" in lines and TITLES[name] in lines


def test_hyphenated_words_copy_whole(examples_built: Built) -> None:
    """The line-end hyphen extracts as a soft hyphen, never as U+2010 or U+002D."""
    text = _text(examples_built.repo / "syntheses" / "2026-durand-claire.pdf")
    breaks = re.findall(r"(\w+)\u00ad\n(\w+)", text)
    assert len(breaks) >= 5, text
    assert "\u2010" not in text
    assert "\u00ad" not in re.sub(r"\u00ad\n", "", text)  # only ever at the end of a line


# --- Encrypted: what survives, and what does not show --------------------------------------


@pytest.mark.parametrize("slug", EXAMPLES)
def test_encrypted_synthese_keeps_tags_title_and_language(examples_built: Built, slug: str) -> None:
    path, passphrase = examples_built.pdf(slug), examples_built.passphrases[slug]
    info = subprocess.run(
        ["pdfinfo", "-upw", passphrase, str(path)], check=True, capture_output=True, text=True
    ).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M) and "AES-256" in info
    assert re.search(r"^Title:\s+Document de synthèse$", info, re.M), info
    with pikepdf.open(path, password=passphrase) as pdf:
        assert pdf.allow.accessibility and pdf.allow.extract
        assert str(pdf.Root.Lang) == "fr" and pdf.Root.MarkInfo.Marked is True
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert str(pdf.open_metadata()["dc:title"]) == "Document de synthèse"
        assert dict(pdf.trailer.Info) == {"/Title": "Document de synthèse"}
        secrets = [str(e[k]) for e in _elements(pdf) for k in ("/Alt", "/ActualText") if k in e]
    raw = path.read_bytes()
    assert secrets
    for secret in secrets:
        for encoding in ("utf-8", "utf-16-be", "latin-1"):
            encoded = secret.encode(encoding, errors="ignore")
            assert encoded[:24] not in raw and encoded[:24].hex().encode() not in raw.lower()
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(path)


@pytest.mark.parametrize("slug", EXAMPLES)
def test_pdfjs_reads_the_structure_tree(examples_built: Built, slug: str) -> None:
    if not (ROOT / "node_modules" / "pdfjs-dist").is_dir() or shutil.which("node") is None:
        pytest.fail("pdf.js absent : lancez `npm ci` (ou `make test`, qui le fait)")
    path, passphrase = examples_built.pdf(slug), examples_built.passphrases[slug]
    seen = json.loads(
        subprocess.run(
            ["node", str(PDFJS), str(path), passphrase],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout
    )
    assert seen["marked"] is True and seen["language"] == "fr"
    assert seen["title"] == seen["xmpTitle"] == "Document de synthèse"
    pages = seen["structure"]
    assert len(pages) == seen["pages"] and all(page["tagged"] for page in pages)
    roles = [role for page in pages for role in page["roles"]]
    for role in ("Document", "H1", "H2", "H3", "L", "LI", "Table", "TH", "TD", "Figure"):
        assert role in roles, role
    assert pages[0]["roles"].index("H1") < pages[0]["roles"].index("L")  # title, then facts
    assert all(alt for page in pages for alt in page["alts"])


# --- The title the verifier lets through ----------------------------------------------------


INFO_VARIANTS = {
    "a name": {"/Title": pikepdf.String("Claire Durand")},
    "a neutral title and an author": {
        "/Title": pikepdf.String("Document de synthèse"),
        "/Author": pikepdf.String("Claire Durand"),
    },
    "a neutral title and a subject": {
        "/Title": pikepdf.String("Fiche projet"),
        "/Subject": pikepdf.String("Projet"),
    },
    "a title with a name added": {"/Title": pikepdf.String("Document de synthèse — Durand")},
    "a title in other case": {"/Title": pikepdf.String("DOCUMENT DE SYNTHÈSE")},
    "a title that is a name object": {"/Title": pikepdf.Name("/Durand")},
    "a title that is a number": {"/Title": 13},
    "keywords only": {"/Keywords": pikepdf.String("bilan")},
}


@pytest.mark.parametrize("variant", list(INFO_VARIANTS))
def test_verifier_refuses_any_other_info(examples_built: Built, variant: str) -> None:
    clear = (examples_built.repo / "syntheses" / "2026-durand-claire.pdf").read_bytes()
    passphrase = "une phrase de passe de test assez longue"
    with pikepdf.open(io.BytesIO(encrypt_pdf(clear, passphrase)), password=passphrase) as pdf:
        pdf.trailer.Info = pdf.make_indirect(pikepdf.Dictionary(INFO_VARIANTS[variant]))
        out = io.BytesIO()
        pdf.save(
            out,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            encryption=pikepdf.Encryption(user=passphrase, owner="o" * 32, R=6),
        )
    with pytest.raises(LivretError, match="/Info"):
        verify_pdf_structure(out.getvalue(), passphrase)


@pytest.mark.parametrize("title", sorted(NEUTRAL_TITLES))
def test_encrypt_keeps_only_a_neutral_title(examples_built: Built, title: str) -> None:
    clear = (examples_built.repo / "syntheses" / "2026-durand-claire.pdf").read_bytes()
    passphrase = "une phrase de passe de test assez longue"
    with pikepdf.open(io.BytesIO(clear)) as pdf:
        with pdf.open_metadata() as meta:
            meta["dc:title"] = title
        out = io.BytesIO()
        pdf.save(out)
    encrypted = encrypt_pdf(out.getvalue(), passphrase)
    verify_pdf_structure(encrypted, passphrase)
    with pikepdf.open(io.BytesIO(encrypted), password=passphrase) as pdf:
        assert dict(pdf.trailer.Info) == {"/Title": title}


def test_encrypt_drops_a_title_that_is_not_ours(examples_built: Built) -> None:
    clear = (examples_built.repo / "syntheses" / "2026-durand-claire.pdf").read_bytes()
    passphrase = "une phrase de passe de test assez longue"
    with pikepdf.open(io.BytesIO(clear)) as pdf:
        with pdf.open_metadata() as meta:
            meta["dc:title"] = "Claire Durand"
        out = io.BytesIO()
        pdf.save(out)
    with pikepdf.open(
        io.BytesIO(encrypt_pdf(out.getvalue(), passphrase)), password=passphrase
    ) as pdf:
        assert "/Info" not in pdf.trailer
