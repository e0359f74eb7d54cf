"""`check` predicts `build`: what the build would refuse is found first, at its line.

Page titles with `<` or `>` (content/ pages and theme/libelles.yml), which the site refuses
once it is being written; and warnings that quote the text as the consultant typed it, not
Python-Markdown's internal placeholders for escaped characters.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import FIXTURES, make_repo
from livret.cli import cli

SLUG = "2026-martin-lucie"


def _run(repo: Path, *args: str) -> Result:
    env = {"LIVRET_ACCESS": str(repo.parent / "acces.json")}
    return CliRunner(env=env).invoke(cli, ["-C", str(repo), *args])


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", {SLUG: FIXTURES / "minimal"})


@pytest.mark.parametrize("title", ["Vos droits <b>", "Plus > moins", "a<b", "<script>x</script>"])
def test_a_content_title_with_angle_brackets_is_found_by_check(repo: Path, title: str) -> None:
    page = repo / "content" / "vos-droits.md"
    lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith("titre:"))
    lines[index] = f'titre: "{title}"\n'
    page.write_text("".join(lines), encoding="utf-8")
    checked = _run(repo, "check")
    assert checked.exit_code == 1
    assert f"content/vos-droits.md:{index + 1}:8: titre de page « {title} »" in checked.output
    assert "les signes < et > sont interdits" in checked.output
    built = _run(repo, "build")
    assert built.exit_code == 1
    assert f"content/vos-droits.md:{index + 1}:8:" in built.output
    assert f"dossiers/{SLUG}:" not in built.output  # never blamed on the dossier
    assert not list(repo.glob("site/*/*.html")) and not list(repo.glob("syntheses/*.pdf"))


def test_a_label_title_with_angle_brackets_is_found_by_check(repo: Path) -> None:
    labels = repo / "theme" / "libelles.yml"
    lines = labels.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith("  anime:"))
    lines[index] = "  anime: Ce qui vous anime > tout\n"
    labels.write_text("".join(lines), encoding="utf-8")
    checked = _run(repo, "check")
    assert checked.exit_code == 1
    assert f"theme/libelles.yml:{index + 1}:10: titre de page « Ce qui vous anime > tout »" in (
        checked.output
    )


# (what is written in the note, as the warning must quote it)
ESCAPED_LINKS = [
    r"\\evil.example/x",
    r"\\\\evil.example/y",
    r"\/\/evil.example/z",
    r"java\script:alert(1)",
    r"\\\evil.example",
]


@pytest.mark.parametrize("written", ESCAPED_LINKS)
def test_a_link_warning_quotes_what_was_written(repo: Path, written: str) -> None:
    note = next((repo / "dossiers" / SLUG / "notes").glob("*.md"))
    text = note.read_text(encoding="utf-8")
    line = "Voir [le site](" + written + ") pour la suite."
    note.write_text(text.rstrip("\n") + "\n\n" + line + "\n", encoding="utf-8")
    number = len(text.rstrip("\n").splitlines()) + 2
    checked = _run(repo, "check")
    assert checked.exit_code == 0, checked.output
    assert "\x02" not in checked.output and "\x03" not in checked.output
    expected = f"{note.name}:{number}:16: avertissement : lien retiré « {written} »"
    assert expected in checked.output, checked.output
