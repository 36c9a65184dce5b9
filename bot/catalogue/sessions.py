"""The optional fields of a catalogue row (knowledge/SCHEMA.md): `sessions`, the planned
start and end of each session, and `rncp`, the RNCP numbers of the certifications it
prepares. Error messages are in French: they are shown to maintainers. Also a training's
sessions against today's date: the next start, or the last known one when all are past."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

RNCP_RE = re.compile(r"^RNCP[0-9]+$")
ISO_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass(frozen=True)
class PeriodeSession:
    """Planned start and end of one session, ISO dates (None = not stated)."""

    debut: str | None
    fin: str | None

    def to_dict(self) -> dict[str, str | None]:
        """The session as written in a catalogue row."""
        return {"debut": self.debut, "fin": self.fin}


def iso_date(value: object) -> bool:
    """True for an existing calendar day written AAAA-MM-JJ."""
    if not isinstance(value, str) or not ISO_DATE_RE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def check_sessions(value: object, errors: list[str]) -> tuple[PeriodeSession, ...]:
    """The `sessions` field (a list of {debut, fin}, ISO dates or null, debut <= fin);
    appends a French message to `errors` for each problem."""
    if not isinstance(value, list):
        errors.append("champ 'sessions' : type invalide (attendu liste de sessions)")
        return ()
    sessions: list[PeriodeSession] = []
    for number, item in enumerate(value, start=1):
        label = f"sessions[{number}]"
        if not isinstance(item, dict) or set(item) != {"debut", "fin"}:
            errors.append(f'\'{label}\' : objet {{"debut", "fin"}} attendu')
            continue
        bad = [key for key in ("debut", "fin") if item[key] is not None and not iso_date(item[key])]
        for key in bad:
            errors.append(
                f"'{label}.{key}' : date invalide {item[key]!r} (AAAA-MM-JJ ou null attendu)"
            )
        if bad:
            continue
        debut, fin = item["debut"], item["fin"]
        if debut is not None and fin is not None and debut > fin:
            errors.append(f"'{label}' : début {debut} après la fin {fin}")
            continue
        sessions.append(PeriodeSession(debut, fin))
    return tuple(sessions)


def check_rncp(value: object, errors: list[str]) -> tuple[str, ...]:
    """The `rncp` field (a list of `RNCP` + digits); appends French messages to `errors`."""
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        errors.append("champ 'rncp' : type invalide (attendu liste de textes)")
        return ()
    for code in value:
        if not RNCP_RE.match(code):
            errors.append(
                f"code RNCP invalide '{code}' dans 'rncp' (attendu RNCP suivi de chiffres)"
            )
    return tuple(value)


# --- against today ---------------------------------------------------------------------


@dataclass(frozen=True)
class Sessions:
    """`prochaine`: the earliest start on or after today; `derniere`: the latest known
    start, when none is to come (every known date is past)."""

    prochaine: dt.date | None
    derniere: dt.date | None


def _date_iso(value: object) -> dt.date | None:
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
    debuts = sorted(d for s in sessions if (d := _date_iso(_debut(s))) is not None)
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
