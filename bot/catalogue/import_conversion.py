"""Conversion of one source row of a catalogue import to a catalogue row, following the
mapping file: the organisation's values are read with the catalogue's normalisation rules
(`bot.catalogue.normalisation`) and the row is built by `bot.catalogue.rows.schema_row`.
Messages are in French: they are shown to the organisation's maintainers.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.catalogue.import_sources import ImportMapping
from bot.catalogue.normalisation import (
    clean_text,
    domains_from_text,
    prerequis_diplomas,
    resolve_commune_name,
    sourced_public,
    split_metiers,
    web_site,
)
from bot.catalogue.rows import place_fields, schema_row
from bot.catalogue.validation import POSTCODE_RE
from bot.config import REPO_ROOT
from bot.contract import DIPLOMES
from bot.geo import Commune, Geo, normalize_name
from bot.profil.diplome import parse_diplome

ROME_FILE = REPO_ROOT / "knowledge" / "rome" / "metiers_numeriques.csv"

_TRUE = frozenset({"oui", "o", "vrai", "true", "yes", "y", "1", "x"})
_FALSE = frozenset({"non", "n", "faux", "false", "no", "0", ""})
_AGE_RE = re.compile(r"^(\d{1,3})(?:\s*ans?)?$")
_LIST_SPLIT_RE = re.compile(r"[,;/]")
_CODE_SPLIT_RE = re.compile(r"[\s,;/|]+")
_MAX_NAMES_SHOWN = 5


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
