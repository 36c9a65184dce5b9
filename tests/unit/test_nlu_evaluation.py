"""Held-out NLU scores: intents, entities, canonical slot values, per register."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.geo import Geo
from tools.nlu.evaluation import (
    Example,
    GoldEntity,
    Prediction,
    entity_scores,
    evaluate,
    intent_scores,
    load_examples,
    predict_all,
    render_markdown,
    render_text,
    slot_value_correct,
)


def test_intent_scores() -> None:
    """Intent accuracy and macro F1 are computed from (expected, predicted) pairs."""
    pairs = [("a", "a"), ("a", "b"), ("b", "b"), ("c", "c")]
    scores = intent_scores(pairs)
    assert scores["intent_accuracy"] == 0.75
    # F1: a = 2/3 (P 1, R 0.5), b = 2/3 (P 0.5, R 1), c = 1.
    assert scores["intent_macro_f1"] == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)


def test_entity_scores_exact_span_and_type() -> None:
    """An entity counts only with the exact span and type; other entity types are ignored."""
    gold = [GoldEntity("age", "19", 4, 10), GoldEntity("commune", "Lille", 14, 19)]
    predicted = [
        {"entity": "age", "value": "19", "start": 4, "end": 10},
        {"entity": "commune", "value": "Lille", "start": 13, "end": 19},  # wrong span
        {"entity": "rang", "value": "2", "start": 0, "end": 1},  # not a profile entity
    ]
    scores = entity_scores([(gold, predicted)])
    assert scores["micro"]["precision"] == 0.5
    assert scores["micro"]["recall"] == 0.5
    assert scores["par_type"]["age"]["f1"] == 1.0
    assert scores["par_type"]["commune"]["f1"] == 0.0


@pytest.mark.parametrize(
    ("gold", "slots", "ok"),
    [
        (GoldEntity("interets", "data", 0, 1), {"interets": ["design", "data"]}, True),
        (GoldEntity("age", "19", 0, 1), {"age": 19.0}, True),
        (GoldEntity("diplome", "bac", 0, 1), {"diplome": "cap_bep"}, False),
        (GoldEntity("commune", "Roubaix", 0, 1), {"commune": "Roubaix"}, True),
        # Ambiguous, annotated as written: the assistant offers the communes of that name.
        (
            GoldEntity("commune", "st denis", 0, 1),
            {"commune": None, "communes_possibles": ["Saint-Denis (93)", "Saint-Denis (974)"]},
            True,
        ),
        (GoldEntity("commune", "Lens", 0, 1), {}, False),
    ],
)
def test_slot_value_correct(gold: GoldEntity, slots: dict, ok: bool) -> None:
    """A gold entity is right when its slot gets its value, ambiguous communes included."""
    assert slot_value_correct(gold, slots) is ok


def test_evaluate_per_register_with_the_real_extraction() -> None:
    """Scores are given per register, and slots filled by the extraction count as correct."""
    text = "g 19 ans et jhabite a Roubaix"
    examples = [
        Example(
            text,
            "informer",
            (GoldEntity("age", "19", 2, 8), GoldEntity("commune", "Roubaix", 22, 29)),
            "informel",
        ),
        Example("Bonjour", "saluer", (), "standard"),
    ]
    predictions = predict_all(
        [e.text for e in examples],
        {
            text: {
                "intent": {"name": "informer"},
                "entities": [{"entity": "age", "value": "19", "start": 2, "end": 8}],
            },
            "Bonjour": {"intent": {"name": "au_revoir"}, "entities": []},
        }.__getitem__,
    )
    assert predictions[0] == Prediction("informer", [predictions[0].entities[0]])
    result = evaluate(examples, predictions, Geo.default())
    informel = result["par_registre"]["informel"]
    assert informel["intent_accuracy"] == 1.0
    assert informel["entites"]["micro"]["recall"] == 0.5
    # The commune entity was missed, but the assistant still fills the commune slot.
    assert informel["slot_accuracy"] == 1.0
    assert result["par_registre"]["standard"]["intent_accuracy"] == 0.0
    assert result["confusions"] == [{"attendu": "saluer", "predit": "au_revoir", "nombre": 1}]
    assert "informel" in render_text(result)


def test_load_examples_one_register_per_file(tmp_path: Path) -> None:
    """Each evaluation file is one register, and its annotated entities are read with spans."""
    (tmp_path / "informel.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: informer\n  examples: |\n'
        '    - g [20 ans]{"entity": "age", "value": "20"}\n',
        "utf-8",
    )
    (tmp_path / "standard.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: saluer\n  examples: |\n    - Bonjour\n', "utf-8"
    )
    examples = load_examples(tmp_path)
    assert [(e.register, e.intent) for e in examples] == [
        ("informel", "informer"),
        ("standard", "saluer"),
    ]
    assert examples[0].entities == (GoldEntity("age", "20", 2, 8),)


def test_markdown_report_has_every_register() -> None:
    """The Markdown report has a row per register and lists the confusions."""
    examples = [
        Example("Bonjour", "saluer", (), "standard"),
        Example("wesh", "saluer", (), "informel"),
    ]
    predictions = [Prediction("saluer"), Prediction("au_revoir")]
    report = render_markdown(evaluate(examples, predictions, Geo.default()), "2 cœurs")
    assert "| standard | 1 | 1.000 |" in report
    assert "| informel | 1 | 0.000 |" in report
    assert "saluer → au_revoir (1)" in report


def test_cli_without_a_model_says_so(tmp_path: Path, capsys) -> None:
    """'nlu evaluer' without a model exits 1 and says so in French."""
    from tools.cli import main

    assert main(["nlu", "evaluer", "--modele", str(tmp_path / "absent.tar.gz")]) == 1
    assert "modèle introuvable" in capsys.readouterr().out
