"""Catalogue rows in the shape of knowledge/SCHEMA.md: built from normalised source values,
grouped into trainings, written as JSONL. Shared by the catalogue import
(`bot.catalogue.importer`) and the knowledge build (`capnum knowledge build`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from bot.catalogue.normalisation import parse_cout, parse_duree, rome_codes
from bot.geo import Commune, normalize_name


def place_fields(commune: Commune | None, code_postal: str | None) -> dict[str, Any]:
    """The place fields of a catalogue row (all null but the postcode without commune)."""
    if commune is None:
        return {
            "commune": None,
            "code_insee": None,
            "code_postal": code_postal,
            "departement": None,
            "region": None,
            "lat": None,
            "lon": None,
        }
    return {
        "commune": commune.nom,
        "code_insee": commune.code_insee,
        "code_postal": code_postal or (commune.codes_postaux[0] if commune.codes_postaux else None),
        "departement": commune.departement,
        "region": commune.region or None,
        "lat": commune.lat,
        "lon": commune.lon,
    }


def assign_formation_ids(rows: list[dict[str, Any]]) -> None:
    """Rows with the same (organisme, intitule) share the id of the first one.

    Rows without organisme are never grouped: nothing says they are the same training.
    """
    first: dict[tuple[str, str], str] = {}
    for row in rows:
        if row["organisme"]:
            key = (normalize_name(row["organisme"]), normalize_name(row["intitule"]))
            row["formation_id"] = first.setdefault(key, row["id"])
        else:
            row["formation_id"] = row["id"]


def schema_row(
    *,
    row_id: str,
    intitule: str,
    organisme: str | None,
    metiers: list[str],
    domaines: list[str],
    rome_rows: Sequence[dict[str, str]],
    place: dict[str, Any],
    a_distance: bool,
    duree_texte: str | None,
    cout_texte: str | None,
    diplomes: tuple[str | None, str | None],
    ages: tuple[int | None, int | None],
    public_texte: str | None,
    public_cible: list[str],
    certification: str | None,
    label_gen_annee: int | None,
    site: str | None,
    source: dict[str, Any],
    date_donnees: str,
    brut: dict[str, Any],
) -> dict[str, Any]:
    """One row of knowledge/SCHEMA.md, its keys in the schema's order: the one place where
    a catalogue row is built. ROME codes, duration in months and cost code are derived
    here; `formation_id` is set later by `assign_formation_ids`."""
    return {
        "id": row_id,
        "formation_id": "",
        "intitule": intitule,
        "organisme": organisme,
        "metiers": metiers,
        "rome": rome_codes(domaines, rome_rows),
        "domaines": domaines,
        **place,
        "a_distance": a_distance,
        "duree_texte": duree_texte,
        "duree_mois": parse_duree(duree_texte),
        "cout": parse_cout(cout_texte),
        "cout_texte": cout_texte,
        "diplome_min": diplomes[0],
        "diplome_max": diplomes[1],
        "age_min": ages[0],
        "age_max": ages[1],
        "public_texte": public_texte,
        "public_cible": public_cible,
        "certification": certification,
        "label_gen_annee": label_gen_annee,
        "site": site,
        "source": source,
        "date_donnees": date_donnees,
        "brut": brut,
    }


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write one compact JSON object per line (UTF-8, keys in schema order)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count
