"""Issue 17: a question that names a profile fact stays a question; personal data is not
the data domain."""

from __future__ import annotations

import pytest

from bot.nlu.arbitrage import intention_arbitree, looks_like_question
from bot.nlu.entites import EXTRACTOR_NAME
from bot.profil.interets import parse_interets


def fact(text: str, word: str, entity: str = "interets") -> dict:
    start = text.index(word)
    return {
        "entity": entity,
        "value": "x",
        "start": start,
        "end": start + len(word),
        "extractor": EXTRACTOR_NAME,
    }


@pytest.mark.parametrize(
    "text",
    [
        "faut etre bon en math",
        "jai qu'un cap ca suffit ?",
        "c en alternance ou pas",
        "Êtes-vous une intelligence artificielle ?",
    ],
)
def test_questions_are_recognised(text: str) -> None:
    """ "?", "faut ...", "... ou pas": the message asks."""
    assert looks_like_question(text)


@pytest.mark.parametrize("text", ["bac s", "bts sio", "g 19 ans chui a lyon", "data analyst"])
def test_answers_are_not_questions(text: str) -> None:
    """Bare facts are answers."""
    assert not looks_like_question(text)


def test_unsure_question_with_a_fact_stays_unsure() -> None:
    """ "faut etre bon en math" (unsure, likeliest a question) is not made `informer`."""
    unsure = {"name": "nlu_fallback", "confidence": 0.45}
    text = "faut etre bon en math"
    ranking = [unsure, {"name": "hors_sujet"}, {"name": "informer"}]
    assert intention_arbitree(unsure, [fact(text, "math")], ranking, text) is None
    ranking = [unsure, {"name": "informer"}]
    assert intention_arbitree(unsure, [fact(text, "math")], ranking, text)["name"] == "informer"


def test_a_confident_question_made_of_a_fact_stays_a_question() -> None:
    """ "c en alternance ou pas" is a rhythm question even if "en alternance" is a fact."""
    text = "c en alternance ou pas"
    intent = {"name": "question_rythme", "confidence": 0.98}
    facts = [fact(text, "en alternance", "situation")]
    assert intention_arbitree(intent, facts, [intent], text) is None
    bare = {"name": "question_prerequis", "confidence": 0.6}
    assert intention_arbitree(bare, [fact("bac s", "bac s", "diplome")], [bare], "bac s") == {
        "name": "informer",
        "confidence": 0.6,
    }


@pytest.mark.parametrize("text", ["vire mes donnees", "efface tes données sur moi"])
def test_personal_data_is_not_the_data_domain(text: str) -> None:
    """ "mes données" are personal data, not an interest in data."""
    assert parse_interets(text) == []
    assert parse_interets("l'analyse de données") == ["data"]


@pytest.mark.parametrize(
    "text",
    [
        "pas à distance",
        "je veux pas a distance, sur place a bordeaux",
        "a distance non merci",
        "jveu pas de distanciel jprefere aller en cours",
    ],
)
def test_a_refused_distance_learning_is_a_profile_answer(text: str) -> None:
    """A refusal read as an acceptance or a question about distance learning is `informer`."""
    for name in ("accepter_distance", "question_distanciel"):
        intent = {"name": name, "confidence": 0.9}
        assert intention_arbitree(intent, [], [intent], text) == {
            "name": "informer",
            "confidence": 0.9,
        }


@pytest.mark.parametrize("text", ["a distance stp", "c'est pas à distance ?", "en ligne ca me va"])
def test_accepting_or_asking_about_distance_learning_is_left_alone(text: str) -> None:
    """An acceptance, or a question ("c'est pas à distance ?"), keeps its intent."""
    intent = {"name": "accepter_distance", "confidence": 0.9}
    assert intention_arbitree(intent, [], [intent], text) is None


@pytest.mark.parametrize(
    ("text", "guessed", "expected"),
    [
        ("plus loin stp", "plus_pres", "elargir_zone"),
        ("élargir 🤷", "nlu_fallback", "elargir_zone"),
        ("je peux aller plus loin", "plus_pres", "elargir_zone"),
        ("c trop loin", "elargir_zone", "plus_pres"),
        ("t'as plus proche ? 🙂", "nlu_fallback", "plus_pres"),
        ("pas plus loin que 10 km", "elargir_zone", "plus_pres"),
        ("C'est trop éloigné de chez moi", "accepter_distance", "plus_pres"),
    ],
)
def test_the_direction_is_in_the_words(text: str, guessed: str, expected: str) -> None:
    """ "Plus près" / "plus loin": the words decide, not numeric noise between two intents
    that share most of their characters."""
    decided = intention_arbitree({"name": guessed, "confidence": 0.5}, [], [], text)
    assert decided is not None and decided["name"] == expected


@pytest.mark.parametrize(
    ("text", "guessed"),
    [
        ("plus loin stp", "elargir_zone"),
        ("plus près ou plus loin, je sais pas", "plus_pres"),
        ("c'est loin d'ici ?", "question_distanciel"),
        ("faut aller plus loin ?", "nlu_fallback"),
    ],
)
def test_no_direction_change_without_a_clear_one(text: str, guessed: str) -> None:
    """Without a clear 'nearer' or 'farther' request, the guessed intent is kept."""
    assert intention_arbitree({"name": guessed, "confidence": 0.5}, [], [], text) is None


@pytest.mark.parametrize(
    ("text", "guessed", "expected"),
    [
        ("à distance stp", "nlu_fallback", "accepter_distance"),
        ("en ligne ça me va", "question_distanciel", "accepter_distance"),
        ("jveux pas de distanciel", "nlu_fallback", "informer"),
        ("a distance nn merci chui sur lyon", "accepter_distance", "informer"),
        ("c'est à distance ?", "question_distanciel", None),
        ("jpeux la suivre en ligne ?", "nlu_fallback", None),
    ],
)
def test_distance_learning_said_not_asked(text: str, guessed: str, expected: str | None) -> None:
    """A preference for or against distance learning, stated (not asked), decides the
    intent when the classifier is unsure or reads a question."""
    decided = intention_arbitree({"name": guessed, "confidence": 0.4}, [], [], text)
    assert (decided or {}).get("name") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello, can you help me find a course?", "autre_langue"),
        ("hola, busco cursos de informática", "autre_langue"),
        ("ich suche eine Ausbildung", "autre_langue"),
        ("hello", None),
        ("jveu un job dans le web", None),
        ("ok cool", None),
    ],
)
def test_another_language_when_unsure(text: str, expected: str | None) -> None:
    """Unsure about a message written in another language: `autre_langue` (the end-to-end
    conversation "message in English" depended on which side of the threshold it fell)."""
    decided = intention_arbitree({"name": "nlu_fallback", "confidence": 0.4}, [], [], text)
    assert (decided or {}).get("name") == expected


@pytest.mark.parametrize(
    ("text", "guessed", "expected"),
    [
        ("la 1ere", "informer", "demander_details"),
        ("la 1ère stp", "informer", "demander_details"),
        ("la deuxième formation", "nlu_fallback", "demander_details"),
        ("en 1ere", "informer", None),
        ("jsuis en 1ere", "informer", None),
        ("le bac", "informer", None),
        ("le 62", "informer", None),
    ],
)
def test_a_rank_points_at_a_card(text: str, guessed: str, expected: str | None) -> None:
    """ "la 1ère" is the first card (a model trained on "1ère" as a class said informer
    with full confidence); "en 1ère" stays a class."""
    decided = intention_arbitree({"name": guessed, "confidence": 0.9}, [], [], text)
    assert (decided or {}).get("name") == expected
