"""Import of an LHEO feed (`capnum catalogue import FICHIER.xml --format lheo`).

The file is read as a stream (`bot.catalogue.lheo`); each action goes through the
digital-sector filter (`bot.catalogue.lheo_filtre`: dropped actions are counted by
reason, never checked further), then is converted (`bot.catalogue.lheo_conversion`) and
validated like every catalogue row. Row ids come from the LHEO action numbers, so that
importing the same feed again updates the rows in place; the valid rows replace
`<catalogue_dir>/import_<prefix>.jsonl` as a whole (an action gone from the feed is
retired), then the whole catalogue is loaded (`bot.catalogue.importer.replace_and_load`).
Messages are in French: they are shown to the maintainers of the feed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import Engine

from bot.catalogue.import_sources import SourceFileError
from bot.catalogue.importer import ImportIssue, existing_ids, install_and_load, validated
from bot.catalogue.lheo import ActionLheo, LectureLheo
from bot.catalogue.lheo_conversion import Conversion, convertir
from bot.catalogue.lheo_filtre import Referentiel, trier
from bot.catalogue.normalisation import fold
from bot.catalogue.repository import LoadReport
from bot.catalogue.validation import (
    FormationRecord,
    iter_validated,
    read_sources,
)

#: Kind of the rejected elements, as written in the messages ("offres.xml:action n°3: …").
ELEMENT = "action"
#: Longest default prefix taken from the file name.
PREFIX_MAX = 40
#: Valid rows kept in memory for the preview of `--dry-run`.
APERCU = 20


@dataclass
class LheoResult:
    """Outcome of reading, filtering and validating an LHEO file, compared with the
    previous import of the same prefix. The valid rows are not held in memory: they are
    written, as they come, to the temporary file `rows_file` (JSONL, the catalogue
    format), which `write_and_load_lheo` puts in place and `discard` deletes."""

    file: str
    id_prefix: str
    rows_file: Path
    version: str | None = None
    lues: int = 0
    formations: int = 0
    gardees: int = 0
    ecartees: Counter[str] = field(default_factory=Counter)
    lignes: int = 0
    sessions: int = 0
    apercu: list[FormationRecord] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    nouvelles: int = 0
    mises_a_jour: int = 0
    inchangees: int = 0
    retirees: list[str] = field(default_factory=list)

    @property
    def output_name(self) -> str:
        """Name of the catalogue file written by the import."""
        return f"import_{self.id_prefix}.jsonl"

    @property
    def rejected(self) -> int:
        """Number of distinct rejected actions."""
        return len({issue.number for issue in self.issues})

    def records(self) -> list[FormationRecord]:
        """Every valid row, read back from `rows_file` (for small files and tests)."""
        found = iter_validated(read_sources([self.rows_file]))
        return [record for _name, record in found if isinstance(record, FormationRecord)]

    def discard(self) -> None:
        """Delete the temporary file of the valid rows (nothing was written)."""
        self.rows_file.unlink(missing_ok=True)


def slug(text: str) -> str:
    """Lower-case ASCII words joined by `-` ("9436_18706" → "9436-18706")."""
    return "-".join(fold(text).split())


def default_prefix(path: Path) -> str:
    """`lheo-<file name>` ("Offres Bretagne.xml" → "lheo-offres-bretagne")."""
    return f"lheo-{slug(path.stem)[:PREFIX_MAX]}".rstrip("-")


def action_id(prefix: str, action: ActionLheo) -> str:
    """`<prefix>-<action number>`; without one, `<prefix>-<formation number>-<rank>`; without
    either, `<prefix>-n<position in the file>` (then unstable from one export to another)."""
    if key := slug(action.numero):
        return f"{prefix}-{key}"
    if key := slug(action.formation.numero):
        return f"{prefix}-{key}-{action.rang}"
    return f"{prefix}-n{action.ordinal}"


def prepare_lheo(
    path: str | Path,
    id_prefix: str,
    catalogue_dir: Path,
    ref: Referentiel | None = None,
) -> LheoResult:
    """Read, filter, convert and validate every action; nothing is written in the
    catalogue (the valid rows go to the temporary `result.rows_file`).

    Raises `SourceFileError` when the file cannot be read as LHEO. `result.issues` lists
    every rejected action with its reasons, `result.ecartees` the dropped actions by
    reason, `result.apercu` the first valid rows.
    """
    path = Path(path)
    try:
        annee_fichier = dt.date.fromtimestamp(path.stat().st_mtime).year
    except FileNotFoundError as exc:
        raise SourceFileError("fichier introuvable") from exc
    ref = ref or Referentiel.charger()
    output_name = f"import_{id_prefix}.jsonl"
    folder = catalogue_dir if catalogue_dir.is_dir() else None  # a dry run creates nothing
    handle = tempfile.NamedTemporaryFile(  # closed below, kept on success
        "w",
        encoding="utf-8",
        newline="\n",
        dir=folder,
        prefix=f".{output_name}.",
        suffix=".lheo",
        delete=False,
    )
    result = LheoResult(file=path.name, id_prefix=id_prefix, rows_file=Path(handle.name))
    try:
        with handle:
            _read(path, result, ref, catalogue_dir, annee_fichier, handle)
    except BaseException:
        result.discard()
        raise
    return result


def _read(
    path: Path,
    result: LheoResult,
    ref: Referentiel,
    catalogue_dir: Path,
    annee_fichier: int,
    out: TextIO,
) -> None:
    """The pass over the file: filter, convert, validate, write each valid row to `out`."""
    source = {"nom": f"offre LHEO {path.name}", "reference": path.name, "confiance": "medium"}
    others = existing_ids(catalogue_dir, result.output_name)
    before = _previous(catalogue_dir / result.output_name)
    seen: dict[str, str] = {}
    lecture = LectureLheo(path)
    for lue in lecture.formations():
        result.lues += len(lue.elements)
        tri = trier(lue.formation, ref)
        if tri.raison is not None:
            result.ecartees[tri.raison] += len(lue.elements)
            continue
        result.gardees += len(lue.elements)
        for action in lue.actions():
            conversion = convertir(action, tri, ref, source, annee_fichier)
            checked = _checked(conversion, action, result.id_prefix, seen, others)
            if isinstance(checked, FormationRecord):
                line = json.dumps(checked.to_dict(), ensure_ascii=False, separators=(",", ":"))
                out.write(line + "\n")
                _count(result, checked, before.pop(checked.id, None), _digest(line))
            else:
                result.issues += [
                    ImportIssue(result.file, action.ordinal, message, ELEMENT)
                    for message in checked
                ]
    result.version, result.formations = lecture.version, lecture.formations_lues
    result.retirees = sorted(before)


def _count(
    result: LheoResult, record: FormationRecord, previous: bytes | None, digest: bytes
) -> None:
    """Count a valid row: new, updated or unchanged; keep it if the preview is not full."""
    result.lignes += 1
    result.sessions += len(record.sessions)
    if len(result.apercu) < APERCU:
        result.apercu.append(record)
    if previous is None:
        result.nouvelles += 1
    elif previous == digest:
        result.inchangees += 1
    else:
        result.mises_a_jour += 1


def _checked(
    conversion: Conversion,
    action: ActionLheo,
    prefix: str,
    seen: dict[str, str],
    others: Mapping[str, str],
) -> FormationRecord | list[str]:
    """The validated record of a converted action, or every French reason to reject it."""
    row = conversion.row
    row["id"] = row_id = action_id(prefix, action)
    formation_key = slug(action.formation.numero)
    row["formation_id"] = f"{prefix}-{formation_key}" if formation_key else row_id
    place = f"{ELEMENT} n°{action.ordinal}"
    return validated(row, conversion, list(conversion.errors), seen, others, place, "--id-prefix")


def _digest(line: str) -> bytes:
    """Digest of a row as written on one line (compact JSON, UTF-8)."""
    return hashlib.sha256(line.encode("utf-8")).digest()


def _previous(path: Path) -> dict[str, bytes]:
    """id → digest of each row of the previous import file (empty when there is none)."""
    before: dict[str, bytes] = {}
    if path.exists():
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    data = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(data, dict) and isinstance(data.get("id"), str):
                    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
                    before[data["id"]] = _digest(text)
    return before


def write_and_load_lheo(
    result: LheoResult, catalogue_dir: Path, engine: Engine
) -> tuple[Path, LoadReport]:
    """Put the valid rows in place as `import_<prefix>.jsonl` (replacing the previous
    import: the actions gone from the feed are retired), then load the whole catalogue;
    on failure the previous file is put back (`bot.catalogue.importer.install_and_load`)."""
    return install_and_load(result.rows_file, result.output_name, catalogue_dir, engine)
