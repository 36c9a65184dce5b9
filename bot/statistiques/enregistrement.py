"""Writing the anonymous records (`bot.statistiques.modele`).

Only coded values are written: a day, a channel, a structure, a département and its
région, an age band, a diploma, a situation, domains, counts, a training id from the
catalogue, a status. Recording never fails the conversation: the callers log and go on.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine

from bot.contract import DOMAINES
from bot.geo import Geo
from bot.recommend import Profil, Recommandation
from bot.statistiques.modele import RecordRow

Clock = Callable[[], float]
TRANCHES_AGE = ("moins_18", "18_25", "26_29", "30_44", "45_plus")
DAY = 86400
# Records older than this are removed by `capnum donnees purger`: the statistics read two
# years at most (`requetes.MAX_JOURS`).
RETENTION_DAYS = 3 * 365


def jour_de(moment: float) -> int:
    """The day (UTC) of a UNIX time, as days since 1970-01-01."""
    return int(moment // DAY)


def tranche_age(age: float | None) -> str | None:
    if age is None:
        return None
    for limite, tranche in ((18, "moins_18"), (26, "18_25"), (30, "26_29"), (45, "30_44")):
        if age < limite:
            return tranche
    return "45_plus"


def masque_domaines(codes: Iterable[str]) -> int:
    """The domains as bits (bit i: `DOMAINES[i]`); unknown codes are ignored."""
    return sum(1 << DOMAINES.index(c) for c in set(codes) if c in DOMAINES)


def domaines_du_masque(masque: int) -> list[str]:
    return [code for i, code in enumerate(DOMAINES) if masque & (1 << i)]


@dataclass
class Statistiques:
    engine: Engine
    geo: Geo
    clock: Clock = time.time

    def _lieu(self, departement: str | None) -> dict[str, str | None]:
        dep = departement if departement and self.geo.departement_name(departement) else None
        region = self.geo.region_code(self.geo.region_of_departement(dep)) if dep else None
        return {"departement": dep, "region": region}

    def _ajouter(self, rows: list[dict[str, object]]) -> None:
        if not rows:
            return
        jour = jour_de(self.clock())
        with self.engine.begin() as conn:
            conn.execute(insert(RecordRow), [{"jour": jour, "domaines": 0, **row} for row in rows])

    def purger(self) -> int:
        """Removes the records older than `RETENTION_DAYS`; returns how many."""
        with self.engine.begin() as conn:
            limite = jour_de(self.clock()) - RETENTION_DAYS
            return int(conn.execute(delete(RecordRow).where(RecordRow.jour < limite)).rowcount or 0)

    def nouvelle_seance(self, structure_id: int) -> str:
        """A session; returns the random key of its record (kept by the session while
        it lasts, to record its latest profile)."""
        cle = secrets.token_hex(16)
        self._ajouter(
            [{"type": "seance", "canal": "console", "structure_id": structure_id, "cle": cle}]
        )
        return cle

    def profil_seance(
        self, cle: str, profil: Profil, nb_dans_rayon: int, nb_proposees: int, premieres: list[str]
    ) -> None:
        """The session's latest profile and what it was proposed; the trainings at the top
        of its list are recorded as recommended once per new profile."""
        lieu = self._lieu(profil.departement)
        values = {**_profil(profil), **lieu, "nb_dans_rayon": nb_dans_rayon}
        values["nb_proposees"] = nb_proposees
        with self.engine.begin() as conn:
            seance = (RecordRow.cle == cle) & (RecordRow.type == "seance")
            found = conn.execute(select(RecordRow.structure_id).where(seance)).first()
            conn.execute(update(RecordRow).where(seance).values(**values))
        if found is not None and premieres:
            commun = {
                "canal": "console",
                "structure_id": found[0],
                **self._lieu(profil.departement),
            }
            self._ajouter([{**commun, "type": "recommandee", "formation_id": f} for f in premieres])

    def partage(self, structure_id: int, canal: str | None) -> None:
        self._ajouter([{"type": "partage", "canal": canal, "structure_id": structure_id}])

    def recherche(
        self,
        profil: Profil,
        nb_dans_rayon: int,
        nb_proposees: int,
        *,
        canal: str | None,
        structure_id: int | None = None,
    ) -> None:
        """A search (in a chat, or with a counsellor's criteria)."""
        self._ajouter(
            [
                {
                    "type": "recherche",
                    "canal": canal,
                    "structure_id": structure_id,
                    **_profil(profil),
                    **self._lieu(profil.departement),
                    "nb_dans_rayon": nb_dans_rayon,
                    "nb_proposees": nb_proposees,
                }
            ]
        )

    def nouvelle_orientation(self, structure_id: int, formation_id: str | None, statut: str) -> str:
        """A referral; returns its random key (kept by the referral to update the status)."""
        cle = secrets.token_hex(16)
        self._ajouter(
            [
                {
                    "type": "orientation",
                    "canal": "console",
                    "structure_id": structure_id,
                    "formation_id": formation_id,
                    "statut": statut,
                    "cle": cle,
                }
            ]
        )
        return cle

    def statut_orientation(self, cle: str, statut: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(RecordRow)
                .where(RecordRow.cle == cle, RecordRow.type == "orientation")
                .values(statut=statut)
            )

    def sans_solution(self, structure_id: int, motif: str, profil: Profil) -> None:
        self._ajouter(
            [
                {
                    "type": "sans_solution",
                    "canal": "console",
                    "structure_id": structure_id,
                    "statut": motif,
                    **_profil(profil),
                    **self._lieu(profil.departement),
                }
            ]
        )


def dans_le_rayon(reco: Recommandation) -> int:
    """How many eligible trainings are within the person's radius."""
    return sum(1 for r in reco.resultats if r.dans_la_zone and r.eligible)


def _profil(profil: Profil) -> dict[str, object]:
    return {
        "tranche_age": tranche_age(profil.age),
        "diplome": profil.diplome,
        "situation": profil.situation,
        "domaines": masque_domaines(profil.interets),
    }
