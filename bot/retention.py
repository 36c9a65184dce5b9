"""Retention of conversations in Rasa's SQL tracker store: conversations whose last event
is older than the retention period are deleted (`capnum donnees purger`), and one
conversation can be erased on request (`capnum donnees effacer`).

Only the `events` table of Rasa's `SQLTrackerStore` holds conversation data; the
catalogue database holds none.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.config import retention_days, setting
from bot.console.service import effacer_conversation as effacer_console
from bot.console.service import service
from bot.db import engine_for

DAY_SECONDS = 86_400
_metadata = MetaData()
# The columns of Rasa's table that retention needs (rasa.core.tracker_store.SQLTrackerStore).
EVENTS = Table(
    "events",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("timestamp", Float),
)


@dataclass(frozen=True)
class PurgeReport:
    """What a purge deleted (or would delete, in a dry run)."""

    conversations: int
    events: int
    cutoff: float
    dry_run: bool


def _expired(cutoff: float):  # type: ignore[no-untyped-def]
    """Sender ids whose most recent event is older than `cutoff` (a subquery)."""
    return (
        select(EVENTS.c.sender_id)
        .group_by(EVENTS.c.sender_id)
        .having(func.max(EVENTS.c.timestamp) < cutoff)
    )


def purge(
    engine: Engine, days: int, now: float | None = None, dry_run: bool = False
) -> PurgeReport:
    """Deletes every event of the conversations inactive for more than `days` days."""
    if days < 1:
        raise ValueError("the retention period is at least one day")
    cutoff = (time.time() if now is None else now) - days * DAY_SECONDS
    expired = _expired(cutoff).subquery()
    with engine.begin() as conn:
        if not engine.dialect.has_table(conn, "events"):
            return PurgeReport(0, 0, cutoff, dry_run)
        conversations = conn.execute(select(func.count()).select_from(expired)).scalar_one()
        in_expired = EVENTS.c.sender_id.in_(select(expired.c.sender_id))
        events = conn.execute(
            select(func.count()).select_from(EVENTS).where(in_expired)
        ).scalar_one()
        if not dry_run and conversations:
            conn.execute(delete(EVENTS).where(in_expired))
    return PurgeReport(int(conversations), int(events), cutoff, dry_run)


def erase(engine: Engine, sender_id: str) -> int:
    """Deletes every event of one conversation; returns how many."""
    with engine.begin() as conn:
        if not engine.dialect.has_table(conn, "events"):
            return 0
        return int(conn.execute(delete(EVENTS).where(EVENTS.c.sender_id == sender_id)).rowcount)


def tracker_url() -> str:
    """The tracker store's database (`CAPNUM_TRACKER_URL`, as in endpoints.yml)."""
    return setting("CAPNUM_TRACKER_URL")


def register(sub: argparse._SubParsersAction) -> None:
    """`capnum donnees purger|effacer`."""
    donnees = sub.add_parser("donnees", help="données personnelles des conversations")
    donnees_sub = donnees.add_subparsers(dest="donnees_command", required=True)
    purger = donnees_sub.add_parser(
        "purger", help="efface les conversations inactives depuis plus de N jours"
    )
    purger.add_argument(
        "--jours", type=int, default=None, help="durée de conservation (CAPNUM_RETENTION_DAYS)"
    )
    purger.add_argument("--dry-run", action="store_true", help="compte sans rien effacer")
    purger.add_argument("--url", default=None, help="base des conversations (CAPNUM_TRACKER_URL)")
    purger.set_defaults(func=run_purge)
    effacer = donnees_sub.add_parser("effacer", help="efface une conversation (son identifiant)")
    effacer.add_argument("identifiant", help="identifiant de la conversation (sender id)")
    effacer.add_argument("--url", default=None, help="base des conversations (CAPNUM_TRACKER_URL)")
    effacer.set_defaults(func=run_erase)


def run_purge(args: argparse.Namespace) -> int:
    days = retention_days() if args.jours is None else args.jours
    if days < 1:
        print("ERREUR : --jours doit être un nombre de jours supérieur ou égal à 1.")
        return 2
    engine = engine_for(args.url or tracker_url())
    try:
        report = purge(engine, days, dry_run=args.dry_run)
    except SQLAlchemyError as exc:
        print(f"ERREUR : base des conversations inaccessible ({type(exc).__name__}).")
        return 1
    finally:
        engine.dispose()
    verb = "seraient effacés" if report.dry_run else "effacés"
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(report.cutoff))
    print(
        f"Conversations inactives depuis plus de {days} jours (dernier message avant {when}) : "
        f"{report.conversations} conversation(s), {report.events} événement(s) {verb}."
    )
    if not args.dry_run:
        try:
            seances = service().seances.purger(days * DAY_SECONDS)
            journal = service().journal.purger()
            statistiques = service().statistiques.purger()
        except SQLAlchemyError as exc:
            print(f"ERREUR : base de la console inaccessible ({type(exc).__name__}).")
            return 1
        print(f"Séances de la console sans activité depuis {days} jours : {seances} effacée(s).")
        print(
            f"Journal d'audit de plus d'un an : {journal} entrée(s) ; statistiques anonymes de "
            f"plus de trois ans : {statistiques} enregistrement(s) effacé(s)."
        )
    return 0


def run_erase(args: argparse.Namespace) -> int:
    engine = engine_for(args.url or tracker_url())
    try:
        count = erase(engine, args.identifiant)
        effacer_console(args.identifiant)
    except SQLAlchemyError as exc:
        print(f"ERREUR : base des conversations inaccessible ({type(exc).__name__}).")
        return 1
    finally:
        engine.dispose()
    if not count:
        print("Aucune conversation avec cet identifiant : rien à effacer.")
        return 0
    print(f"Conversation effacée : {count} événement(s) supprimé(s).")
    return 0
