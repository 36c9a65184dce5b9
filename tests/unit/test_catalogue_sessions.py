"""The optional `sessions` and `rncp` fields of a catalogue row: validation, written
rows, database round trip (SQLite and PostgreSQL) and export."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot.catalogue.export import CSV_COLUMNS, csv_row, export_csv, export_jsonl
from bot.catalogue.repository import Catalogue
from bot.catalogue.sessions import PeriodeSession
from bot.catalogue.validation import ROW_FIELDS, SCHEMA_FIELDS, FormationRecord, validate_row
from tests.support.factories import valid_row, write_jsonl

SESSIONS = [
    {"debut": "2025-09-01", "fin": "2026-03-31"},
    {"debut": "2026-01-05", "fin": None},
    {"debut": None, "fin": "2026-12-18"},
]


def record(**overrides: Any) -> FormationRecord:
    checked = validate_row(valid_row(**overrides))
    assert isinstance(checked, FormationRecord), checked
    return checked


def test_a_row_without_the_optional_fields_has_none() -> None:
    """A GEN row (no sessions, no rncp) is valid and its record carries empty tuples."""
    checked = record()
    assert (checked.sessions, checked.rncp) == ((), ())
    assert list(checked.to_dict()) == list(SCHEMA_FIELDS)


def test_sessions_and_rncp_are_read_and_written_back_in_place() -> None:
    """Sessions and RNCP numbers become typed values and are written before `source`."""
    checked = record(sessions=SESSIONS, rncp=["RNCP37674", "RNCP36490"])
    assert checked.sessions[0] == PeriodeSession("2025-09-01", "2026-03-31")
    assert checked.sessions[1].fin is None and checked.sessions[2].debut is None
    assert checked.rncp == ("RNCP37674", "RNCP36490")
    data = checked.to_dict()
    assert data["sessions"] == SESSIONS and data["rncp"] == ["RNCP37674", "RNCP36490"]
    assert list(data) == list(ROW_FIELDS)
    assert ROW_FIELDS.index("rncp") + 1 == ROW_FIELDS.index("source")


def test_empty_optional_fields_are_left_out_of_a_written_row() -> None:
    """`sessions: []` and `rncp: []` are valid and written back as absent."""
    data = record(sessions=[], rncp=[]).to_dict()
    assert "sessions" not in data and "rncp" not in data


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sessions": "2025-09-01"}, "champ 'sessions' : type invalide"),
        ({"sessions": [{"debut": "2025-09-01"}]}, "'sessions[1]' : objet"),
        ({"sessions": [["2025-09-01", None]]}, "'sessions[1]' : objet"),
        (
            {"sessions": [{"debut": "01/09/2025", "fin": None}]},
            "'sessions[1].debut' : date invalide '01/09/2025'",
        ),
        (
            {"sessions": [{"debut": None, "fin": "2025-02-30"}]},
            "'sessions[1].fin' : date invalide '2025-02-30'",
        ),
        (
            {"sessions": [SESSIONS[0], {"debut": "2026-03-01", "fin": "2026-02-01"}]},
            "'sessions[2]' : début 2026-03-01 après la fin 2026-02-01",
        ),
        ({"rncp": "RNCP37674"}, "champ 'rncp' : type invalide"),
        ({"rncp": ["37674"]}, "code RNCP invalide '37674'"),
        ({"rncp": ["RNCP 37674"]}, "code RNCP invalide 'RNCP 37674'"),
    ],
)
def test_bad_sessions_or_rncp_are_rejected_with_a_reason(
    overrides: dict[str, Any], message: str
) -> None:
    """Each malformed session or RNCP number rejects the row with a French reason."""
    errors = validate_row(valid_row(**overrides))
    assert isinstance(errors, list)
    assert any(error.startswith(message) for error in errors), errors


def test_database_round_trip_keeps_sessions_and_rncp(db_engine: Engine, tmp_path: Path) -> None:
    """Loaded rows read back from the database (SQLite, PostgreSQL) with their sessions and
    RNCP numbers, and rows without them with empty ones."""
    with_sessions = valid_row(id="lheo-a1", sessions=SESSIONS, rncp=["RNCP37674"])
    without = valid_row(id="gen-b")
    catalogue = Catalogue(db_engine)
    catalogue.load([write_jsonl(tmp_path / "a.jsonl", [with_sessions, without])])

    loaded = {r.id: r for r in catalogue.all()}
    assert loaded["lheo-a1"].sessions[1] == PeriodeSession("2026-01-05", None)
    assert loaded["lheo-a1"].to_dict() == with_sessions
    assert loaded["gen-b"].to_dict() == without
    assert catalogue.get("lheo-a1") == loaded["lheo-a1"]


def test_exports_carry_sessions_and_rncp() -> None:
    """The JSONL export writes the fields as in the schema; the CSV one as `debut/fin`
    cells joined by `|` (an unknown date left empty) and RNCP numbers joined by `|`."""
    checked = record(sessions=SESSIONS, rncp=["RNCP37674", "RNCP36490"])
    out = io.StringIO()
    export_jsonl([checked, record(id="gen-b")], out)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["sessions"] == SESSIONS and "sessions" not in second

    cells = csv_row(checked)
    assert cells["sessions"] == "2025-09-01/2026-03-31|2026-01-05/|/2026-12-18"
    assert cells["rncp"] == "RNCP37674|RNCP36490"
    assert csv_row(record(id="gen-b"))["sessions"] == ""
    table = io.StringIO()
    export_csv([checked], table)
    header = table.getvalue().splitlines()[0].split(";")
    assert header == list(CSV_COLUMNS)
    assert header.index("rncp") + 1 == header.index("source_nom")
