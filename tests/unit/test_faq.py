"""Practical answers: the figures they quote and the domain texts they fill."""

from __future__ import annotations

import string

import pytest
import yaml

from bot.catalogue.validation import validate_files
from bot.config import REPO_ROOT
from bot.faq import SUJETS, faits, nombre_fr
from tests.support.factories import DISTANCE_ONLY, make_formation


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_figures_are_counted_once_per_training() -> None:
    """FAQ figures count each training once, however many sites it has."""
    rows = [
        # Two sites of one training count once.
        make_formation(id="a-1", formation_id="a", cout="gratuit", diplome_min="aucun"),
        make_formation(id="a-2", formation_id="a", cout="gratuit", diplome_min="aucun"),
        make_formation(
            id="b",
            formation_id="b",
            cout="payant",
            diplome_min="bac",
            age_min=None,
            duree_mois=3.5,
            duree_texte="3 mois et demi dont 1 mois de stage",
            certification="qualifiante",
            date_donnees="2019",
        ),
        make_formation(
            id="c",
            formation_id="c",
            cout="remunere",
            cout_texte="alternance",
            diplome_min=None,
            age_max=25,
            duree_mois=None,
            certification=None,
            **DISTANCE_ONLY,
        ),
    ]
    f = faits(rows)
    assert f.formations == 3
    assert f.annees == "2016-2019"
    assert f.couts == {"gratuit": 1, "payant": 1, "remunere": 1}
    assert (f.sans_diplome, f.bac_ou_plus, f.niveau_non_precise) == (1, 1, 1)
    assert (f.sans_limite_age, f.avec_age_min, f.avec_age_max) == (1, 2, 1)
    assert (f.duree_connue, f.duree_min, f.duree_max, f.duree_mediane) == (2, 3.5, 7, 5.25)
    assert (f.avec_stage, f.en_alternance, f.a_distance) == (1, 1, 1)
    assert f.certifications == {"certifiante": 1, "qualifiante": 1, "inconnu": 1}
    assert f.variables("cout") == {
        "formations": 3,
        "annees": "2016-2019",
        "gratuit": 1,
        "remunere": 1,
        "finance": 0,
        "payant": 1,
        "inconnu": 0,
    }
    assert f.variables("duree")["duree_mediane"] == "5,2"


def test_empty_catalogue_gives_zeros_not_errors() -> None:
    """An empty catalogue gives zero counts and '?' figures, not errors."""
    f = faits([])
    assert f.formations == 0
    assert f.variables("duree")["duree_mediane"] == "?"


@pytest.mark.parametrize(("value", "text"), [(3.5, "3,5"), (6.0, "6"), (None, "?"), (12, "12")])
def test_french_numbers(value, text) -> None:
    """Numbers are written the French way, with a decimal comma and '?' for unknown."""
    assert nombre_fr(value) == text


def test_every_answer_is_filled_from_the_real_catalogue(domain) -> None:
    """Each subject's response exists and its variables are exactly those computed."""
    records, errors = validate_files(sorted((REPO_ROOT / "knowledge/catalogue").glob("*.jsonl")))
    assert not errors
    f = faits(records)
    assert f.formations == len({r.formation_id for r in records})
    for sujet in SUJETS.values():
        template = domain["responses"][f"utter_reponse_{sujet}"][0]["text"]
        variables = f.variables(sujet)
        assert _placeholders(template) <= set(variables), sujet
        assert "{" not in template.format(**variables)


def test_every_question_intent_is_declared_and_has_rules(domain) -> None:
    """Every FAQ intent is declared and answered by the two practical-question rules, one
    inside the profile form and one outside."""
    rules = yaml.safe_load((REPO_ROOT / "data/rules.yml").read_text("utf-8"))["rules"]

    def intents(step: dict) -> list[str]:
        return [s["intent"] for s in step.get("or", [step]) if "intent" in s]

    answered = [
        (intent, r["condition"][0]["active_loop"])
        for r in rules
        if {"action": "action_repondre_question"} in r["steps"]
        for intent in intents(r["steps"][0])
    ]
    for intent in SUJETS:
        assert intent in domain["intents"]
        assert sorted(loop or "" for i, loop in answered if i == intent) == ["", "profil_form"]
