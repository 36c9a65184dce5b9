"""Test data builders shared by the test modules."""

from __future__ import annotations

from typing import Any

from bot.catalogue.validation import FormationRecord, validate_row

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
