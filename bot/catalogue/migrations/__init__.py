"""Alembic migrations of the catalogue tables (run from code by `bot.catalogue.schema`).

New revision: `python -m bot.catalogue.migrations revision -m "message"` (see
docs/catalogue-migrations.md).
"""
