"""Referrals (orientations) of a session, and "aucune solution trouvée".

A referral goes to a training of the catalogue or to another structure named in free
text, with a reason, a date and a status the counsellor updates. Both are erased with
the session's person; their anonymous records (`bot.statistiques`) are not.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.console.comptes import Compte, ConsoleError
from bot.console.models import OrientationRow, SansSolutionRow
from bot.console.seances import Seance, Seances
from bot.recommend import Profil
from bot.statistiques.enregistrement import Statistiques

logger = logging.getLogger(__name__)
Clock = Callable[[], float]
STATUTS = (
    "proposee",
    "candidature_envoyee",
    "entretien",
    "entree_formation",
    "abandon",
    "sans_suite",
)
MOTIFS = ("trop_loin", "non_eligible", "pas_de_session", "domaine_absent", "autre")
MAX_MOTIF = 500
MAX_STRUCTURE = 200


def enregistrer(action: Callable[[], Any]) -> Any:
    """Runs a write of anonymous records; a failure is logged, never raised (the
    counsellor's work is saved all the same)."""
    try:
        return action()
    except Exception as exc:
        logger.error("anonymous record failed (%s)", type(exc).__name__)
        return None


class Orientations:
    def __init__(self, seances: Seances, stats: Statistiques, clock: Clock = time.time) -> None:
        self.seances = seances
        self.stats = stats
        self.clock = clock

    def de_seance(self, seance_id: str) -> list[dict[str, Any]]:
        """The session's referrals, oldest first (the caller checked the access)."""
        with Session(self.seances.engine) as session:
            rows = session.scalars(
                select(OrientationRow)
                .where(OrientationRow.seance_id == seance_id)
                .order_by(OrientationRow.id)
            ).all()
            return [_json(r) for r in rows]

    def ajouter(self, compte: Compte, seance: Seance, body: dict[str, Any], catalogue: Any) -> None:
        formation_id = body.get("formation_id") or None
        libre = " ".join(str(body.get("structure") or "").split()) or None
        if (formation_id is None) == (libre is None):
            raise ConsoleError("orientation_cible")
        if formation_id is not None and (
            not isinstance(formation_id, str) or catalogue.get(formation_id) is None
        ):
            raise ConsoleError("formation_inconnue", 404)
        if libre is not None and len(libre) > MAX_STRUCTURE:
            raise ConsoleError("texte_trop_long")
        motif = _texte(body.get("motif"), MAX_MOTIF)
        date = _date(body.get("date"), self.clock())
        statut = body.get("statut") or "proposee"
        if statut not in STATUTS:
            raise ConsoleError("requete_invalide")
        cle = enregistrer(
            lambda: self.stats.nouvelle_orientation(compte.structure_id, formation_id, statut)
        )
        now = self.clock()
        with Session(self.seances.engine) as session, session.begin():
            session.add(
                OrientationRow(
                    seance_id=seance.id,
                    compte_id=compte.id,
                    formation_id=formation_id,
                    structure_libre=libre,
                    motif=motif,
                    date=date,
                    statut=statut,
                    stats_cle=cle,
                    cree_le=now,
                    maj_le=now,
                )
            )

    def changer_statut(self, compte: Compte, seance: Seance, body: dict[str, Any]) -> None:
        statut, orientation_id = body.get("statut"), body.get("orientation_id")
        if statut not in STATUTS or not isinstance(orientation_id, int):
            raise ConsoleError("requete_invalide")
        with Session(self.seances.engine) as session, session.begin():
            row = session.get(OrientationRow, orientation_id)
            if row is None or row.seance_id != seance.id:
                raise ConsoleError("orientation_inconnue", 404)
            row.statut, row.maj_le = statut, self.clock()
            cle = row.stats_cle
        if cle:
            enregistrer(lambda: self.stats.statut_orientation(cle, statut))

    def sans_solution(
        self, compte: Compte, seance: Seance, body: dict[str, Any], profil: Profil
    ) -> None:
        """Records "aucune solution trouvée" (motif None: withdraws it)."""
        motif = body.get("motif")
        if motif is not None and motif not in MOTIFS:
            raise ConsoleError("requete_invalide")
        commentaire = _texte(body.get("commentaire"), MAX_MOTIF)
        with Session(self.seances.engine) as session, session.begin():
            session.execute(delete(SansSolutionRow).where(SansSolutionRow.seance_id == seance.id))
            if motif is not None:
                session.add(
                    SansSolutionRow(
                        seance_id=seance.id,
                        compte_id=compte.id,
                        motif=motif,
                        commentaire=commentaire,
                        le=self.clock(),
                    )
                )
        if motif is not None:
            enregistrer(lambda: self.stats.sans_solution(compte.structure_id, motif, profil))

    def sans_solution_de(self, seance_id: str) -> dict[str, Any] | None:
        with Session(self.seances.engine) as session:
            row = session.get(SansSolutionRow, seance_id)
            if row is None:
                return None
            return {"motif": row.motif, "commentaire": row.commentaire, "le": row.le}


def _texte(value: object, limite: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ConsoleError("requete_invalide")
    value = value.strip()
    if len(value) > limite:
        raise ConsoleError("texte_trop_long")
    return value


def _date(value: object, now: float) -> str:
    if value in (None, ""):
        return dt.datetime.fromtimestamp(now).date().isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ConsoleError("date_invalide") from None


def _json(row: OrientationRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "formation_id": row.formation_id,
        "structure": row.structure_libre,
        "motif": row.motif,
        "date": row.date,
        "statut": row.statut,
        "maj_le": row.maj_le,
    }
