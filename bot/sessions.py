"""The sessions of a training compared with today's date: the next one to start, or the
last known one when every known date is past. Dates are ISO strings ("2027-03-01") as
the catalogue stores them; a row without dates has no session state at all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Sessions:
    """`prochaine`: the earliest start on or after today; `derniere`: the latest known
    start, when none is to come (every known date is past)."""

    prochaine: dt.date | None
    derniere: dt.date | None


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _debut(session: object) -> object:
    """A session's start: a catalogue row's dict, or a record's `PeriodeSession`."""
    if isinstance(session, Mapping):
        return session.get("debut")
    return getattr(session, "debut", None)


def etat_sessions(sessions: Iterable[object], aujourdhui: dt.date) -> Sessions | None:
    """None when no session has a start date."""
    debuts = sorted(d for s in sessions if (d := _date(_debut(s))) is not None)
    if not debuts:
        return None
    a_venir = [d for d in debuts if d >= aujourdhui]
    if a_venir:
        return Sessions(prochaine=a_venir[0], derniere=None)
    return Sessions(prochaine=None, derniere=debuts[-1])


def a_venir(sessions: Iterable[object], aujourdhui: dt.date) -> bool:
    """A known session starts on or after `aujourdhui`."""
    etat = etat_sessions(sessions, aujourdhui)
    return etat is not None and etat.prochaine is not None
