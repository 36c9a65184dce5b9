"""The two files of a catalogue import (`capnum catalogue import`): the YAML mapping file
(documented in docs/catalogue-import.md) and the organisation's CSV (`;` or `,`, UTF-8 with
or without BOM) or JSON (list of objects) source file, read as rows keyed by column.
Messages are in French: they are shown to the organisation's maintainers.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.catalogue.normalisation import clean_text
from bot.catalogue.validation import CONFIANCES, DATE_DONNEES_RE, ID_RE
from bot.geo import normalize_name

#: Keys accepted under `champs:` (schema-side names), in documentation order.
CHAMPS: tuple[str, ...] = (
    "id",
    "intitule",
    "organisme",
    "metiers",
    "domaines",
    "commune",
    "code_postal",
    "a_distance",
    "duree",
    "cout",
    "prerequis",
    "diplome",
    "public",
    "age_min",
    "age_max",
    "certification",
    "site",
)
REQUIRED_CHAMPS: tuple[str, ...] = ("intitule",)


class MappingError(ValueError):
    """The mapping file is unusable; `problems` lists every reason (in French)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: list[str] = list(problems)
        super().__init__("; ".join(self.problems))


class SourceFileError(ValueError):
    """The source file cannot be read as a whole (encoding, format, missing columns)."""


@dataclass(frozen=True)
class ImportMapping:
    """A parsed mapping file: where the list comes from and which column feeds which field."""

    source_nom: str
    source_reference: str
    source_confiance: str | None
    date_donnees: str
    id_prefix: str
    champs: dict[str, str]
    separateur: str | None = None

    @property
    def output_name(self) -> str:
        """Name of the catalogue file written by the import."""
        return f"import_{self.id_prefix}.jsonl"


@dataclass(frozen=True)
class SourceRow:
    """One record of the source file; `number` is the CSV physical line or JSON index + 1;
    `problem` is a reading problem that rejects the row (extra cells, not an object)."""

    number: int
    raw: dict[str, Any]
    problem: str | None = None


@dataclass(frozen=True)
class SourceFile:
    """A read source file: "ligne" (CSV) or "élément" (JSON) rows and the column names."""

    kind: str
    rows: list[SourceRow]
    columns: list[str]


# --------------------------------------------------------------------------- mapping


def parse_mapping(data: object) -> ImportMapping:
    """Check a decoded mapping document; raise `MappingError` listing every problem."""
    if not isinstance(data, dict):
        raise MappingError(["le fichier de correspondance doit être un objet YAML"])
    problems: list[str] = []
    for key in data:
        if key not in ("source", "id_prefix", "champs", "separateur"):
            problems.append(f"clé inconnue '{key}' (attendu source, id_prefix, champs)")

    source = data.get("source")
    texts: dict[str, str] = {}
    confiance: str | None = None
    if not isinstance(source, dict):
        problems.append("'source' manquant : indiquez nom, reference et date_donnees")
    else:
        for key in ("nom", "reference", "date_donnees"):
            value = clean_text(source.get(key))
            if not value:
                problems.append(f"'source.{key}' manquant ou vide")
            texts[key] = value
        if texts["date_donnees"] and not DATE_DONNEES_RE.match(texts["date_donnees"]):
            problems.append(
                f"'source.date_donnees' invalide '{texts['date_donnees']}' "
                "(année ou période attendue, ex. « 2024 » ou « 2023-2024 »)"
            )
        confiance = clean_text(source.get("confiance")) or None
        if confiance is not None and confiance not in CONFIANCES:
            problems.append(f"'source.confiance' inconnue '{confiance}' (attendu high ou medium)")
        for key in source:
            if key not in ("nom", "reference", "date_donnees", "confiance"):
                problems.append(f"clé inconnue 'source.{key}'")

    prefix = clean_text(data.get("id_prefix"))
    if not prefix:
        problems.append("'id_prefix' manquant (ex. « mlille »)")
    elif not ID_RE.match(prefix):
        problems.append(f"'id_prefix' invalide '{prefix}' (minuscules, chiffres et tirets)")

    champs_data = data.get("champs")
    champs: dict[str, str] = {}
    if not isinstance(champs_data, dict):
        problems.append("'champs' manquant : associez les champs aux colonnes du fichier")
    else:
        for key, column in champs_data.items():
            if key not in CHAMPS:
                problems.append(f"champ inconnu 'champs.{key}' (attendu : {', '.join(CHAMPS)})")
            elif not isinstance(column, str) or not column.strip():
                problems.append(f"'champs.{key}' : nom de colonne attendu")
            else:
                champs[key] = column.strip()
        for key in REQUIRED_CHAMPS:
            if key not in champs_data:
                problems.append(f"'champs.{key}' manquant (obligatoire)")

    separateur = data.get("separateur")
    if separateur is not None and separateur not in (";", ","):
        problems.append("'separateur' invalide (attendu « ; » ou « , »)")

    if problems:
        raise MappingError(problems)
    return ImportMapping(
        source_nom=texts["nom"],
        source_reference=texts["reference"],
        source_confiance=confiance,
        date_donnees=texts["date_donnees"],
        id_prefix=prefix,
        champs=champs,
        separateur=separateur,
    )


def load_mapping(path: str | Path) -> ImportMapping:
    """Read and check a YAML mapping file; raise `MappingError` when unusable."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise MappingError([f"fichier de correspondance introuvable : {path}"]) from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise MappingError([f"fichier de correspondance illisible ({path.name}) : {exc}"]) from exc
    return parse_mapping(data)


# --------------------------------------------------------------------------- reading


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceFileError(
            "encodage invalide (UTF-8 attendu) : dans le tableur, enregistrez le fichier "
            "au format « CSV UTF-8 »"
        ) from exc


def _delimiter(text: str, forced: str | None) -> str:
    if forced:
        return forced
    header = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if header.count(";") >= header.count(",") and ";" in header else ","


def _csv_records(reader: Any) -> Iterator[list[str]]:
    """The records of a csv reader; a file the csv module refuses (NUL character, field
    over its size limit) is a `SourceFileError` naming the line, not a crash."""
    try:
        yield from reader
    except csv.Error as exc:
        problem = "caractère nul (NUL)" if "NUL" in str(exc) else f"format CSV invalide ({exc})"
        raise SourceFileError(
            f"ligne {reader.line_num} illisible : {problem} ; enregistrez le fichier "
            "au format « CSV UTF-8 »"
        ) from exc


def read_csv(content: bytes, separateur: str | None = None) -> SourceFile:
    """Rows of a CSV file keyed by header; `number` = physical line of the record's start."""
    text = _decode(content)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text, separateur))
    header: list[str] | None = None
    rows: list[SourceRow] = []
    end = 0
    for cells in _csv_records(reader):
        start, end = end + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = [cell.strip() for cell in cells]
            duplicates = sorted({name for name in header if name and header.count(name) > 1})
            if duplicates:
                raise SourceFileError(
                    f"colonne(s) en double dans l'en-tête : {', '.join(duplicates)}"
                )
            continue
        raw: dict[str, Any] = {name: "" for name in header if name}
        for name, cell in zip(header, cells, strict=False):
            if name:
                raw[name] = cell
        extra = sum(1 for cell in cells[len(header) :] if cell.strip())
        problem = f"{extra} cellule(s) de plus que de colonnes dans l'en-tête" if extra else None
        rows.append(SourceRow(start, raw, problem))
    if header is None:
        raise SourceFileError("fichier vide (aucune ligne d'en-tête)")
    return SourceFile("ligne", rows, [name for name in header if name])


def read_json(content: bytes) -> SourceFile:
    """Elements of a JSON list; `number` = index + 1 (non-objects are kept for reporting)."""
    try:
        data = json.loads(_decode(content))
    except json.JSONDecodeError as exc:
        raise SourceFileError(f"JSON invalide ({exc.msg}, ligne {exc.lineno})") from exc
    if not isinstance(data, list):
        raise SourceFileError("le fichier JSON doit contenir une liste d'objets")
    rows = [
        SourceRow(index + 1, item)
        if isinstance(item, dict)
        else SourceRow(index + 1, {}, "objet JSON attendu")
        for index, item in enumerate(data)
    ]
    columns = list(dict.fromkeys(name for row in rows for name in row.raw))
    return SourceFile("élément", rows, columns)


def read_source(path: Path, mapping: ImportMapping, source_format: str | None = None) -> SourceFile:
    """The rows of a `.csv` or `.json` file (`source_format` "csv" or "json" overrides the
    file's extension)."""
    try:
        content = path.read_bytes()
    except FileNotFoundError as exc:
        raise SourceFileError("fichier introuvable") from exc
    suffix = f".{source_format}" if source_format else path.suffix.lower()
    if suffix == ".json":
        return read_json(content)
    if suffix in (".csv", ".txt"):
        return read_csv(content, mapping.separateur)
    raise SourceFileError(f"format non pris en charge '{suffix}' (attendu .csv ou .json)")


def resolve_columns(mapping: ImportMapping, columns: Sequence[str]) -> dict[str, str]:
    """Schema field → actual source column (exact name, else ignoring case and accents);
    raise `SourceFileError` when a mapped column is absent from the file."""
    index: dict[str, str] = {}
    for name in columns:
        index.setdefault(normalize_name(name), name)
    resolved: dict[str, str] = {}
    missing: list[str] = []
    for key, column in mapping.champs.items():
        actual = column if column in columns else index.get(normalize_name(column))
        if actual is None:
            missing.append(f"« {column} » (champs.{key})")
        else:
            resolved[key] = actual
    if missing:
        known = ", ".join(f"« {name} »" for name in columns) or "aucune"
        raise SourceFileError(
            f"colonne(s) absente(s) du fichier : {', '.join(missing)} ; colonnes lues : {known}"
        )
    return resolved
