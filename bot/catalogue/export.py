"""Export of catalogue records (`capnum catalogue export`): JSONL schema rows or flat CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, TextIO

from bot.catalogue.validation import ROW_FIELDS, FormationRecord

#: Separator of list items in a CSV cell.
LIST_SEPARATOR = "|"
#: CSV field separator (what a French spreadsheet opens directly).
CSV_DELIMITER = ";"

#: Flat CSV columns: the schema fields (optional ones included) with `source` split into
#: three columns.
CSV_COLUMNS: tuple[str, ...] = tuple(
    column
    for name in ROW_FIELDS
    for column in (
        ("source_nom", "source_reference", "source_confiance") if name == "source" else (name,)
    )
)


def export_jsonl(records: Iterable[FormationRecord], out: TextIO) -> int:
    """Write one schema row per line (the knowledge/catalogue format); returns the count."""
    count = 0
    for record in records:
        out.write(json.dumps(record.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def csv_row(record: FormationRecord) -> dict[str, str]:
    """One record as flat CSV cells: lists joined by `|`, booleans oui/non, null empty,
    `brut` as compact JSON, each session as `debut/fin` (an unknown date left empty)."""
    data = record.to_dict()
    data["sessions"] = [f"{s.debut or ''}/{s.fin or ''}" for s in record.sessions]
    data["rncp"] = list(record.rncp)
    source = data.pop("source")
    data.update({f"source_{key}": value for key, value in source.items()})
    return {column: _cell(data[column]) for column in CSV_COLUMNS}


def export_csv(records: Iterable[FormationRecord], out: TextIO) -> int:
    """Write a header and one `;`-separated line per record; returns the count."""
    writer = csv.DictWriter(
        out, fieldnames=list(CSV_COLUMNS), delimiter=CSV_DELIMITER, lineterminator="\n"
    )
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow(csv_row(record))
        count += 1
    return count
