"""Issue 17: what one message of this audience changes in the profile (bot.extraction with
the real geography and the NLU extractor's entities)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.extraction import departement_seul, extract
from bot.geo import Geo
from bot.nlu.entites import entites_profil


@pytest.fixture(scope="module")
def geo() -> Geo:
    return Geo.default()


def run(geo: Geo, text: str, requested_slot: str | None = None, intent: str = "informer"):
    """The slots of one message, with the entities the NLU extractor gives it."""
    entities: list[dict[str, Any]] = [e.as_rasa(text) for e in entites_profil(text, geo, intent)]
    return extract(text, intent, entities, requested_slot, {}, geo)


@pytest.mark.parametrize(
    ("text", "requested", "commune", "departement"),
    [
        ("dans le 93", None, "Bobigny", "93"),
        ("le 62", "commune", "Arras", "62"),
        ("j'habite dans le 59", None, "Lille", "59"),
        ("93", "commune", "Bobigny", "93"),
        ("dans le 974", None, "Saint-Denis", "974"),
        ("59100", None, "Roubaix", "59"),
    ],
)
def test_departement_or_postcode_fills_the_place(
    geo: Geo, text: str, requested: str | None, commune: str, departement: str
) -> None:
    """A département gives its préfecture (for distances), and says so; a unique
    postcode its commune, silently."""
    out = run(geo, text, requested)
    assert (out.slots["commune"], out.slots["departement"]) == (commune, departement)
    notices = [v for name, v in out.responses if name == "utter_departement_prefecture"]
    if text.isdigit() and len(text) == 5:
        assert notices == []
    else:
        assert notices == [
            {
                "commune": commune,
                "departement": departement,
                "nom_departement": notices[0]["nom_departement"],
            }
        ]
        assert notices[0]["nom_departement"] == geo.departement_name(departement)


def test_shared_postcode_offers_its_communes(geo: Geo) -> None:
    """A postcode shared by several communes offers them, all in its département."""
    slots = run(geo, "62300", "commune").slots
    assert slots["commune"] is None
    assert slots["communes_possibles"][0] == "Lens (62)"
    assert all(label.endswith("(62)") for label in slots["communes_possibles"])


def test_sur_place_a_bordeaux(geo: Geo) -> None:
    """ "je veux pas à distance, sur place à Bordeaux": distance refused, town Bordeaux."""
    slots = run(geo, "je veux pas a distance, sur place a bordeaux").slots
    assert slots["commune"] == "Bordeaux"
    assert slots["distanciel"] is False


@pytest.mark.parametrize("text", ["aucun", "rien", "pas l'info"])
def test_everyday_words_are_no_town_to_look_for(geo: Geo, text: str) -> None:
    """ "aucun" to the town question is not the commune Aucun (65), nor a town not found."""
    out = run(geo, text, "commune")
    assert out.slots.get("commune") is None
    assert out.responses == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("terminale", "aucun"),
        ("jai pas eu le bac", "aucun"),
        ("jai rien eu", "aucun"),
        ("bac s", "bac"),
        ("bts sio", "bac_plus_2"),
    ],
)
def test_diploma_answers(geo: Geo, text: str, expected: str) -> None:
    """Answers to the diploma question in the forms this audience uses."""
    assert run(geo, text, "diplome").slots["diplome"] == expected


def test_a_level_outside_the_diploma_question_leaves_it_asked(geo: Geo) -> None:
    """ "j'ai arrêté le lycée en première" says the situation; the diploma is still asked."""
    slots = run(geo, "j'ai arrêté le lycée en première").slots
    assert slots["situation"] == "decrocheur"
    assert "diplome" not in slots


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("data analyst", "question_metier", ["data"]),
        ("technicien de maintenance", "informer", ["support_informatique"]),
        ("médiateur numérique", "question_metier", ["mediation_numerique"]),
    ],
)
def test_a_job_named_alone_is_an_interest(geo: Geo, text: str, intent: str, expected) -> None:
    """A job named alone is the person's wish, even when the classifier saw a job question."""
    entities = entites_profil(text, geo, intent)
    assert [e.value for e in entities if e.entity == "interets"] == expected


@pytest.mark.parametrize(
    ("text", "expecting", "expected"),
    [
        ("dans le 93", False, ("Bobigny", "93", "Seine-Saint-Denis")),
        ("93", True, ("Bobigny", "93", "Seine-Saint-Denis")),
        ("j'habite dans le nord", False, ("Lille", "59", "Nord")),
        ("lille dans le 59", False, None),
        ("j'habite à Roubaix", False, None),
        ("93", False, None),
    ],
)
def test_departement_alone_says_which_prefecture(geo: Geo, text, expecting, expected) -> None:
    """A département alone gives the variables of the notice about the préfecture taken."""
    found = departement_seul(text, [], expecting, geo)
    if expected is None:
        assert found is None
    else:
        assert (found["commune"], found["departement"], found["nom_departement"]) == expected


def test_the_prefecture_notice_exists(domain) -> None:
    """The notice's text names the préfecture and says how to give another town."""
    text = domain["responses"]["utter_departement_prefecture"][0]["text"]
    assert "{commune}" in text and "j'habite à" in text


@pytest.mark.parametrize(
    ("text", "requested"),
    [
        ("j'habite à Lège-Cap-Ferret", None),
        ("Lège-Cap-Ferret", "commune"),
        ("je vis a lege cap ferret", None),
    ],
)
def test_a_place_name_holds_no_diploma(geo: Geo, text: str, requested: str | None) -> None:
    """The words of a town's name are not other facts: "Cap" in "Lège-Cap-Ferret"."""
    slots = run(geo, text, requested).slots
    assert slots["commune"] == "Lège-Cap-Ferret"
    assert "diplome" not in slots


def test_a_diploma_beside_a_town_is_kept(geo: Geo) -> None:
    """A diploma stays recorded when a town name contains the same word (Lège-Cap-Ferret)."""
    slots = run(geo, "j'ai un cap et j'habite à Lège-Cap-Ferret").slots
    assert (slots["diplome"], slots["commune"]) == ("cap_bep", "Lège-Cap-Ferret")


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("jai 35 ans c mort pour moi ?", "question_age", {"age": 35.0}),
        ("jai qu'un cap ca suffit ?", "question_prerequis", {"diplome": "cap_bep"}),
        ("mon chomage ca continue ?", "question_remuneration", {"situation": "demandeur_emploi"}),
        ("c'est pour les moins de 26 ans ?", "question_age", {}),
        ("c'est accessible sans diplôme ?", "question_prerequis", {}),
        ("on peut être salarié ?", "question_rythme", {}),
        ("Ma fille a seize ans, est-elle trop jeune ?", "question_age", {}),
        ("j'ai 35 ans, efface tout", "supprimer_donnees", {}),
    ],
)
def test_a_question_gives_what_the_person_says_of_themself(
    geo: Geo, text: str, intent: str, expected: dict
) -> None:
    """A fact said in the first person inside a question is taken; a condition asked
    about ("moins de 26 ans ?", "sans diplôme ?") or somebody else's is not."""
    assert run(geo, text, intent=intent).slots == expected


def test_a_question_does_not_overwrite_what_is_known(geo: Geo) -> None:
    """An age inside a question does not overwrite the age already known."""
    out = extract("jai 35 ans c mort ?", "question_age", [], None, {"age": 30.0}, geo)
    assert out.slots == {}
