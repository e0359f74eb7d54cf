"""The provider's mkdocs.yml: what it may set, and what livret alone decides."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from livret.cli import cli


def check(repo: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["-C", str(repo), "check"])
    lines = [line for line in result.stderr.splitlines() if not line.endswith("à corriger.")]
    return result.exit_code, lines


def test_shipped_config_is_valid(minimal_repo: Path) -> None:
    assert check(minimal_repo) == (0, [])


@pytest.mark.parametrize(
    ("addition", "expected"),
    [
        ("plugins:\n  - search\n", "mkdocs.yml:{line}:1: option « plugins » interdite"),
        ("site_url: https://livrets.example.org/\n", "mkdocs.yml:{line}:1: option « site_url »"),
        ("extra_javascript: [https://cdn.example.org/x.js]\n", "option « extra_javascript »"),
        ("site_description: Livret de Claire\n", "option « site_description » interdite"),
        ("hooks: [evil.py]\n", "option « hooks » interdite"),
    ],
)
def test_weakening_options_are_refused(minimal_repo: Path, addition: str, expected: str) -> None:
    config = minimal_repo / "mkdocs.yml"
    text = config.read_text()
    line = text.count("\n") + 1
    config.write_text(text + addition)
    code, lines = check(minimal_repo)
    assert code == 1
    assert len(lines) == 1 and expected.format(line=line) in lines[0], lines


def test_theme_font_and_analytics_are_refused(minimal_repo: Path) -> None:
    config = minimal_repo / "mkdocs.yml"
    text = config.read_text()
    text = text.replace("theme:\n", "theme:\n  font:\n    text: Roboto\n")
    text = text.replace("extra:\n", "extra:\n  analytics:\n    provider: google\n")
    config.write_text(text)
    code, lines = check(minimal_repo)
    assert code == 1
    assert any("option « theme.font » interdite" in line for line in lines)
    assert any("option « extra.analytics » interdite" in line for line in lines)
    font_line = text.splitlines().index("  font:") + 1
    assert any(line.startswith(f"mkdocs.yml:{font_line}:3:") for line in lines)


def test_unknown_key_and_missing_provider(minimal_repo: Path) -> None:
    (minimal_repo / "mkdocs.yml").write_text("site_nam: Livret\nextra:\n  autre: 1\n")
    code, lines = check(minimal_repo)
    assert code == 1
    assert "mkdocs.yml:1:1: clé inconnue « site_nam » : vouliez-vous dire « site_name » ?" in lines
    assert any("prestataire" in line for line in lines)


def test_missing_logo(minimal_repo: Path) -> None:
    config = minimal_repo / "mkdocs.yml"
    config.write_text(config.read_text().replace("theme/logo.svg", "theme/absent.svg"))
    code, lines = check(minimal_repo)
    assert code == 1 and "logo introuvable" in lines[0]


def test_a_refused_config_builds_nothing(minimal_repo: Path) -> None:
    config = minimal_repo / "mkdocs.yml"
    config.write_text(config.read_text() + "plugins: [search]\n")
    result = CliRunner().invoke(cli, ["-C", str(minimal_repo), "build"])
    assert result.exit_code == 1
    assert "option « plugins » interdite" in result.stderr
    assert not (minimal_repo / "site").exists()


def test_content_page_errors_are_reported(minimal_repo: Path) -> None:
    page = minimal_repo / "content" / "ressources.md"
    page.write_text(page.read_text() + "\n![logo](https://example.org/logo.png)\n")
    code, lines = check(minimal_repo)
    assert code == 1
    last = len(page.read_text().splitlines())
    assert lines == [
        f"content/ressources.md:{last}:9: image externe interdite « https://example.org/logo.png »"
        " : elle ferait appeler un autre site par le navigateur du bénéficiaire ; placez "
        "l'image dans pieces/ et écrivez pieces/nom.png"
    ]


def test_refused_config_still_gives_a_json_manifest(minimal_repo: Path) -> None:
    import json

    config = minimal_repo / "mkdocs.yml"
    config.write_text(config.read_text() + "plugins: [search]\n")
    result = CliRunner().invoke(cli, ["-C", str(minimal_repo), "build", "--json"])
    assert result.exit_code == 1
    manifest = json.loads(result.stdout)
    assert manifest["booklets"] == [] and "plugins" in manifest["error"]
