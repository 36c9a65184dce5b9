"""Database tables of the counsellors' console (SQLite and PostgreSQL).

They live in the conversations database (`CAPNUM_CONSOLE_URL`, by default the tracker
store's `CAPNUM_TRACKER_URL`): what a session holds about a young person is conversation
data, kept and erased with the conversation. Times are UNIX seconds (floats).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    inspect,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.orm import registry

from bot.statistiques.modele import creer_tables as creer_tables_statistiques

mapper_registry = registry()
Base = mapper_registry.generate_base()
metadata = Base.metadata
JsonType = JSON().with_variant(JSONB(), "postgresql")


class StructureRow(Base):
    """A Mission locale, a France Travail agency, an association..."""

    __tablename__ = "console_structures"
    id = Column(Integer, primary_key=True)
    nom = Column(String(200), nullable=False, unique=True)
    cree_le = Column(Float, nullable=False)
    region = Column(String(3))  # INSEE code: the map of unmet demand it may read


class CompteRow(Base):
    """A counsellor's account. `mot_de_passe` is a scrypt hash, never the password."""

    __tablename__ = "console_comptes"
    id = Column(Integer, primary_key=True)
    structure_id = Column(Integer, ForeignKey("console_structures.id"), nullable=False)
    identifiant = Column(String(120), nullable=False, unique=True)
    nom = Column(String(200), nullable=False)
    role = Column(String(20), nullable=False)
    mot_de_passe = Column(String(300), nullable=False)
    echecs = Column(Integer, nullable=False, default=0)
    verrou_jusqu_a = Column(Float)
    actif = Column(Boolean, nullable=False, default=True)
    cree_le = Column(Float, nullable=False)


class ConnexionRow(Base):
    """A signed-in browser: the SHA-256 of its cookie token, and its CSRF token."""

    __tablename__ = "console_connexions"
    jeton_hash = Column(String(64), primary_key=True)
    compte_id = Column(Integer, ForeignKey("console_comptes.id"), nullable=False, index=True)
    csrf = Column(String(64), nullable=False)
    cree_le = Column(Float, nullable=False)
    vu_le = Column(Float, nullable=False)


class SeanceRow(Base):
    """A guidance session, linked (after the young person's consent) to one conversation."""

    __tablename__ = "console_seances"
    id = Column(String(32), primary_key=True)
    structure_id = Column(Integer, ForeignKey("console_structures.id"), nullable=False)
    compte_id = Column(Integer, ForeignKey("console_comptes.id"), nullable=False, index=True)
    cree_le = Column(Float, nullable=False)
    maj_le = Column(Float, nullable=False, index=True)
    statut = Column(String(20), nullable=False)  # en_cours, terminee
    mode = Column(String(20), nullable=False)  # chat, sans_telephone
    sender_id = Column(String(255), index=True)
    canal = Column(String(40))
    partage = Column(String(20), nullable=False)  # see bot.console.seances.PARTAGES
    accord_le = Column(Float)
    fin_partage_le = Column(Float)
    criteres = Column(JsonType, nullable=False)
    profil_saisi = Column(JsonType, nullable=False)
    marques = Column(JsonType, nullable=False)
    etapes = Column(Text, nullable=False, default="")
    donnees_effacees = Column(Boolean, nullable=False, default=False)
    stats_cle = Column(String(32))  # key of its anonymous record, forgotten at erasure


class CodeRow(Base):
    """A short code that links a conversation to a session (single use, 30 minutes)."""

    __tablename__ = "console_codes"
    code = Column(String(12), primary_key=True)
    seance_id = Column(String(32), ForeignKey("console_seances.id"), nullable=False, index=True)
    expire_le = Column(Float, nullable=False)
    utilise_le = Column(Float)


class NoteRow(Base):
    """A counsellor's note: private to the structure, or written for the person."""

    __tablename__ = "console_notes"
    id = Column(Integer, primary_key=True)
    seance_id = Column(String(32), ForeignKey("console_seances.id"), nullable=False, index=True)
    compte_id = Column(Integer, ForeignKey("console_comptes.id"), nullable=False)
    texte = Column(Text, nullable=False)
    visibilite = Column(String(20), nullable=False)  # structure, personne
    cree_le = Column(Float, nullable=False)


class LienFicheRow(Base):
    """A link to the summary sheet sent to the young person: SHA-256 of its token."""

    __tablename__ = "console_liens_fiche"
    jeton_hash = Column(String(64), primary_key=True)
    seance_id = Column(String(32), ForeignKey("console_seances.id"), nullable=False, index=True)
    expire_le = Column(Float, nullable=False)


class EnvoiRow(Base):
    """Messages the counsellor pushed to a web chat, until the page fetches them."""

    __tablename__ = "console_envois"
    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False, index=True)
    messages = Column(JsonType, nullable=False)
    cree_le = Column(Float, nullable=False)


class OrientationRow(Base):
    """A referral to a training of the catalogue or to another structure."""

    __tablename__ = "console_orientations"
    id = Column(Integer, primary_key=True)
    seance_id = Column(String(32), ForeignKey("console_seances.id"), nullable=False, index=True)
    compte_id = Column(Integer, ForeignKey("console_comptes.id"), nullable=False)
    formation_id = Column(String(200))
    structure_libre = Column(String(200))
    motif = Column(Text, nullable=False, default="")
    date = Column(String(10), nullable=False)  # ISO date of the referral
    statut = Column(String(30), nullable=False)
    stats_cle = Column(String(32))
    cree_le = Column(Float, nullable=False)
    maj_le = Column(Float, nullable=False)


class SansSolutionRow(Base):
    """ "Aucune solution trouvée" for a session, and why."""

    __tablename__ = "console_sans_solution"
    seance_id = Column(String(32), ForeignKey("console_seances.id"), primary_key=True)
    compte_id = Column(Integer, ForeignKey("console_comptes.id"), nullable=False)
    motif = Column(String(30), nullable=False)
    commentaire = Column(Text, nullable=False, default="")
    le = Column(Float, nullable=False)


class JournalRow(Base):
    """The audit log: who opened, changed, printed or exported which session, and when.
    Only ever inserted; the console has no way to change or delete an entry."""

    __tablename__ = "console_journal"
    id = Column(Integer, primary_key=True)
    structure_id = Column(Integer, nullable=False, index=True)
    compte_id = Column(Integer, nullable=False)
    identifiant = Column(String(120), nullable=False)  # kept if the account goes
    action = Column(String(40), nullable=False)
    seance_id = Column(String(32))
    le = Column(Float, nullable=False, index=True)


# Columns added after their table first shipped: created at start-up when missing.
_ADDED_COLUMNS = {"console_structures": ("region",), "console_seances": ("stats_cle",)}


def create_tables(engine: Engine) -> None:
    """Creates the console's and statistics' tables that do not exist yet, and the
    columns added since (idempotent)."""
    metadata.create_all(engine)
    creer_tables_statistiques(engine)
    inspector = inspect(engine)
    for table, names in _ADDED_COLUMNS.items():
        present = {c["name"] for c in inspector.get_columns(table)}
        for name in names:
            if name not in present:
                column = metadata.tables[table].c[name]
                kind = column.type.compile(dialect=engine.dialect)
                with engine.begin() as conn:
                    conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {kind}"))
