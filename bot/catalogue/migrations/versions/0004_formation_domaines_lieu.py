"""Coordinates in `formation_domaines`, indexed with the domain: (domaine, lat, lon).

The recommendation looks for a domain's rows in a box around the person; with the
coordinates next to the domain, the index finds them without reading every row of the
box (thousands in Paris or Lyon, mostly of other domains). Backfilled from `formations`.

Revision ID: 0004_formation_domaines_lieu
Revises: 0003_formation_sessions_rncp
Create Date: 2026-12-07 11:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004_formation_domaines_lieu"
down_revision: str | None = "0003_formation_sessions_rncp"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    op.add_column("formation_domaines", sa.Column("lat", sa.Float(), nullable=True))
    op.add_column("formation_domaines", sa.Column("lon", sa.Float(), nullable=True))
    formations = sa.table(
        "formations",
        sa.column("id", sa.String),
        sa.column("lat", sa.Float),
        sa.column("lon", sa.Float),
    )
    domaines = sa.table(
        "formation_domaines",
        sa.column("formation_row_id", sa.String),
        sa.column("lat", sa.Float),
        sa.column("lon", sa.Float),
    )

    def of_row(column: sa.ColumnClause) -> sa.ScalarSelect:
        return (
            sa.select(column)
            .where(formations.c.id == domaines.c.formation_row_id)
            .scalar_subquery()
        )

    op.execute(domaines.update().values(lat=of_row(formations.c.lat), lon=of_row(formations.c.lon)))
    op.create_index(
        "ix_formation_domaines_lieu",
        "formation_domaines",
        ["domaine", "lat", "lon", "formation_row_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_formation_domaines_lieu", table_name="formation_domaines")
    op.drop_column("formation_domaines", "lon")
    op.drop_column("formation_domaines", "lat")
