"""Profile entities found in free French text, pointing at what the person wrote."""

from __future__ import annotations

import re

import pytest
import yaml
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.config import REPO_ROOT
from bot.geo import Geo
from bot.nlu.alignement import TexteAligne
from bot.nlu.entites import EXTRACTOR_NAME, ExtracteurProfil, entites_profil
from bot.texte import normalize


def _examples() -> list[str]:
    texts = []
    paths = [
        *sorted((REPO_ROOT / "data/nlu").glob("*.yml")),
        *sorted((REPO_ROOT / "tests/nlu").rglob("*.yml")),
    ]
    for path in paths:
        for item in yaml.safe_load(path.read_text("utf-8"))["nlu"]:
            for line in (item.get("examples") or "").splitlines():
                line = re.sub(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})", r"\1", line.strip()[2:])
                texts.append(line)
    return texts


def test_aligned_text_is_the_normalised_text_on_every_example() -> None:
    """On every NLU example the aligned text equals the corrected normalised text."""
    texts = _examples()
    assert len(texts) > 1000
    assert [t for t in texts if TexteAligne(t).norm != normalize(t, corriger=True)] == []


@pytest.mark.parametrize(
    ("text", "norm_part", "original"),
    [
        ("Jsuis o chômage dpui 6 mois", "chomage", "chômage"),
        ("Jsuis o chômage dpui 6 mois", "je suis", "Jsuis"),
        ("g un BAC + 2 en compta", "bac+2", "BAC + 2"),
        ("ouiiii j'ai l'école", "l ecole", "l'école"),
        ("jai19ans", "19 ans", "19ans"),
        ("jai19ans", "j ai", "jai"),
        ("jsuisau chômage", "au", "au"),
        ("la programation", "programmation", "programation"),
    ],
)
def test_aligned_spans_point_at_the_original_words(text, norm_part, original) -> None:
    """Spans in the normalised text map back to the words as the person wrote them."""
    aligned = TexteAligne(text)
    start = aligned.norm.index(norm_part)
    span = aligned.span(start, start + len(norm_part))
    assert span is not None
    assert text[span[0] : span[1]] == original


@pytest.fixture(scope="module")
def geo() -> Geo:
    return Geo.default()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "salut, j'ai 19 ans, j'ai arrêté le lycée en première, j'habite à Roubaix",
            [
                ("age", "19", "19 ans"),
                ("situation", "decrocheur", "arrêté le lycée"),
                ("commune", "Roubaix", "Roubaix"),
            ],
        ),
        ("jsui o chomage dpui 6 mois", [("situation", "demandeur_emploi", "chomage")]),
        ("chui sur lille", [("commune", "Lille", "lille")]),
        ("jveu fer du dev", [("interets", "developpement", "dev")]),
        ("59100", [("commune", "Roubaix", "59100")]),
        # Ambiguous name: the value is what was written, the action asks which one.
        ("j'habite à St Denis", [("commune", "St Denis", "St Denis")]),
        (
            "vingt deux ans, bac + 2, au Havre",
            [
                ("age", "22", "vingt deux ans"),
                ("diplome", "bac_plus_2", "bac + 2"),
                ("commune", "Le Havre", "Havre"),
            ],
        ),
        (
            "titulaire d'un CAP, demandeuse d'emploi, j'adore le graphisme et les réseaux sociaux",
            [
                ("diplome", "cap_bep", "CAP"),
                ("situation", "demandeur_emploi", "demandeuse d'emploi"),
                ("interets", "design", "graphisme"),
                ("interets", "communication_digitale", "réseaux sociaux"),
            ],
        ),
        ("g pa de diplome", [("diplome", "aucun", "g pa de diplome")]),
        # A duration is not an age; "pas le bac" alone does not say which diploma.
        ("au chomage depuis 2 ans, pas le bac", [("situation", "demandeur_emploi", "chomage")]),
        ("bonjour", []),
        # Spans cover the natural phrase; the article is not part of the diploma.
        (
            "g 21 ans g le bac pro jsui a grenoble",
            [
                ("age", "21", "21 ans"),
                ("diplome", "bac", "bac pro"),
                ("commune", "Grenoble", "grenoble"),
            ],
        ),
        (
            "Je souhaiterais me former au développement web.",
            [("interets", "developpement", "développement web")],
        ),
        ("jai décroché en seconde", [("situation", "decrocheur", "décroché")]),
        # The present situation; a course in progress is not a diploma.
        (
            "dpui ke jai arreté la fac jbosse chez amazon",
            [("situation", "salarie", "jbosse")],
        ),
        ("jsuis en terminale bac pro", [("situation", "etudiant", "en terminale")]),
        (
            "jveu pa fer du dev, plutot du design",
            [("interets", "design", "design")],
        ),
        # A past age, a requirement, a postcode before a full stop, "aucun" is no town.
        (
            "J'ai quitté l'école à seize ans, sans diplôme, et j'en ai maintenant 24.",
            [
                ("situation", "decrocheur", "quitté l'école"),
                ("diplome", "aucun", "sans diplôme"),
                ("age", "24", "24"),
            ],
        ),
        ("faut avoir le bac ?", []),
        ("domicilié au 59200.", [("commune", "Tourcoing", "59200")]),
        ("Il n'a aucun diplôme.", [("diplome", "aucun", "aucun diplôme")]),
    ],
)
def test_profile_entities(geo: Geo, text: str, expected: list[tuple[str, str, str]]) -> None:
    """Profile entities are extracted with their values and the words written."""
    found = [(e.entity, e.value, text[e.start : e.end]) for e in entites_profil(text, geo)]
    assert found == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A glued word: the entity points at its own part.
        (
            "jai19ans jhabite a marseil",
            [("age", "19", "19ans"), ("commune", "Marseille", "marseil")],
        ),
        ("g 17an", [("age", "17", "17an")]),
        # A nickname and a misspelled town point at what was written.
        (
            "chui o rsa dpui 2 ans, jhab a tlse",
            [("situation", "demandeur_emploi", "rsa"), ("commune", "Toulouse", "tlse")],
        ),
        (
            "chui a strasbour g 30 ans",
            [("commune", "Strasbourg", "strasbour"), ("age", "30", "30 ans")],
        ),
        ("jsui o lamentin", [("commune", "Le Lamentin", "lamentin")]),
        # Phonetic and misspelled key words.
        (
            "g 17an jsui pu a lécole",
            [("age", "17", "17an"), ("situation", "decrocheur", "pu a lécole")],
        ),
        ("jkiff la programation", [("interets", "developpement", "programation")]),
        ("mn bac jlé pa, g jst le brevé", [("diplome", "brevet", "brevé")]),
        ("g eu le bac l'an dernier", [("diplome", "bac", "bac")]),
        ("jveu bosser ds l'IT support", [("interets", "support_informatique", "IT support")]),
    ],
)
def test_profile_entities_sms(geo: Geo, text: str, expected: list[tuple[str, str, str]]) -> None:
    """Profile entities are extracted from SMS spellings with the words written."""
    found = [(e.entity, e.value, text[e.start : e.end]) for e in entites_profil(text, geo)]
    assert found == expected


@pytest.mark.parametrize(
    ("intent", "expected"),
    [
        ("informer", [("interets", "developpement"), ("age", "19")]),
        # Job names are the topic of a job question, not the person's interests.
        ("question_metier", [("age", "19")]),
    ],
)
def test_no_interests_in_job_questions(geo: Geo, intent: str, expected: list) -> None:
    """Job names in a job question are not extracted as the person's interests."""
    text = "c koi un developpeur web ? g 19 ans"
    assert [(e.entity, e.value) for e in entites_profil(text, geo, intent)] == expected


def test_component_reads_the_intent() -> None:
    """The NLU component uses the predicted intent to skip interests in job questions."""
    message = Message(
        data={TEXT: "c'est quoi un développeur web ?", INTENT: {"name": "question_metier"}}
    )
    ExtracteurProfil().process([message])
    assert message.get(ENTITIES) == []


def test_component_adds_entities_with_its_name() -> None:
    """The NLU component appends its entities, with its name, after the existing ones."""
    message = Message(data={TEXT: "g 20 ans", ENTITIES: [{"entity": "rang", "value": "2"}]})
    ExtracteurProfil().process([message])
    entities = message.get(ENTITIES)
    assert entities[0] == {"entity": "rang", "value": "2"}
    assert entities[1] == {
        "entity": "age",
        "value": "20",
        "start": 2,
        "end": 8,
        "text": "20 ans",
        "confidence_entity": 1.0,
        "extractor": EXTRACTOR_NAME,
    }


# --- issue 17 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("data analyst", [("interets", "data", "data analyst")]),
        ("admin système", [("interets", "reseaux_systemes", "admin système")]),
        ("testeur", [("interets", "test_logiciel", "testeur")]),
        ("c koi un testeur", []),
        ("data analyst ca consiste en koi", []),
        ("testeur c un vrai metier ?", []),
    ],
)
def test_a_job_named_alone_is_an_interest_even_in_a_job_question(
    geo: Geo, text: str, expected: list[tuple[str, str, str]]
) -> None:
    """A job named alone keeps its interest when the classifier saw a job question."""
    found = [
        (e.entity, e.value, text[e.start : e.end])
        for e in entites_profil(text, geo, "question_metier")
    ]
    assert found == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dans le 93", [("commune", "Bobigny", "93")]),
        ("g 20 ans, j'habite dans le 59", [("age", "20", "20 ans"), ("commune", "Lille", "59")]),
        ("je veux pas a distance, sur place a bordeaux", [("commune", "Bordeaux", "bordeaux")]),
    ],
)
def test_departement_and_sur_place_entities(
    geo: Geo, text: str, expected: list[tuple[str, str, str]]
) -> None:
    """A département is the commune entity of its préfecture, written where the number is."""
    found = [(e.entity, e.value, text[e.start : e.end]) for e in entites_profil(text, geo)]
    assert found == expected
