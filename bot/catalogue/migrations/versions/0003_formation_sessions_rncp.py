"""Sessions (planned start and end dates) and RNCP numbers of each catalogue row.

Two JSON columns, `[]` for the rows already in the database (a deployed catalogue keeps
working without a reload; its rows simply have no session and no RNCP number).

Revision ID: 0003_formation_sessions_rncp
Revises: 0002_formation_domaines
Create Date: 2026-12-07 10:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_formation_sessions_rncp"
down_revision: str | None = "0002_formation_domaines"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None

# Frozen copy of the models' type: JSON everywhere, JSONB on PostgreSQL.
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
EMPTY_LIST = sa.text("'[]'")


def upgrade() -> None:
    op.add_column(
        "formations", sa.Column("sessions", JSON_TYPE, nullable=False, server_default=EMPTY_LIST)
    )
    op.add_column(
        "formations", sa.Column("rncp", JSON_TYPE, nullable=False, server_default=EMPTY_LIST)
    )


def downgrade() -> None:
    op.drop_column("formations", "rncp")
    op.drop_column("formations", "sessions")
