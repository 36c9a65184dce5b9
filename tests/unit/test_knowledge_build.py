"""Tests of the knowledge converter (tools.knowledge.build) and of the generated catalogue."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot.catalogue.validation import SCHEMA_FIELDS
from bot.contract import COUTS, DIPLOMES, DOMAINES, SITUATIONS
from bot.geo import Commune, Geo
from tools.knowledge import build as kb

REPO = Path(__file__).resolve().parents[2]
CATALOGUE_DIR = REPO / "knowledge" / "catalogue"
CATALOGUE_FILES = sorted(CATALOGUE_DIR.glob("*.jsonl"))

ROME_ROWS = [
    {"metier_cible": "developpeur_web_mobile", "code_fiche": "M1855"},
    {"metier_cible": "developpeur_web_mobile", "code_fiche": "M1805"},
    {"metier_cible": "developpeur_web_mobile", "code_fiche": "M1855"},
    {"metier_cible": "mediateur_numerique", "code_fiche": "G1238"},
    {"metier_cible": "community_manager", "code_fiche": "E1101"},
]


# -- normalisation rules ----------------------------------------------------------------


@pytest.mark.parametrize(
    "niveau, expected",
    [
        ("without", ("aucun", None)),
        ("without_only", ("aucun", "aucun")),
        ("bac", ("bac", None)),
        ("bac+2", ("bac_plus_2", None)),
        ("brevet", ("brevet", None)),
        ("inconnu", (None, None)),
    ],
)
def test_idf_diplomas(niveau: str, expected: tuple[str | None, str | None]) -> None:
    """Île-de-France diploma levels map to the minimum and maximum diplomas."""
    assert kb.idf_diplomas(niveau) == expected


@pytest.mark.parametrize(
    "age, public, expected",
    [
        ("18+", "tout public", (18, None)),
        ("18/24", "- de 25 ans", (18, 24)),
        ("18/24", "- 25 ans", (18, 24)),
        ("24/30", "- de 30 ans", (None, 29)),
        ("18/24", "16-25 ans", (16, 25)),
        ("18+", "- de 26 ans et demandeur d'emploi de + de 26 ans", (18, None)),
        ("18+", "16-25 ans, demandeur d'emploi de + de 26 ans, bénéficiaire du RSA", (16, None)),
        ("24/30", "pour les demandeurs d'emploi âgés de 18 à 35 ans", (18, 35)),
        ("18/24", "- de 25 ans, demandeur d'emploi", (18, 24)),
        ("18+", "demandeur d'emploi", (18, None)),
    ],
)
def test_idf_ages(age: str, public: str, expected: tuple[int | None, int | None]) -> None:
    """Île-de-France age bands and public texts combine into a minimum and maximum age."""
    assert kb.idf_ages(age, public) == expected


@pytest.mark.parametrize(
    "public, expected",
    [
        ("demandeur d'emploi", ["demandeur_emploi"]),
        ("tout public", []),
        ("- de 30 ans", []),
        ("16-25 ans", []),
        ("- de 26 ans et demandeur d'emploi de + de 26 ans", []),
        (
            "demandeur d'emploi, bénéficiaire du RSA, éligible au dispositif chantier d'insertion",
            ["demandeur_emploi"],
        ),
    ],
)
def test_idf_public_cible(public: str, expected: list[str]) -> None:
    """Only job seekers are recognised as a target public in Île-de-France texts."""
    assert kb.idf_public_cible(public) == expected


def test_small_helpers() -> None:
    """Year, source name, job list, text cleaning and web-site helpers parse their inputs."""
    assert kb.first_year("LePoleS labellisé en 2016 ; école ouverte en 2018") == 2016
    assert kb.first_year("") is None
    assert kb.source_name("https://a.fr/x (Région, 2017)") == "https://a.fr/x"
    assert kb.source_name("https://a.fr/x ; https://b.fr") == "https://a.fr/x"
    assert kb.source_name("GitHub, CV") == "GitHub, CV"


# -- geography ---------------------------------------------------------------------------


def test_build_communes_join_and_fallback() -> None:
    """Communes join their coordinates by name, else fall back to the department seat."""
    communes = [
        {
            "code": "59350",
            "nom": "Lille",
            "type": "commune-actuelle",
            "departement": "59",
            "region": "32",
            "codesPostaux": ["59800", "59000"],
            "population": 230000,
        },
        {
            "code": "59999",
            "nom": "Trou-Perdu",
            "type": "commune-actuelle",
            "departement": "59",
            "region": "32",
            "codesPostaux": ["59999"],
            "population": 50,
        },
        {
            "code": "59512",
            "nom": "Saint-Roubaix",
            "type": "commune-actuelle",
            "departement": "59",
            "region": "32",
            "codesPostaux": ["59100"],
            "population": 98000,
        },
        {
            "code": "59001",
            "nom": "Vieux-Nom",
            "type": "commune-deleguee",
            "chefLieu": "59999",
            "departement": "59",
            "region": "32",
        },
        {
            "code": "97411",
            "nom": "Saint-Denis",
            "type": "commune-actuelle",
            "departement": "974",
            "region": "04",
            "codesPostaux": ["97400"],
            "population": 150000,
        },
    ]
    departements = [{"code": "59", "chefLieu": "59350"}, {"code": "974", "chefLieu": "97411"}]
    geonames = [
        {
            "geonameid": 1,
            "name": "Lille",
            "latitude": 50.633333,
            "longitude": 3.066667,
            "admin1code": "32",
            "population": 228328,
        },
        {
            "geonameid": 2,
            "name": "Lille",
            "latitude": 10.0,
            "longitude": 1.0,
            "admin1code": "32",
            "population": 600,
        },
        {
            "geonameid": 3,
            "name": "Lille",
            "latitude": 44.0,
            "longitude": 1.0,
            "admin1code": "76",
            "population": 230000,
        },
        {
            "geonameid": 4,
            "name": "St Roubaix",
            "latitude": 50.69,
            "longitude": 3.17,
            "admin1code": "32",
            "population": 98000,
        },
    ]
    rows = {r["code_insee"]: r for r in kb.build_communes(communes, departements, geonames)}
    assert list(rows) == ["59350", "59512", "59999", "97411"]
    lille = rows["59350"]
    assert (lille["lat"], lille["lon"], lille["coord_source"]) == (50.63333, 3.06667, "geonames")
    assert lille["codes_postaux"] == "59000 59800"
    assert rows["59512"]["coord_source"] == "geonames"  # "St" = "Saint"
    assert rows["59999"]["coord_source"] == "chef_lieu_departement"
    assert (rows["59999"]["lat"], rows["59999"]["lon"]) == (50.63333, 3.06667)
    assert rows["97411"]["coord_source"] == "" and rows["97411"]["lat"] == ""


def _geo() -> Geo:
    return Geo(
        [
            Commune(
                "93066",
                "Saint-Denis",
                ("93200", "93210"),
                "93",
                "Île-de-France",
                150000,
                48.93,
                2.35,
            ),
            Commune(
                "94052",
                "Nogent-sur-Marne",
                ("94130",),
                "94",
                "Île-de-France",
                32000,
                48.8375,
                2.4833,
            ),
            Commune("59512", "Roubaix", ("59100",), "59", "Hauts-de-France", 98000, 50.69, 3.17),
            Commune("97112", "Grand-Bourg", ("97112",), "971", "Guadeloupe", 4600, None, None),
            Commune("92024", "Clichy", ("92110",), "92", "Île-de-France", 64000, 48.9, 2.31),
        ]
    )


IDF_RECORD: dict[str, Any] = {
    "nom_etablissement": "Street School",
    "nom_formation": "journalisme\ndigital",
    "metier": "Journaliste digital",
    "age": "24/30",
    "niveau_diplome": "without",
    "public": "- de 30 ans",
    "post_code": 93210,
    "localisation": [48.913883, 2.357677],
    "prix": "gratuit",
    "duree": "4 mois",
    "formation_diplomante": "qualifiante",
    "site": "http://school.streetpress.com/",
}


def test_build_idf() -> None:
    """Île-de-France records become schema rows; rows without a domain are excluded."""
    cedex = dict(IDF_RECORD, post_code=94736, localisation=[48.837631, 2.481699])
    no_domain = dict(IDF_RECORD, metier="pas de métier", nom_formation="pépinière")
    result = kb.build_idf([IDF_RECORD, no_domain, cedex], _geo(), ROME_ROWS)
    assert [e.index for e in result.excluded] == [1]
    first, third = result.rows
    assert first["id"] == "gen-idf-2016-001" and third["id"] == "gen-idf-2016-003"
    assert third["formation_id"] == first["id"]  # same organisme and title
    assert first["intitule"] == "journalisme digital"
    assert first["domaines"] == ["communication_digitale"]
    assert first["rome"] == ["E1101"]
    assert (first["commune"], first["code_postal"], first["departement"]) == (
        "Saint-Denis",
        "93210",
        "93",
    )
    assert (first["lat"], first["lon"]) == (48.91388, 2.35768)
    assert (first["age_min"], first["age_max"]) == (None, 29)
    assert first["cout"] == "gratuit" and first["duree_mois"] == 4.0
    assert first["certification"] == "qualifiante"
    assert first["brut"] == IDF_RECORD
    assert first["source"] == kb.IDF_SOURCE
    assert third["commune"] == "Nogent-sur-Marne" and third["code_postal"] == "94736"
    assert list(first) == list(SCHEMA_FIELDS)


def test_build_idf_keeps_one_row_per_training_and_place() -> None:
    """Another session of the same training at the same site is excluded with its reason;
    the same training at another site is kept as a second site."""
    session = dict(IDF_RECORD, duree="4 mois (session de printemps)")
    other_site = dict(IDF_RECORD, post_code=94736, localisation=[48.837631, 2.481699])
    result = kb.build_idf([IDF_RECORD, session, other_site], _geo(), ROME_ROWS)
    assert [r["id"] for r in result.rows] == ["gen-idf-2016-001", "gen-idf-2016-003"]
    assert result.rows[1]["formation_id"] == "gen-idf-2016-001"
    [excluded] = result.excluded
    assert excluded.index == 1
    assert excluded.reason == "autre session de gen-idf-2016-001 (même formation, même lieu)"


def test_build_sourced_repeated_record_is_one_row() -> None:
    """A repeated sourced record becomes one row; the copy is excluded with a reason."""
    result = kb.build_sourced([SOURCED_RECORD, dict(SOURCED_RECORD)], _geo(), ROME_ROWS)
    assert [r["id"] for r in result.rows] == ["gen-reg-001"]
    assert [(e.index, e.reason) for e in result.excluded] == [
        (1, "autre session de gen-reg-001 (même formation, même lieu)")
    ]


SOURCED_RECORD: dict[str, Any] = {
    "organisme": "Simplon.co (avec l'ADEP)",
    "intitule": "Développeur web",
    "metiers": ["Développeur web"],
    "commune": "Roubaix",
    "code_postal": "59100",
    "departement": "59",
    "region": "Hauts-de-France",
    "duree": "6 mois",
    "prerequis": "",
    "public": "",
    "certification": "",
    "cout": "",
    "annees_label": "2016 (1re vague)",
    "site": "",
    "source": "https://www.libe.io/x (Libération, 08/05/2016) ; GitHub, CV",
    "confidence": "medium",
    "notes": "",
}


def test_build_sourced() -> None:
    """Sourced records become rows, remote and overseas included; unplaceable ones are excluded."""
    records = [
        SOURCED_RECORD,
        dict(SOURCED_RECORD, intitule="", metiers=[]),  # organisation only
        dict(SOURCED_RECORD, commune="", code_postal="", departement=""),  # no place
        dict(
            SOURCED_RECORD,
            organisme="O'clock",
            intitule="Développeur web (téléprésentiel)",
            commune="",
            code_postal="",
            region="National (à distance)",
            annees_label="",
        ),
        dict(
            SOURCED_RECORD,
            organisme="",
            intitule="",
            metiers=["Réseaux"],
            commune="Grand-Bourg (Marie-Galante)",
            code_postal="97112",
            departement="971",
        ),
        dict(SOURCED_RECORD, commune="Clichy-la-Garenne", code_postal="92110", departement="92"),
        dict(SOURCED_RECORD, commune="Atlantis", code_postal="", departement=""),
    ]
    result = kb.build_sourced(records, _geo(), ROME_ROWS)
    assert [(e.index, e.reason.split(" ")[0]) for e in result.excluded] == [
        (1, "ni"),
        (2, "pas"),
        (6, "commune"),
    ]
    roubaix, distance, grand_bourg, clichy = result.rows
    assert roubaix["id"] == "gen-reg-001" and roubaix["commune"] == "Roubaix"
    assert roubaix["source"] == {
        "nom": "https://www.libe.io/x",
        "reference": SOURCED_RECORD["source"],
        "confiance": "medium",
    }
    assert roubaix["label_gen_annee"] == 2016 and roubaix["date_donnees"] == "2016"
    assert roubaix["cout"] == "inconnu" and roubaix["organisme"] == SOURCED_RECORD["organisme"]
    assert distance["a_distance"] is True and distance["commune"] is None
    assert distance["date_donnees"] == "2016-2021" and distance["label_gen_annee"] is None
    assert grand_bourg["commune"] == "Grand-Bourg" and grand_bourg["organisme"] is None
    assert grand_bourg["intitule"] == "Réseaux"
    assert grand_bourg["formation_id"] == grand_bourg["id"]
    assert clichy["commune"] == "Clichy"
    assert clichy["formation_id"] == roubaix["id"]  # same (organisme, intitule)


def test_register_adds_knowledge_build() -> None:
    """The CLI gains a 'knowledge build' command with its --shared option."""
    parser = argparse.ArgumentParser()
    kb.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["knowledge", "build", "--shared", "/tmp/x"])
    assert args.func is kb.run_build and args.shared == Path("/tmp/x")


# -- generated catalogue -----------------------------------------------------------------

REQUIRED_TYPES: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "formation_id": (str,),
    "intitule": (str,),
    "organisme": (str, type(None)),
    "metiers": (list,),
    "rome": (list,),
    "domaines": (list,),
    "commune": (str, type(None)),
    "code_insee": (str, type(None)),
    "code_postal": (str, type(None)),
    "departement": (str, type(None)),
    "region": (str, type(None)),
    "lat": (float, type(None)),
    "lon": (float, type(None)),
    "a_distance": (bool,),
    "duree_texte": (str, type(None)),
    "duree_mois": (float, int, type(None)),
    "cout": (str,),
    "cout_texte": (str, type(None)),
    "diplome_min": (str, type(None)),
    "diplome_max": (str, type(None)),
    "age_min": (int, type(None)),
    "age_max": (int, type(None)),
    "public_texte": (str, type(None)),
    "public_cible": (list,),
    "certification": (str, type(None)),
    "label_gen_annee": (int, type(None)),
    "site": (str, type(None)),
    "source": (dict,),
    "date_donnees": (str,),
    "brut": (dict,),
}


def check_row(row: dict[str, Any]) -> None:
    """Schema check of one catalogue row (knowledge/SCHEMA.md)."""
    assert set(row) == set(REQUIRED_TYPES)
    for key, types in REQUIRED_TYPES.items():
        assert isinstance(row[key], types), key
    assert re.fullmatch(r"[a-z0-9-]+", row["id"])
    assert row["domaines"] and set(row["domaines"]) <= set(DOMAINES)
    assert set(row["public_cible"]) <= set(SITUATIONS)
    assert all(re.fullmatch(r"[A-N]\d{4}", code) for code in row["rome"])
    assert row["cout"] in COUTS
    for key in ("diplome_min", "diplome_max"):
        assert row[key] is None or row[key] in DIPLOMES
    assert row["code_postal"] is None or re.fullmatch(r"\d{5}", row["code_postal"])
    assert row["duree_mois"] is None or 0 < row["duree_mois"] <= 48
    if row["age_min"] is not None:
        assert 14 <= row["age_min"]
    if row["age_max"] is not None:
        assert (row["age_min"] or 14) <= row["age_max"] <= 99
    if row["commune"] is None:
        assert row["a_distance"] is True
    else:
        assert row["departement"] and row["code_insee"] and row["region"]
    if row["lat"] is not None:
        assert -22 <= row["lat"] <= 52 and -62 <= row["lon"] <= 56
    assert row["site"] is None or re.match(r"https?://", row["site"])
    assert set(row["source"]) == {"nom", "reference", "confiance"}
    assert row["source"]["confiance"] in ("high", "medium", None)
    assert row["label_gen_annee"] is None or 2015 <= row["label_gen_annee"] <= 2025


def test_generated_catalogue_rows_pass_schema() -> None:
    """Every row of the generated catalogue files passes the schema with a unique id."""
    assert [p.name for p in CATALOGUE_FILES] == [
        "gen_idf_2016.jsonl",
        "gen_regions_2016_2021.jsonl",
    ]
    ids: set[str] = set()
    for path in CATALOGUE_FILES:
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines
        for number, line in enumerate(lines, 1):
            row = json.loads(line)
            try:
                check_row(row)
            except AssertionError as exc:  # pragma: no cover - message for humans
                raise AssertionError(f"{path.name}:{number}: {exc}") from exc
            assert row["id"] not in ids
            ids.add(row["id"])


def test_generated_geo_files() -> None:
    """The generated communes file stays under 4 MB with the expected columns."""
    communes = REPO / "knowledge" / "geo" / "communes.csv"
    assert communes.stat().st_size < 4 * 1024 * 1024
    header = communes.read_text(encoding="utf-8").split("\n", 1)[0]
    assert header == ",".join(kb.COMMUNE_COLUMNS)


SHARED = REPO.parent / "shared" / "data"


@pytest.mark.skipif(not (SHARED / kb.IDF_FILE).is_file(), reason="../shared/data absent")
def test_build_is_reproducible(tmp_path: Path) -> None:
    """Rebuilding from ../shared/data gives exactly the committed knowledge files."""
    kb.build(SHARED, tmp_path)
    knowledge = REPO / "knowledge"
    for rel in (
        "geo/communes.csv",
        "geo/departements.csv",
        "geo/regions.csv",
        "rome/metiers_numeriques.csv",
        "catalogue/gen_idf_2016.jsonl",
        "catalogue/gen_regions_2016_2021.jsonl",
        "SOURCES.md",
        "geo/LICENSE.decoupage-administratif.txt",
    ):
        assert (tmp_path / rel).read_bytes() == (knowledge / rel).read_bytes(), rel
