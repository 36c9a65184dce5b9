"""The RNCP run-time module (bot/catalogue/rncp.py) over the committed knowledge files and
over small data built in the tests: certifications, replaced-by chains, cohort
statistics, entry requirements, catalogue trainings, job sheets and the level gap."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from bot.catalogue import rncp
from bot.catalogue.rncp import Rncp, comparer_niveau, ecart_niveau, niveau_equivalent
from bot.catalogue.rncp_donnees import (
    CORRESPONDANCE_COLUMNS,
    Certification,
    Correspondance,
    Export,
    FicheExport,
    LienRome,
    RncpError,
    export_le_plus_recent,
    fusionner,
    lire_correspondances,
    numero_rncp,
)
from bot.config import REPO_ROOT
from bot.contract import DIPLOMES
from bot.metiers import default_fiches

KNOWLEDGE = REPO_ROOT / "knowledge"
TODAY = date(2026, 12, 7)


@pytest.fixture(scope="module")
def data() -> Rncp:
    """The committed RNCP knowledge."""
    return Rncp.load(KNOWLEDGE)


def cert(
    numero: str, *, statut: str = "actif", fin: date | None = None, **kw: object
) -> Certification:
    """A certification with defaults (level 5, no replacement)."""
    values: dict = {
        "numero": numero,
        "intitule": f"Titre {numero}",
        "niveau": 5,
        "type": "",
        "statut": statut,
        "fin_validite": fin,
        "remplacee_par": "",
        "source": "test",
        "date_donnees": "2021",
    }
    values.update(kw)
    return Certification(**values)


def fiche(numero: str, **kw: object) -> FicheExport:
    """An export fiche with defaults (active, level 5, ROME M1805)."""
    values: dict = {
        "numero": numero,
        "intitule": f"Titre {numero}",
        "type": "Titre professionnel",
        "niveau": 5,
        "actif": True,
        "fin_enregistrement": date(2030, 1, 1),
        "debut": date(2025, 1, 1),
        "anciennes": (),
        "nouvelles": (),
        "rome": (LienRome("M1805", "Études et développement informatique"),),
        "prerequis": None,
        "certificateurs": (),
        "organismes_habilites": 0,
    }
    values.update(kw)
    return FicheExport(**values)


# --------------------------------------------------------------------------- committed files


def test_every_catalogue_training_has_one_reviewed_row_with_known_numbers(data: Rncp) -> None:
    """Each formation_id of the catalogue has a reviewed decision, and every number it
    names is a certification of certifications.csv."""
    formation_ids = {
        json.loads(line)["formation_id"]
        for path in (KNOWLEDGE / "catalogue").glob("*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    }
    assert set(data.correspondances) == formation_ids
    named = {n for corr in data.correspondances.values() for n in corr.rncp}
    assert named and named <= set(data.certifications)
    assert all(corr.raison for corr in data.correspondances.values())


def test_replaced_by_chains_end_without_a_loop(data: Rncp) -> None:
    """Following remplacee_par from any certification ends, never comes back to a number
    and never points a fiche to itself."""
    for numero, item in data.certifications.items():
        assert item.remplacee_par != numero
        seen = {numero}
        current = item
        while current.remplacee_par in data.certifications:
            current = data.certifications[current.remplacee_par]
            assert current.numero not in seen, numero
            seen.add(current.numero)


def test_rome_links_and_job_codes_are_consistent(data: Rncp) -> None:
    """Every ROME link belongs to a known certification, and every job sheet code maps to
    RNCP codes with a known kind of link."""
    assert set(data.liens) <= set(data.certifications)
    sheet_codes = {c for f in default_fiches().fiches for c in f.codes}
    assert set(data.codes_rome) == sheet_codes
    assert {lien for targets in data.codes_rome.values() for lien in targets.values()} <= set(
        rncp.LIENS
    )


def test_actuelle_follows_the_chain_to_the_2026_fiche(data: Rncp) -> None:
    """TP Développeur logiciel (RNCP5927, 2021 export) was replaced by RNCP31114, itself
    replaced by RNCP37674 (the 2026 fiche names RNCP31114 as its former one)."""
    assert [c.numero for c in data.chaine("RNCP5927")] == ["RNCP5927", "RNCP31114", "RNCP37674"]
    current = data.actuelle("5927")
    assert current is not None and current.numero == "RNCP37674"
    assert current.source == "France Compétences – RNCP, export août 2026"
    assert current.en_vigueur(TODAY) and current.fin_validite == date(2028, 9, 1)
    old = data.certification("RNCP31114")
    assert old is not None and not old.en_vigueur(TODAY) and old.fin_validite == date(2023, 9, 1)
    assert old.url_fiche == "https://www.francecompetences.fr/recherche/rncp/31114/"
    assert data.actuelle("RNCP999999") is None


def test_a_successor_missing_from_the_data_stops_the_chain(data: Rncp) -> None:
    """RNCP35419 (ended 17/03/2026) names RNCP42147, absent from the data: the chain stops
    at RNCP35419, which still tells its successor's number."""
    current = data.actuelle("RNCP35419")
    assert current is not None and current.numero == "RNCP35419"
    assert current.statut == "inactif" and current.remplacee_par == "RNCP42147"


def test_statistics_of_rncp37674_as_the_2026_extract_gives_them(data: Rncp) -> None:
    """The cohort of RNCP37674, read by hand in ../shared/data/rncp/rncp_fiches_extrait_2026.xml
    (lines 5063-5069): ANNEE 2021, NOMBRE_CERTIFIES 3899, NOMBRE_CERTIFIES_VAE 0,
    TAUX_INSERTION_GLOBAL_6MOIS 60, TAUX_INSERTION_METIER_2ANS 83."""
    stats = data.statistiques("RNCP37674")
    assert len(stats) == 1
    promo = stats[0]
    assert (promo.annee, promo.nombre_certifies, promo.nombre_certifies_vae) == (2021, 3899, 0)
    assert [(t.portee, t.delai_mois, t.pourcentage) for t in promo.taux] == [
        ("emploi", 6, 60),
        ("metier_vise", 24, 83),
    ]
    assert promo.source == "France Compétences – RNCP, export août 2026"
    assert data.statistiques("RNCP31114") == []


def test_statistics_are_latest_cohort_first(data: Rncp) -> None:
    """RNCP35419 has three cohorts (2019, 2018, 2017); the 2019 one has no 2-year rate."""
    stats = data.statistiques("RNCP35419")
    assert [s.annee for s in stats] == [2019, 2018, 2017]
    assert [(t.portee, t.pourcentage) for t in stats[0].taux] == [("emploi", 96)]


def test_prerequisites_and_complete_fiche(data: Rncp) -> None:
    """RNCP36490's entry requirements keep their bullets as lines; RNCP37674 gives none;
    the fiche tells the certifying body and the authorised organisations."""
    text = data.prerequis("RNCP36490")
    assert text is not None and text.startswith("Les candidats à la certification devront")
    assert "\n- des tests d’aptitudes et informatiques\n" in text
    assert "<" not in text
    assert data.prerequis("RNCP37674") is None
    details = data.fiche("RNCP37674")
    assert details is not None and details.certificateurs[0].startswith("MINISTERE DU TRAVAIL")
    assert details.organismes_habilites > 0


def test_catalogue_trainings_and_their_current_certification(data: Rncp) -> None:
    """O'clock's training names the professional title Développeur web et web mobile
    (2019, RNCP31114), now RNCP37674 with its statistics; an unmatched training has none."""
    certs = data.certifications_de_formation("gen-reg-067")
    assert [c.numero for c in certs] == ["RNCP31114"]
    current = data.actuelle(certs[0].numero)
    assert current is not None and data.statistiques(current.numero)
    assert data.certifications_de_formation("gen-idf-2016-001") == []
    corr = data.correspondance("gen-idf-2016-001")
    assert corr is not None and "qualifiante" in corr.raison


def test_developer_sheet_lists_registered_certifications_first(data: Rncp) -> None:
    """The developer sheet (ROME 4.0 codes) reaches the RNCP's M1805: the registered
    titles come first, lowest level first."""
    sheet = default_fiches().get("developpeur_web_mobile")
    assert sheet is not None
    certs = data.certifications_du_metier(sheet.codes, TODAY)
    assert [c.numero for c in certs[:3]] == ["RNCP37674", "RNCP36490", "RNCP37873"]
    assert not any(c.en_vigueur(TODAY) for c in certs[3:])
    assert len(certs) > 100


def test_module_functions_read_the_project_files() -> None:
    """The module-level helpers answer from the project's knowledge folder."""
    rncp.default_rncp.cache_clear()
    found = rncp.certification("37674")
    assert found is not None and found.intitule == "Développeur web et web mobile"
    assert rncp.actuelle("RNCP31114") == found
    assert rncp.statistiques("RNCP37674")[0].annee == 2021
    assert rncp.prerequis("RNCP37674") is None
    assert [c.numero for c in rncp.certifications_de_formation("gen-reg-067")] == ["RNCP31114"]
    assert rncp.certifications_du_metier(["M1805"], TODAY)[0] == found


# --------------------------------------------------------------------------- small data


def test_job_certifications_order_and_link_filter() -> None:
    """Registered first, then link kind (own code, parent, shared parent), then level;
    `liens` leaves out weaker links."""
    certs = {
        "RNCP1": cert("RNCP1", niveau=6),
        "RNCP2": cert("RNCP2", niveau=4, statut="inactif"),
        "RNCP3": cert("RNCP3", niveau=3, fin=date(2020, 1, 1)),
        "RNCP4": cert("RNCP4", niveau=5),
        "RNCP5": cert("RNCP5", niveau=3),
    }
    liens = {
        "RNCP1": (LienRome("M1805", ""),),
        "RNCP2": (LienRome("M1805", ""),),
        "RNCP3": (LienRome("M1805", ""),),
        "RNCP4": (LienRome("M1803", ""),),
        "RNCP5": (LienRome("M1802", ""),),
    }
    codes = {
        "M1812": {"M1803": "parent"},
        "M1805": {"M1805": "identique"},
        "M1856": {"M1802": "parent_partage"},
    }
    data = Rncp(certs, liens, codes, {})
    found = data.certifications_du_metier(["M1856", "M1812", "M1805"], TODAY)
    assert [c.numero for c in found] == ["RNCP1", "RNCP4", "RNCP5", "RNCP3", "RNCP2"]
    strong = data.certifications_du_metier(["M1856", "M1812"], TODAY, ("identique", "parent"))
    assert [c.numero for c in strong] == ["RNCP4"]
    assert [c.numero for c in data.certifications_du_metier(["M1802"], TODAY)] == ["RNCP5"]


def test_actuelle_survives_a_loop_in_the_data() -> None:
    """Two fiches naming each other as replacement do not hang: the chain stops at the
    first number seen again."""
    certs = {
        "RNCP1": cert("RNCP1", remplacee_par="RNCP2"),
        "RNCP2": cert("RNCP2", remplacee_par="RNCP1"),
    }
    data = Rncp(certs, {}, {}, {})
    assert [c.numero for c in data.chaine("RNCP1")] == ["RNCP1", "RNCP2"]
    current = data.actuelle("RNCP1")
    assert current is not None and current.numero == "RNCP2"


def test_an_export_replaces_older_data_and_its_links_win() -> None:
    """An export's fiche replaces the 2021 row of the same number (status, end, ROME) and
    sets the successor of the fiches it names as former ones; among several successors a
    known active one wins."""
    base = {
        "RNCP10": cert("RNCP10", remplacee_par="RNCP11"),
        "RNCP11": cert("RNCP11", statut="inactif"),
        "RNCP20": cert("RNCP20", niveau=4),
    }
    export = Export(
        "France Compétences – RNCP, export août 2026",
        "2026-08",
        {
            "RNCP20": fiche("RNCP20", actif=False, anciennes=(), nouvelles=("RNCP30", "RNCP99")),
            "RNCP30": fiche("RNCP30", anciennes=("RNCP10",)),
        },
    )
    certs, liens = fusionner(base, {"RNCP20": (LienRome("E1103", ""),)}, export)
    assert certs["RNCP10"].remplacee_par == "RNCP30"
    assert certs["RNCP20"].statut == "inactif" and certs["RNCP20"].niveau == 5
    assert certs["RNCP20"].remplacee_par == "RNCP30"
    assert certs["RNCP20"].source == "France Compétences – RNCP, export août 2026"
    assert [x.code for x in liens["RNCP20"]] == ["M1805"]


def test_the_newest_export_file_is_read(tmp_path: Path) -> None:
    """fiches_<date>.json files are ordered by their date, month-only dates included."""
    for name in ("fiches_2026-08.json", "fiches_2026-08-16.json", "fiches_2025-12-31.json"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    (tmp_path / "fiches_brouillon.json").write_text("{}", encoding="utf-8")
    newest = export_le_plus_recent(tmp_path)
    assert newest is not None and newest.name == "fiches_2026-08-16.json"
    assert export_le_plus_recent(tmp_path / "vide") is None


def test_a_malformed_correspondence_file_is_refused(tmp_path: Path) -> None:
    """A number that is not RNCP + digits, or a row without reason, names file and line."""
    path = tmp_path / "rncp_correspondances.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(CORRESPONDANCE_COLUMNS)
        writer.writerow(["f1", "f1", "RNCP1", "ok"])
        writer.writerow(["f2", "f2", "37674", "ok"])
    with pytest.raises(RncpError, match="ligne 3"):
        lire_correspondances(path)
    path.write_text(",".join(CORRESPONDANCE_COLUMNS) + "\nf1,f1,RNCP1|RNCP2,ok\n", "utf-8")
    assert lire_correspondances(path)["f1"] == Correspondance("f1", ("RNCP1", "RNCP2"), "ok")


# --------------------------------------------------------------------------- levels


@pytest.mark.parametrize(
    "niveau, code",
    [
        (3, "cap_bep"),
        (4, "bac"),
        (5, "bac_plus_2"),
        (6, "bac_plus_3"),
        (7, "bac_plus_5"),
        (8, "doctorat"),
    ],
)
def test_level_equivalents(niveau: int, code: str) -> None:
    """Each qualification level has its diploma equivalent code."""
    assert niveau_equivalent(niveau) == code


def test_gap_between_a_diploma_and_a_level() -> None:
    """The bac is one level below a level-5 title, no diploma three below; a bac+2 reaches
    it; every contract diploma has a level."""
    assert ecart_niveau("bac", 5) == 1 and comparer_niveau("bac", 5) == "un_niveau"
    assert ecart_niveau("aucun", 5) == 3 and comparer_niveau("brevet", 5) == "plusieurs_niveaux"
    assert ecart_niveau("bac_plus_2", 5) == 0 and comparer_niveau("bac_plus_3", 4) == "atteint"
    assert all(ecart_niveau(d, 3) >= 0 for d in DIPLOMES)
    with pytest.raises(ValueError):
        ecart_niveau("licence", 5)


def test_rncp_numbers_are_canonical() -> None:
    """ "37674", "rncp 37674" and "RNCP037674" are RNCP37674; anything else is None."""
    assert numero_rncp("37674") == numero_rncp("rncp 37674") == "RNCP37674"
    assert numero_rncp("RNCP037674") == "RNCP37674"
    assert numero_rncp("RS5000") is None and numero_rncp("") is None
