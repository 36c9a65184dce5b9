"""Import of a counsellor organisation's own list of trainings (`capnum catalogue import`).

A CSV (`;` or `,`, UTF-8 with or without BOM) or JSON (list of objects) file of any shape is
converted to catalogue rows (knowledge/SCHEMA.md) following a small YAML mapping file
(documented in docs/catalogue-import.md). Normalisations reuse `tools.knowledge.build`.
Every row is validated before anything is written; the result is written as
`<catalogue_dir>/import_<prefix>.jsonl`, then the whole catalogue is loaded into the database.
Messages are in French: they are shown to the organisation's maintainers.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import Engine

from bot.catalogue.repository import LoadReport, load_catalogue
from bot.catalogue.validation import (
    CONFIANCES,
    DATE_DONNEES_RE,
    ID_RE,
    POSTCODE_RE,
    SCHEMA_FIELDS,
    FormationRecord,
    validate_row,
)
from bot.config import REPO_ROOT
from bot.contract import DIPLOMES
from bot.geo import Commune, Geo, normalize_name
from bot.profil.diplome import parse_diplome
from tools.knowledge.build import (
    assign_formation_ids,
    clean_text,
    domains_from_text,
    place_fields,
    prerequis_diplomas,
    resolve_commune_name,
    schema_row,
    sourced_public,
    split_metiers,
    web_site,
    write_jsonl,
)

ROME_FILE = REPO_ROOT / "knowledge" / "rome" / "metiers_numeriques.csv"

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

_TRUE = frozenset({"oui", "o", "vrai", "true", "yes", "y", "1", "x"})
_FALSE = frozenset({"non", "n", "faux", "false", "no", "0", ""})
_AGE_RE = re.compile(r"^(\d{1,3})(?:\s*ans?)?$")
_LIST_SPLIT_RE = re.compile(r"[,;/]")
_CODE_SPLIT_RE = re.compile(r"[\s,;/|]+")
_MAX_NAMES_SHOWN = 5


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


@dataclass(frozen=True)
class ImportIssue:
    """A rejected source row (or, with number 0, a problem of the whole file)."""

    file: str
    number: int
    message: str
    kind: str = "ligne"  # "ligne" (CSV) or "élément" (JSON)

    def __str__(self) -> str:
        if not self.number:
            return f"{self.file}: {self.message}"
        if self.kind == "élément":
            return f"{self.file}: élément {self.number}: {self.message}"
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


def read_source(path: Path, mapping: ImportMapping) -> SourceFile:
    """The rows of a `.csv` or `.json` file."""
    try:
        content = path.read_bytes()
    except FileNotFoundError as exc:
        raise SourceFileError("fichier introuvable") from exc
    suffix = path.suffix.lower()
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


# --------------------------------------------------------------------------- conversion


def load_rome_rows(path: Path = ROME_FILE) -> list[dict[str, str]]:
    """Rows of knowledge/rome/metiers_numeriques.csv (domain → ROME codes)."""
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _names(communes: Sequence[Commune]) -> str:
    shown = ", ".join(commune.label for commune in communes[:_MAX_NAMES_SHOWN])
    return shown + (", …" if len(communes) > _MAX_NAMES_SHOWN else "")


def _postcode(text: str) -> str:
    code = text.replace(" ", "")
    return code.zfill(5) if code.isdigit() and len(code) == 4 else code  # Excel drops the 0


def resolve_place(
    geo: Geo, code_postal: str, commune: str, a_distance: bool
) -> tuple[dict[str, Any] | None, str | None]:
    """(place fields, None) or (None, French reason): postcode first, then commune name."""
    if code_postal:
        code = _postcode(code_postal)
        if not POSTCODE_RE.match(code):
            return None, f"code postal invalide « {code_postal} » (5 chiffres attendus)"
        candidates = geo.by_postcode(code)
        if not candidates:
            return None, f"code postal inconnu '{code}'"
        if commune:
            matching = [c for c in geo.by_name(commune) if c in candidates]
            if not matching:
                renamed = resolve_commune_name(geo, commune, candidates[0].departement, code)
                matching = [renamed] if renamed in candidates else []
            if not matching:
                return None, (
                    f"la commune « {commune} » ne porte pas le code postal {code} "
                    f"({_names(candidates)})"
                )
            candidates = matching
        if len(candidates) > 1:
            return None, (
                f"code postal {code} ambigu ({_names(candidates)}) : renseignez aussi la commune"
            )
        return place_fields(candidates[0], code), None
    if commune:
        found = geo.resolve(commune)
        if not found:
            return None, f"commune inconnue « {commune} »"
        if len(found) > 1:
            return None, (
                f"commune « {commune} » ambiguë ({_names(found)}) : renseignez le code postal "
                f"ou le département, ex. « {found[0].nom} ({found[0].departement}) »"
            )
        return place_fields(found[0], None), None
    if a_distance:
        return place_fields(None, None), None
    return None, "ni code postal ni commune, et formation non indiquée à distance"


def _text_list(value: Any) -> list[str]:
    """A list cell: JSON list items, or a text split on `,` `;` `/` (via split_metiers)."""
    if isinstance(value, list):
        return [clean_text(item) for item in value if clean_text(item)]
    return split_metiers(_LIST_SPLIT_RE.sub(",", clean_text(value)))


def _codes(value: Any) -> list[str]:
    items = value if isinstance(value, list) else _CODE_SPLIT_RE.split(clean_text(value))
    return [clean_text(item).lower() for item in items if clean_text(item)]


def _bool(value: Any, label: str, errors: list[str]) -> bool:
    if isinstance(value, bool):
        return value
    text = normalize_name(clean_text(value))
    if text in _TRUE:
        return True
    if text not in _FALSE:
        errors.append(f"valeur « {clean_text(value)} » non reconnue pour {label} (oui ou non)")
    return False


def _age(value: Any, label: str, errors: list[str]) -> int | None:
    if isinstance(value, bool):
        errors.append(f"{label} illisible « {value} » (nombre attendu)")
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = clean_text(value).lower()
    if not text:
        return None
    match = _AGE_RE.match(text)
    if match is None:
        errors.append(f"{label} illisible « {clean_text(value)} » (nombre attendu)")
        return None
    return int(match.group(1))


def _diplome(value: Any, errors: list[str]) -> str | None:
    text = clean_text(value)
    if not text:
        return None
    if text.lower() in DIPLOMES:
        return text.lower()
    code = parse_diplome(text, expecting=True)
    if code is None:
        errors.append(
            f"niveau de diplôme non reconnu « {text} » "
            "(ex. « sans diplôme », « CAP », « bac », « bac+2 », « licence »)"
        )
    return code


def _site(value: Any) -> str | None:
    text = clean_text(value)
    if not text:
        return None
    if text.lower().startswith("www."):
        text = "https://" + text
    return web_site(text) or text  # a non-web value is left for validate_row to report


@dataclass
class Conversion:
    """A converted source row (id and formation_id still empty), its French errors and the
    schema fields those errors already explain (their validate_row messages are dropped)."""

    row: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    explained: set[str] = field(default_factory=set)

    def fail(self, fields: str, message: str) -> None:
        """Record an error explaining the (space-separated) schema `fields`."""
        self.errors.append(message)
        self.explained.update(fields.split())


def convert_row(
    raw: Mapping[str, Any],
    columns: Mapping[str, str],
    mapping: ImportMapping,
    geo: Geo,
    rome_rows: Sequence[dict[str, str]],
) -> Conversion:
    """Convert one source record to a schema row following the mapping."""
    result = Conversion(row={})
    errors = result.errors

    def value(key: str) -> Any:
        return raw.get(columns[key]) if key in columns else None

    def text(key: str) -> str:
        return clean_text(value(key))

    intitule = text("intitule")
    if not intitule:
        result.fail("intitule", f"intitulé manquant (colonne « {columns['intitule']} »)")
    metiers = _text_list(value("metiers"))
    explicit = _codes(value("domaines"))
    domaines = explicit or domains_from_text(" ".join(metiers), intitule)
    if not domaines and intitule:
        result.fail(
            "domaines",
            "aucun domaine numérique reconnu dans l'intitulé ou les métiers : "
            "ajoutez une colonne domaines (codes de bot/contract.py)",
        )
    a_distance = _bool(value("a_distance"), "a_distance", errors)
    place, reason = resolve_place(geo, text("code_postal"), text("commune"), a_distance)
    if reason:
        result.fail("commune a_distance", reason)
    duree_texte = text("duree") or None
    cout_texte = text("cout") or None
    diplome_min, diplome_max = prerequis_diplomas(text("prerequis"))
    level = _diplome(value("diplome"), errors)
    if level is not None:
        diplome_min = level
    public = text("public") or None
    public_cible, age_min, age_max = sourced_public(public)
    for key in ("age_min", "age_max"):
        age = _age(value(key), key, errors)
        if age is not None:
            if key == "age_min":
                age_min = age
            else:
                age_max = age
    result.row = schema_row(
        row_id="",
        intitule=intitule,
        organisme=text("organisme") or None,
        metiers=metiers,
        domaines=domaines,
        rome_rows=rome_rows,
        place=place or place_fields(None, None),
        a_distance=a_distance,
        duree_texte=duree_texte,
        cout_texte=cout_texte,
        diplomes=(diplome_min, diplome_max),
        ages=(age_min, age_max),
        public_texte=public,
        public_cible=public_cible,
        certification=text("certification") or None,
        label_gen_annee=None,
        site=_site(value("site")),
        source={
            "nom": mapping.source_nom,
            "reference": mapping.source_reference,
            "confiance": mapping.source_confiance,
        },
        date_donnees=mapping.date_donnees,
        brut=dict(raw),
    )
    return result


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
) -> ImportResult:
    """Read, convert and validate every source row; nothing is written.

    Raises `SourceFileError` when the file cannot be read as a whole. `result.records`
    holds the valid rows (formation ids grouped among them), `result.issues` every
    rejected row with its reasons.
    """
    path = Path(path)
    geo = geo or Geo.default()
    rome_rows = load_rome_rows() if rome_rows is None else rome_rows
    source = read_source(path, mapping)
    columns = resolve_columns(mapping, source.columns)
    result = ImportResult(file=path.name, mapping=mapping, total=len(source.rows))
    others = existing_ids(catalogue_dir, mapping.output_name)
    seen: dict[str, int] = {}
    valid: list[dict[str, Any]] = []
    for position, item in enumerate(source.rows, start=1):
        errors = _row_errors(
            item, position, columns, mapping, geo, rome_rows, seen, others, source.kind
        )
        if isinstance(errors, dict):
            valid.append(errors)
        else:
            result.issues += [
                ImportIssue(result.file, item.number, message, source.kind) for message in errors
            ]
    assign_formation_ids(valid)
    for row in valid:
        record = validate_row({name: row[name] for name in SCHEMA_FIELDS})
        assert isinstance(record, FormationRecord), record
        result.records.append(record)
    return result


#: validate_row messages made redundant by a clearer conversion error on the same field.
_EXPLAINED_MESSAGES: dict[str, str] = {
    "champ 'intitule' vide": "intitule",
    "champ 'domaines' vide (au moins un domaine attendu)": "domaines",
    "ligne sans commune : 'a_distance' doit valoir true": "commune",
}


def _row_errors(
    item: SourceRow,
    position: int,
    columns: Mapping[str, str],
    mapping: ImportMapping,
    geo: Geo,
    rome_rows: Sequence[dict[str, str]],
    seen: dict[str, int],
    others: Mapping[str, str],
    kind: str,
) -> dict[str, Any] | list[str]:
    """The valid schema row of one source record, or every French reason to reject it."""
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
    checked = validate_row(row)
    if isinstance(checked, list):
        errors += [
            message
            for message in checked
            if _EXPLAINED_MESSAGES.get(message) not in conversion.explained
        ]
    if new_id in seen:
        errors.append(f"identifiant '{new_id}' en double (déjà utilisé : {kind} {seen[new_id]})")
    elif new_id in others:
        errors.append(
            f"identifiant '{new_id}' déjà présent dans le catalogue ({others[new_id]}) : "
            "choisissez un autre id_prefix"
        )
    seen.setdefault(new_id, item.number)
    return errors or row


# --------------------------------------------------------------------------- writing


def catalogue_paths(catalogue_dir: Path) -> list[Path]:
    """Sorted `*.jsonl` files of a catalogue folder (as `default_catalogue_paths`)."""
    return sorted(catalogue_dir.glob("*.jsonl"))


def write_and_load(
    result: ImportResult, catalogue_dir: Path, engine: Engine
) -> tuple[Path, LoadReport]:
    """Write the valid rows as `import_<prefix>.jsonl`, then load the whole catalogue.

    The file replaces a previous import of the same prefix atomically; when loading fails
    (any exception) the previous file is put back, or the new one removed.
    """
    catalogue_dir.mkdir(parents=True, exist_ok=True)
    target = catalogue_dir / result.mapping.output_name
    temporary = catalogue_dir / f".{target.name}.tmp"
    previous = target.read_bytes() if target.exists() else None
    try:
        write_jsonl(temporary, (record.to_dict() for record in result.records))
        os.replace(temporary, target)
        report = load_catalogue(engine, catalogue_paths(catalogue_dir))
    except BaseException:
        temporary.unlink(missing_ok=True)
        if previous is None:
            target.unlink(missing_ok=True)
        else:
            target.write_bytes(previous)
        raise
    return target, report
