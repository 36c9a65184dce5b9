"""A training's sessions against today's date (injected): the next start, or the last
known one when all are past; no state without dates."""

from __future__ import annotations

import datetime as dt

from bot.catalogue.sessions import Sessions, etat_sessions

TODAY = dt.date(2026, 12, 7)


def test_the_next_session_is_the_earliest_start_to_come() -> None:
    """Past starts are ignored when one is to come; today counts as to come."""
    sessions = [
        {"debut": "2027-03-01", "fin": "2027-09-30"},
        {"debut": "2026-09-01", "fin": "2027-02-28"},
        {"debut": "2026-12-07", "fin": None},
    ]
    assert etat_sessions(sessions, TODAY) == Sessions(prochaine=dt.date(2026, 12, 7), derniere=None)
    assert etat_sessions(sessions, dt.date(2026, 12, 8)).prochaine == dt.date(2027, 3, 1)


def test_when_every_date_is_past_the_last_one_is_kept() -> None:
    """All past: no next session, the latest start is what the card can say."""
    sessions = [{"debut": "2025-01-06"}, {"debut": "2026-01-05", "fin": "2026-06-30"}]
    assert etat_sessions(sessions, TODAY) == Sessions(prochaine=None, derniere=dt.date(2026, 1, 5))


def test_no_dates_no_state() -> None:
    """No session, or sessions without a readable start: the historical wording stays."""
    assert etat_sessions([], TODAY) is None
    assert etat_sessions([{"debut": None, "fin": "2027-01-01"}, {"debut": "mars"}], TODAY) is None
