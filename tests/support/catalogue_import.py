"""A partner's training list, its mapping file and the import command, for the import tests."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import yaml

from bot.catalogue import cli as catalogue_cli
from bot.catalogue.repository import Catalogue
from bot.db import engine_for

HEADER = [
    "Réf",
    "Intitulé",
    "Organisme",
    "Métiers",
    "Ville",
    "CP",
    "Durée",
    "Coût",
    "Prérequis",
    "Public",
    "Âge min",
    "Âge max",
    "Site",
    "Distanciel",
    "Domaines",
]


MAPPING: dict[str, Any] = {
    "source": {
        "nom": "Mission locale de test",
        "reference": "liste interne de test",
        "date_donnees": 2024,
    },
    "id_prefix": "mlille",
    "champs": {
        "intitule": "Intitulé",
        "organisme": "Organisme",
        "metiers": "Métiers",
        "commune": "Ville",
        "code_postal": "CP",
        "duree": "Durée",
        "cout": "Coût",
        "prerequis": "Prérequis",
        "public": "Public",
        "age_min": "Âge min",
        "age_max": "Âge max",
        "site": "Site",
        "a_distance": "Distanciel",
    },
}


def line(**cells: str) -> list[str]:
    """A CSV data row of HEADER with a valid default training in Lille."""
    values = {
        "Réf": "A1",
        "Intitulé": "Développeur web",
        "Organisme": "Simplon",
        "Métiers": "Développeur web; Intégrateur web",
        "Ville": "Lille",
        "CP": "59000",
        "Durée": "7 mois",
        "Coût": "Gratuit",
        "Prérequis": "Aucun diplôme requis",
        "Public": "Demandeurs d'emploi",
        "Âge min": "18",
        "Âge max": "",
        "Site": "https://example.org",
        "Distanciel": "non",
        "Domaines": "",
    }
    values.update(cells)
    return [values[name] for name in HEADER]


def write_mapping(path: Path, **changes: Any) -> Path:
    """Write MAPPING (with top-level or `champs` changes) as YAML."""
    data = json.loads(json.dumps(MAPPING))
    for key, value in changes.items():
        if key in data:
            data[key] = value
        else:
            data["champs"][key] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="capnum")
    sub = parser.add_subparsers(dest="command", required=True)
    catalogue_cli.register(sub)
    args = parser.parse_args(argv)
    return args.func(args)


def loaded_ids(db: Path) -> list[str]:
    engine = engine_for(f"sqlite:///{db}")
    try:
        return [record.id for record in Catalogue(engine).all()]
    finally:
        engine.dispose()


def import_argv(source: Path, mapping: Path, *options: str) -> list[str]:
    return ["catalogue", "import", str(source), "--mapping", str(mapping), *options]
