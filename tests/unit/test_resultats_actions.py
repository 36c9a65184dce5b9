"""Result actions as young people use them, on the committed catalogue: "plus près",
"plus loin", "à distance" and "voir plus" change the list or say plainly why not; the
default suggestions are announced as such; every text read is free of internal strings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from bot.actions import services
from bot.actions.questions import ActionRepondreQuestion
from bot.actions.recommandations import (
    ActionAccepterDistance,
    ActionDetailFormation,
    ActionElargirZone,
    ActionPlusDeResultats,
    ActionPlusPres,
    ActionRecommander,
)
from bot.catalogue.repository import Catalogue
from bot.config import REPO_ROOT
from bot.db import engine_for
from bot.exploration import DEFAULT_DOMAINS
from bot.statistiques.modele import RecordRow
from tests.support.rasa import make_tracker
from tests.support.texts import internal_strings

TRACKERS = Path(__file__).resolve().parents[1] / "support" / "trackers"
pytestmark = pytest.mark.anyio

PARIS = {
    "situation": "demandeur_emploi",
    "diplome": "bac",
    "age": 20.0,
    "commune": "Paris",
    "code_insee": "75056",
    "departement": "75",
    "region": "Île-de-France",
    "interets": ["developpement"],
    "distanciel": False,
    "rayon_km": 30.0,
}
MARSEILLE_26 = {
    "situation": "decrocheur",
    "diplome": "aucun",
    "age": 26.0,
    "commune": "Marseille",
    "code_insee": "13055",
    "departement": "13",
    "region": "Provence-Alpes-Côte d'Azur",
    "interets": list(DEFAULT_DOMAINS),
    "distanciel": False,
    "rayon_km": 30.0,
}


def gueret() -> dict[str, Any]:
    """24-year-old in Guéret into cybersecurity: nothing near, nothing at a distance."""
    return json.loads((TRACKERS / "profil_gueret.json").read_text(encoding="utf-8"))["slots"]


@pytest.fixture(scope="module")
def catalogue_db() -> Iterator[Catalogue]:
    engine = engine_for("sqlite://")
    Catalogue(engine).load(sorted((REPO_ROOT / "knowledge/catalogue").glob("*.jsonl")))
    yield Catalogue(engine)
    engine.dispose()


@pytest.fixture(autouse=True)
def real_catalogue(monkeypatch: pytest.MonkeyPatch, catalogue_db: Catalogue) -> None:
    monkeypatch.setattr(services, "catalogue", lambda: catalogue_db)


class Conversation:
    """Runs result actions one after the other, keeping the slots they set."""

    def __init__(self, domain: dict[str, Any], slots: dict[str, Any], events: list | None = None):
        self.domain = domain
        self.slots = dict(slots)
        self.events = events or []
        self.messages: list[dict[str, Any]] = []
        self.changed: dict[str, Any] = {}

    async def say(self, action: Any, text: str = "", intent: str = "informer") -> Conversation:
        tracker = make_tracker(self.domain, text, intent, **self.slots)
        tracker.events = self.events
        dispatcher = CollectingDispatcher()
        events = await action.run(dispatcher, tracker, self.domain)
        self.messages = dispatcher.messages
        self.changed = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
        self.slots.update(self.changed)
        return self

    @property
    def responses(self) -> list[str]:
        return [m["response"] for m in self.messages if m.get("response")]

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("response") == "utter_formation_carte"]

    @property
    def shown(self) -> list[dict[str, Any]]:
        payloads = [m["custom"] for m in self.messages if m.get("custom")]
        return payloads[0]["formations"] if payloads else []

    def texts(self) -> list[str]:
        """Every text of the turn as the person reads it (templates filled)."""
        out = []
        for m in self.messages:
            if m.get("response"):
                template = self.domain["responses"][m["response"]][0]["text"]
                out.append(template.format(**{k: v for k, v in m.items() if k != "response"}))
        return out


async def test_closer_shows_only_nearer_trainings_nearest_first(domain):
    """Paris, "plus près": only trainings inside the smaller radius, nearest first, and
    the radius said in whole km ("15 km", never "15.0 km")."""
    c = Conversation(domain, PARIS)
    await c.say(ActionRecommander())
    first_page = [f["id"] for f in c.shown]
    await c.say(ActionPlusPres(), "plus près", "plus_pres")
    assert c.responses[0] == "utter_plus_pres"
    assert c.texts()[0].startswith("OK, je ne garde que les formations à moins de 15 km")
    distances = [f["distance_km"] for f in c.shown]
    assert distances and max(distances) <= 15 and distances == sorted(distances)
    assert [f["id"] for f in c.shown] != first_page
    assert c.changed["rayon_km"] == 15.0


async def test_closer_with_nothing_closer_says_so_and_shows_nothing_farther(domain):
    """Guéret, "plus près": no training 482 km away is shown again; the answer says
    nothing is closer and how far the nearest is; the radius is kept."""
    c = Conversation(domain, gueret())
    await c.say(ActionRecommander())
    assert c.responses[0] == "utter_alternative_plus_loin"
    assert "Rien près de chez toi" in c.texts()[0]
    await c.say(ActionPlusPres(), "plus près", "plus_pres")
    assert c.cards == [] and c.shown == []
    assert c.responses == ["utter_rien_plus_pres", "utter_apres_resultats"]
    assert "La plus proche que je connaisse est à 482 km, à Maubeuge (59)." in c.texts()[0]
    assert "rayon_km" not in c.changed


async def test_farther_and_distance_say_why_nothing_changes(domain):
    """Guéret in cybersecurity: "plus loin" and "à distance" do not repeat the same list;
    they say there is nothing more and no distance-learning offer."""
    c = Conversation(domain, gueret())
    await c.say(ActionRecommander())
    await c.say(ActionElargirZone(), "plus loin", "elargir_zone")
    assert c.responses == ["utter_rien_de_plus_loin", "utter_apres_resultats"]
    assert c.changed["rayon_km"] == 90.0
    await c.say(ActionAccepterDistance(), "à distance", "accepter_distance")
    assert c.responses == ["utter_pas_de_distanciel", "utter_apres_resultats"]
    assert c.changed["distanciel"] is True


async def test_nothing_near_gives_next_steps_by_age(domain):
    """Nothing near: the next steps name France Travail, the Mission locale for a
    24-year-old but not for a 26-year-old."""
    for age, mission_locale in ((24.0, True), (26.0, False)):
        c = Conversation(domain, {**gueret(), "age": age})
        await c.say(ActionRecommander())
        (steps,) = [text for text in c.texts() if text.startswith("Ce que tu peux faire")]
        assert "France Travail" in steps
        assert ("Mission locale" in steps) is mission_locale
        (warning,) = [text for text in c.texts() if text.startswith("Attention")]
        assert ("Mission locale" in warning) is mission_locale


async def test_distance_learning_comes_first(domain):
    """Paris, "à distance": the distance-learning trainings come first (not the same
    page as before)."""
    c = Conversation(domain, PARIS)
    await c.say(ActionRecommander())
    first_page = [f["id"] for f in c.shown]
    await c.say(ActionAccepterDistance(), "à distance", "accepter_distance")
    assert c.responses[0] == "utter_distanciel_accepte"
    assert c.shown[0]["a_distance"] is True
    assert [f["id"] for f in c.shown] != first_page


async def test_more_results_continue_the_list_shown(domain):
    """After "plus près", "voir plus" continues the same nearest-first list (no training
    twice), says which ones it shows, and "la 2e" is the second one shown."""
    c = Conversation(domain, {**PARIS, "rayon_km": 60.0})
    await c.say(ActionRecommander())
    await c.say(ActionPlusPres(), "plus près", "plus_pres")
    page_1 = c.shown
    await c.say(ActionPlusDeResultats(), "voir plus", "plus_de_resultats")
    page_2 = c.shown
    assert c.responses[0] == "utter_page_resultats"
    assert page_2 and page_2[0]["rang"] == 6
    distances = [f["distance_km"] for f in page_1 + page_2]
    assert distances == sorted(distances)
    assert not {f["id"] for f in page_1} & {f["id"] for f in page_2}
    await c.say(ActionDetailFormation(), "la 2e", "demander_details")
    assert c.messages[0]["intitule"] == page_1[1]["intitule"]


async def test_no_training_twice_in_a_list(domain):
    """Paris, the whole list: the same training (organisation, title, town) only once."""
    c = Conversation(domain, {**PARIS, "rayon_km": 2000.0})
    await c.say(ActionRecommander())
    seen = []
    while True:
        seen += [(f["organisme"], f["intitule"].lower().strip(), f["commune"]) for f in c.shown]
        await c.say(ActionPlusDeResultats(), "voir plus", "plus_de_resultats")
        if not c.shown:
            break
    assert ("Webforce3", "développeur intégrateur web", "Paris") in seen
    assert len(seen) == len(set(seen))


async def test_default_suggestions_are_not_called_interests(domain):
    """The "je sais pas" path in Marseille: beginner suggestions are announced as such,
    no card says "ton intérêt pour", the promised jobs with nothing near are named, and a
    26-year-old is not sent to the Mission locale."""
    events = [{"event": "action", "name": "action_je_sais_pas"}]
    c = Conversation(domain, MARSEILLE_26, events)
    await c.say(ActionRecommander())
    assert c.responses[:2] == ["utter_intro_pistes", "utter_pistes_manquantes"]
    text = "\n".join(c.texts())
    assert "ton intérêt" not in text
    assert "une piste pour débuter" in text
    assert "médiation numérique" in c.texts()[1]
    assert "Mission locale" not in text
    chosen = Conversation(domain, MARSEILLE_26)
    await chosen.say(ActionRecommander())
    assert "ton intérêt" in "\n".join(chosen.texts())


@pytest.mark.parametrize(
    "slots", [PARIS, MARSEILLE_26, {**PARIS, "age": None, "situation": None}], ids=str
)
async def test_no_internal_string_in_any_answer(domain, slots):
    """Every answer of a results conversation (cards, intros, changes, details) is free
    of internal-looking strings (hashes, paths, "dépôt", "None", ".0 km", "(s)")."""
    c = Conversation(domain, slots, [{"event": "action", "name": "action_je_sais_pas"}])
    turns = [
        (ActionRecommander(), "", "informer"),
        (ActionPlusPres(), "plus près", "plus_pres"),
        (ActionPlusPres(), "plus près", "plus_pres"),
        (ActionElargirZone(), "plus loin", "elargir_zone"),
        (ActionAccepterDistance(), "à distance", "accepter_distance"),
        (ActionPlusDeResultats(), "voir plus", "plus_de_resultats"),
        (ActionDetailFormation(), "la 1re", "demander_details"),
    ]
    for action, text, intent in turns:
        await c.say(action, text, intent)
        for said in c.texts():
            assert internal_strings(said) == [], said
        for item in c.shown:
            for said in [*item["textes"].values(), *item["raisons"], item["source"]]:
                assert internal_strings(said) == [], said


async def test_far_alternatives_are_called_far(domain):
    """Guéret: the far trainings are called far with their real distance (482 km), not
    "un peu plus loin"."""
    c = Conversation(domain, gueret())
    await c.say(ActionRecommander())
    assert c.cards and all("loin de chez toi" in card["lieu"] for card in c.cards)
    assert "à 482 km" in c.cards[0]["lieu"]
    assert "un peu plus loin" not in "\n".join(c.texts())


async def test_a_question_about_distance_learning_after_results_shows_them(domain):
    """Paris, results shown, "y en a à distance ?": the distance-learning trainings come
    first (it answered with catalogue figures and the same list stayed)."""
    c = Conversation(domain, PARIS)
    await c.say(ActionRecommander())
    await c.say(ActionRepondreQuestion(), "y en a à distance ?", "question_distanciel")
    assert c.responses[0] == "utter_distanciel_accepte"
    assert c.shown[0]["a_distance"] is True and c.changed["distanciel"] is True


async def test_closer_or_farther_without_a_town_asks_for_it(domain):
    """Results without a town (distance learning only): "plus près" / "plus loin" ask
    for the town instead of announcing a radius around nowhere."""
    slots = {**PARIS, "commune": None, "code_insee": None, "departement": None, "region": None}
    c = Conversation(domain, {**slots, "distanciel": True})
    await c.say(ActionRecommander())
    for action, intent in ((ActionPlusPres(), "plus_pres"), (ActionElargirZone(), "elargir_zone")):
        await c.say(action, "", intent)
        assert c.responses == ["utter_critere_sans_ville"] and c.changed == {}
    await c.say(ActionAccepterDistance(), "à distance", "accepter_distance")
    assert c.responses == ["utter_distanciel_deja_montre", "utter_apres_resultats"]


async def test_each_search_is_recorded_anonymously(domain, console_in_memory):
    """A search in Guéret finds nothing within 30 km, one in Paris finds some: each is one
    anonymous record (département, région, age band, domains, counts), a new page is not
    a new search, and nothing names the town or the exact age."""
    await Conversation(domain, gueret()).say(ActionRecommander())
    paris = Conversation(domain, PARIS)
    await paris.say(ActionRecommander())
    await paris.say(ActionPlusDeResultats(), "voir plus", "voir_plus")
    with console_in_memory.statistiques.engine.connect() as conn:
        rows = conn.execute(select(RecordRow).order_by(RecordRow.id)).mappings().all()
    assert [(r["type"], r["departement"], r["region"]) for r in rows] == [
        ("recherche", "23", "75"),
        ("recherche", "75", "11"),
    ]
    gueret_row, paris_row = rows
    assert gueret_row["nb_dans_rayon"] == 0 and paris_row["nb_dans_rayon"] > 0
    assert gueret_row["tranche_age"] == "18_25" and gueret_row["domaines"] == 1 << 4
    assert "Guéret" not in {str(v) for v in gueret_row.values()}
