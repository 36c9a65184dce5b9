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
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.catalogue.import_sources import SourceFileError
from bot.catalogue.importer import ImportIssue, existing_ids
from bot.catalogue.lheo import ActionLheo, LectureLheo
from bot.catalogue.lheo_conversion import Conversion, convertir
from bot.catalogue.lheo_filtre import Referentiel, trier
from bot.catalogue.normalisation import fold
from bot.catalogue.validation import FormationRecord, validate_row

#: Kind of the rejected elements, as written in the messages ("offres.xml:action n°3: …").
ELEMENT = "action"
#: Longest default prefix taken from the file name.
PREFIX_MAX = 40

#: validate_row messages made redundant by a clearer conversion error on the same field.
_EXPLAINED_MESSAGES: dict[str, str] = {
    "champ 'intitule' vide": "intitule",
    "ligne sans commune : 'a_distance' doit valoir true": "commune",
}


@dataclass
class LheoResult:
    """Outcome of reading, filtering and validating an LHEO file (nothing written yet),
    compared with the previous import of the same prefix."""

    file: str
    id_prefix: str
    version: str | None = None
    lues: int = 0
    formations: int = 0
    gardees: int = 0
    ecartees: Counter[str] = field(default_factory=Counter)
    records: list[FormationRecord] = field(default_factory=list)
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

    @property
    def sessions(self) -> int:
        """Sessions carried by the valid rows."""
        return sum(len(record.sessions) for record in self.records)


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
    """Read, filter, convert and validate every action; nothing is written.

    Raises `SourceFileError` when the file cannot be read as LHEO. `result.records` holds
    the valid rows of the kept actions, `result.issues` every rejected action with its
    reasons, `result.ecartees` the dropped actions by reason.
    """
    path = Path(path)
    try:
        annee_fichier = dt.date.fromtimestamp(path.stat().st_mtime).year
    except FileNotFoundError as exc:
        raise SourceFileError("fichier introuvable") from exc
    ref = ref or Referentiel.charger()
    result = LheoResult(file=path.name, id_prefix=id_prefix)
    source = {"nom": f"offre LHEO {path.name}", "reference": path.name, "confiance": "medium"}
    others = existing_ids(catalogue_dir, result.output_name)
    seen: dict[str, int] = {}
    lecture = LectureLheo(path)
    for action in lecture.actions():
        result.lues += 1
        tri = trier(action, ref)
        if tri.raison is not None:
            result.ecartees[tri.raison] += 1
            continue
        result.gardees += 1
        conversion = convertir(action, tri, ref, source, annee_fichier)
        checked = _checked(conversion, action, id_prefix, seen, others)
        if isinstance(checked, FormationRecord):
            result.records.append(checked)
        else:
            result.issues += [
                ImportIssue(result.file, action.ordinal, message, ELEMENT) for message in checked
            ]
    result.version, result.formations = lecture.version, lecture.formations
    _compare(result, catalogue_dir / result.output_name)
    return result


def _checked(
    conversion: Conversion,
    action: ActionLheo,
    prefix: str,
    seen: dict[str, int],
    others: Mapping[str, str],
) -> FormationRecord | list[str]:
    """The validated record of a converted action, or every French reason to reject it."""
    row = conversion.row
    row["id"] = row_id = action_id(prefix, action)
    formation_key = slug(action.formation.numero)
    row["formation_id"] = f"{prefix}-{formation_key}" if formation_key else row_id
    errors = list(conversion.errors)
    checked = validate_row(row)
    if isinstance(checked, list):
        errors += [
            message
            for message in checked
            if _EXPLAINED_MESSAGES.get(message) not in conversion.explained
        ]
    if row_id in seen:
        errors.append(
            f"identifiant '{row_id}' en double (déjà utilisé : {ELEMENT} n°{seen[row_id]})"
        )
    elif row_id in others:
        errors.append(
            f"identifiant '{row_id}' déjà présent dans le catalogue ({others[row_id]}) : "
            "choisissez un autre --id-prefix"
        )
    seen.setdefault(row_id, action.ordinal)
    if errors:
        return errors
    assert isinstance(checked, FormationRecord), checked
    return checked


def _line(data: object) -> bytes:
    """Digest of a row as `write_jsonl` writes it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).digest()


def _compare(result: LheoResult, previous: Path) -> None:
    """New, updated, unchanged and retired rows against the previous import file."""
    before: dict[str, bytes] = {}
    if previous.exists():
        with open(previous, encoding="utf-8") as fh:
            for line in fh:
                try:
                    data = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(data, dict) and isinstance(data.get("id"), str):
                    before[data["id"]] = _line(data)
    kept: set[str] = set()
    for record in result.records:
        kept.add(record.id)
        digest = before.get(record.id)
        if digest is None:
            result.nouvelles += 1
        elif digest == _line(record.to_dict()):
            result.inchangees += 1
        else:
            result.mises_a_jour += 1
    result.retirees = sorted(set(before) - kept)
