"""Indexed interest domains (`formation_domaines`, backfilled); (lat, lon) and a_distance
indexes.

`formation_domaines` holds one (row id, domain) pair per domain of `formations.domaines`,
so that searches filter by domain in SQL; the upgrade fills it from the rows already in
the database (a deployed catalogue keeps working without a reload).

Revision ID: 0002_formation_domaines
Revises: 0001_catalogue_initial
Create Date: 2026-11-29 01:10:15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_formation_domaines"
down_revision: str | None = "0001_catalogue_initial"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None

# Frozen copy of the models' type: JSON everywhere, JSONB on PostgreSQL.
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BATCH_SIZE = 1000


def upgrade() -> None:
    domaines = op.create_table(
        "formation_domaines",
        sa.Column("formation_row_id", sa.String(length=200), nullable=False),
        sa.Column("domaine", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["formation_row_id"], ["formations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("formation_row_id", "domaine"),
    )
    op.create_index(
        "ix_formation_domaines_domaine", "formation_domaines", ["domaine", "formation_row_id"]
    )
    op.create_index("ix_formations_lat_lon", "formations", ["lat", "lon"])
    op.create_index("ix_formations_a_distance", "formations", ["a_distance"])

    formations = sa.table(
        "formations", sa.column("id", sa.String), sa.column("domaines", JSON_TYPE)
    )
    connection = op.get_bind()
    pairs = [
        {"formation_row_id": row_id, "domaine": domaine}
        for row_id, codes in connection.execute(sa.select(formations.c.id, formations.c.domaines))
        for domaine in dict.fromkeys(codes)
    ]
    for start in range(0, len(pairs), BATCH_SIZE):
        connection.execute(sa.insert(domaines), pairs[start : start + BATCH_SIZE])


def downgrade() -> None:
    op.drop_index("ix_formations_a_distance", table_name="formations")
    op.drop_index("ix_formations_lat_lon", table_name="formations")
    op.drop_index("ix_formation_domaines_domaine", table_name="formation_domaines")
    op.drop_table("formation_domaines")
