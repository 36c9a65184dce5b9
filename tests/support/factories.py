"""Test data builders shared by the test modules."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from bot.catalogue.validation import (
    FormationRecord,
    validate_row,
)
from bot.geo import EARTH_RADIUS_KM
from bot.recommend import (
    Profil,
)

MISSING = object()


def valid_row(**overrides: Any) -> dict[str, Any]:
    """A valid catalogue row; each override replaces one field (MISSING removes it)."""
    row: dict[str, Any] = {
        "id": "gen-hdf-2016-001",
        "formation_id": "gen-hdf-2016-001",
        "intitule": "Développeur web et web mobile",
        "organisme": "Simplon",
        "metiers": ["Développeur web"],
        "rome": ["M1805"],
        "domaines": ["developpement"],
        "commune": "Lille",
        "code_insee": "59350",
        "code_postal": "59000",
        "departement": "59",
        "region": "Hauts-de-France",
        "lat": 50.63,
        "lon": 3.06,
        "a_distance": False,
        "duree_texte": "7 mois",
        "duree_mois": 7,
        "cout": "gratuit",
        "cout_texte": "Gratuit pour les stagiaires",
        "diplome_min": None,
        "diplome_max": None,
        "age_min": 18,
        "age_max": None,
        "public_texte": "Demandeurs d'emploi",
        "public_cible": ["demandeur_emploi"],
        "certification": "certifiante",
        "label_gen_annee": 2016,
        "site": "https://simplon.co",
        "source": {
            "nom": "GEN 2016",
            "reference": "https://example.org/gen-2016.csv",
            "confiance": "high",
        },
        "date_donnees": "2016",
        "brut": {"Nom de la formation": "Développeur web", "Ville": "Lille"},
    }
    for key, value in overrides.items():
        if value is MISSING:
            row.pop(key, None)
        else:
            row[key] = value
    return row


# Overrides of `valid_row` for a training followed only at a distance (no site).
DISTANCE_ONLY: dict[str, Any] = {
    "commune": None,
    "code_insee": None,
    "code_postal": None,
    "departement": None,
    "region": None,
    "lat": None,
    "lon": None,
    "a_distance": True,
}


def make_formation(**overrides: Any) -> FormationRecord:
    """A validated catalogue record built from `valid_row` with overrides."""
    record = validate_row(valid_row(**overrides))
    assert isinstance(record, FormationRecord), record
    return record


HOME = (50.0, 3.0)  # the person's home in the synthetic tests (Nord, inside France)


KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180


def south_of_home(km: float) -> dict[str, float]:
    """Coordinates exactly `km` kilometres south of HOME (same meridian)."""
    return {"lat": HOME[0] - km / KM_PER_DEGREE, "lon": HOME[1]}


def formation(id: str = "f-1", km: float | None = 5.0, **overrides: Any) -> FormationRecord:
    """An open, free developpement training `km` south of HOME (None = distance only)."""
    fields: dict[str, Any] = {
        "id": id,
        "formation_id": id,
        "age_min": None,
        "public_cible": [],
        "public_texte": None,
    }
    if km is None:
        fields.update(DISTANCE_ONLY)
    else:
        fields.update(south_of_home(km))
    fields.update(overrides)
    return make_formation(**fields)


def profil(**overrides: Any) -> Profil:
    """A 19-year-old dropout without diploma at HOME interested in developpement."""
    values: dict[str, Any] = {
        "situation": "decrocheur",
        "diplome": "aucun",
        "age": 19.0,
        "commune": "Maison",
        "lat": HOME[0],
        "lon": HOME[1],
        "interets": ("developpement",),
    }
    values.update(overrides)
    return Profil(**values)


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    """Write rows: dicts as JSON, strings as raw lines, None as a blank line."""
    lines = []
    for row in rows:
        if row is None:
            lines.append("")
        elif isinstance(row, str):
            lines.append(row)
        else:
            lines.append(json.dumps(row, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
