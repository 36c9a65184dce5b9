"""Catalogue initial: tables `formations` and `catalogue_meta`.

Same schema as the databases created by `metadata.create_all` before migrations existed:
those are stamped at this revision (see `bot.catalogue.schema.upgrade_schema`).

Revision ID: 0001_catalogue_initial
Revises:
Create Date: 2026-11-28 23:44:52
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_catalogue_initial"
down_revision: str | None = None
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None

# Frozen copy of the models' type: JSON everywhere, JSONB on PostgreSQL.
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "formations",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("formation_id", sa.String(length=200), nullable=False),
        sa.Column("intitule", sa.Text(), nullable=False),
        sa.Column("organisme", sa.Text(), nullable=True),
        sa.Column("metiers", JSON_TYPE, nullable=False),
        sa.Column("rome", JSON_TYPE, nullable=False),
        sa.Column("domaines", JSON_TYPE, nullable=False),
        sa.Column("commune", sa.String(length=200), nullable=True),
        sa.Column("code_insee", sa.String(length=10), nullable=True),
        sa.Column("code_postal", sa.String(length=10), nullable=True),
        sa.Column("departement", sa.String(length=3), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("a_distance", sa.Boolean(), nullable=False),
        sa.Column("duree_texte", sa.Text(), nullable=True),
        sa.Column("duree_mois", sa.Float(), nullable=True),
        sa.Column("cout", sa.String(length=20), nullable=False),
        sa.Column("cout_texte", sa.Text(), nullable=True),
        sa.Column("diplome_min", sa.String(length=20), nullable=True),
        sa.Column("diplome_max", sa.String(length=20), nullable=True),
        sa.Column("age_min", sa.Integer(), nullable=True),
        sa.Column("age_max", sa.Integer(), nullable=True),
        sa.Column("public_texte", sa.Text(), nullable=True),
        sa.Column("public_cible", JSON_TYPE, nullable=False),
        sa.Column("certification", sa.Text(), nullable=True),
        sa.Column("label_gen_annee", sa.Integer(), nullable=True),
        sa.Column("site", sa.Text(), nullable=True),
        sa.Column("source_nom", sa.String(length=200), nullable=False),
        sa.Column("source_reference", sa.Text(), nullable=True),
        sa.Column("source_confiance", sa.String(length=20), nullable=True),
        sa.Column("date_donnees", sa.String(length=20), nullable=False),
        sa.Column("brut", JSON_TYPE, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_formations_departement"), "formations", ["departement"])
    op.create_index(op.f("ix_formations_formation_id"), "formations", ["formation_id"])
    op.create_index(op.f("ix_formations_region"), "formations", ["region"])

    op.create_table(
        "catalogue_meta",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("files", JSON_TYPE, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("catalogue_meta")
    op.drop_index(op.f("ix_formations_region"), table_name="formations")
    op.drop_index(op.f("ix_formations_formation_id"), table_name="formations")
    op.drop_index(op.f("ix_formations_departement"), table_name="formations")
    op.drop_table("formations")
