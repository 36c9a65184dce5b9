"""What the console shows of a shared conversation, what a counsellor's change does, the
selection pushed to the chat, and the summary's data."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from sqlalchemy import select

from bot.config import REPO_ROOT
from bot.console import etat, vues
from bot.console.comptes import ConsoleError
from bot.geo import Geo
from bot.presentation import Texts
from bot.statistiques.modele import RecordRow
from tests.support.console import console_service, real_catalogue_engine, structure_with_accounts

SENDER = "c0ffee12ab34cd56ef78ab90cd12ef34"
PROFILE = {
    "situation": "decrocheur",
    "age": 19.0,
    "commune": "Roubaix",
    "code_insee": "59512",
    "departement": "59",
    "interets": ["developpement"],
}


@pytest.fixture(scope="module")
def rasa_domain() -> Domain:
    """The Rasa domain object (as the Rasa server holds it)."""
    return Domain.load(str(REPO_ROOT / "domain.yml"))


@pytest.fixture(scope="module")
def catalogue_engine():  # type: ignore[no-untyped-def]
    """The repository's catalogue in in-memory SQLite."""
    return real_catalogue_engine()


@pytest.fixture
def t(domain) -> Texts:  # type: ignore[no-untyped-def]
    """The domain's French texts."""
    return Texts.from_domain(domain)


def shared_session(rasa_domain: Domain, catalogue_engine: Any, consent_at: float) -> tuple:
    """A session shared by a conversation whose profile is PROFILE; one exchange before
    the consent, one after."""
    svc = console_service(catalogue_engine)
    _, one, _ = structure_with_accounts(svc)
    seance = svc.seances.creer(one, stats_cle=svc.statistiques.nouvelle_seance(one.structure_id))
    svc.seances.rejoindre(seance.code, SENDER, "webchat")
    svc.clock.now = consent_at
    svc.seances.repondre_accord(SENDER, True)
    store = InMemoryTrackerStore(rasa_domain)
    tracker = asyncio.run(store.get_or_create_tracker(SENDER))
    events = [
        UserUttered("je m'appelle [masqué], c'est privé", timestamp=consent_at - 10),
        BotUttered("Avant le partage", timestamp=consent_at - 9),
        UserUttered("jai 19 ans jhabite roubaix jaime coder", timestamp=consent_at + 5),
        UserUttered("/demander_details", timestamp=consent_at + 6),
        BotUttered("Voici 3 formations", timestamp=consent_at + 7),
        BotUttered(
            None,
            {"custom": {"type": "recommandations", "formations": [{}, {}]}},
            timestamp=consent_at + 8,
        ),
        ActionExecuted("action_listen", timestamp=consent_at + 9),
    ]
    for event in events:
        tracker.update(event)
    for name, value in PROFILE.items():
        tracker.update(SlotSet(name, value))
    asyncio.run(store.save(tracker))
    agent = SimpleNamespace(tracker_store=store, domain=rasa_domain)
    return svc, one, svc.seances.lire(one, seance.id), agent


def state(svc, t: Texts, agent: Any, seance: Any, **kwargs: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return asyncio.run(vues.etat_seance(svc, t, agent, seance, "http://127.0.0.1:5005", **kwargs))


def test_the_console_shows_the_profile_messages_since_consent_and_recommendations(
    rasa_domain: Domain, catalogue_engine: Any, t: Texts
) -> None:
    """Profile from the slots, the diploma missing, only messages after the consent (a
    button press hidden, a list summed up), trainings with score and reasons."""
    svc, _, seance, agent = shared_session(rasa_domain, catalogue_engine, 1_800_000_100.0)
    shown = state(svc, t, agent, seance)
    assert shown["profil"]["commune"] == "Roubaix" and shown["profil"]["age"] == 19.0
    assert shown["manquants"] == ["diplome"]
    assert [(m["de"], m.get("texte"), m.get("formations")) for m in shown["messages"]] == [
        ("personne", "jai 19 ans jhabite roubaix jaime coder", None),
        ("assistant", "Voici 3 formations", None),
        ("assistant", None, 2),
    ]
    formations = shown["recommandations"]["formations"]
    assert formations and shown["recommandations"]["nombre"] >= len(formations)
    assert all(f["eligible"] and f["raisons"] and f["score"] > 0 for f in formations)
    assert all("developpement" in f["domaines"] for f in formations)


def test_nothing_is_visible_before_consent_or_after_the_sharing_stops(
    rasa_domain: Domain, catalogue_engine: Any, t: Texts
) -> None:
    """Once the person stops sharing, the console shows no profile and no message."""
    svc, one, seance, agent = shared_session(rasa_domain, catalogue_engine, 1_800_000_100.0)
    svc.seances.arreter_partage(SENDER)
    shown = state(svc, t, agent, svc.seances.lire(one, seance.id))
    assert shown["messages"] == [] and shown["profil"]["commune"] is None
    assert shown["recommandations"]["formations"] == []


def test_widening_the_radius_recomputes_and_says_what_changed(
    rasa_domain: Domain, catalogue_engine: Any, t: Texts
) -> None:
    """A 100 km radius adds trainings (never removes an eligible one in the first 30 km)."""
    svc, one, seance, agent = shared_session(rasa_domain, catalogue_engine, 1_800_000_100.0)
    before = state(svc, t, agent, seance)["recommandations"]
    criteres = etat.valider_criteres({"rayon_km": 100}, Geo.default())
    after_seance = svc.seances.modifier(one, seance.id, criteres=criteres)
    after = state(svc, t, agent, after_seance)["recommandations"]
    assert after["nombre"] > before["nombre"]
    change = etat.changements(before["formations"], after["formations"])
    assert change["ajoutees"] or change["retirees"]


def test_a_training_set_aside_leaves_the_list(
    rasa_domain: Domain, catalogue_engine: Any, t: Texts
) -> None:
    """`formations_exclues` removes exactly that training."""
    svc, one, seance, agent = shared_session(rasa_domain, catalogue_engine, 1_800_000_100.0)
    first = state(svc, t, agent, seance)["recommandations"]["formations"][0]
    changed = svc.seances.modifier(one, seance.id, criteres={"formations_exclues": [first["id"]]})
    ids = [f["id"] for f in state(svc, t, agent, changed)["recommandations"]["formations"]]
    assert first["id"] not in ids


def test_corrections_win_over_the_conversation(
    rasa_domain: Domain, catalogue_engine: Any, t: Texts
) -> None:
    """An age and a commune corrected with the person replace the conversation's values."""
    svc, one, seance, agent = shared_session(rasa_domain, catalogue_engine, 1_800_000_100.0)
    criteres = etat.valider_criteres(
        {"age": "27", "commune": "59000", "diplome": "bac"}, Geo.default()
    )
    changed = svc.seances.modifier(one, seance.id, criteres=criteres)
    shown = state(svc, t, agent, changed)
    assert shown["profil"]["age"] == 27.0 and shown["profil"]["commune"] == "Lille"
    assert shown["manquants"] == [] and set(shown["corrections"]) == {
        "age",
        "commune",
        "code_insee",
        "diplome",
    }


@pytest.mark.parametrize(
    "values",
    [
        {"age": 7},
        {"rayon_km": 0},
        {"interets": ["cuisine"]},
        {"commune": "Saint-Denis"},
        {"pointure": 42},
        {"distanciel": "oui"},
    ],
)
def test_bad_criteria_are_refused(values: dict[str, Any]) -> None:
    """Out-of-range ages and radii, unknown domains, ambiguous communes, unknown fields."""
    with pytest.raises(ConsoleError) as refused:
        etat.valider_criteres(values, Geo.default())
    assert refused.value.code == "critere_invalide"


def test_ineligible_trainings_come_with_why(
    rasa_domain: Domain, catalogue_engine: Any, t: Texts
) -> None:
    """On demand, trainings the person cannot enter are listed, each with its reasons."""
    svc, one, seance, agent = shared_session(rasa_domain, catalogue_engine, 1_800_000_100.0)
    older = svc.seances.modifier(one, seance.id, criteres={"age": 45.0, "rayon_km": 200.0})
    shown = state(svc, t, agent, older, avec_non_eligibles=True)
    assert shown["non_eligibles"], "a 45-year-old is refused by the trainings for under-26s"
    assert all(not f["eligible"] and f["blocages"] for f in shown["non_eligibles"])


def test_the_pushed_selection_sets_the_slots_and_announces_the_counsellor(
    rasa_domain: Domain, catalogue_engine: Any, t: Texts
) -> None:
    """The chat gets a note, the cards and the payload; the tracker gets the new radius."""
    svc, one, seance, agent = shared_session(rasa_domain, catalogue_engine, 1_800_000_100.0)
    changed = svc.seances.modifier(one, seance.id, criteres={"rayon_km": 60.0})
    messages, events = asyncio.run(vues.selection_poussee(svc, t, agent, changed))
    assert (
        "Ton conseiller a ajusté la recherche" in messages[0]["text"]
        and "60 km" in messages[0]["text"]
    )
    payload = messages[-1]["custom"]
    assert payload["type"] == "recommandations" and payload["formations"]
    assert len(messages) == len(payload["formations"]) + 2
    slots = {e.key: e.value for e in events if isinstance(e, SlotSet)}
    assert slots["rayon_km"] == 60.0 and slots["page_resultats"] == 0.0
    assert slots["resultats"][: len(payload["formations"])] == [
        f["id"] for f in payload["formations"]
    ]


def test_the_summary_lists_the_trainings_to_contact(
    rasa_domain: Domain, catalogue_engine: Any, t: Texts
) -> None:
    """The sheet holds the marked trainings with their reasons, the profile and the steps."""
    svc, one, seance, agent = shared_session(rasa_domain, catalogue_engine, 1_800_000_100.0)
    first = state(svc, t, agent, seance)["recommandations"]["formations"][0]
    svc.seances.marquer(one, seance.id, first["id"], "a_contacter")
    svc.seances.modifier(one, seance.id, etapes="Appeler l'organisme lundi")
    svc.seances.ajouter_note(one, seance.id, "Pense à ton CV", "personne")
    svc.seances.ajouter_note(one, seance.id, "Note interne", "structure")
    seance = svc.seances.lire(one, seance.id)
    sheet = vues.fiche(
        t, seance, "Mission locale de Roubaix", state(svc, t, agent, seance), svc.clock()
    )
    assert [f.intitule for f in sheet.formations] == [first["intitule"]]
    assert (
        sheet.formations[0].raisons == first["raisons"]
        and sheet.formations[0].marque == "à contacter"
    )
    assert ("Commune", "Roubaix") in sheet.profil and sheet.etapes == "Appeler l'organisme lundi"
    assert sheet.notes_personne == ["Pense à ton CV"]


def _records(svc: Any) -> list[dict[str, Any]]:
    with svc.engine.connect() as conn:
        rows = conn.execute(select(RecordRow).order_by(RecordRow.id)).mappings().all()
        return [dict(r) for r in rows]


def test_the_session_record_follows_its_latest_profile(
    rasa_domain: Domain, catalogue_engine: Any, t: Texts
) -> None:
    """The session's anonymous record takes the shared profile (département, band,
    domains, counts) once; seeing it again records nothing more; the counsellor's own
    criteria count as a console search; a referral shows in the state and on the sheet."""
    svc, one, seance, agent = shared_session(rasa_domain, catalogue_engine, 1_800_000_100.0)
    shown = state(svc, t, agent, seance)
    state(svc, t, agent, seance)
    records = _records(svc)
    (record,) = [r for r in records if r["type"] == "seance"]
    assert (record["departement"], record["region"], record["tranche_age"]) == ("59", "32", "18_25")
    assert record["domaines"] == 1 and record["nb_proposees"] == shown["recommandations"]["nombre"]
    top = [f["id"] for f in shown["recommandations"]["formations"][: vues.MAX_RESULTATS]]
    assert [r["formation_id"] for r in records if r["type"] == "recommandee"] == top
    assert not [r for r in records if r["type"] == "recherche"]

    changed = svc.seances.modifier(one, seance.id, criteres={"rayon_km": 60})
    state(svc, t, agent, changed)
    (search,) = [r for r in _records(svc) if r["type"] == "recherche"]
    assert (search["canal"], search["structure_id"]) == ("console", one.structure_id)

    svc.orientations.ajouter(one, changed, {"formation_id": top[0]}, svc.catalogue)
    after = state(svc, t, agent, changed)
    (orientation,) = after["orientations"]
    assert orientation["intitule"].startswith(shown["recommandations"]["formations"][0]["intitule"])
    sheet = vues.fiche(t, changed, "Mission locale", after, svc.clock())
    assert sheet.orientations == [
        t.get(
            "libelle_orientation_ligne",
            cible=orientation["intitule"],
            statut="proposée",
            date=vues.date_en_lettres(t, vues.date.fromisoformat(orientation["date"])),
        )
    ]
