"""Development-set scores of the profile extraction, without a Rasa model."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import REPO_ROOT
from bot.geo import Geo
from tools.nlu.dev_eval import failures, load_dev_examples, main, predict, scores
from tools.nlu.evaluation import Example, GoldEntity

DEV_YAML = """version: "3.1"
nlu:
- intent: informer
  metadata:
    registre: informel
  examples: |
    - jsui o [chomage]{"entity": "situation", "value": "demandeur_emploi"} dpui 6 mois
    - g [19 ans]{"entity": "age", "value": "19"}
- intent: question_metier
  examples: |
    - c'est quoi un développeur web ?
"""


@pytest.fixture(scope="module")
def geo() -> Geo:
    return Geo.default()


def _write(tmp_path: Path) -> Path:
    (tmp_path / "profil.yml").write_text(DEV_YAML, encoding="utf-8")
    return tmp_path


def test_register_is_the_block_metadata_or_the_file_name(tmp_path: Path) -> None:
    """An example's register is its block metadata, else its file name."""
    examples = load_dev_examples(_write(tmp_path))
    assert [(e.intent, e.register) for e in examples] == [
        ("informer", "informel"),
        ("informer", "informel"),
        ("question_metier", "profil"),
    ]
    assert examples[0].entities == (GoldEntity("situation", "demandeur_emploi", 7, 14),)


def test_prediction_uses_the_annotated_intent(geo: Geo) -> None:
    """Prediction uses the annotated intent, so job questions yield no interests."""
    example = Example("c'est quoi un développeur web ? j'ai 19 ans", "question_metier", (), "x")
    assert [e["entity"] for e in predict(example, geo).entities] == ["age"]


def test_failures_name_wrong_values_and_spans(geo: Geo) -> None:
    """Failures name the wrong slot value, the missing entity and the extra one."""
    text = "jsui o chomage, g 19 ans"
    gold = (GoldEntity("situation", "salarie", 5, 14), GoldEntity("age", "19", 18, 24))
    example = Example(text, "informer", gold, "informel")
    lines = failures(example, predict(example, geo), geo)
    assert lines == [
        "slot situation: attendu 'salarie', obtenu 'demandeur_emploi'",
        "entité manquante: situation 'o chomage'",
        "entité en trop: situation 'chomage' = 'demandeur_emploi'",
    ]


def test_main_prints_scores_per_register_and_failures(tmp_path: Path, capsys) -> None:
    """The dev evaluation prints scores overall and per register, then the failures."""
    assert main(["--donnees", str(_write(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "== tous ==" in out and "== informel ==" in out
    assert "valeurs de slots 1.000 (2)" in out
    assert "== échecs ==" in out


def test_empty_directory_is_an_error(tmp_path: Path, capsys) -> None:
    """An empty data directory makes the dev evaluation exit 1."""
    assert main(["--donnees", str(tmp_path)]) == 1


DEV_FILES = ("profil.yml", "profil_sms.yml", "profil_sms2.yml")


def _accuracy(subset: list[Example], geo: Geo) -> float:
    return scores(subset, [predict(e, geo) for e in subset], geo)["slot_accuracy"]


def test_development_set_meets_the_target(geo: Geo) -> None:
    """Both dev batches: mostly informal, slot values ≥ 0.95, informal ≥ standard - 0.02."""
    directory = REPO_ROOT / "tests/nlu/dev"
    assert {p.name for p in directory.glob("*.yml")} >= set(DEV_FILES)
    examples = load_dev_examples(directory)
    informal = [e for e in examples if e.register == "informel"]
    standard = [e for e in examples if e.register == "standard"]
    assert len(examples) >= 500 and len(informal) >= 0.6 * len(examples)
    assert _accuracy(examples, geo) >= 0.95
    assert _accuracy(informal, geo) >= _accuracy(standard, geo) - 0.02


@pytest.mark.parametrize("name", DEV_FILES)
def test_each_development_batch_meets_the_target(geo: Geo, tmp_path: Path, name: str) -> None:
    """Each batch on its own (the SMS batches are ≥ 80 % informal)."""
    (tmp_path / name).write_text((REPO_ROOT / "tests/nlu/dev" / name).read_text("utf-8"), "utf-8")
    examples = load_dev_examples(tmp_path)
    informal = [e for e in examples if e.register == "informel"]
    if name.startswith("profil_sms"):
        assert len(examples) >= 60 and len(informal) >= 0.8 * len(examples)
    assert _accuracy(examples, geo) >= 0.95
