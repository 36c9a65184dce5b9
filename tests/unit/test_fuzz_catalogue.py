"""Property-based tests (Hypothesis) of the catalogue importer (`capnum catalogue import`):
whatever a partner's CSV or JSON file holds, each row is accepted or rejected with
`file:line: reason` (`file: élément N: reason` for JSON), a file that cannot be read at all
is one French error, and nothing is written when a row fails.
Budget: tests/support/fuzz.py (CAPNUM_FUZZ_PROFILE)."""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.catalogue.import_conversion import load_rome_rows
from bot.catalogue.import_sources import SourceFileError, parse_mapping
from bot.catalogue.importer import ImportResult, prepare_import
from bot.geo import Geo
from tests.support.catalogue_import import (
    HEADER,
    MAPPING,
    import_argv,
    line,
    loaded_ids,
    run_cli,
    write_mapping,
)
from tests.support.fuzz import any_char, examples

GEO = Geo.default()
ROME_ROWS = load_rome_rows()
IMPORT_MAPPING = parse_mapping(MAPPING)
CSV_ISSUE = re.compile(r"liste\.csv:(\d+): \S.*", re.S)
JSON_ISSUE = re.compile(r"liste\.json: élément (\d+): \S.*", re.S)

# Cells: a valid value of the default row, or anything (separators, quotes, new lines,
# formulas, huge numbers, control characters).
_TRICKY = ['"', ";", ",", "\n", "\r\n", "=cmd|'/c calc'!A1", "-1", "1e309", "NaN", "00000", "\x00"]
cell = st.one_of(st.text(any_char, max_size=40), st.sampled_from(_TRICKY))
row = st.fixed_dictionaries({}, optional={name: cell for name in HEADER}).map(
    lambda changes: line(**changes)
)
rows = st.lists(row, min_size=1, max_size=6)


def csv_bytes(data: list[list[str]], delimiter: str, bom: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADER)
    # Python 3.10's csv module cannot write NUL: raw NULs are in the byte-level tests.
    writer.writerows([[cell.replace("\x00", "\x01") for cell in cells] for cells in data])
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8", "surrogatepass")


def run_import(content: bytes, suffix: str) -> ImportResult | SourceFileError:
    """prepare_import on `content` saved as liste<suffix>, in an empty catalogue folder."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"liste{suffix}"
        source.write_bytes(content)
        catalogue = Path(tmp) / "catalogue"
        catalogue.mkdir()
        try:
            result = prepare_import(source, IMPORT_MAPPING, catalogue, GEO, ROME_ROWS)
        except SourceFileError as exc:
            assert str(exc) and "Traceback" not in str(exc)
            return exc
        assert list(catalogue.iterdir()) == []  # prepare_import never writes
        return result


def lines_in(content: bytes) -> int:
    """Lines as the CSV reader (and a text editor) counts them: CR, LF or CRLF ends one."""
    return len(re.split(rb"\r\n|\r|\n", content))


def check_result(result: ImportResult, pattern: re.Pattern[str], last: int) -> None:
    """Each source row is either a record or rejected with numbered, non-empty reasons."""
    assert len(result.records) + result.rejected == result.total
    for issue in result.issues:
        match = pattern.fullmatch(str(issue))
        assert match, str(issue)
        assert 1 <= int(match.group(1)) <= last


@given(rows, st.sampled_from([";", ","]), st.booleans())
@example([line()], ";", True)
def test_csv_rows_are_accepted_or_rejected_with_their_line(
    data: list[list[str]], delimiter: str, bom: bool
) -> None:
    """Each generated CSV row is imported or rejected with its line, any delimiter or BOM."""
    content = csv_bytes(data, delimiter, bom)
    result = run_import(content, ".csv")
    if isinstance(result, SourceFileError):
        # The only whole-file problems a well-formed CSV can have with this header.
        assert "encodage" in str(result) or "colonne" in str(result)
        return
    check_result(result, CSV_ISSUE, lines_in(content))
    assert result.total <= len(data)


@given(st.binary(max_size=600))
@example(b"\xff\xfe\x00a")
@example('Intitulé;CP\n"unterminated;59000\n'.encode())
def test_any_bytes_as_csv_never_crash(content: bytes) -> None:
    """Any bytes imported as CSV give a result or a file error, never a crash."""
    result = run_import(content, ".csv")
    if isinstance(result, ImportResult):
        check_result(result, CSV_ISSUE, lines_in(content))


@given(st.lists(st.text(any_char, max_size=30), max_size=8).map("\n".join))
def test_any_text_as_csv_never_crash(text: str) -> None:
    """Any text under a valid CSV header gives a result with numbered issues, never a crash."""
    content = ("Intitulé;CP;Ville;Distanciel\n" + text).encode("utf-8", "surrogatepass")
    result = run_import(content, ".csv")
    if isinstance(result, ImportResult):
        check_result(result, CSV_ISSUE, lines_in(content))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
JSON_ITEM = st.one_of(
    JSON_VALUES,
    st.fixed_dictionaries({}, optional={name: JSON_VALUES for name in HEADER}).map(
        lambda changes: {**dict(zip(HEADER, line(), strict=True)), **changes}
    ),
)


@given(st.one_of(st.lists(JSON_ITEM, max_size=5), JSON_VALUES))
def test_json_elements_are_accepted_or_rejected_with_their_number(data: Any) -> None:
    """Every JSON element is imported or rejected with its number; a non-list is a file error."""
    result = run_import(json.dumps(data).encode(), ".json")
    if isinstance(result, SourceFileError):
        assert not isinstance(data, list) or "colonne" in str(result)
        return
    assert isinstance(data, list)
    check_result(result, JSON_ISSUE, len(data))


@pytest.fixture(scope="module")
def mapping_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_mapping(tmp_path_factory.mktemp("mapping") / "m.yml")


@settings(max_examples=examples(0.1))  # each example creates and loads a database
@given(st.lists(row, min_size=1, max_size=3))
@example([line(), line(**{"CP": "99999"})])
def test_cli_writes_nothing_when_a_row_fails(mapping_file: Path, data: list[list[str]]) -> None:
    """`capnum catalogue import`: exit 1 and nothing written (no file, no database rows)
    when a row is rejected; otherwise every row is written and loaded."""
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        knowledge = Path(tmp) / "knowledge"
        catalogue = knowledge / "catalogue"
        catalogue.mkdir(parents=True)
        db = Path(tmp) / "capnum.db"
        patch.setenv("CAPNUM_KNOWLEDGE_DIR", str(knowledge))
        patch.setenv("CAPNUM_DATABASE_URL", f"sqlite:///{db}")
        source = Path(tmp) / "liste.csv"
        source.write_bytes(csv_bytes(data, ";", True))
        expected = run_import(source.read_bytes(), ".csv")

        code = run_cli(import_argv(source, mapping_file))

        written = sorted(p.name for p in catalogue.iterdir())
        if isinstance(expected, SourceFileError) or expected.issues or not expected.records:
            assert code == 1
            assert written == []
            assert not db.exists() or loaded_ids(db) == []
        else:
            assert code == 0
            assert written == ["import_mlille.jsonl"]
            assert loaded_ids(db) == sorted(r.id for r in expected.records)
