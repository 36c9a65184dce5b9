"""Structures and territories in the console: who reads the statistics, the map and the
audit log; referrals and "aucune solution trouvée"; the anonymous records that survive
erasure; the session list filtered by referral status."""

from __future__ import annotations

import asyncio
import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.console import pilotage
from bot.console.comptes import Compte, ConsoleError
from bot.console.models import JournalRow
from bot.console.service import ConsoleService
from bot.console.vues import compte_json
from bot.presentation import Texts
from bot.recommend import Profil
from bot.statistiques.modele import RecordRow
from tests.support.console import (
    PASSWORD,
    Clock,
    console_service,
    real_catalogue_engine,
    structure_with_accounts,
)

HDF, IDF = "32", "11"


@pytest.fixture(scope="module")
def catalogue_engine() -> Any:
    return real_catalogue_engine()


@pytest.fixture
def svc(clock: Clock, catalogue_engine: Any) -> ConsoleService:
    """Console services over in-memory SQLite, with the repository's catalogue."""
    return console_service(catalogue_engine, clock=clock)


@pytest.fixture
def texts(domain: dict[str, Any]) -> Texts:
    return Texts.from_domain(domain)


def _signed_in(svc: ConsoleService, compte: Compte) -> Compte:
    """The account as the guard sees it once signed in (with its structure's région)."""
    _, token, _ = svc.comptes.connecter(compte.identifiant, PASSWORD)
    found = svc.comptes.connexion(token)
    assert found is not None
    return found[0]


def _comptes(svc: ConsoleService) -> dict[str, Compte]:
    """Two structures of Hauts-de-France, a planner of that région and one of another."""
    admin, one, _ = structure_with_accounts(svc, "Mission locale de Roubaix")
    svc.comptes.creer_structure("Mission locale de Roubaix", HDF)
    other, _, _ = structure_with_accounts(svc, "France Travail Lille")
    svc.comptes.creer_structure("France Travail Lille", HDF)
    region = svc.comptes.creer_structure("Région Hauts-de-France", HDF)
    planner = svc.comptes.creer_compte(region, "plan.hdf", "Dominique", "territoire", PASSWORD)
    idf = svc.comptes.creer_structure("Région Île-de-France", IDF)
    planner_idf = svc.comptes.creer_compte(idf, "plan.idf", "Claude", "territoire", PASSWORD)
    nowhere = svc.comptes.creer_structure("Association sans région")
    admin_nowhere = svc.comptes.creer_compte(nowhere, "admin.nr", "Lou", "admin", PASSWORD)
    accounts = {
        "admin": admin,
        "counsellor": one,
        "other_admin": other,
        "planner": planner,
        "planner_idf": planner_idf,
        "admin_nowhere": admin_nowhere,
    }
    return {name: _signed_in(svc, compte) for name, compte in accounts.items()}


def _get(
    svc: ConsoleService, texts: Texts, compte: Compte, name: str, **args: str
) -> tuple[int, str]:
    """(status, body) of a page or export, or (status, error code) when refused."""
    request = SimpleNamespace(args=args)
    try:
        answer = asyncio.run(pilotage.document(request, svc, texts, compte, name))
    except ConsoleError as refused:
        return refused.status, refused.code
    return answer.status, answer.body.decode("utf-8")


# (account, document, expected status or error code)
ACCESS = [
    ("admin", "statistiques", 200),
    ("admin", "statistiques.csv", 200),
    ("admin", "journal", 200),
    ("admin", "journal.csv", 200),
    ("admin", "carte", 200),
    ("admin", "carte.csv", 200),
    ("admin", "carte.svg", 200),
    ("planner", "carte", 200),
    ("planner", "carte.csv", 200),
    ("planner", "carte.svg", 200),
    ("planner", "statistiques", "reserve_admin"),
    ("planner", "statistiques.csv", "reserve_admin"),
    ("planner", "journal", "reserve_admin"),
    ("planner", "journal.csv", "reserve_admin"),
    ("counsellor", "statistiques", "reserve_admin"),
    ("counsellor", "statistiques.csv", "reserve_admin"),
    ("counsellor", "journal", "reserve_admin"),
    ("counsellor", "journal.csv", "reserve_admin"),
    ("counsellor", "carte", "reserve_pilotage"),
    ("counsellor", "carte.csv", "reserve_pilotage"),
    ("counsellor", "carte.svg", "reserve_pilotage"),
    ("admin_nowhere", "carte", "region_non_renseignee"),
]


@pytest.mark.parametrize(("who", "name", "expected"), ACCESS)
def test_who_reads_which_page(
    svc: ConsoleService, texts: Texts, who: str, name: str, expected: int | str
) -> None:
    """Statistics and audit log: the structure's admins only; the map: admins and
    regional planners whose structure has a région; a counsellor reads none of them."""
    status, body = _get(svc, texts, _comptes(svc)[who], name)
    if isinstance(expected, int):
        assert status == expected
    else:
        assert body == expected and status in (403, 409)


def test_a_planner_reads_only_the_map_of_their_region(svc: ConsoleService, texts: Texts) -> None:
    """Asking for another région's map is refused (403) for a planner and for an admin;
    their own région, named or not, is served; a planner reads no session."""
    comptes = _comptes(svc)
    assert _get(svc, texts, comptes["planner_idf"], "carte", region=HDF) == (403, "region_refusee")
    assert _get(svc, texts, comptes["admin"], "carte.csv", region=IDF) == (403, "region_refusee")
    status, page = _get(svc, texts, comptes["planner_idf"], "carte", region=IDF)
    assert status == 200 and "Île-de-France" in page and "Paris (75)" in page
    assert "Nord (59)" not in page
    with pytest.raises(ConsoleError) as refused:
        svc.seances.liste(comptes["planner"])
    assert (refused.value.code, refused.value.status) == ("reserve_conseil", 403)
    with pytest.raises(ConsoleError):
        svc.seances.creer(comptes["planner"])


def test_an_admin_sees_only_their_structure(svc: ConsoleService, texts: Texts) -> None:
    """Sessions of one structure never show in another's statistics or audit log."""
    comptes = _comptes(svc)
    for _ in range(6):
        seance = svc.seances.creer(comptes["counsellor"], stats_cle=_cle(svc, comptes["admin"]))
        svc.journal.ecrire(comptes["counsellor"], "ouverture", seance.id)
    mine = _get(svc, texts, comptes["admin"], "statistiques.csv")[1]
    theirs = _get(svc, texts, comptes["other_admin"], "statistiques.csv")[1]
    assert ";seances;;;6\r\n" in mine and ";seances;;;0\r\n" in theirs
    assert comptes["counsellor"].identifiant in _get(svc, texts, comptes["admin"], "journal")[1]
    other_log = _get(svc, texts, comptes["other_admin"], "journal.csv")[1]
    assert comptes["counsellor"].identifiant not in other_log


def _cle(svc: ConsoleService, admin: Compte) -> str:
    return svc.statistiques.nouvelle_seance(admin.structure_id)


def test_the_period_is_checked(svc: ConsoleService, texts: Texts) -> None:
    """A period that ends before it starts, lasts more than two years or is not a date is
    refused with its own message; by default, the last twelve weeks."""
    admin = _comptes(svc)["admin"]
    for args in (
        {"debut": "2026-12-01", "fin": "2026-11-01"},
        {"debut": "2020-01-01", "fin": "2026-01-01"},
        {"debut": "hier"},
        {"fin": "2026-13-01"},
    ):
        assert _get(svc, texts, admin, "statistiques", **args) == (400, "periode_invalide")
    body = _get(svc, texts, admin, "statistiques.csv")[1]
    today = dt.datetime.fromtimestamp(svc.clock()).date()
    debut = today - dt.timedelta(days=83)
    assert f"\r\n{debut.isoformat()};{today.isoformat()};" in body


def test_the_journal_is_written_read_and_never_changed(svc: ConsoleService, texts: Texts) -> None:
    """Opening a session is logged once per half hour; exports are logged; a counsellor
    reads nothing of it; nothing in the journal's API changes an entry."""
    comptes = _comptes(svc)
    seance = svc.seances.creer(comptes["counsellor"])
    for _ in range(3):
        svc.journal.ecrire(comptes["counsellor"], "ouverture", seance.id)
    svc.clock.advance(31 * 60)  # type: ignore[attr-defined]
    svc.journal.ecrire(comptes["counsellor"], "ouverture", seance.id)
    svc.journal.ecrire(comptes["admin"], "export_pdf", seance.id)
    _get(svc, texts, comptes["admin"], "statistiques.csv")
    with pytest.raises(ConsoleError) as refused:
        svc.journal.lire(comptes["counsellor"], 0, 2e9)
    assert refused.value.code == "reserve_admin"
    entries = svc.journal.lire(comptes["admin"], 0, 2e9)
    assert [e["action"] for e in entries] == [
        "export_statistiques",
        "export_pdf",
        "ouverture",
        "ouverture",
    ]
    assert not [
        name
        for name in vars(type(svc.journal))
        if name not in ("__init__", "ecrire", "lire", "purger") and not name.startswith("__")
    ]
    csv_text = _get(svc, texts, comptes["admin"], "journal.csv")[1]
    assert csv_text.startswith("\ufeffle;identifiant;action;seance\r\n")
    assert f";{comptes['counsellor'].identifiant};ouverture;{seance.id}\r\n" in csv_text
    with svc.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(JournalRow)) == 5


def test_referrals_follow_their_status_and_survive_erasure_anonymously(
    svc: ConsoleService,
) -> None:
    """A referral to a catalogue training or to a free-text structure; the status update
    changes the anonymous record; "supprimer mes données" erases the referrals, the
    "aucune solution" and the session's key, and the anonymous records stay."""
    admin, counsellor, _ = structure_with_accounts(svc)
    seance = svc.seances.creer(counsellor, stats_cle=_cle(svc, admin))
    formation = svc.catalogue.all()[0].id
    orient = svc.orientations
    orient.ajouter(
        counsellor, seance, {"formation_id": formation, "motif": "motivée"}, svc.catalogue
    )
    orient.ajouter(
        counsellor,
        seance,
        {"structure": "  Point  Information Jeunesse ", "date": "2026-12-01"},
        svc.catalogue,
    )
    for body, code in (
        ({}, "orientation_cible"),
        ({"formation_id": formation, "structure": "PIJ"}, "orientation_cible"),
        ({"formation_id": "inexistante"}, "formation_inconnue"),
        ({"structure": "PIJ", "date": "01/12/2026"}, "date_invalide"),
        ({"structure": "PIJ", "statut": "admis"}, "requete_invalide"),
        ({"structure": "PIJ", "motif": "x" * 501}, "texte_trop_long"),
    ):
        with pytest.raises(ConsoleError) as refused:
            orient.ajouter(counsellor, seance, body, svc.catalogue)
        assert refused.value.code == code
    liste = orient.de_seance(seance.id)
    assert [(o["formation_id"], o["structure"], o["statut"]) for o in liste] == [
        (formation, None, "proposee"),
        (None, "Point Information Jeunesse", "proposee"),
    ]
    assert liste[1]["date"] == "2026-12-01" and liste[0]["motif"] == "motivée"
    orient.changer_statut(
        counsellor, seance, {"orientation_id": liste[0]["id"], "statut": "entretien"}
    )
    with pytest.raises(ConsoleError):
        orient.changer_statut(counsellor, seance, {"orientation_id": 999, "statut": "entretien"})
    profil = Profil(departement="59", interets=("data",))
    orient.sans_solution(
        counsellor, seance, {"motif": "trop_loin", "commentaire": "pas de bus"}, profil
    )
    assert orient.sans_solution_de(seance.id)["motif"] == "trop_loin"
    assert [s.id for s in svc.seances.liste(admin, "entretien")] == [seance.id]
    assert svc.seances.liste(admin, "abandon") == []

    with svc.engine.connect() as conn:
        statuts = conn.scalars(
            select(RecordRow.statut).where(RecordRow.type == "orientation").order_by(RecordRow.id)
        ).all()
    assert statuts == ["entretien", "proposee"]  # updated, not added

    svc.seances.rejoindre(svc.seances.lire(counsellor, seance.id).code, "sender-x", "webchat")
    svc.effacer_conversation("sender-x")
    assert orient.de_seance(seance.id) == [] and orient.sans_solution_de(seance.id) is None
    assert svc.seances.lire(counsellor, seance.id).stats_cle is None
    with svc.engine.connect() as conn:
        kept = conn.execute(select(RecordRow.type, RecordRow.statut)).all()
    assert sorted(kept) == sorted(
        [
            ("seance", None),
            ("orientation", "entretien"),
            ("orientation", "proposee"),
            ("sans_solution", "trop_loin"),
        ]
    )


def test_retention_removes_old_journal_entries_and_records(svc: ConsoleService) -> None:
    """The operator's purge removes journal entries older than a year and anonymous
    records older than three years, and nothing more recent."""
    admin, counsellor, _ = structure_with_accounts(svc)
    svc.journal.ecrire(counsellor, "ouverture", "old")
    svc.statistiques.nouvelle_seance(admin.structure_id)
    svc.clock.advance(200 * 86400)  # type: ignore[attr-defined]
    svc.journal.ecrire(counsellor, "ouverture", "recent")
    svc.clock.advance(200 * 86400)  # type: ignore[attr-defined]
    assert svc.journal.purger() == 1 and svc.statistiques.purger() == 0
    assert [e["seance"] for e in svc.journal.lire(admin, 0, 3e9)] == ["recent"]
    svc.clock.advance(3 * 365 * 86400)  # type: ignore[attr-defined]
    assert svc.statistiques.purger() == 1


def test_the_map_is_linked_only_where_it_can_be_read(svc: ConsoleService, texts: Texts) -> None:
    """The pages link the map for an admin whose structure has a région, not for one
    whose structure has none (the map would refuse); the account sent to the console
    carries the région for the same choice there."""
    comptes = _comptes(svc)
    assert (
        'href="/webhooks/console/pilotage/carte"'
        in _get(svc, texts, comptes["admin"], "statistiques")[1]
    )
    assert "pilotage/carte" not in _get(svc, texts, comptes["admin_nowhere"], "statistiques")[1]
    assert compte_json(comptes["admin"])["region"] == HDF
    assert compte_json(comptes["admin_nowhere"])["region"] is None
