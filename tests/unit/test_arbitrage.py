"""An unsure message that states profile facts is an answer (`informer`)."""

from __future__ import annotations

from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.arbitrage import ArbitreProfil, intention_arbitree
from bot.nlu.entites import EXTRACTOR_NAME

FACT = {"entity": "age", "value": "19", "start": 2, "end": 8, "extractor": EXTRACTOR_NAME}


def test_unsure_message_with_profile_facts_becomes_informer() -> None:
    """An unsure message carrying profile facts from the text becomes 'informer'."""
    unsure = {"name": "nlu_fallback", "confidence": 0.45}
    assert intention_arbitree(unsure, [FACT]) == {"name": "informer", "confidence": 0.45}


def test_other_cases_are_left_alone() -> None:
    """Sure intents, no intent, no facts or button entities leave the intent alone."""
    unsure = {"name": "nlu_fallback", "confidence": 0.45}
    button = {"entity": "rang", "value": "2"}  # no extractor: not a profile fact from text
    assert intention_arbitree(unsure, [button]) is None
    assert intention_arbitree(unsure, []) is None
    assert intention_arbitree({"name": "question_cout", "confidence": 0.9}, [FACT]) is None
    assert intention_arbitree(None, [FACT]) is None


def test_component_rewrites_the_intent() -> None:
    """The NLU component rewrites an unsure intent to 'informer' in place."""
    message = Message(
        data={
            TEXT: "g 19 an",
            INTENT: {"name": "nlu_fallback", "confidence": 0.4},
            ENTITIES: [FACT],
        }
    )
    ArbitreProfil().process([message])
    assert message.get(INTENT) == {"name": "informer", "confidence": 0.4}


def test_a_town_named_in_another_language_is_not_an_answer() -> None:
    """A town in a message likely in another language does not make it 'informer'."""
    unsure = {"name": "nlu_fallback", "confidence": 0.4}
    town = {
        "entity": "commune",
        "value": "Lyon",
        "start": 9,
        "end": 13,
        "extractor": EXTRACTOR_NAME,
    }
    ranking = [unsure, {"name": "autre_langue", "confidence": 0.38}, {"name": "informer"}]
    assert intention_arbitree(unsure, [town], ranking) is None
    ranking = [unsure, {"name": "informer", "confidence": 0.38}, {"name": "autre_langue"}]
    assert intention_arbitree(unsure, [town], ranking) == {"name": "informer", "confidence": 0.4}


def test_yes_or_no_with_a_profile_fact_is_an_answer() -> None:
    """ "non j'ai un CAP" is `informer` whatever the classifier's noise between `nier`
    and `informer` (another CPU flipped it and the test command failed); a bare yes or
    no, or one with a non-profile entity, stays as it is."""
    cap = {"entity": "diplome", "value": "cap_bep", "extractor": EXTRACTOR_NAME}
    for name in ("nier", "affirmer"):
        said = {"name": name, "confidence": 0.52}
        assert intention_arbitree(said, [cap]) == {"name": "informer", "confidence": 0.52}
        assert intention_arbitree(said, []) is None
        distance = {"entity": "distanciel", "value": True, "extractor": EXTRACTOR_NAME}
        assert intention_arbitree(said, [distance]) is None
        assert intention_arbitree(said, [{"entity": "diplome", "value": "bac"}]) is None


def test_a_greeting_with_a_profile_fact_is_an_answer() -> None:
    """ "salut j'ai 20 ans" is `informer` whatever the classifier's noise between `saluer`
    and `informer` (an Intel CPU said `saluer` where the AMD of CI said `informer`); a bare
    greeting, or a greeting that asks something, stays a greeting."""
    said = {"name": "saluer", "confidence": 0.61}
    age = {"entity": "age", "value": "20", "start": 10, "end": 16, "extractor": EXTRACTOR_NAME}
    assert intention_arbitree(said, [age], text="salut j'ai 20 ans") == {
        "name": "informer",
        "confidence": 0.61,
    }
    assert intention_arbitree(said, [], text="salut") is None
    asked = "salut, a 20 ans c'est trop tard ?"
    assert intention_arbitree(said, [age], text=asked) is None


def test_a_message_made_of_profile_facts_is_an_answer() -> None:
    """ "bac s" (read as a requirement question) and "bts sio" (read as distance
    learning) are answers; a question about the same fact, or a fact lost in a longer
    sentence, keeps its intent."""
    bac = {"entity": "diplome", "value": "bac", "start": 0, "end": 5, "extractor": EXTRACTOR_NAME}
    bts = {"entity": "diplome", "value": "bac_plus_2", "start": 0, "end": 3}
    bts["extractor"] = EXTRACTOR_NAME
    question = {"name": "question_prerequis", "confidence": 0.54}
    distance = {"name": "accepter_distance", "confidence": 0.62}
    assert intention_arbitree(question, [bac], text="bac s")["name"] == "informer"
    assert intention_arbitree(distance, [bts], text="bts sio")["name"] == "informer"
    late = {**bac, "start": 16, "end": 19}
    assert intention_arbitree(question, [late], text="faut il avoir le bac ?") is None
    assert intention_arbitree(question, [late], text="il faut avoir le bac pour y aller") is None
    place = {"entity": "distanciel", "value": True, "start": 2, "end": 10}
    place["extractor"] = EXTRACTOR_NAME
    assert intention_arbitree(distance, [place], text="à distance") is None
