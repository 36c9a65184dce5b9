"""The table of anonymous records behind the statistics and the map of unmet demand.

A record says that something happened on a day: a session was opened, a conversation was
shared with a structure, a search was made, a training was recommended or chosen, a
referral changed status, a counsellor found no solution. It holds no free text, no
conversation or session id, no exact age (a band) and no place below the département;
it is not erased with the conversation (docs/privacy.md says why).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, SmallInteger, String
from sqlalchemy.engine import Engine
from sqlalchemy.orm import registry

mapper_registry = registry()
Base = mapper_registry.generate_base()

# seance: a console session (updated with its latest profile while it goes on);
# partage: a conversation shared with a session; recherche: a search in a chat or in the
# console; recommandee: a training in the first page shown in a session; orientation: a
# referral (its status updated); sans_solution: "aucune solution trouvée", with why.
TYPES = ("seance", "partage", "recherche", "recommandee", "orientation", "sans_solution")


class RecordRow(Base):
    __tablename__ = "stats_evenements"
    id = Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    jour = Column(Integer, nullable=False)  # days since 1970-01-01 (UTC)
    type = Column(String(20), nullable=False)
    canal = Column(String(20))  # webchat, telegram, console...
    structure_id = Column(Integer)  # the structure whose session it belongs to, if any
    region = Column(String(3))  # INSEE codes
    departement = Column(String(3))
    tranche_age = Column(String(10))
    diplome = Column(String(20))
    situation = Column(String(20))
    domaines = Column(Integer, nullable=False, default=0)  # bit i: bot.contract.DOMAINES[i]
    nb_dans_rayon = Column(SmallInteger)  # eligible trainings within the radius
    nb_proposees = Column(SmallInteger)  # trainings proposed (alternatives included)
    formation_id = Column(String(200))
    statut = Column(String(30))  # a referral's status, or why no solution was found
    cle = Column(String(32), unique=True)  # random key of a session or referral record


Index("ix_stats_structure_jour", RecordRow.structure_id, RecordRow.jour)
Index("ix_stats_region_jour", RecordRow.region, RecordRow.jour)


def creer_tables(engine: Engine) -> None:
    """Creates the table and its indexes when missing (idempotent)."""
    Base.metadata.create_all(engine)
