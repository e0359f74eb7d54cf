"""Session durations (`parse_duree`, and `Seance` which applies it): minutes, or a refusal.

Only the minutes and the refusal are asserted here; the French wording of a refusal is
the business of tests/test_messages.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from livret.dossier.model import Seance, parse_duree

ACCEPTED: list[tuple[Any, int]] = [
    ("2h", 120),
    ("2H", 120),
    ("1h30", 90),
    ("1h05", 65),
    ("1h5", 65),
    ("2h 30", 150),
    (" 2 h 05 ", 125),
    ("1h", 60),
    ("8h", 480),
    ("7h59", 479),
    ("90min", 90),
    ("90 min", 90),
    ("  90 MIN ", 90),
    ("1min", 1),
    ("480min", 480),
    ("1.5", 90),
    ("1,5", 90),
    ("0.25", 15),
    ("0.0166", 1),
    ("8", 480),
    (1.5, 90),
    (2, 120),
    (8, 480),
    (0.5, 30),
]

REFUSED: list[Any] = [
    # Not a duration.
    "deux heures", "abc", "", "h30", "2h30min", "1h60", "1h75", "1:30", "1h30m", "2 heures",
    "1.5h", "min", True, False, None, [], {},
    # A duration, out of bounds: more than 8 hours, or nothing at all.
    "8h01", "481min", "9", "12h", "0", "0h", "0min", "-1", "-0.5", "0.001", 0, -2, 8.5, 481 / 60,
    # Numbers no one writes, refused rather than rounded or overflowing.
    "inf", "nan", "-inf", "1e400", float("inf"), float("nan"), 10**400,
]  # fmt: skip


@pytest.mark.parametrize(("written", "minutes"), ACCEPTED)
def test_parse_duree_gives_minutes(written: Any, minutes: int) -> None:
    assert parse_duree(written) == minutes


@pytest.mark.parametrize("written", REFUSED)
def test_parse_duree_refuses(written: Any) -> None:
    with pytest.raises(ValueError):
        parse_duree(written)


def _seance(duree: Any) -> Seance:
    return Seance.model_validate(
        {"date": "2026-09-01", "phase": "investigation", "duree": duree, "modalite": "presentiel"}
    )


@pytest.mark.parametrize(("written", "minutes"), ACCEPTED)
def test_a_seance_holds_its_duration_in_minutes(written: Any, minutes: int) -> None:
    seance = _seance(written)
    assert seance.duree == minutes
    assert seance.date == dt.date(2026, 9, 1)


@pytest.mark.parametrize("written", REFUSED)
def test_a_seance_refuses_a_bad_duration(written: Any) -> None:
    with pytest.raises(ValidationError) as raised:
        _seance(written)
    assert [error["loc"] for error in raised.value.errors()] == [("duree",)]


def test_a_seance_without_duration_is_refused() -> None:
    with pytest.raises(ValidationError) as raised:
        Seance.model_validate({"date": "2026-09-01", "phase": "suivi", "modalite": "distanciel"})
    assert [(e["loc"], e["type"]) for e in raised.value.errors()] == [(("duree",), "missing")]
