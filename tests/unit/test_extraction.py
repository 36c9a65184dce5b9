"""Tests of bot.extraction.extract with the real geography of knowledge/geo."""

from __future__ import annotations

from typing import Any

import pytest

from bot.extraction import MAX_COMMUNES_PROPOSEES, extract, prioritise
from bot.geo import Geo

ROUBAIX_SLOTS = {
    "commune": "Roubaix",
    "code_insee": "59512",
    "departement": "59",
    "region": "Hauts-de-France",
}


@pytest.fixture(scope="module")
def geo() -> Geo:
    return Geo.default()


def run(
    geo: Geo,
    text: str,
    intent: str | None = "informer",
    entities: list[dict[str, Any]] | None = None,
    requested_slot: str | None = None,
    current: dict[str, Any] | None = None,
):
    return extract(text, intent, list(entities or []), requested_slot, dict(current or {}), geo)


def test_first_message_fills_everything(geo: Geo) -> None:
    """A long informal greeting fills age, situation, place and interests at once."""
    out = run(
        geo,
        "salut, j'ai 19 ans, j'ai arrêté le lycée en première, j'habite à Roubaix "
        "et j'aimerais bien faire de l'informatique",
        intent="saluer",
    )
    assert out.slots["age"] == 19
    assert out.slots["situation"] == "decrocheur"
    for slot, value in ROUBAIX_SLOTS.items():
        assert out.slots[slot] == value
    assert set(out.slots["interets"]) == {
        "developpement",
        "support_informatique",
        "reseaux_systemes",
    }
    assert "diplome" not in out.slots
    assert out.responses == []
    assert out.corrections == {}


@pytest.mark.parametrize(
    "text, requested",
    [
        ("59100", "commune"),
        ("j'habite au 59100", None),
        ("Roubaix", "commune"),
        ("roubaix 59", "commune"),
        ("je vis à Roubaix", None),
    ],
)
def test_place_resolves_to_roubaix(geo: Geo, text: str, requested: str | None) -> None:
    """A postcode or a name (with or without cue) resolves to the commune and its areas."""
    out = run(geo, text, requested_slot=requested)
    assert {k: out.slots.get(k) for k in ROUBAIX_SLOTS} == ROUBAIX_SLOTS
    assert out.responses == []


@pytest.mark.parametrize(
    "text, requested", [("Saint-Denis", "commune"), ("j'habite à Saint-Denis", None)]
)
def test_ambiguous_commune_lists_candidates(geo: Geo, text: str, requested: str | None) -> None:
    """An ambiguous name leaves commune empty and proposes labelled candidates."""
    out = run(geo, text, requested_slot=requested, current={"commune": "Roubaix"})
    assert out.slots["commune"] is None
    labels = out.slots["communes_possibles"]
    assert "Saint-Denis (93)" in labels and "Saint-Denis (974)" in labels
    assert 2 <= len(labels) <= MAX_COMMUNES_PROPOSEES
    assert "departement" not in out.slots
    assert out.responses == []


def test_postcode_decides_an_ambiguous_entity_value(geo: Geo) -> None:
    """ "93200" gives the entity value "Saint-Denis": the postcode says which one."""
    out = run(
        geo,
        "ché moi c 93200",
        entities=[{"entity": "commune", "value": "Saint-Denis", "extractor": "ExtracteurProfil"}],
    )
    assert out.slots["commune"] == "Saint-Denis"
    assert out.slots["departement"] == "93"
    assert not out.slots.get("communes_possibles")


def test_button_resolves_ambiguous_commune(geo: Geo) -> None:
    """A commune button "Saint-Denis (93)" picks that commune and clears the candidates."""
    out = run(
        geo,
        '/informer{"commune": "Saint-Denis (93)"}',
        entities=[{"entity": "commune", "value": "Saint-Denis (93)"}],
        requested_slot="commune",
        current={"commune": None, "communes_possibles": ["Saint-Denis (974)", "Saint-Denis (93)"]},
    )
    assert out.slots["commune"] == "Saint-Denis"
    assert out.slots["departement"] == "93"
    assert out.slots["code_insee"] == "93066"
    assert out.slots["region"] == "Île-de-France"
    assert out.slots["communes_possibles"] is None


@pytest.mark.parametrize("text, requested", [("99999", "commune"), ("j'habite au 99999", None)])
def test_unknown_postcode_is_reported(geo: Geo, text: str, requested: str | None) -> None:
    """An unknown postcode gives utter_commune_introuvable and leaves the town empty."""
    out = run(geo, text, requested_slot=requested)
    assert out.responses == [("utter_commune_introuvable", {"lieu": "99999"})]
    assert out.slots == {"commune": None}


@pytest.mark.parametrize(
    "text, expected", [("tlse", "Toulouse"), ("marseil", "Marseille"), ("paname", "Paris")]
)
def test_nickname_or_misspelling_answers_the_commune_question(
    geo: Geo, text: str, expected: str
) -> None:
    """A bare nickname or misspelled big town answers "where do you live?"."""
    out = run(geo, text, requested_slot="commune")
    assert out.slots["commune"] == expected
    assert out.responses == []


def test_misspelled_town_needs_the_question_or_a_cue(geo: Geo) -> None:
    """A misspelled town alone is not recorded; after a cue word it is."""
    assert "commune" not in run(geo, "marseil").slots
    assert run(geo, "jhabite a marseil").slots["commune"] == "Marseille"


def test_unknown_name_reported_when_commune_asked(geo: Geo) -> None:
    """An unknown bare name answering the commune question is reported back."""
    out = run(geo, "Blablaville", requested_slot="commune")
    assert out.responses == [("utter_commune_introuvable", {"lieu": "Blablaville"})]
    assert out.slots == {"commune": None}


@pytest.mark.parametrize(
    "text, slot, value",
    [
        ("j'ai arrêté le lycée", "situation", "decrocheur"),
        ("j'ai le bac", "diplome", "bac"),
        ("le code", "interets", ["developpement"]),
    ],
)
def test_other_fact_while_commune_asked_is_not_a_place(
    geo: Geo, text: str, slot: str, value: Any
) -> None:
    """A message answering something else while the commune is asked is not an unknown town."""
    out = run(geo, text, requested_slot="commune")
    assert out.slots[slot] == value
    assert out.responses == []


def test_age_correction(geo: Geo) -> None:
    """A new age replaces the old one and is reported as a correction."""
    out = run(geo, "non en fait j'ai 22 ans", current={"age": 19.0})
    assert out.slots == {"age": 22.0}
    assert out.corrections == {"age": 22.0}


def test_move_is_a_commune_correction(geo: Geo) -> None:
    """Moving to Amiens changes commune and département and is a correction."""
    out = run(geo, "j'ai déménagé à Amiens", current=dict(ROUBAIX_SLOTS))
    assert out.slots["commune"] == "Amiens"
    assert out.slots["departement"] == "80"
    assert out.slots["code_insee"] == "80021"
    assert out.corrections["commune"] == "Amiens"
    assert "region" not in out.slots  # still Hauts-de-France: unchanged slots are not sent


def test_same_value_is_not_a_correction(geo: Geo) -> None:
    """Repeating a known value changes nothing and is not a correction."""
    out = run(geo, "j'ai 19 ans et j'habite à Roubaix", current={"age": 19.0, **ROUBAIX_SLOTS})
    assert out.slots == {}
    assert out.corrections == {}


def test_first_value_is_not_a_correction(geo: Geo) -> None:
    """Filling an empty slot is not a correction."""
    out = run(geo, "j'ai 22 ans", current={"age": None})
    assert out.slots == {"age": 22.0}
    assert out.corrections == {}


@pytest.mark.parametrize(
    "intent, text",
    [
        ("question_metier", "c'est quoi un testeur"),
        ("question_cout", "c'est payant à Roubaix ?"),
        ("question_prerequis", "faut le bac pour le code ?"),
        ("demander_aide", "j'ai 19 ans je comprends pas"),
    ],
)
@pytest.mark.parametrize("requested", [None, "interets"])
def test_questions_change_nothing(geo: Geo, intent: str, text: str, requested: str | None) -> None:
    """Question and help intents never change the profile, even when a slot is asked."""
    out = run(
        geo,
        text,
        intent=intent,
        requested_slot=requested,
        current={"age": 19.0, "interets": ["design"]},
    )
    assert out.slots == {}
    assert out.responses == []
    assert out.corrections == {}


@pytest.mark.parametrize("intent", ["affirmer", "nier", "nlu_fallback", "hors_sujet"])
def test_answer_only_intents_need_a_question(geo: Geo, intent: str) -> None:
    """yes/no/fallback messages count only when the form is waiting for an answer."""
    assert run(geo, "j'ai 19 ans", intent=intent).slots == {}
    assert run(geo, "j'ai 19 ans", intent=intent, requested_slot="age").slots == {"age": 19.0}


@pytest.mark.parametrize(
    "entity, value",
    [("situation", "hacker"), ("diplome", "doctorat_es_hacking"), ("interets", "piratage")],
)
def test_unknown_button_values_are_ignored(geo: Geo, entity: str, value: str) -> None:
    """A button entity with an unknown canonical value changes nothing."""
    current = {"situation": "salarie", "diplome": "bac", "interets": ["design"]}
    out = run(
        geo,
        f'/informer{{"{entity}": "{value}"}}',
        entities=[{"entity": entity, "value": value}],
        requested_slot=entity,
        current=current,
    )
    assert out.slots == {}
    assert out.corrections == {}
    assert out.responses == []


@pytest.mark.parametrize(
    "entity, value",
    [("situation", "demandeur_emploi"), ("diplome", "bac_plus_2"), ("interets", "data")],
)
def test_known_button_values_are_used(geo: Geo, entity: str, value: str) -> None:
    """A button entity with a canonical value fills the slot, even without an intent."""
    out = run(
        geo,
        f'/informer{{"{entity}": "{value}"}}',
        intent=None,
        entities=[{"entity": entity, "value": value}],
        requested_slot=entity,
    )
    expected = [value] if entity == "interets" else value
    assert out.slots == {entity: expected}


def test_unknown_commune_button_does_not_echo_payload(geo: Geo) -> None:
    """An unresolvable commune button never echoes the raw payload as a place."""
    out = run(
        geo,
        '/informer{"commune": "Atlantis"}',
        entities=[{"entity": "commune", "value": "Atlantis"}],
        requested_slot="commune",
    )
    assert "commune" not in out.slots
    for _name, variables in out.responses:
        assert "/informer" not in str(variables.get("lieu"))


def test_also_adds_interest(geo: Geo) -> None:
    """ "j'aime aussi le design" adds design to the known interests (contract order)."""
    out = run(geo, "j'aime aussi le design", current={"interets": ["developpement"]})
    assert out.slots["interets"] == ["developpement", "design"]


def test_new_interest_without_aussi_replaces(geo: Geo) -> None:
    """Without "aussi", a new interest replaces the old ones."""
    out = run(geo, "en fait je préfère le design", current={"interets": ["developpement"]})
    assert out.slots["interets"] == ["design"]
    assert out.corrections["interets"] == ["design"]


@pytest.mark.parametrize(
    "text, requested, expected",
    [
        ("19", "age", {"age": 19.0}),
        ("aucun", "diplome", {"diplome": "aucun"}),
        ("oui", "distanciel", {"distanciel": True}),
        ("50 km max", None, {"rayon_km": 50.0}),
        ("pas à distance", None, {"distanciel": False}),
    ],
)
def test_bare_answers_and_options(
    geo: Geo, text: str, requested: str | None, expected: dict[str, Any]
) -> None:
    """Bare answers fill the asked slot; radius and distance wishes are read anywhere."""
    assert run(geo, text, requested_slot=requested).slots == expected


@pytest.mark.parametrize("text, requested", [("19", None), ("aucun", "situation")])
def test_bare_answers_need_their_question(geo: Geo, text: str, requested: str | None) -> None:
    """A bare number or "aucun" fills nothing when its slot is not the one asked."""
    out = run(geo, text, requested_slot=requested)
    assert "age" not in out.slots and "diplome" not in out.slots


def test_bare_number_answers_the_age_while_another_question_is_asked(geo) -> None:
    """ "20" is taken as the age when the age is unknown, even if the situation was asked."""
    result = extract("20", "informer", [], "situation", {}, geo)
    assert result.slots == {"age": 20.0}


def test_bare_number_is_not_an_age_when_the_town_is_asked(geo) -> None:
    """While the town is asked, a bare "59" is not read as an age."""
    result = extract("59", "informer", [], "commune", {}, geo)
    assert "age" not in result.slots


def test_ambiguous_town_always_clears_the_town_slot(geo) -> None:
    """Even when the town was already empty, the slot is set so the form asks again."""
    current = {"commune": None, "communes_possibles": None}
    result = extract("Saint-Denis", "informer", [], "situation", current, geo)
    assert "commune" in result.slots and result.slots["commune"] is None
    assert len(result.slots["communes_possibles"]) > 1


@pytest.mark.parametrize(
    ("town", "age", "expected"),
    [
        (False, False, ["situation", "age", "diplome", "commune", "interets"]),
        (True, False, ["commune", "situation", "age", "diplome", "interets"]),
        (False, True, ["age", "situation", "diplome", "commune", "interets"]),
        (True, True, ["commune", "age", "situation", "diplome", "interets"]),
    ],
)
def test_prioritise(town, age, expected) -> None:
    """A pending town choice or age correction is asked first."""
    required = ["situation", "age", "diplome", "commune", "interets"]
    assert prioritise(required, town_pending=town, age_pending=age) == expected


def test_entities_of_the_nlu_extractor_are_not_buttons(geo: Geo) -> None:
    """A question that names an interest ("c'est payant le dev ?") changes no slot, even
    though the NLU found an `interets` entity in it; the same entity from a button does."""
    nlu = [{"entity": "interets", "value": "developpement", "extractor": "ExtracteurProfil"}]
    assert run(geo, "c'est payant le dev ?", "question_cout", entities=nlu).slots == {}
    button = [{"entity": "interets", "value": "developpement"}]
    slots = run(geo, "/question_cout", "question_cout", entities=button).slots
    assert slots["interets"] == ["developpement"]


@pytest.mark.parametrize(
    ("text", "expected"), [("rien", "aucun"), ("aucun", "aucun"), ("je sais pas", None)]
)
def test_rien_or_aucun_read_as_je_sais_pas_answers_the_diploma_question(geo, text, expected):
    """ "rien" and "aucun" (classified "je ne sais pas") answer the diploma question:
    no diploma (the question came back again and again); "je sais pas" does not."""
    out = run(geo, text, intent="je_sais_pas", requested_slot="diplome")
    assert out.slots.get("diplome") == expected
    assert run(geo, text, intent="je_sais_pas").slots.get("diplome") is None
