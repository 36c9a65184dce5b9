"""Validation of catalogue rows against knowledge/SCHEMA.md (pure: no database, no I/O
except `validate_files`). Error messages are in French: they are shown to maintainers."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.catalogue.sessions import PeriodeSession, check_rncp, check_sessions
from bot.contract import COUTS, DIPLOMES, DOMAINES, SITUATIONS

ID_RE = re.compile(r"^[a-z0-9-]+$")
ROME_RE = re.compile(r"^[A-N][0-9]{4}$")
POSTCODE_RE = re.compile(r"^[0-9]{5}$")
DATE_DONNEES_RE = re.compile(r"^[0-9]{4}(\s*[-–/]\s*[0-9]{4})?$")
CONFIANCES: tuple[str, ...] = ("high", "medium")

#: Known département codes: 01-95 (no "20"), Corsica 2A/2B, overseas 971-976.
DEPARTEMENTS: frozenset[str] = frozenset(
    [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"] + [str(n) for n in range(971, 977)]
)

#: Bounding boxes (lat_min, lat_max, lon_min, lon_max) accepted for coordinates.
FRANCE_BOXES: tuple[tuple[float, float, float, float], ...] = (
    (41.0, 51.5, -5.5, 10.0),  # metropolitan France and Corsica
    (-22.0, -12.0, 44.0, 56.0),  # Réunion, Mayotte
    (14.0, 18.5, -63.0, -60.0),  # Guadeloupe, Martinique (Antilles)
    (2.0, 6.0, -55.0, -51.0),  # Guyane
)

DUREE_MOIS_MAX = 48
AGE_LOWEST = 14
AGE_HIGHEST = 99

# Field name -> kind, in SCHEMA.md order.
_FIELD_KINDS: dict[str, str] = {
    "id": "str",
    "formation_id": "str",
    "intitule": "str",
    "organisme": "str?",
    "metiers": "list",
    "rome": "list",
    "domaines": "list",
    "commune": "str?",
    "code_insee": "str?",
    "code_postal": "str?",
    "departement": "str?",
    "region": "str?",
    "lat": "num?",
    "lon": "num?",
    "a_distance": "bool",
    "duree_texte": "str?",
    "duree_mois": "num?",
    "cout": "str",
    "cout_texte": "str?",
    "diplome_min": "str?",
    "diplome_max": "str?",
    "age_min": "int?",
    "age_max": "int?",
    "public_texte": "str?",
    "public_cible": "list",
    "certification": "str?",
    "label_gen_annee": "int?",
    "site": "str?",
    "source": "object",
    "date_donnees": "str",
    "brut": "object",
}
SCHEMA_FIELDS: tuple[str, ...] = tuple(_FIELD_KINDS)
#: Optional fields: absent means empty, and rows leave them out when they are empty.
OPTIONAL_FIELDS: tuple[str, ...] = ("sessions", "rncp")
#: Every field in the order of a written row: the optional ones sit before `source`.
ROW_FIELDS: tuple[str, ...] = (
    SCHEMA_FIELDS[: SCHEMA_FIELDS.index("source")]
    + OPTIONAL_FIELDS
    + SCHEMA_FIELDS[SCHEMA_FIELDS.index("source") :]
)
_SOURCE_KINDS: dict[str, str] = {"nom": "str", "reference": "str?", "confiance": "str?"}

_KIND_LABELS = {
    "str": "texte non vide",
    "str?": "texte ou null",
    "list": "liste de textes",
    "num?": "nombre ou null",
    "int?": "entier ou null",
    "bool": "booléen",
    "object": "objet",
}


@dataclass(frozen=True)
class FormationRecord:
    """One validated catalogue row (one training at one site); lists are tuples."""

    id: str
    formation_id: str
    intitule: str
    organisme: str | None
    metiers: tuple[str, ...]
    rome: tuple[str, ...]
    domaines: tuple[str, ...]
    commune: str | None
    code_insee: str | None
    code_postal: str | None
    departement: str | None
    region: str | None
    lat: float | None
    lon: float | None
    a_distance: bool
    duree_texte: str | None
    duree_mois: float | None
    cout: str
    cout_texte: str | None
    diplome_min: str | None
    diplome_max: str | None
    age_min: int | None
    age_max: int | None
    public_texte: str | None
    public_cible: tuple[str, ...]
    certification: str | None
    label_gen_annee: int | None
    site: str | None
    source_nom: str
    source_reference: str | None
    source_confiance: str | None
    date_donnees: str
    brut: dict[str, Any]
    sessions: tuple[PeriodeSession, ...] = ()
    rncp: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The row in the JSONL schema shape (lists, nested `source`); the optional fields
        only when they are not empty."""
        out: dict[str, Any] = {}
        for name in ROW_FIELDS:
            if name == "sessions":
                if self.sessions:
                    out[name] = [session.to_dict() for session in self.sessions]
            elif name == "rncp":
                if self.rncp:
                    out[name] = list(self.rncp)
            elif name == "source":
                out[name] = {
                    "nom": self.source_nom,
                    "reference": self.source_reference,
                    "confiance": self.source_confiance,
                }
            else:
                value = getattr(self, name)
                out[name] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True)
class RowError:
    """A rejected row: `file` is the file name, `line` is 1-based (0 = whole file)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}: {self.message}"
        return f"{self.file}: {self.message}"


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "booléen"
    if isinstance(value, int):
        return "entier"
    if isinstance(value, float):
        return "nombre"
    if isinstance(value, str):
        return "texte"
    if isinstance(value, list):
        return "liste"
    if isinstance(value, dict):
        return "objet"
    return type(value).__name__


def _has_kind(value: object, kind: str) -> bool:
    nullable = kind.endswith("?")
    if value is None:
        return nullable
    base = kind.rstrip("?")
    if base == "str":
        return isinstance(value, str) and (nullable or bool(value.strip()))
    if base == "list":
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    if base == "num":
        return (
            isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        )
    if base == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if base == "bool":
        return isinstance(value, bool)
    if base == "object":
        return isinstance(value, dict)
    raise ValueError(f"unknown kind {kind!r}")


def _check_fields(
    data: Mapping[str, Any],
    kinds: Mapping[str, str],
    prefix: str,
    errors: list[str],
    optional: tuple[str, ...] = (),
) -> set[str]:
    """Check presence and types (the `optional` names are checked elsewhere); return the
    names whose value has the right type."""
    valid: set[str] = set()
    for name, kind in kinds.items():
        label = f"{prefix}{name}"
        if name not in data:
            errors.append(f"champ '{label}' manquant")
            continue
        value = data[name]
        if _has_kind(value, kind):
            valid.add(name)
        elif kind == "str" and isinstance(value, str):
            errors.append(f"champ '{label}' vide")
        elif kind == "list" and isinstance(value, list):
            errors.append(f"champ '{label}' : type invalide (attendu {_KIND_LABELS[kind]})")
        else:
            errors.append(
                f"champ '{label}' : type invalide "
                f"(attendu {_KIND_LABELS[kind]}, reçu {_json_type(value)})"
            )
    for name in data:
        if name not in kinds and name not in optional:
            errors.append(f"champ inconnu '{prefix}{name}'")
    return valid


def in_france(lat: float, lon: float) -> bool:
    """True when the point lies in one of the metropolitan or overseas boxes."""
    return any(
        lat_min <= lat <= lat_max and lon_min <= lon <= lon_max
        for lat_min, lat_max, lon_min, lon_max in FRANCE_BOXES
    )


def _check_rules(data: Mapping[str, Any], ok: set[str], errors: list[str]) -> None:
    """Value rules of SCHEMA.md, each checked only when its fields have the right type."""
    if "id" in ok and not ID_RE.match(data["id"]):
        errors.append(f"identifiant invalide '{data['id']}' (attendu [a-z0-9-]+)")
    if "rome" in ok:
        for code in data["rome"]:
            if not ROME_RE.match(code):
                errors.append(f"code ROME invalide '{code}' dans 'rome'")
    if "domaines" in ok:
        if not data["domaines"]:
            errors.append("champ 'domaines' vide (au moins un domaine attendu)")
        for code in data["domaines"]:
            if code not in DOMAINES:
                errors.append(f"domaine inconnu '{code}' dans 'domaines'")
    if "public_cible" in ok:
        for code in data["public_cible"]:
            if code not in SITUATIONS:
                errors.append(f"public inconnu '{code}' dans 'public_cible'")
    if "code_postal" in ok and data["code_postal"] is not None:
        if not POSTCODE_RE.match(data["code_postal"]):
            errors.append(f"code postal invalide '{data['code_postal']}' (5 chiffres attendus)")
    if "departement" in ok and data["departement"] is not None:
        if data["departement"] not in DEPARTEMENTS:
            errors.append(f"département inconnu '{data['departement']}'")
    if {"lat", "lon"} <= ok:
        lat, lon = data["lat"], data["lon"]
        if (lat is None) != (lon is None):
            errors.append("coordonnées incomplètes : 'lat' et 'lon' vont ensemble")
        elif lat is not None and not in_france(lat, lon):
            errors.append(f"coordonnées hors de France (lat {lat}, lon {lon})")
    if "duree_mois" in ok and data["duree_mois"] is not None:
        duree = data["duree_mois"]
        if not 0 < duree <= DUREE_MOIS_MAX:
            errors.append(
                f"durée hors limites : duree_mois = {duree} "
                f"(attendu 0 < duree_mois <= {DUREE_MOIS_MAX})"
            )
    if "cout" in ok and data["cout"] not in COUTS:
        errors.append(f"coût inconnu '{data['cout']}' (attendu {', '.join(COUTS)})")
    for name in ("diplome_min", "diplome_max"):
        if name in ok and data[name] is not None and data[name] not in DIPLOMES:
            errors.append(f"diplôme inconnu '{data[name]}' dans '{name}'")
    _check_ages(data, ok, errors)
    if "site" in ok and data["site"] is not None:
        if not re.match(r"^https?://\S+$", data["site"]):
            errors.append(f"adresse web invalide '{data['site']}' (http ou https attendu)")
    if "date_donnees" in ok and not DATE_DONNEES_RE.match(data["date_donnees"].strip()):
        errors.append(
            f"date_donnees invalide '{data['date_donnees']}' (année ou période attendue, "
            "ex. « 2016 » ou « 2016-2018 »)"
        )
    if {"commune", "a_distance"} <= ok:
        commune = data["commune"]
        if (commune is None or not commune.strip()) and data["a_distance"] is not True:
            errors.append("ligne sans commune : 'a_distance' doit valoir true")


def _check_ages(data: Mapping[str, Any], ok: set[str], errors: list[str]) -> None:
    in_range: dict[str, int] = {}
    for name in ("age_min", "age_max"):
        if name in ok and data[name] is not None:
            age = data[name]
            if AGE_LOWEST <= age <= AGE_HIGHEST:
                in_range[name] = age
            else:
                errors.append(
                    f"âge hors limites : {name} = {age} "
                    f"(attendu entre {AGE_LOWEST} et {AGE_HIGHEST})"
                )
    if len(in_range) == 2 and in_range["age_min"] > in_range["age_max"]:
        errors.append(
            f"âges incohérents : age_min ({in_range['age_min']}) "
            f"supérieur à age_max ({in_range['age_max']})"
        )


def _record(
    data: Mapping[str, Any], sessions: tuple[PeriodeSession, ...], rncp: tuple[str, ...]
) -> FormationRecord:
    values: dict[str, Any] = {"sessions": sessions, "rncp": rncp}
    for name, kind in _FIELD_KINDS.items():
        value = data[name]
        if name == "source":
            values["source_nom"] = value["nom"]
            values["source_reference"] = value["reference"]
            values["source_confiance"] = value["confiance"]
        elif kind == "list":
            values[name] = tuple(value)
        elif kind == "num?" and value is not None:
            values[name] = float(value)
        else:
            values[name] = value
    return FormationRecord(**values)


def validate_row(data: object) -> FormationRecord | list[str]:
    """Validate one decoded row: the record, or the list of French error messages."""
    if not isinstance(data, dict):
        return [f"la ligne doit être un objet JSON (reçu {_json_type(data)})"]
    errors: list[str] = []
    ok = _check_fields(data, _FIELD_KINDS, "", errors, OPTIONAL_FIELDS)
    if "source" in ok:
        source_ok = _check_fields(data["source"], _SOURCE_KINDS, "source.", errors)
        if "confiance" in source_ok:
            confiance = data["source"]["confiance"]
            if confiance is not None and confiance not in CONFIANCES:
                errors.append(
                    f"confiance inconnue '{confiance}' dans 'source.confiance' "
                    "(attendu high, medium ou null)"
                )
    _check_rules(data, ok, errors)
    sessions = check_sessions(data["sessions"], errors) if "sessions" in data else ()
    rncp = check_rncp(data["rncp"], errors) if "rncp" in data else ()
    return errors if errors else _record(data, sessions, rncp)


def validate_line(line: str) -> FormationRecord | list[str]:
    """Validate one JSON line: the record, or the list of French error messages."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return [f"ligne JSON invalide ({exc.msg}, colonne {exc.colno})"]
    return validate_row(data)


def iter_validated(
    sources: Iterable[tuple[str, bytes | None]],
) -> Iterator[tuple[str, FormationRecord | RowError]]:
    """Yield (file name, record or error) for every non-blank line of every source.

    `None` content means the file is missing. An `id` seen twice (in any file) is
    reported on the line of its second occurrence.
    """
    seen: dict[str, tuple[str, int]] = {}
    for name, content in sources:
        if content is None:
            yield name, RowError(name, 0, "fichier introuvable")
            continue
        if content.startswith(b"\xef\xbb\xbf"):
            content = content[3:]
        for number, raw in enumerate(content.split(b"\n"), start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield name, RowError(name, number, "encodage invalide (UTF-8 attendu)")
                continue
            if not line.strip():
                continue
            result = validate_line(line)
            if isinstance(result, list):
                for message in result:
                    yield name, RowError(name, number, message)
                continue
            previous = seen.get(result.id)
            if previous is not None:
                yield (
                    name,
                    RowError(
                        name,
                        number,
                        f"identifiant '{result.id}' en double "
                        f"(déjà présent en {previous[0]}:{previous[1]})",
                    ),
                )
                continue
            seen[result.id] = (name, number)
            yield name, result


def validate_sources(
    sources: Iterable[tuple[str, bytes | None]],
) -> tuple[list[FormationRecord], list[RowError]]:
    """Validate (file name, content) pairs: every valid record and every error."""
    records: list[FormationRecord] = []
    errors: list[RowError] = []
    for _name, result in iter_validated(sources):
        if isinstance(result, RowError):
            errors.append(result)
        else:
            records.append(result)
    return records, errors


def read_sources(paths: Iterable[str | Path]) -> list[tuple[str, bytes | None]]:
    """Read files as (file name, bytes) pairs; missing files give `None` content."""
    sources: list[tuple[str, bytes | None]] = []
    for path in paths:
        path = Path(path)
        try:
            sources.append((path.name, path.read_bytes()))
        except FileNotFoundError:
            sources.append((path.name, None))
    return sources


def validate_files(
    paths: Iterable[str | Path],
) -> tuple[list[FormationRecord], list[RowError]]:
    """Validate catalogue files: every valid record and every error (`file:line: reason`)."""
    return validate_sources(read_sources(paths))
