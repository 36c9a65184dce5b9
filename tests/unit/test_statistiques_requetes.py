"""Statistics and map from generated anonymous records with known answers, on in-memory
SQLite and on the real PostgreSQL: the small-count rule, the period's boundaries, the
structure and région filters."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.geo import Geo
from bot.recommend import Profil
from bot.statistiques.enregistrement import DAY, Statistiques, jour_de, masque_domaines, tranche_age
from bot.statistiques.modele import RecordRow, creer_tables
from bot.statistiques.requetes import (
    Periode,
    carte_region,
    debut_de_semaine,
    masquer,
    masquer_distribution,
    part,
    statistiques_structure,
)
from tests.support.console import Clock

MONDAY = dt.date(2026, 11, 2)


def _at(day: dt.date) -> float:
    return (day - dt.date(1970, 1, 1)).days * DAY + 10 * 3600


@pytest.fixture
def stats(db_engine: Engine) -> tuple[Statistiques, Clock]:
    creer_tables(db_engine)
    clock = Clock(_at(MONDAY))
    return Statistiques(db_engine, Geo.default(), clock), clock


def _profil(**values: object) -> Profil:
    base = {"situation": "decrocheur", "diplome": "aucun", "age": 19.0, "departement": "59"}
    base.update(values)
    if "interets" not in values:
        base["interets"] = ("developpement",)
    return Profil(**base)  # type: ignore[arg-type]


def test_small_counts_are_never_shown() -> None:
    """1 to 4 are masked, 0 and 5 are not; a lone masked cell takes the smallest other
    one with it; a share is masked when its part, its rest or its whole is small."""
    assert [masquer(n) for n in (0, 1, 4, 5, 120)] == [0, None, None, 5, 120]
    assert masquer_distribution({"a": 3, "b": 7, "c": 20, "d": 0}) == {
        "a": None,
        "b": None,
        "c": 20,
        "d": 0,
    }
    assert masquer_distribution({"a": 3, "b": 2, "c": 20}) == {"a": None, "b": None, "c": 20}
    assert masquer_distribution({"a": 5, "b": 9}) == {"a": 5, "b": 9}
    assert part(10, 20) == 0.5
    assert part(3, 20) is None and part(17, 20) is None and part(4, 4) is None
    assert part(0, 20) == 0.0 and part(20, 20) == 1.0


def test_bands_and_domains_are_coded() -> None:
    """Ages become bands, domains bits; nothing finer is written."""
    assert [tranche_age(a) for a in (16, 18, 25.9, 26, 29, 30, 44, 45, None)] == [
        "moins_18",
        "18_25",
        "18_25",
        "26_29",
        "26_29",
        "30_44",
        "30_44",
        "45_plus",
        None,
    ]
    assert masque_domaines(["developpement", "data", "inconnu"]) == 1 | 1 << 5
    assert debut_de_semaine(jour_de(_at(dt.date(2026, 11, 8)))) == jour_de(_at(MONDAY))


def test_structure_statistics_have_known_answers(stats: tuple[Statistiques, Clock]) -> None:
    """Twelve sessions of structure 1 in two weeks, and records of structure 2 and of the
    day after the period that must not count."""
    st, clock = stats
    for i in range(12):
        clock.now = _at(MONDAY + dt.timedelta(days=0 if i < 7 else 7))
        cle = st.nouvelle_seance(1)
        interets = ("developpement", "data") if i < 6 else ("reseaux_systemes",)
        st.profil_seance(
            cle,
            _profil(interets=interets, age=19.0 if i < 7 else 35.0),
            nb_dans_rayon=0 if i < 5 else 4,
            nb_proposees=0 if i < 2 else 6,
            premieres=["f-a", "f-b"],
        )
        if i < 8:
            st.partage(1, "webchat")
    for i in range(6):
        st.nouvelle_orientation(1, "f-a", "entretien" if i < 5 else "abandon")
    st.sans_solution(1, "trop_loin", _profil())
    clock.now = _at(MONDAY + dt.timedelta(days=14))  # after the period
    for _ in range(5):
        st.nouvelle_seance(1)
    clock.now = _at(MONDAY)
    for _ in range(5):
        st.nouvelle_seance(2)

    periode = Periode.de_dates(MONDAY, MONDAY + dt.timedelta(days=13))
    data = statistiques_structure(st.engine, 1, periode)

    assert data["totaux"] == {"seances": 12, "conversations": 8}
    semaines = [(s["semaine"], s["seances"], s["conversations"]) for s in data["semaines"]]
    # 1 conversation in the second week: masked, and the first week's 7 with it.
    assert semaines == [("2026-11-02", 7, None), ("2026-11-09", 5, None)]
    assert data["part_recommandations"] is None  # 2 sessions without any: a small count
    assert data["part_sans_formation_rayon"] == round(5 / 12, 4)
    assert data["domaines"]["developpement"] == 6 and data["domaines"]["data"] == 6
    assert data["domaines"]["reseaux_systemes"] == 6 and data["domaines"]["design"] == 0
    assert data["tranches_age"] == {"18_25": 7, "30_44": 5}
    assert data["situations"] == {"decrocheur": 12}
    assert data["plus_recommandees"] == [
        {"formation_id": "f-a", "nombre": 12},
        {"formation_id": "f-b", "nombre": 12},
    ]
    assert data["plus_choisies"] == [{"formation_id": "f-a", "nombre": 6}]
    assert data["orientations"] == {"entretien": None, "abandon": None}  # 5 and 1: lone mask
    assert data["sans_solution"] == {"trop_loin": None}


def test_a_referral_keeps_one_record_whose_status_follows(
    stats: tuple[Statistiques, Clock],
) -> None:
    """Changing a referral's status updates its record, it does not add one."""
    st, _ = stats
    cles = [st.nouvelle_orientation(1, None, "proposee") for _ in range(5)]
    for cle in cles:
        st.statut_orientation(cle, "entree_formation")
    periode = Periode.de_dates(MONDAY, MONDAY)
    assert statistiques_structure(st.engine, 1, periode)["orientations"] == {"entree_formation": 5}
    with st.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(RecordRow)) == 5


def test_the_map_counts_searches_without_training_in_reach(
    stats: tuple[Statistiques, Clock],
) -> None:
    """Per département of the région, all channels, by domain; other régions and days
    outside the period are left out; small counts masked."""
    st, clock = stats
    for _ in range(6):
        st.recherche(_profil(departement="59"), 0, 3, canal="webchat")
    for _ in range(5):
        st.recherche(_profil(departement="59", interets=("data",)), 2, 3, canal="telegram")
    for _ in range(7):
        st.recherche(_profil(departement="62", interets=("data",)), 0, 0, canal="console")
    for _ in range(2):
        st.recherche(_profil(departement="80"), 0, 0, canal="webchat")
    for _ in range(9):
        st.recherche(_profil(departement="75"), 0, 0, canal="webchat")  # Île-de-France
    clock.now = _at(MONDAY - dt.timedelta(days=1))
    for _ in range(9):
        st.recherche(_profil(departement="02"), 0, 0, canal="webchat")  # before the period

    periode = Periode.de_dates(MONDAY, MONDAY + dt.timedelta(days=6))
    data = carte_region(st.engine, Geo.default(), "32", periode)
    par_dep = {d["code"]: (d["recherches"], d["sans_formation"]) for d in data["departements"]}
    # Somme's 2 are masked; the map shows no total, so nothing else needs to be.
    assert par_dep == {
        "02": (0, 0),
        "59": (11, 6),
        "60": (0, 0),
        "62": (7, 7),
        "80": (None, None),
    }
    assert "totaux" not in data
    data_only = carte_region(st.engine, Geo.default(), "32", periode, "data")
    par_dep = {d["code"]: d["sans_formation"] for d in data_only["departements"]}
    assert par_dep == {"02": 0, "59": 0, "60": 0, "62": 7, "80": 0}
    before = Periode.de_dates(MONDAY - dt.timedelta(days=1), MONDAY - dt.timedelta(days=1))
    assert carte_region(st.engine, Geo.default(), "32", before)["departements"][0] == {
        "code": "02",
        "nom": "Aisne",
        "recherches": 9,
        "sans_formation": 9,
    }


def test_records_hold_no_free_text_nor_fine_place(stats: tuple[Statistiques, Clock]) -> None:
    """A search with a commune and an exact age is written as a département, its région
    and an age band; a département that does not exist is not written."""
    st, _ = stats
    st.recherche(_profil(commune="Roubaix", age=19.5, departement="59"), 0, 0, canal="webchat")
    st.recherche(_profil(departement="999"), 0, 0, canal="webchat")
    with st.engine.connect() as conn:
        rows = conn.execute(select(RecordRow).order_by(RecordRow.id)).mappings().all()
    assert rows[0]["departement"] == "59" and rows[0]["region"] == "32"
    assert rows[0]["tranche_age"] == "18_25"
    assert rows[1]["departement"] is None and rows[1]["region"] is None
    values = {str(v) for row in rows for v in row.values()}
    assert "Roubaix" not in values and "19.5" not in values
