"""CSV files that spreadsheets open safely (UTF-8 with BOM, `;` separators as French
spreadsheets expect, no cell read as a formula)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cellule(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_START) and not _nombre(text):
        return "'" + text
    return text


def _nombre(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_texte(colonnes: Sequence[str], lignes: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(colonnes)
    for ligne in lignes:
        writer.writerow([_cellule(v) for v in ligne])
    return "\ufeff" + out.getvalue()
