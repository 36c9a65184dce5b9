"""Profile entities and slot values on the development set, without a Rasa model.

`python -m tools.nlu.dev_eval [--donnees tests/nlu/dev] [--sans-echecs]` reads every `*.yml`
of the development directory, predicts each message with the annotated intent and the
entities of `bot.nlu.entites.entites_profil` (what the `ExtracteurProfil` component adds),
and prints, overall and per register (the `registre` metadata of each block, else the file
name): canonical slot-value accuracy per slot (through `bot.extraction.extract`), entity
precision/recall/F1 per type (exact span), then every message with a wrong slot value or
entity. The held-out set (`tests/nlu/heldout`) is scored by `tools.nlu.evaluation` only.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.extraction import extract
from bot.geo import Geo
from bot.nlu.entites import entites_profil
from tools.nlu.evaluation import (
    PROFILE_ENTITIES,
    Example,
    GoldEntity,
    Prediction,
    entity_scores,
    slot_scores,
    slot_value_correct,
)

DEV_DIR = Path("tests/nlu/dev")


def load_dev_examples(directory: Path) -> list[Example]:
    """Messages of every `*.yml` of `directory`; register = `registre` metadata or file stem."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for path in sorted(directory.glob("*.yml")):
        for message in load_data(str(path)).intent_examples:
            metadata = (message.get("metadata") or {}).get("intent") or {}
            entities = tuple(
                GoldEntity(e["entity"], str(e["value"]), e["start"], e["end"])
                for e in message.get("entities") or []
            )
            register = str(metadata.get("registre") or path.stem)
            examples.append(Example(message.get("text"), message.get("intent"), entities, register))
    return examples


def predict(example: Example, geo: Geo) -> Prediction:
    """What the NLU gives with a perfect intent classifier: the annotated intent and the
    entities of the profile extractor."""
    found = entites_profil(example.text, geo, intent=example.intent)
    return Prediction(example.intent, [e.as_rasa(example.text) for e in found])


def scores(examples: Sequence[Example], predictions: Sequence[Prediction], geo: Geo) -> dict:
    pairs = [(e.entities, p.entities) for e, p in zip(examples, predictions, strict=True)]
    return {
        "messages": len(examples),
        "entites": entity_scores(pairs),
        **slot_scores(examples, predictions, geo),
    }


def failures(example: Example, prediction: Prediction, geo: Geo) -> list[str]:
    """One line per wrong slot value, missing entity and extra entity of one message."""
    text = example.text
    slots = extract(text, prediction.intent, prediction.entities, None, {}, geo).slots
    lines = []
    for gold in example.entities:
        if gold.entity in PROFILE_ENTITIES and not slot_value_correct(gold, slots):
            got: Any = slots.get(gold.entity)
            if gold.entity == "commune" and slots.get("communes_possibles"):
                got = slots["communes_possibles"]
            lines.append(f"slot {gold.entity}: attendu {gold.value!r}, obtenu {got!r}")
    gold_spans = {(g.entity, g.start, g.end) for g in example.entities}
    predicted = {(p["entity"], p["start"], p["end"]): p["value"] for p in prediction.entities}
    for kind, start, end in sorted(gold_spans - predicted.keys(), key=lambda k: k[1]):
        lines.append(f"entité manquante: {kind} {text[start:end]!r}")
    for key in sorted(predicted.keys() - gold_spans, key=lambda k: k[1]):
        kind, start, end = key
        lines.append(f"entité en trop: {kind} {text[start:end]!r} = {predicted[key]!r}")
    return lines


def render(result: dict[str, Any]) -> str:
    e = result["entites"]["micro"]
    lines = [
        f"valeurs de slots {result['slot_accuracy']:.3f} ({result['slot_values']})"
        f" | entités P {e['precision']:.3f} R {e['recall']:.3f} F1 {e['f1']:.3f}"
        f" | {result['messages']} messages"
    ]
    for kind in PROFILE_ENTITIES:
        slot = result["par_slot"].get(kind)
        v = result["entites"]["par_type"].get(kind)
        if slot is None and v is None:
            continue
        entity = (
            f"P {v['precision']:.3f} R {v['recall']:.3f} F1 {v['f1']:.3f} ({v['support']})"
            if v
            else "-"
        )
        lines.append(f"  {kind:10s} slot {slot if slot is not None else 0.0:.3f} | {entity}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.nlu.dev_eval")
    parser.add_argument("--donnees", type=Path, default=DEV_DIR)
    parser.add_argument("--sans-echecs", action="store_true", help="scores seulement")
    args = parser.parse_args(argv)
    examples = load_dev_examples(args.donnees)
    if not examples:
        print(f"ERREUR : aucun message dans {args.donnees}/*.yml")
        return 1
    geo = Geo.default()
    predictions = [predict(e, geo) for e in examples]
    registers = sorted({e.register for e in examples})
    groups = {"tous": list(range(len(examples)))}
    groups |= {r: [i for i, e in enumerate(examples) if e.register == r] for r in registers}
    for name, subset in groups.items():
        result = scores([examples[i] for i in subset], [predictions[i] for i in subset], geo)
        print(f"== {name} ==\n{render(result)}")
    if not args.sans_echecs:
        print("== échecs ==")
        for example, prediction in zip(examples, predictions, strict=True):
            if lines := failures(example, prediction, geo):
                print(f"[{example.register}/{example.intent}] {example.text}")
                print("\n".join(f"    {line}" for line in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
