"""Import of a counsellor organisation's own list of trainings (`capnum catalogue import`).

A CSV or JSON file of any shape (`bot.catalogue.import_sources`) is converted to catalogue
rows (knowledge/SCHEMA.md) following a small YAML mapping file
(`bot.catalogue.import_conversion`, documented in docs/catalogue-import.md). Every row is
validated before anything is written; the result is written as
`<catalogue_dir>/import_<prefix>.jsonl`, then the whole catalogue is loaded into the database.
Messages are in French: they are shown to the organisation's maintainers.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from bot.catalogue.import_conversion import Conversion, convert_row, load_rome_rows
from bot.catalogue.import_sources import (
    ImportMapping,
    SourceRow,
    read_source,
    resolve_columns,
)
from bot.catalogue.normalisation import clean_text
from bot.catalogue.repository import Catalogue, LoadReport, catalogue_paths
from bot.catalogue.rows import assign_formation_ids, write_jsonl
from bot.catalogue.validation import FormationRecord, validate_row
from bot.geo import Geo, normalize_name


@dataclass(frozen=True)
class ImportIssue:
    """A rejected source row (or, with number 0, a problem of the whole file)."""

    file: str
    number: int
    message: str
    kind: str = "ligne"  # "ligne" (CSV), "élément" (JSON) or an XML element name ("action")

    def __str__(self) -> str:
        if not self.number:
            return f"{self.file}: {self.message}"
        if self.kind == "élément":
            return f"{self.file}: élément {self.number}: {self.message}"
        if self.kind != "ligne":  # an XML element: "offres.xml:action n°12: …"
            return f"{self.file}:{self.kind} n°{self.number}: {self.message}"
        return f"{self.file}:{self.number}: {self.message}"


@dataclass
class ImportResult:
    """Outcome of converting and validating a source file (nothing written yet)."""

    file: str
    mapping: ImportMapping
    total: int = 0
    records: list[FormationRecord] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        """Number of distinct rejected source rows."""
        return len({issue.number for issue in self.issues})

    @property
    def ok(self) -> bool:
        """True when every source row is valid."""
        return not self.issues


def row_id(
    mapping: ImportMapping, position: int, raw: Mapping[str, Any], column: str | None
) -> str | None:
    """`<prefix>-001` by file position, or `<prefix>-<source id>` when `champs.id` is mapped
    (None when that source id is empty)."""
    if column is None:
        return f"{mapping.id_prefix}-{position:03d}"
    key = normalize_name(clean_text(raw.get(column))).replace(" ", "-")
    return f"{mapping.id_prefix}-{key}" if key else None


def existing_ids(catalogue_dir: Path, skip: str) -> dict[str, str]:
    """id → "file:line" over the other catalogue files (unreadable lines are skipped)."""
    found: dict[str, str] = {}
    for path in sorted(catalogue_dir.glob("*.jsonl")):
        if path.name == skip:
            continue
        lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
        for number, line in enumerate(lines, start=1):
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(data, dict) and isinstance(data.get("id"), str):
                found.setdefault(data["id"], f"{path.name}:{number}")
    return found


def prepare_import(
    path: str | Path,
    mapping: ImportMapping,
    catalogue_dir: Path,
    geo: Geo | None = None,
    rome_rows: Sequence[dict[str, str]] | None = None,
    source_format: str | None = None,
) -> ImportResult:
    """Read, convert and validate every source row; nothing is written (`source_format`
    "csv" or "json" overrides the file's extension).

    Raises `SourceFileError` when the file cannot be read as a whole. `result.records`
    holds the valid rows (formation ids grouped among them), `result.issues` every
    rejected row with its reasons.
    """
    path = Path(path)
    geo = geo or Geo.default()
    rome_rows = load_rome_rows() if rome_rows is None else rome_rows
    source = read_source(path, mapping, source_format)
    columns = resolve_columns(mapping, source.columns)
    result = ImportResult(file=path.name, mapping=mapping, total=len(source.rows))
    others = existing_ids(catalogue_dir, mapping.output_name)
    seen: dict[str, str] = {}
    valid: list[tuple[dict[str, Any], FormationRecord]] = []
    for position, item in enumerate(source.rows, start=1):
        checked = _checked_row(
            item, position, columns, mapping, geo, rome_rows, seen, others, source.kind
        )
        if isinstance(checked, tuple):
            valid.append(checked)
        else:
            result.issues += [
                ImportIssue(result.file, item.number, message, source.kind) for message in checked
            ]
    assign_formation_ids([row for row, _record in valid])
    result.records = [replace(record, formation_id=row["formation_id"]) for row, record in valid]
    return result


#: validate_row messages made redundant by a clearer conversion error on the same field.
_EXPLAINED_MESSAGES: dict[str, str] = {
    "champ 'intitule' vide": "intitule",
    "champ 'domaines' vide (au moins un domaine attendu)": "domaines",
    "ligne sans commune : 'a_distance' doit valoir true": "commune",
}


def _checked_row(
    item: SourceRow,
    position: int,
    columns: Mapping[str, str],
    mapping: ImportMapping,
    geo: Geo,
    rome_rows: Sequence[dict[str, str]],
    seen: dict[str, str],
    others: Mapping[str, str],
    kind: str,
) -> tuple[dict[str, Any], FormationRecord] | list[str]:
    """The schema row of one source record and its validated record (its `formation_id`
    still its own id), or every French reason to reject it."""
    if item.problem and not item.raw:
        return [item.problem]
    conversion = convert_row(item.raw, columns, mapping, geo, rome_rows)
    errors = [item.problem] if item.problem else []
    errors += conversion.errors
    row = conversion.row
    new_id = row_id(mapping, position, item.raw, columns.get("id"))
    if new_id is None:
        errors.append(f"identifiant vide (colonne « {columns['id']} »)")
        new_id = f"{mapping.id_prefix}-{position:03d}"  # only to validate the other fields
    row["id"] = row["formation_id"] = new_id
    checked = validated(row, conversion, errors, seen, others, f"{kind} {item.number}", "id_prefix")
    return checked if isinstance(checked, list) else (row, checked)


def validated(
    row: dict[str, Any],
    conversion: Conversion,
    errors: list[str],
    seen: dict[str, str],
    others: Mapping[str, str],
    place: str,
    prefix_option: str,
) -> FormationRecord | list[str]:
    """The validated record of a converted row (its id set), or every French reason to
    reject it: the conversion's `errors`, the schema's (minus those a conversion error
    already explains), an id already used in this file (`seen`: id → where, this row
    being at `place`) or in another catalogue file (`others`)."""
    new_id = row["id"]
    checked = validate_row(row)
    if isinstance(checked, list):
        errors += [
            message
            for message in checked
            if _EXPLAINED_MESSAGES.get(message) not in conversion.explained
        ]
    if new_id in seen:
        errors.append(f"identifiant '{new_id}' en double (déjà utilisé : {seen[new_id]})")
    elif new_id in others:
        errors.append(
            f"identifiant '{new_id}' déjà présent dans le catalogue ({others[new_id]}) : "
            f"choisissez un autre {prefix_option}"
        )
    seen.setdefault(new_id, place)
    if errors:
        return errors
    assert isinstance(checked, FormationRecord), checked
    return checked


def write_and_load(
    result: ImportResult, catalogue_dir: Path, engine: Engine
) -> tuple[Path, LoadReport]:
    """Write the valid rows as `import_<prefix>.jsonl`, then load the whole catalogue
    (see `replace_and_load`)."""
    return replace_and_load(result.records, result.mapping.output_name, catalogue_dir, engine)


def replace_and_load(
    records: Iterable[FormationRecord], output_name: str, catalogue_dir: Path, engine: Engine
) -> tuple[Path, LoadReport]:
    """Write `records` as `<catalogue_dir>/<output_name>`, then load the whole catalogue
    (see `install_and_load`)."""
    catalogue_dir.mkdir(parents=True, exist_ok=True)
    temporary = catalogue_dir / f".{output_name}.tmp"
    try:
        write_jsonl(temporary, (record.to_dict() for record in records))
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return install_and_load(temporary, output_name, catalogue_dir, engine)


def install_and_load(
    written: Path, output_name: str, catalogue_dir: Path, engine: Engine
) -> tuple[Path, LoadReport]:
    """Put the JSONL file `written` in place as `<catalogue_dir>/<output_name>` (it is
    moved), then load the whole catalogue.

    The file replaces a previous import of the same name atomically; when loading fails
    (any exception) the previous file is put back, or the new one removed. The previous
    file is set aside by renaming, never read into memory.
    """
    catalogue_dir.mkdir(parents=True, exist_ok=True)
    target = catalogue_dir / output_name
    temporary = catalogue_dir / f".{output_name}.tmp"
    backup = catalogue_dir / f".{output_name}.previous"
    had_previous = target.exists()
    try:
        if written != temporary:
            if written.parent.resolve() == catalogue_dir.resolve():
                os.replace(written, temporary)
            else:  # maybe another file system: copy
                shutil.copyfile(written, temporary)
                written.unlink()
        if had_previous:
            os.replace(target, backup)
        os.replace(temporary, target)
        report = Catalogue(engine).load(catalogue_paths(catalogue_dir))
    except BaseException:
        temporary.unlink(missing_ok=True)
        written.unlink(missing_ok=True)
        if had_previous and backup.exists():
            os.replace(backup, target)
        elif not had_previous:
            target.unlink(missing_ok=True)
        raise
    backup.unlink(missing_ok=True)
    return target, report
