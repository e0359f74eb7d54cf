"""LIVRET_IDENTITE in every form a person pastes it; no output ever holds the key.

What `livret cle` writes (comments included), the key line alone, quoted, `NAME=`-
prefixed, in lower case, with trailing blanks or CRLF, a path: accepted. A bad path, a
truncated key, two keys, a key with one letter changed: refused in French, saying what
is wrong. In every case, whatever the command prints (stdout, stderr, --json) holds no
part of the secret key in any case: messages describe the value, never quote it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyrage
import pytest
from click.testing import CliRunner, Result

from conftest import FIXTURES, make_repo
from livret.cli import cli

LUCIE = "2026-martin-lucie"
SECRET = pyrage.x25519.Identity.generate()
KEY = str(SECRET)
PUBLIC = str(SECRET.to_public())
FILE = f"# identité age de livret (clé privée : ne la partagez jamais)\n# public: {PUBLIC}\n{KEY}\n"
OTHER = str(pyrage.x25519.Identity.generate())
CHANGED = KEY[:-5] + ("Q" if KEY[-5] != "Q" else "P") + KEY[-4:]


def _forms(tmp: Path) -> dict[str, tuple[str, bool]]:
    """name -> (value of LIVRET_IDENTITE, accepted)."""
    good = tmp / "identite.txt"
    good.write_text(FILE)
    good.chmod(0o600)
    crlf = tmp / "identite-crlf.txt"
    crlf.write_bytes(FILE.replace("\n", "\r\n").encode())
    crlf.chmod(0o600)
    return {
        "file content with comments": (FILE, True),
        "one line": (KEY, True),
        "single quotes": (f"'{KEY}'", True),
        "double quotes": (f'"{KEY}"', True),
        "NAME= prefix": (f"LIVRET_IDENTITE={KEY}", True),
        "export NAME= prefix, quoted": (f'export LIVRET_IDENTITE="{KEY}"', True),
        "lower case": (KEY.lower(), True),
        "trailing spaces and CRLF": (f"  {KEY}   \r\n", True),
        "file content joined with literal \\n": (FILE.replace("\n", "\\n"), True),
        "path": (str(good), True),
        "path to a CRLF file": (str(crlf), True),
        "bad path": (str(tmp / "nulle-part" / "identite.txt"), False),
        "truncated key": (KEY[:50], False),
        "truncated key in the file content": (FILE.replace(KEY, KEY[:60]), False),
        "two keys": (f"{KEY}\n{OTHER}", False),
        "one letter changed": (CHANGED, False),
        "key and a stray line": (f"{KEY}\nbonjour", False),
    }


def _fragments(secret: str) -> set[str]:
    """Every 12-character window of the key's body, folded: none may be printed."""
    body = secret.casefold().removeprefix("age-secret-key-1")
    return {body[i : i + 12] for i in range(len(body) - 11)}


FRAGMENTS = _fragments(KEY) | _fragments(OTHER) | _fragments(CHANGED)


def _clean(result: Result) -> None:
    said = (result.stdout + result.stderr).casefold()
    assert "traceback" not in said
    leaked = [f for f in FRAGMENTS if f in said]
    assert not leaked, said


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A team repository whose only member is KEY, with Lucie's access made."""
    base = tmp_path_factory.mktemp("forms")
    root = make_repo(base / "repo", {LUCIE: FIXTURES / "minimal"})
    for args in (("equipe", "init", "--nom", "Moi"), ("access", LUCIE)):
        done = _run(root, KEY, *args)
        assert done.exit_code == 0, done.output
    return root


def _run(repo: Path, value: str, *args: str) -> Result:
    env = {"LIVRET_IDENTITE": value, "XDG_CONFIG_HOME": str(repo.parent / "config")}
    return CliRunner(env=env).invoke(cli, ["-C", str(repo), *args])


def test_eleven_and_more_forms(repo: Path, tmp_path: Path) -> None:
    forms = _forms(tmp_path)
    assert len(forms) >= 11
    for name, (value, accepted) in forms.items():
        if accepted:  # (`livret cle` would make an identity at a path that is missing)
            shown = _run(repo, value, "cle")
            _clean(shown)
            assert shown.exit_code == 0, (name, shown.output)
            assert shown.stdout.strip() == PUBLIC, name
        else:
            refused = _run(repo, value, "access", LUCIE)
            _clean(refused)
            said = refused.stderr
            assert refused.exit_code == 1, (name, refused.output)
            assert said.startswith("Erreur : ") and "LIVRET_IDENTITE" in said, (name, said)
        # The team commands and their --json print nothing secret either, accepted or not.
        for args in (("access", LUCIE, "--json"), ("doctor",)):
            result = _run(repo, value, *args)
            _clean(result)
            if args[0] == "access":
                assert result.exit_code == (0 if accepted else 1), (name, result.output)


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (KEY[:50], "tronquée"),
        (f"{KEY}\n{OTHER}", "2 identités age, une seule attendue"),
        (CHANGED, "somme de contrôle"),
        (f"{KEY}\nbonjour", "ne sont pas des commentaires"),
        ("/nulle/part/identite.txt", "/nulle/part/identite.txt : identité age introuvable"),
    ],
)
def test_what_is_wrong_is_said_plainly(repo: Path, value: str, said: str) -> None:
    result = _run(repo, value, "access", LUCIE)
    assert result.exit_code == 1 and said in result.stderr, result.stderr
    _clean(result)


def test_a_key_pasted_as_a_path_is_never_echoed(repo: Path) -> None:
    # The body of a key without its prefix looks like a file name: it is described.
    body = KEY.removeprefix("AGE-SECRET-KEY-1")
    result = _run(repo, body, "access", LUCIE, "--json")
    assert result.exit_code == 1 and "le chemin donné" in result.stderr, result.stderr
    _clean(result)
    assert json.dumps(result.stderr).casefold().count(body.casefold()[:12]) == 0
