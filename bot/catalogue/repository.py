"""Catalogue repository: atomic loading, queries and an in-process cache.

Every operation opens its own `Session` (unit of work); nothing is global.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Text, cast, delete, distinct, func, insert, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.catalogue.candidats import FiltreCandidats, requete_candidats
from bot.catalogue.models import CatalogueMetaRow, FormationDomaineRow, FormationRow
from bot.catalogue.normalisation import fold
from bot.catalogue.sessions import PeriodeSession
from bot.catalogue.validation import FormationRecord, RowError, iter_validated, read_sources

logger = logging.getLogger(__name__)

#: Rows per INSERT statement when loading.
INSERT_BATCH_SIZE = 500


class CatalogueLoadError(Exception):
    """The catalogue files have invalid rows; nothing was written."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors: list[RowError] = list(errors)
        super().__init__(f"{len(self.errors)} erreur(s) dans le catalogue")


@dataclass(frozen=True)
class LoadReport:
    """Outcome of a load: rows per file, totals, digest; `loaded` is False for a dry run
    or a skipped load (`skipped` True when the digest was unchanged)."""

    files: tuple[tuple[str, int], ...]
    rows: int
    formations: int
    digest: str
    loaded: bool
    skipped: bool = False
    loaded_at: datetime | None = None


@dataclass(frozen=True)
class CatalogueMeta:
    """What `catalogue_meta` says about the loaded catalogue."""

    loaded_at: datetime
    digest: str
    row_count: int
    files: tuple[tuple[str, int], ...]


# --------------------------------------------------------------------------- tables and files


def schema_exists(engine: Engine) -> bool:
    """True when the catalogue tables exist."""
    inspector = inspect(engine)
    return all(inspector.has_table(table) for table in ("formations", "catalogue_meta"))


def catalogue_paths(catalogue_dir: Path) -> list[Path]:
    """Sorted `*.jsonl` files of a catalogue folder (`Settings.catalogue_dir`: the
    `knowledge/catalogue` files)."""
    return sorted(catalogue_dir.glob("*.jsonl"))


# --------------------------------------------------------------------------- helpers


def files_digest(sources: Iterable[tuple[str, bytes | None]]) -> str:
    """sha256 over the (name, content) pairs, independent of the order given."""
    outer = hashlib.sha256()
    for name, content in sorted(sources, key=lambda item: item[0]):
        outer.update(name.encode("utf-8") + b"\0")
        outer.update(hashlib.sha256(content).digest() if content is not None else b"missing")
    return outer.hexdigest()


def normalize_departement(code: str) -> str:
    """Canonical département code: "1" becomes "01", "2a" becomes "2A"."""
    code = code.strip().upper()
    return code.zfill(2) if code.isdigit() and len(code) == 1 else code


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _record_to_values(record: FormationRecord) -> dict[str, Any]:
    values = {column.key: getattr(record, column.key) for column in FormationRow.__table__.c}
    for key, value in values.items():
        if isinstance(value, tuple):
            values[key] = list(value)
    values["sessions"] = [session.to_dict() for session in record.sessions]
    return values


def _domain_values(records: Sequence[FormationRecord]) -> list[dict[str, Any]]:
    """The `formation_domaines` rows of these records (each domain once per row, with the
    row's coordinates)."""
    return [
        {"formation_row_id": record.id, "domaine": domaine, "lat": record.lat, "lon": record.lon}
        for record in records
        for domaine in dict.fromkeys(record.domaines)
    ]


#: JSON list columns of `formations`: tuples in the records.
_LIST_COLUMNS = ("metiers", "rome", "domaines", "public_cible", "rncp")
#: JSON columns of `formations`, read as their JSON text and decoded here (see `_to_record`).
_JSON_COLUMNS = (*_LIST_COLUMNS, "sessions", "brut")
#: What a read selects: every column of `formations`, the JSON ones as text.
_COLONNES_LUES = tuple(
    cast(column, Text).label(column.key) if column.key in _JSON_COLUMNS else column
    for column in FormationRow.__table__.c
)


#: Every field of a record (a `formations` row has exactly these columns).
_RECORD_FIELDS = frozenset(field.name for field in fields(FormationRecord))
# `_to_record` fills the fields directly: nothing may run after the dataclass's __init__.
assert not hasattr(FormationRecord, "__post_init__") and "__slots__" not in vars(FormationRecord)


@lru_cache(maxsize=16384)
def _liste(texte: str) -> tuple[Any, ...]:
    """A JSON list column's text as a tuple. Cached: the same small lists (domains, public,
    jobs...) come back on thousands of rows, and the tuples of strings are immutable."""
    return tuple(json.loads(texte))


@lru_cache(maxsize=4096)
def _sessions(texte: str) -> tuple[PeriodeSession, ...]:
    """The `sessions` column's text as frozen sessions (cached like `_liste`)."""
    return tuple(PeriodeSession(s["debut"], s["fin"]) for s in json.loads(texte))


def _to_record(row: Mapping[str, Any]) -> FormationRecord:
    """A `formations` row read with `_COLONNES_LUES` (column name → value, the JSON columns
    as text) as a record.

    A recommendation in a dense area converts thousands of rows: the list columns are
    decoded once per distinct text, `brut` with `json.loads` (no SQLAlchemy processor per
    value), and the record's fields are set at once instead of by the frozen dataclass's
    __init__ (one `object.__setattr__` per field), when the row has exactly the record's
    fields (else the __init__ says what is wrong)."""
    values = dict(row)
    for key in _LIST_COLUMNS:
        values[key] = _liste(values[key])
    values["sessions"] = _sessions(values["sessions"])
    values["brut"] = json.loads(values["brut"])
    if values.keys() != _RECORD_FIELDS:
        return FormationRecord(**values)
    record = object.__new__(FormationRecord)
    record.__dict__.update(values)
    return record


# --------------------------------------------------------------------------- repository


def check_catalogue(paths: Sequence[str | Path]) -> tuple[list[FormationRecord], LoadReport]:
    """Validate every file without touching any database (used by `--dry-run`).

    Raises `CatalogueLoadError` listing every rejected row.
    """
    sources = read_sources(paths)
    return _check_sources(sources)


def _check_sources(
    sources: list[tuple[str, bytes | None]], keep: bool = True
) -> tuple[list[FormationRecord], LoadReport]:
    """Validate every row: the records (none unless `keep`) and the report; raises
    `CatalogueLoadError` listing every rejected row."""
    if not sources:
        raise CatalogueLoadError([RowError("catalogue", 0, "aucun fichier de catalogue")])
    records: list[FormationRecord] = []
    errors: list[RowError] = []
    per_file: Counter[str] = Counter()
    formations: set[str] = set()
    for name, result in iter_validated(sources):
        if isinstance(result, RowError):
            errors.append(result)
        else:
            if keep:
                records.append(result)
            formations.add(result.formation_id)
            per_file[name] += 1
    if errors:
        raise CatalogueLoadError(errors)
    if not per_file:
        raise CatalogueLoadError([RowError("catalogue", 0, "aucune formation à charger")])
    report = LoadReport(
        files=tuple((name, per_file[name]) for name, _content in sources),
        rows=sum(per_file.values()),
        formations=len(formations),
        digest=files_digest(sources),
        loaded=False,
    )
    return records, report


def _valid_records(sources: list[tuple[str, bytes | None]]) -> Iterator[FormationRecord]:
    """The records of sources already checked by `_check_sources`, validated again one by
    one (so that a large catalogue is never held in memory)."""
    for _name, result in iter_validated(sources):
        if isinstance(result, FormationRecord):
            yield result


class Catalogue:
    """Repository over the catalogue tables; one session per operation."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ---- writes

    def load(self, paths: Sequence[str | Path]) -> LoadReport:
        """Validate all files, then replace the catalogue in one transaction."""
        sources = read_sources(paths)
        _records, report = _check_sources(sources, keep=False)
        return self._replace(sources, report)

    def load_if_changed(self, paths: Sequence[str | Path]) -> LoadReport:
        """Load only when the files' digest differs from the one in `catalogue_meta`."""
        sources = read_sources(paths)
        digest = files_digest(sources)
        meta = self.meta() if schema_exists(self.engine) else None
        if meta is not None and meta.digest == digest:
            return LoadReport(
                files=meta.files,
                rows=meta.row_count,
                formations=self._count_formations(),
                digest=digest,
                loaded=False,
                skipped=True,
                loaded_at=meta.loaded_at,
            )
        _records, report = _check_sources(sources, keep=False)
        return self._replace(sources, report)

    def _replace(self, sources: list[tuple[str, bytes | None]], report: LoadReport) -> LoadReport:
        """Replace the rows by those of the checked `sources`, inserted batch by batch."""
        from bot.catalogue.schema import upgrade_schema  # alembic is loaded only when needed

        upgrade_schema(self.engine)  # creates or migrates the tables, rows kept
        loaded_at = datetime.now(timezone.utc)
        with Session(self.engine) as session, session.begin():
            # Serialises concurrent loaders on PostgreSQL (no-op on SQLite).
            session.execute(select(CatalogueMetaRow.id).with_for_update()).all()
            # SQLite does not enforce the ON DELETE CASCADE unless asked: delete explicitly.
            session.execute(delete(FormationDomaineRow))
            session.execute(delete(FormationRow))
            # Records are made batch by batch: a large catalogue is never held in memory.
            records = _valid_records(sources)
            while batch := list(itertools.islice(records, INSERT_BATCH_SIZE)):
                session.execute(insert(FormationRow), [_record_to_values(r) for r in batch])
                session.execute(insert(FormationDomaineRow), _domain_values(batch))
            session.merge(
                CatalogueMetaRow(
                    id=CatalogueMetaRow.SINGLETON_ID,
                    loaded_at=loaded_at,
                    digest=report.digest,
                    row_count=report.rows,
                    files=[list(item) for item in report.files],
                )
            )
        with self.engine.begin() as connection:
            # Fresh planner statistics, so that the searches pick the right index.
            for table in (FormationRow.__tablename__, FormationDomaineRow.__tablename__):
                connection.execute(text(f"ANALYZE {table}"))
        logger.info("catalogue loaded: %d rows, digest %s", report.rows, report.digest[:12])
        return LoadReport(
            files=report.files,
            rows=report.rows,
            formations=report.formations,
            digest=report.digest,
            loaded=True,
            loaded_at=loaded_at,
        )

    # ---- reads

    def meta(self) -> CatalogueMeta | None:
        """The `catalogue_meta` row, or None before the first load."""
        with Session(self.engine) as session:
            row = session.get(CatalogueMetaRow, CatalogueMetaRow.SINGLETON_ID)
            if row is None:
                return None
            return CatalogueMeta(
                loaded_at=_utc(row.loaded_at),
                digest=row.digest,
                row_count=row.row_count,
                files=tuple((str(name), int(rows)) for name, rows in row.files),
            )

    def all(self) -> list[FormationRecord]:
        """Every row, ordered by id."""
        return self.candidats(FiltreCandidats())

    def get(self, formation_id: str) -> FormationRecord | None:
        """The row with this `id`, or None."""
        stmt = select(*_COLONNES_LUES).where(FormationRow.id == formation_id)
        with Session(self.engine) as session:
            row = session.execute(stmt).mappings().first()
            return _to_record(row) if row is not None else None

    def candidats(self, filtre: FiltreCandidats) -> list[FormationRecord]:
        """Rows matching the filter, in its order (see `bot.catalogue.candidats`)."""
        with Session(self.engine) as session:
            return [
                _to_record(row)
                for row in session.execute(
                    requete_candidats(filtre).with_only_columns(*_COLONNES_LUES)
                ).mappings()
            ]

    def search(
        self,
        domaine: str | None = None,
        departement: str | None = None,
        region: str | None = None,
        text: str | None = None,
    ) -> list[FormationRecord]:
        """Rows matching every given filter; `region` and `text` ignore case and accents,
        `text` words must all appear in the title, organisation, jobs or commune.

        Domain, département and région are SQL conditions; the words are then looked for
        in the rows they keep."""
        filtre = FiltreCandidats(
            domaines=(domaine,) if domaine else None,
            departement=normalize_departement(departement) if departement else None,
            regions=self._regions_named(region) if region else None,
        )
        records = self.candidats(filtre)
        if text:
            words = fold(text).split()
            records = [r for r in records if all(word in _haystack(r) for word in words)]
        return records

    def _regions_named(self, region: str) -> tuple[str, ...]:
        """The région names of the catalogue equal to `region` up to case and accents."""
        wanted = fold(region)
        stmt = select(distinct(FormationRow.region)).where(FormationRow.region.is_not(None))
        with Session(self.engine) as session:
            return tuple(name for name in session.scalars(stmt) if fold(name) == wanted)

    def stats(self) -> dict[str, Any]:
        """Counts: rows, distinct trainings, distance rows, per région/domain/source/year."""
        with Session(self.engine) as session:
            rows = session.scalar(select(func.count()).select_from(FormationRow)) or 0
            formations = session.scalar(
                select(func.count(func.distinct(FormationRow.formation_id)))
            )
            distance = session.scalar(select(func.count()).where(FormationRow.a_distance.is_(True)))
            by_region = _grouped(session, FormationRow.region, "(aucune)")
            by_source = _grouped(session, FormationRow.source_nom, "(inconnue)")
            by_year = _grouped(session, FormationRow.date_donnees, "(inconnue)")
            by_domain = _grouped(session, FormationDomaineRow.domaine, "(aucun)")
        meta = self.meta()
        return {
            "rows": rows,
            "formations": formations or 0,
            "a_distance": distance or 0,
            "by_region": by_region,
            "by_domain": by_domain,
            "by_source": by_source,
            "by_year": dict(sorted(by_year.items())),
            "loaded_at": meta.loaded_at.isoformat() if meta else None,
            "digest": meta.digest if meta else None,
        }

    def _count_formations(self) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count(func.distinct(FormationRow.formation_id))))


def _grouped(session: Session, column: Any, none_label: str) -> dict[str, int]:
    """Row count per value of `column`, largest first."""
    result = session.execute(
        select(column, func.count()).group_by(column).order_by(func.count().desc(), column)
    )
    return {(value if value is not None else none_label): count for value, count in result}


def _haystack(record: FormationRecord) -> str:
    parts = [record.intitule, record.organisme or "", record.commune or "", *record.metiers]
    return fold(" ".join(parts))


# --------------------------------------------------------------------------- cache


class CatalogueCache:
    """In-process copy of the catalogue for the action server.

    `formations()` checks `catalogue_meta` at most every `check_interval` seconds and
    reloads the rows only when its digest or loaded_at changed. When the database fails,
    the last known catalogue is kept (empty before the first success).
    """

    def __init__(
        self,
        engine: Engine,
        check_interval: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._catalogue = Catalogue(engine)
        self._check_interval = check_interval
        self._clock = clock
        self._lock = threading.Lock()
        self._records: list[FormationRecord] = []
        self._key: tuple[str, datetime] | None = None
        self._checked_at: float | None = None

    def formations(self) -> list[FormationRecord]:
        """The catalogue rows (a new list each call; the records are shared and frozen)."""
        with self._lock:
            now = self._clock()
            if self._checked_at is None or now - self._checked_at >= self._check_interval:
                self._refresh()
                self._checked_at = now
            return list(self._records)

    def invalidate(self) -> None:
        """Force a check of `catalogue_meta` on the next call."""
        with self._lock:
            self._checked_at = None

    def _refresh(self) -> None:
        try:
            meta = self._catalogue.meta()
            key = (meta.digest, meta.loaded_at) if meta is not None else None
            if key == self._key:
                return
            self._records = self._catalogue.all() if key is not None else []
            self._key = key
            logger.info("catalogue cache reloaded: %d rows", len(self._records))
        except SQLAlchemyError:
            logger.exception(
                "catalogue cache: database unavailable, keeping %d rows", len(self._records)
            )
