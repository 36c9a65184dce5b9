"""Database tables of the catalogue (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry

mapper_registry = registry()
Base = mapper_registry.generate_base()
metadata = Base.metadata

# JSON everywhere, JSONB on PostgreSQL.
JsonType = JSON().with_variant(JSONB(), "postgresql")


class FormationRow(Base):
    """One catalogue row: one training at one site (see knowledge/SCHEMA.md)."""

    __tablename__ = "formations"
    # Bounding-box searches around a point, and "in the box or at a distance" (see
    # bot.catalogue.candidats).
    __table_args__ = (
        Index("ix_formations_lat_lon", "lat", "lon"),
        Index("ix_formations_a_distance", "a_distance"),
    )

    id = Column(String(200), primary_key=True)
    formation_id = Column(String(200), nullable=False, index=True)
    intitule = Column(Text, nullable=False)
    organisme = Column(Text)
    metiers = Column(JsonType, nullable=False)
    rome = Column(JsonType, nullable=False)
    domaines = Column(JsonType, nullable=False)
    commune = Column(String(200))
    code_insee = Column(String(10))
    code_postal = Column(String(10))
    departement = Column(String(3), index=True)
    region = Column(String(100), index=True)
    lat = Column(Float)
    lon = Column(Float)
    a_distance = Column(Boolean, nullable=False)
    duree_texte = Column(Text)
    duree_mois = Column(Float)
    cout = Column(String(20), nullable=False)
    cout_texte = Column(Text)
    diplome_min = Column(String(20))
    diplome_max = Column(String(20))
    age_min = Column(Integer)
    age_max = Column(Integer)
    public_texte = Column(Text)
    public_cible = Column(JsonType, nullable=False)
    certification = Column(Text)
    label_gen_annee = Column(Integer)
    site = Column(Text)
    source_nom = Column(String(200), nullable=False)
    source_reference = Column(Text)
    source_confiance = Column(String(20))
    date_donnees = Column(String(20), nullable=False)
    brut = Column(JsonType, nullable=False)
    # Optional fields of the schema ([] when the source has none).
    sessions = Column(JsonType, nullable=False, server_default=text("'[]'"))
    rncp = Column(JsonType, nullable=False, server_default=text("'[]'"))

    def __repr__(self) -> str:
        return f"FormationRow(id={self.id!r})"


class FormationDomaineRow(Base):
    """One (catalogue row, interest domain) pair: `formations.domaines` as an indexed table,
    filled by the loader in the same transaction.

    `lat` and `lon` repeat the row's coordinates, so that the index (domain, lat, lon)
    finds a domain's rows in a box without reading the rows of other domains."""

    __tablename__ = "formation_domaines"
    __table_args__ = (
        Index("ix_formation_domaines_domaine", "domaine", "formation_row_id"),
        Index("ix_formation_domaines_lieu", "domaine", "lat", "lon", "formation_row_id"),
    )

    formation_row_id = Column(
        String(200), ForeignKey("formations.id", ondelete="CASCADE"), primary_key=True
    )
    domaine = Column(String(40), primary_key=True)
    lat = Column(Float)
    lon = Column(Float)

    def __repr__(self) -> str:
        return f"FormationDomaineRow({self.formation_row_id!r}, {self.domaine!r})"


class CatalogueMetaRow(Base):
    """Single row (id = 1) describing the loaded catalogue."""

    __tablename__ = "catalogue_meta"

    SINGLETON_ID = 1

    id = Column(Integer, primary_key=True)
    loaded_at = Column(DateTime(timezone=True), nullable=False)
    digest = Column(String(64), nullable=False)
    row_count = Column(Integer, nullable=False)
    files = Column(JsonType, nullable=False)  # [[file name, rows], ...]

    def __repr__(self) -> str:
        return f"CatalogueMetaRow(digest={self.digest!r}, row_count={self.row_count})"
