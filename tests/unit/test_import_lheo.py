"""LHEO import: the real example file, generated files exercising every mapped element,
the digital-sector filter, the identifiers and every error path (`prepare_lheo`)."""

from __future__ import annotations

import os
import re
import shutil
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from bot.catalogue.import_lheo import LheoResult, action_id, default_prefix, prepare_lheo
from bot.catalogue.import_sources import SourceFileError
from bot.catalogue.lheo import LectureLheo
from bot.catalogue.lheo_conversion import date_lheo
from bot.catalogue.lheo_filtre import (
    ECARTEE_HORS_NUMERIQUE,
    ECARTEE_NSF_SANS_DOMAINE,
    KNOWLEDGE_DIR,
    Referentiel,
)
from tests.support.factories import valid_row, write_jsonl
from tests.support.lheo_xml import (
    EXEMPLE,
    NS_22,
    NS_23,
    action,
    exemple_numerique,
    formation,
    lieu,
    session,
    write_offre,
)


@pytest.fixture(scope="module")
def ref() -> Referentiel:
    return Referentiel.charger()


@pytest.fixture
def catalogue_dir(tmp_path: Path) -> Path:
    path = tmp_path / "catalogue"
    path.mkdir()
    return path


def lire(
    tmp_path: Path, ref: Referentiel, formations: list[str] | None = None, **options: Any
) -> LheoResult:
    """Write an offer of these formations and prepare its import (prefix `t`; the
    temporary file of the valid rows goes to `tmp_path/catalogue`)."""
    path = write_offre(tmp_path / "offres.xml", formations, **options)
    (tmp_path / "catalogue").mkdir(exist_ok=True)
    return prepare_lheo(path, "t", tmp_path / "catalogue", ref)


def une_ligne(tmp_path: Path, ref: Referentiel, *actions: str, **champs: Any) -> dict[str, Any]:
    """The single catalogue row of one formation (with `champs`) and its actions."""
    result = lire(tmp_path, ref, [formation(actions=list(actions) or None, **champs)])
    assert not result.issues, [str(issue) for issue in result.issues]
    assert len(result.records()) == 1
    return result.records()[0].to_dict()


def erreurs(tmp_path: Path, ref: Referentiel, formations: list[str]) -> list[str]:
    """The rejection messages of an offer, as printed."""
    return [str(issue) for issue in lire(tmp_path, ref, formations).issues]


# --------------------------------------------------------------------------- real example


def test_the_real_example_is_read_and_dropped_as_not_digital(ref, catalogue_dir) -> None:
    """The ONISEP BTS (sales: ROME D1402, NSF 312) is read whole and dropped with its reason."""
    result = prepare_lheo(EXEMPLE, "lheo-ex", catalogue_dir, ref)
    assert (result.version, result.formations, result.lues) == ("2.2", 1, 1)
    assert result.gardees == 0 and not result.records() and not result.issues
    assert result.ecartees == {ECARTEE_HORS_NUMERIQUE: 1}


def test_a_digital_variant_of_the_real_example_is_kept_with_its_values(
    tmp_path, ref, catalogue_dir
) -> None:
    """With M1805 for D1402, the real offer becomes one row: INSEE commune (the CEDEX
    postcode replaced by the commune's), its own coordinates, sessions, RNCP, export year."""
    result = prepare_lheo(exemple_numerique(tmp_path / "bts.xml"), "lheo-ex", catalogue_dir, ref)
    assert result.gardees == 1 and not result.issues
    row = result.records()[0].to_dict()
    assert (row["id"], row["formation_id"]) == ("lheo-ex-9436-18706", "lheo-ex-9436-18706")
    assert row["intitule"] == "BTS négociation et relation client"
    assert row["organisme"] == "Lycée Kerneuzec"
    assert row["rome"] == ["M1805", "D1403", "D1408"] and row["domaines"] == ["developpement"]
    assert row["metiers"] == ["Développeur / Développeuse informatique"]
    place = {k: row[k] for k in ("commune", "code_insee", "code_postal", "departement", "region")}
    assert place == {
        "commune": "Quimperlé",
        "code_insee": "29233",
        "code_postal": "29300",
        "departement": "29",
        "region": "Bretagne",
    }
    assert (row["lat"], row["lon"], row["a_distance"]) == (47.882108, -3.5526545, False)
    assert (row["duree_texte"], row["duree_mois"]) == ("2 ans", 24.0)
    assert (row["cout"], row["certification"], row["diplome_min"]) == (
        "finance",
        "certifiante",
        None,
    )
    assert row["site"] == "https://lyceedekerneuzec.fr"
    assert row["sessions"] == [{"debut": "2015-09-01", "fin": "2017-08-31"}]
    assert row["rncp"] == ["RNCP474"] and row["date_donnees"] == "2015"
    assert row["source"] == {
        "nom": "offre LHEO bts.xml",
        "reference": "https://www2.cndp.fr/archivage/valid/brochadmin/bouton/c052.htm",
        "confiance": "medium",
    }
    assert row["brut"]["formacode"] == ["34582", "34076"] and row["brut"]["certifinfo"] == ["19004"]
    assert row["brut"]["lieu"]["codepostal"] == "29391"


# --------------------------------------------------------------------------- reading


@pytest.mark.parametrize("ns", [NS_22, NS_23, None], ids=["2.2", "2.3", "sans-espace"])
def test_every_namespace_gives_the_same_rows(tmp_path, ref, ns) -> None:
    """LHEO 2.2, 2.3 and an un-namespaced file are read alike (version from the namespace)."""
    result = lire(tmp_path, ref, ns=ns)
    assert result.version == {NS_22: "2.2", NS_23: "2.3", None: None}[ns]
    assert [record.id for record in result.records()] == ["t-a1"]
    assert result.records()[0].commune == "Lille"


def test_actions_are_numbered_across_the_file(tmp_path) -> None:
    """Actions come in document order, numbered from 1 over the whole file, each with its
    formation and its rank in it."""
    formations = [formation(f"F{i}", [action(f"A{i}-{k}") for k in (1, 2)]) for i in range(3)]
    lecture = LectureLheo(write_offre(tmp_path / "o.xml", formations))
    seen = [(a.ordinal, a.numero, a.formation.numero, a.rang) for a in lecture.actions()]
    assert seen == [(2 * i + k, f"A{i}-{k}", f"F{i}", k) for i in range(3) for k in (1, 2)]
    assert lecture.formations_lues == 3


def test_the_reader_holds_one_formation_at_a_time(tmp_path) -> None:
    """Reading a 3,000-formation file (about 7 MB) allocates well under 1 MB at its peak:
    each formation is cleared and dropped from its parent once read."""
    formations = [formation(f"F{i}", [action(f"A{i}")]) for i in range(3000)]
    path = write_offre(tmp_path / "o.xml", formations)
    assert path.stat().st_size > 6_000_000
    tracemalloc.start()
    try:
        count = sum(len(lue.actions()) for lue in LectureLheo(path).formations())
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 3000
    assert peak < 1_000_000, peak


def test_a_file_broken_midway_leaves_nothing_behind(tmp_path, ref, catalogue_dir) -> None:
    """XML cut after a valid formation: a whole-file error, and the temporary file of the
    rows already checked is deleted."""
    text = write_offre(tmp_path / "o.xml", [formation("F1"), formation("F2")]).read_text()
    cut = tmp_path / "coupe.xml"
    cut.write_text(text[: text.index('<formation numero="F2"') + 40], encoding="utf-8")
    with pytest.raises(SourceFileError, match="XML invalide"):
        prepare_lheo(cut, "t", catalogue_dir, ref)
    assert list(catalogue_dir.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("<lheo><offres><formation>", r"XML invalide \(ligne 1, colonne \d+\)"),
        ("pas du XML", r"XML invalide"),
        ("<catalogue><offres/></catalogue>", r"élément racine <catalogue> : fichier LHEO attendu"),
    ],
)
def test_a_file_that_is_not_lheo_stops_everything(tmp_path, ref, content, message) -> None:
    """Broken XML or another root element is a whole-file error, with a French reason."""
    path = tmp_path / "offres.xml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SourceFileError, match=message):
        prepare_lheo(path, "t", tmp_path, ref)
    with pytest.raises(SourceFileError, match="fichier introuvable"):
        prepare_lheo(tmp_path / "absent.xml", "t", tmp_path, ref)


# --------------------------------------------------------------------------- filter


@pytest.mark.parametrize(
    ("codes", "domaines", "raison"),
    [
        ({"rome": ["m1844"], "formacodes": [], "nsf": []}, ["cybersecurite"], None),
        (
            {"rome": ["M1855", "E1206"], "formacodes": [], "nsf": []},
            ["developpement", "design"],
            None,
        ),
        ({"rome": ["D1402"], "formacodes": ["31045"], "nsf": []}, ["cybersecurite"], None),
        ({"rome": ["K2111"], "formacodes": ["46359"], "nsf": []}, ["communication_digitale"], None),
        ({"rome": ["M1802"], "formacodes": [], "nsf": ["326"]}, ["reseaux_systemes"], None),
        ({"rome": [], "formacodes": ["31094"], "nsf": ["326"]}, [], ECARTEE_NSF_SANS_DOMAINE),
        ({"rome": ["D1402"], "formacodes": ["34582"], "nsf": ["312"]}, [], ECARTEE_HORS_NUMERIQUE),
        ({"rome": [], "formacodes": [], "nsf": []}, [], ECARTEE_HORS_NUMERIQUE),
    ],
    ids=["rome", "deux-fiches", "formacode", "formacode-cm", "nsf", "nsf-seul", "vente", "rien"],
)
def test_the_digital_filter(tmp_path, ref, codes, domaines, raison) -> None:
    """A job sheet's ROME code or a listed Formacode keeps an action (their domains); NSF 326
    keeps it when the title names a domain; anything else is dropped with its reason."""
    intitule = (
        "Technicien réseaux" if codes["nsf"] == ["326"] and codes["rome"] else "Gestion de projet"
    )
    result = lire(tmp_path, ref, [formation(intitule=intitule, **codes)])
    if raison:
        assert result.ecartees == {raison: 1} and not result.records() and not result.issues
    else:
        assert [list(r.domaines) for r in result.records()] == [domaines]
        assert result.gardees == 1 and not result.ecartees


def test_the_filter_list_names_known_domains(tmp_path) -> None:
    """Every Formacode of knowledge/lheo/filtre_numerique.yml maps to a contract domain; a
    list naming another domain is refused when read."""
    ref = Referentiel.charger()
    assert ref.formacodes["31045"] == "cybersecurite" and "326" in ref.nsf_informatique
    assert {"M1805", "M1855", "G1238", "E1101"} <= set(ref.fiches)
    knowledge = tmp_path / "knowledge"
    for folder in ("metiers", "rome", "lheo"):
        shutil.copytree(KNOWLEDGE_DIR / folder, knowledge / folder)
    filtre = knowledge / "lheo" / "filtre_numerique.yml"
    filtre.write_text(
        filtre.read_text(encoding="utf-8").replace("domaine: cybersecurite", "domaine: robotique"),
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="domaine.* inconnu.* robotique"):
        Referentiel.charger(knowledge_dir=knowledge)


def test_dropped_actions_are_never_checked(tmp_path, ref) -> None:
    """An action out of the digital sector is dropped even when its values are wrong."""
    broken = action(lieux=[lieu(insee="99999")], sessions=[session("demain")])
    result = lire(
        tmp_path, ref, [formation(rome=["D1402"], formacodes=[], nsf=[], actions=[broken])]
    )
    assert result.ecartees == {ECARTEE_HORS_NUMERIQUE: 1} and not result.issues


# --------------------------------------------------------------------------- mapping


def test_every_mapped_element_of_a_generated_action(tmp_path, ref) -> None:
    """Title, organisation, place, cost, duration, level, public, certification, site,
    RNCP, sessions (sorted, twins merged, month and unknown dates) and raw values."""
    row = une_ligne(
        tmp_path,
        ref,
        action(
            "AF-2025/001",
            sessions=[
                session("20260105", "99999999", etat="1"),
                session("20250900", "20260300"),
                session("20250900", "20260300"),
                session("00000000", "20261218"),
            ],
            info_public="Demandeurs d'emploi de 18 à 25 ans",
            niveau_obligatoire="1",
            prise_en_charge="1",
            duree="7 mois",
            heures_total="1050",
            prix_total="7800",
            detail="Financement possible par la Région",
            formateurs=["SIMPLON FORMATEUR"],
            financeurs=["2"],
        ),
        rncp=["RNCP37674", "37674"],
        niveau_entree="15",
        date_export="20250612",
    )
    assert row["id"] == "t-af-2025-001" and row["formation_id"] == "t-f1"
    assert (row["intitule"], row["organisme"]) == (
        "Développeur web et web mobile",
        "Simplon Hauts-de-France",
    )
    assert (row["code_insee"], row["lat"], row["lon"]) == ("59350", 50.6311, 3.0468)
    assert (row["cout"], row["cout_texte"]) == ("finance", "Financement possible par la Région")
    assert (row["duree_texte"], row["duree_mois"]) == ("7 mois, 1050 h", 7.0)
    assert (row["diplome_min"], row["diplome_max"]) == ("bac_plus_2", None)
    assert row["public_texte"] == "Demandeurs d'emploi de 18 à 25 ans"
    assert (row["public_cible"], row["age_min"], row["age_max"]) == (["demandeur_emploi"], 18, 25)
    assert row["certification"] == "certifiante" and row["rncp"] == ["RNCP37674"]
    assert row["site"] == "https://simplon.co/lille" and row["date_donnees"] == "2025"
    assert row["sessions"] == [
        {"debut": "2025-09-01", "fin": "2026-03-31"},
        {"debut": "2026-01-05", "fin": None},
        {"debut": None, "fin": "2026-12-18"},
    ]
    brut = row["brut"]
    assert brut["action"] == "AF-2025/001" and brut["code_financeur"] == ["2"]
    assert brut["organisme_formateur"] == ["SIMPLON FORMATEUR"] and brut["prix_total_ttc"] == "7800"
    assert brut["sessions"][0] == ["20260105", "99999999", "1"]


@pytest.mark.parametrize(
    ("options", "cout"),
    [
        ({"prix_total": "0"}, "gratuit"),
        ({"prix_total": "0", "conventionnement": "1"}, "gratuit"),
        ({"conventionnement": "1", "prix_total": "4 500,00"}, "finance"),
        ({"financeurs": ["4"]}, "finance"),
        ({"financeurs": ["16"], "prix_total": "3000"}, "finance"),
        ({"prise_en_charge": "1"}, "finance"),
        ({"prix_total": "2500"}, "payant"),
        ({"financeurs": ["10"]}, "payant"),
        ({"financeurs": ["5"]}, "inconnu"),
        ({}, "inconnu"),
    ],
)
def test_cost_codes(tmp_path, ref, options, cout) -> None:
    """Price 0 is free; a convention, a public funder or a possible prise en charge is
    funded; a price or the learner as only funder is paid; otherwise unknown."""
    assert une_ligne(tmp_path, ref, action(**options))["cout"] == cout


@pytest.mark.parametrize(
    ("options", "texte", "mois"),
    [
        ({"duree": "12 semaines"}, "12 semaines", 2.8),
        ({"sessions": [session("20250901", "20251130")]}, None, 3.0),
        ({"sessions": [session("20250901", "20251130")], "entrees_sorties": "1"}, None, None),
        ({"sessions": [], "heures_total": "455"}, "455 h", 3.0),
        ({"sessions": [], "heures_total": "455", "rythme": "Temps partiel"}, "455 h", None),
        ({"sessions": [], "heures_centre": "400", "heures_entreprise": "210"}, "610 h", 4.0),
        ({"duree": "5 ans"}, "5 ans", None),
        ({"sessions": [session("20200101", "20251231")]}, None, None),
    ],
    ids=["indicative", "session", "permanente", "heures", "partiel", "centre", "long", "annees"],
)
def test_durations(tmp_path, ref, options, texte, mois) -> None:
    """Months from the indicative duration, else the first fixed-date session, else full-time
    hours (151.67 h a month); none beyond 48 months; hours written `N h`."""
    row = une_ligne(tmp_path, ref, action(**options))
    assert (row["duree_texte"], row["duree_mois"]) == (texte, mois)


@pytest.mark.parametrize(
    ("niveau", "obligatoire", "conditions", "diplomes"),
    [
        ("4", "1", "-", ("cap_bep", None)),
        ("6", "1", "-", ("bac_plus_2", None)),
        ("16", "1", "-", ("bac_plus_3", None)),
        ("1", "1", "-", ("aucun", None)),
        ("5", "0", "-", (None, None)),
        ("0", "1", "Aucun diplôme requis", ("aucun", None)),
        ("0", "1", "Réservé aux non bacheliers", (None, "cap_bep")),
    ],
)
def test_entry_level(tmp_path, ref, niveau, obligatoire, conditions, diplomes) -> None:
    """A required level of dict-niveaux gives the lowest diploma; an indicative one gives
    nothing; without a level, the prerequisites text is read as for the CSV imports."""
    row = une_ligne(
        tmp_path,
        ref,
        action(niveau_obligatoire=obligatoire, conditions=conditions),
        niveau_entree=niveau,
    )
    assert (row["diplome_min"], row["diplome_max"]) == diplomes


def test_places(tmp_path, ref) -> None:
    """Distance, mixed, an arrondissement, postcode and town, a CEDEX postcode with a town,
    and (0, 0) coordinates read as absent."""
    actions = [
        action("D", modalites_enseignement="2", lieux=[]),
        action("M", modalites_enseignement="1"),
        action("P", lieux=[lieu(insee="75108", cp="75008", ville="Paris 8e", lat=None, lon=None)]),
        action("R", lieux=[lieu(insee=None, cp="59100", ville="Roubaix", lat=None, lon=None)]),
        action("C", lieux=[lieu(insee=None, cp="59891", ville="Tourcoing", departement="59")]),
        action("Z", lieux=[lieu(lat="0", lon="0")]),
    ]
    result = lire(tmp_path, ref, [formation(actions=actions)])
    assert not result.issues, [str(issue) for issue in result.issues]
    rows = {record.id: record for record in result.records()}
    assert (rows["t-d"].commune, rows["t-d"].a_distance, rows["t-d"].lat) == (None, True, None)
    assert (rows["t-m"].commune, rows["t-m"].a_distance) == ("Lille", False)
    assert (rows["t-p"].code_insee, rows["t-p"].commune, rows["t-p"].code_postal) == (
        "75056",
        "Paris",
        "75008",
    )
    assert rows["t-p"].lat is not None
    assert (rows["t-r"].commune, rows["t-r"].code_insee) == ("Roubaix", "59512")
    assert (rows["t-c"].commune, rows["t-c"].code_postal) == ("Tourcoing", "59200")
    assert rows["t-c"].lat == 50.6311
    assert rows["t-z"].lat != 0 and rows["t-z"].commune == "Lille"
    assert {record.formation_id for record in result.records()} == {"t-f1"}


def test_organisation_site_and_year_fallbacks(tmp_path, ref) -> None:
    """Organisation: usual name, else legal name, else the trainer; site: the action's,
    else the formation's (a bare domain gets https); year: export date, else sessions."""
    formations = [
        formation("F1", [action("A1", urls=[])], organisme=None, urls=["www.exemple.fr/dwwm"]),
        formation(
            "F2",
            [action("A2", urls=["pas une adresse"])],
            organisme=None,
            raison_sociale=None,
            urls=[],
        ),
        formation(
            "F3", [action("A3", formateurs=["CFA NUMERIQUE"])], organisme=None, raison_sociale=None
        ),
    ]
    result = lire(tmp_path, ref, formations, horodatage="2024-11-02T08:00:00")
    rows = {record.id: record for record in result.records()}
    assert (rows["t-a1"].organisme, rows["t-a1"].site) == (
        "SIMPLON.CO",
        "https://www.exemple.fr/dwwm",
    )
    assert (rows["t-a2"].organisme, rows["t-a2"].site) == (None, None)
    assert rows["t-a3"].organisme == "CFA NUMERIQUE"
    assert {record.date_donnees for record in result.records()} == {"2024"}


def test_the_file_year_when_nothing_dates_the_data(tmp_path, ref) -> None:
    """No export date and no session date: the year of the file's modification."""
    path = write_offre(tmp_path / "o.xml", [formation(actions=[action(sessions=[])])])
    os.utime(path, (1_577_880_000, 1_577_880_000))  # 2020-01-01
    result = prepare_lheo(path, "t", tmp_path, ref)
    assert result.records()[0].date_donnees == "2020"


def test_lheo_dates() -> None:
    """AAAAMMJJ, a month, a year, unknown dates; anything else is refused."""
    assert date_lheo("20250915", fin=False) == "2025-09-15"
    assert (date_lheo("20250200", False), date_lheo("20240200", True)) == (
        "2025-02-01",
        "2024-02-29",
    )
    assert (date_lheo("20250000", False), date_lheo("20250000", True)) == (
        "2025-01-01",
        "2025-12-31",
    )
    assert date_lheo("00000000", False) is None and date_lheo("99999999", True) is None
    for bad in ("20251340", "2025091", "demain", "00001010"):
        with pytest.raises(ValueError):
            date_lheo(bad, fin=False)


# --------------------------------------------------------------------------- identifiers


def test_identifiers_are_stable_numbers(tmp_path, ref) -> None:
    """Action number; else formation number and rank; else position in the file."""
    result = lire(
        tmp_path,
        ref,
        [
            formation("F-9", [action("AF 01"), action(None), action(None)]),
            formation(None, [action(None)]),
        ],
    )
    assert [r.id for r in result.records()] == ["t-af-01", "t-f-9-2", "t-f-9-3", "t-n4"]
    assert [r.formation_id for r in result.records()] == ["t-f-9"] * 3 + ["t-n4"]
    assert default_prefix(Path("/x/Offres Bretagne 2025.xml")) == "lheo-offres-bretagne-2025"
    assert action_id("p", next(LectureLheo(EXEMPLE).actions())) == "p-9436-18706"


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("options", "champs", "message"),
    [
        ({}, {"intitule": None}, "intitulé manquant (<intitule-formation>)"),
        ({"lieux": [lieu(insee="99999")]}, {}, "code INSEE inconnu '99999'"),
        ({"lieux": [lieu(insee="59-35")]}, {}, "code INSEE invalide '59-35'"),
        ({"lieux": [lieu(insee=None, cp="99999", ville=None)]}, {}, "code postal inconnu '99999'"),
        ({"lieux": []}, {}, "lieu de formation absent et formation non entièrement à distance"),
        (
            {"lieux": [lieu(lat="nord", lon="3.0")]},
            {},
            "géolocalisation illisible (latitude « nord »",
        ),
        (
            {"lieux": [lieu(lat="40.0", lon="20.0")]},
            {},
            "coordonnées hors de France (latitude 40.0",
        ),
        ({"lieux": [lieu(lat="3.0468", lon="50.6311")]}, {}, "latitude et longitude inversées ?"),
        (
            {"sessions": [session("20251340")]},
            {},
            "session n°1 : date de début invalide « 20251340 »",
        ),
        (
            {"sessions": [session(), session("20250901", "demain")]},
            {},
            "session n°2 : date de fin invalide « demain » (AAAAMMJJ attendu)",
        ),
        (
            {"sessions": [session("20260901", "20250901")]},
            {},
            "session n°1 : début 2026-09-01 après la fin 2025-09-01",
        ),
        (
            {"modalites_enseignement": "3"},
            {},
            "<modalites-enseignement> : code inconnu « 3 » (attendu 0, 1, 2)",
        ),
        ({"prise_en_charge": "oui"}, {}, "<prise-en-charge-frais-possible> : code inconnu « oui »"),
        ({"entrees_sorties": "2"}, {}, "<modalites-entrees-sorties> : code inconnu « 2 »"),
        ({"conventionnement": "x"}, {}, "<conventionnement> : code inconnu « x »"),
        ({}, {"niveau_entree": "9"}, "<code-niveau-entree> : code inconnu « 9 »"),
        ({}, {"certifiante": "2"}, "<certifiante> : code inconnu « 2 »"),
        ({"prix_total": "gratuit"}, {}, "<prix-total-TTC> illisible « gratuit » (nombre attendu)"),
        ({"heures_total": "beaucoup"}, {}, "<nombre-heures-total> illisible « beaucoup »"),
        ({}, {"rome": ["M1855", "X12"]}, "code ROME invalide « X12 »"),
        ({}, {"rncp": ["ABC"]}, "code RNCP invalide « ABC »"),
    ],
)
def test_each_error_names_the_action_and_its_reason(
    tmp_path, ref, options, champs, message
) -> None:
    """A wrong value rejects its action as `fichier:action n°N: raison`, N counting the
    actions of the whole file (here the third, in the second formation)."""
    formations = [
        formation("F1", [action("A1"), action("A2")]),
        formation("F2", [action("A3", **options)], **champs),
    ]
    result = lire(tmp_path, ref, formations)
    messages = [str(issue) for issue in result.issues]
    assert messages and all(m.startswith("offres.xml:action n°3: ") for m in messages), messages
    assert any(message in m for m in messages), messages
    assert [r.id for r in result.records()] == ["t-a1", "t-a2"] and result.rejected == 1


def test_duplicate_and_taken_identifiers_are_rejected(tmp_path, ref, catalogue_dir) -> None:
    """An action number seen twice, or an id another catalogue file already holds."""
    write_jsonl(catalogue_dir / "gen.jsonl", [valid_row(id="t-a9")])
    messages = erreurs(
        tmp_path, ref, [formation(actions=[action("A1"), action("A1"), action("A9")])]
    )
    assert messages == [
        "offres.xml:action n°2: identifiant 't-a1' en double (déjà utilisé : action n°1)",
        "offres.xml:action n°3: identifiant 't-a9' déjà présent dans le catalogue (gen.jsonl:1) : "
        "choisissez un autre --id-prefix",
    ]


def test_messages_are_french_and_numbered(tmp_path, ref) -> None:
    """Several reasons for one action are all listed, each with its number."""
    bad = action(lieux=[lieu(insee="99999")], sessions=[session("2025")], prix_total="?")
    messages = erreurs(tmp_path, ref, [formation(intitule=None, actions=[bad])])
    assert len(messages) == 4
    assert all(re.match(r"^offres\.xml:action n°1: \S", m) for m in messages)
