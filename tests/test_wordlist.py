"""The shipped passphrase word list: shape, order, and none of the blocked words (issue 9)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIST = ROOT / "scripts" / "livret" / "data" / "mots.txt"
BLOCKLIST = Path(__file__).parent / "data" / "mots_interdits.txt"


def _words(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_list_is_sorted_unique_and_plain() -> None:
    words = _words(LIST)
    assert words == sorted(set(words))
    assert all(re.fullmatch(r"[a-z]{3,8}", word) for word in words)
    assert "# Source : wordfreq" in LIST.read_text(encoding="utf-8")


def test_no_blocked_word_or_stem() -> None:
    blocked = _words(BLOCKLIST)
    exact = {item for item in blocked if not item.endswith("*")}
    stems = tuple(item[:-1] for item in blocked if item.endswith("*"))
    assert len(exact) + len(stems) > 300
    assert {"nazi", "cons", "mort", "cancer", "deuil", "echec", "dan"} <= exact | set(stems)
    found = [w for w in _words(LIST) if w in exact or w.startswith(stems)]
    assert found == []
