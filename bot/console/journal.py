"""The audit log of a structure: who opened, changed, printed or exported which session,
and when. Entries are only added: nothing in the console changes or deletes one, and only
the structure's admins read them."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine

from bot.console.comptes import Compte, ConsoleError
from bot.console.models import JournalRow
from bot.statistiques.export import csv_texte

Clock = Callable[[], float]
# An account that opens the same session again within this time is logged once.
OPEN_AGAIN_SECONDS = 30 * 60
# Kept one year (then removed by `capnum donnees purger`, never from the console).
RETENTION_SECONDS = 366 * 24 * 3600
MAX_LIGNES = 5000
COLONNES = ("le", "identifiant", "action", "seance")


class Journal:
    def __init__(self, engine: Engine, clock: Clock = time.time) -> None:
        self.engine = engine
        self.clock = clock

    def ecrire(self, compte: Compte, action: str, seance_id: str | None = None) -> None:
        now = self.clock()
        with self.engine.begin() as conn:
            if action == "ouverture":
                recent = conn.scalar(
                    select(JournalRow.id).where(
                        JournalRow.compte_id == compte.id,
                        JournalRow.seance_id == seance_id,
                        JournalRow.action == "ouverture",
                        JournalRow.le > now - OPEN_AGAIN_SECONDS,
                    )
                )
                if recent is not None:
                    return
            conn.execute(
                insert(JournalRow).values(
                    structure_id=compte.structure_id,
                    compte_id=compte.id,
                    identifiant=compte.identifiant,
                    action=action,
                    seance_id=seance_id,
                    le=now,
                )
            )

    def lire(self, compte: Compte, debut: float, fin: float) -> list[dict[str, object]]:
        """The structure's entries between two times, most recent first (admins only)."""
        if not compte.admin:
            raise ConsoleError("reserve_admin", 403)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    JournalRow.le, JournalRow.identifiant, JournalRow.action, JournalRow.seance_id
                )
                .where(
                    JournalRow.structure_id == compte.structure_id,
                    JournalRow.le >= debut,
                    JournalRow.le < fin,
                )
                .order_by(JournalRow.le.desc(), JournalRow.id.desc())
                .limit(MAX_LIGNES)
            ).all()
        return [dict(zip(COLONNES, row, strict=True)) for row in rows]

    def purger(self) -> int:
        """Removes the entries older than `RETENTION_SECONDS` (the operator's retention
        command); returns how many."""
        with self.engine.begin() as conn:
            done = conn.execute(
                delete(JournalRow).where(JournalRow.le < self.clock() - RETENTION_SECONDS)
            )
            return int(done.rowcount or 0)


def en_csv(entrees: list[dict[str, object]], iso: Callable[[float], str]) -> str:
    """The entries as CSV (`COLONNES`; times as ISO 8601 with `iso`)."""
    lignes = ([iso(float(e["le"])), e["identifiant"], e["action"], e["seance"]] for e in entrees)
    return csv_texte(COLONNES, lignes)
