"""Scores of the NLU on the held-out set, per register (informal / standard).

`python -m tools nlu evaluer [--modele M] [--donnees DIR] [--sortie F.json] [--rapport F.md]`
parses every held-out message with the trained model and prints: intent accuracy and
macro-F1, entity precision/recall/F1 (exact span and type), canonical slot-value accuracy
(the profile slots the assistant really fills from the message, through
`bot.extraction.extract`, compared with the annotated canonical values), and the most
frequent intent confusions. Each file of the held-out directory is one register.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.extraction import extract
from bot.geo import Geo, normalize_name

PROFILE_ENTITIES = ("situation", "diplome", "age", "commune", "interets")
TARGETS = {"intent_macro_f1": 0.93, "slot_accuracy": 0.90, "max_informal_gap": 0.03}


@dataclass(frozen=True)
class GoldEntity:
    entity: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: tuple[GoldEntity, ...]
    register: str


@dataclass
class Prediction:
    intent: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def load_examples(directory: Path) -> list[Example]:
    """Held-out messages of every `*.yml` file of `directory` (register = file stem)."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for path in sorted(directory.glob("*.yml")):
        for message in load_data(str(path)).intent_examples:
            entities = tuple(
                GoldEntity(e["entity"], str(e["value"]), e["start"], e["end"])
                for e in message.get("entities") or []
            )
            examples.append(
                Example(message.get("text"), message.get("intent"), entities, path.stem)
            )
    return examples


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def intent_scores(pairs: Sequence[tuple[str, str]]) -> dict[str, float]:
    """Accuracy and macro-F1 over the gold intents of (gold, predicted) pairs."""
    if not pairs:
        return {"intent_accuracy": 0.0, "intent_macro_f1": 0.0}
    labels = sorted({gold for gold, _ in pairs})
    f1s = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in pairs)
        predicted = sum(p == label for _, p in pairs)
        actual = sum(g == label for g, _ in pairs)
        f1s.append(_f1(tp / predicted if predicted else 0.0, tp / actual))
    return {
        "intent_accuracy": sum(g == p for g, p in pairs) / len(pairs),
        "intent_macro_f1": sum(f1s) / len(f1s),
    }


def entity_scores(
    pairs: Sequence[tuple[Iterable[GoldEntity], Iterable[dict[str, Any]]]],
) -> dict[str, Any]:
    """Exact-match (type, start, end) precision/recall/F1, overall and per entity type."""
    counts: dict[str, Counter[str]] = {}
    for gold, predicted in pairs:
        gold_set = {(g.entity, g.start, g.end) for g in gold}
        pred_set = {
            (p["entity"], p["start"], p["end"])
            for p in predicted
            if p.get("start") is not None and p.get("entity") in PROFILE_ENTITIES
        }
        for key in gold_set | pred_set:
            c = counts.setdefault(key[0], Counter())
            c["tp"] += key in gold_set and key in pred_set
            c["fp"] += key in pred_set and key not in gold_set
            c["fn"] += key in gold_set and key not in pred_set

    def prf(c: Counter[str]) -> dict[str, float]:
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        return {"precision": p, "recall": r, "f1": _f1(p, r), "support": c["tp"] + c["fn"]}

    total: Counter[str] = sum(counts.values(), Counter())
    return {"micro": prf(total), "par_type": {k: prf(v) for k, v in sorted(counts.items())}}


def slot_value_correct(gold: GoldEntity, slots: dict[str, Any]) -> bool:
    """Whether the slots filled from the message hold the annotated canonical value."""
    if gold.entity == "interets":
        return gold.value in (slots.get("interets") or [])
    if gold.entity == "age":
        return slots.get("age") is not None and float(slots["age"]) == float(gold.value)
    if gold.entity == "commune":
        if slots.get("commune") == gold.value:
            return True
        # An ambiguous name (annotated as written): the assistant must offer the choice.
        possibles = slots.get("communes_possibles") or []
        wanted = normalize_name(gold.value)
        return any(normalize_name(label.rsplit(" (", 1)[0]) == wanted for label in possibles)
    return slots.get(gold.entity) == gold.value


def slot_scores(
    examples: Sequence[Example], predictions: Sequence[Prediction], geo: Geo
) -> dict[str, Any]:
    """Canonical slot-value accuracy, overall and per slot."""
    per_slot: dict[str, Counter[str]] = {}
    for example, prediction in zip(examples, predictions, strict=True):
        golds = [g for g in example.entities if g.entity in PROFILE_ENTITIES]
        if not golds:
            continue
        slots = extract(example.text, prediction.intent, prediction.entities, None, {}, geo).slots
        for gold in golds:
            c = per_slot.setdefault(gold.entity, Counter())
            c["total"] += 1
            c["ok"] += slot_value_correct(gold, slots)
    total: Counter[str] = sum(per_slot.values(), Counter())
    return {
        "slot_accuracy": total["ok"] / total["total"] if total["total"] else 0.0,
        "slot_values": total["total"],
        "par_slot": {k: v["ok"] / v["total"] for k, v in sorted(per_slot.items())},
    }


def evaluate(
    examples: Sequence[Example], predictions: Sequence[Prediction], geo: Geo
) -> dict[str, Any]:
    """All scores, for every register and overall."""

    def scores(subset: list[int]) -> dict[str, Any]:
        ex = [examples[i] for i in subset]
        pr = [predictions[i] for i in subset]
        return {
            "messages": len(ex),
            **intent_scores([(e.intent, p.intent) for e, p in zip(ex, pr, strict=True)]),
            "entites": entity_scores(
                [(e.entities, p.entities) for e, p in zip(ex, pr, strict=True)]
            ),
            **slot_scores(ex, pr, geo),
        }

    registers = sorted({e.register for e in examples})
    confusions = Counter(
        (e.intent, p.intent)
        for e, p in zip(examples, predictions, strict=True)
        if e.intent != p.intent
    )
    return {
        "date": date.today().isoformat(),
        "tous": scores(list(range(len(examples)))),
        "par_registre": {
            r: scores([i for i, e in enumerate(examples) if e.register == r]) for r in registers
        },
        "confusions": [
            {"attendu": a, "predit": p, "nombre": n} for (a, p), n in confusions.most_common(10)
        ],
    }


def predict_all(texts: Sequence[str], parse: Callable[[str], dict[str, Any]]) -> list[Prediction]:
    out = []
    for text in texts:
        result = parse(text)
        out.append(
            Prediction((result.get("intent") or {}).get("name") or "", result.get("entities") or [])
        )
    return out


def rasa_parser(model: Path) -> Callable[[str], dict[str, Any]]:
    """A function that parses one message with the trained model (NLU only)."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()
    return lambda text: loop.run_until_complete(agent.parse_message(text))


def _line(name: str, s: dict[str, Any]) -> str:
    e = s["entites"]["micro"]
    return (
        f"{name:9s} {s['messages']:4d} msg | intentions : exactitude {s['intent_accuracy']:.3f}, "
        f"macro-F1 {s['intent_macro_f1']:.3f} | entités : P {e['precision']:.3f} "
        f"R {e['recall']:.3f} F1 {e['f1']:.3f} | valeurs de slots : {s['slot_accuracy']:.3f} "
        f"({s['slot_values']})"
    )


def render_text(result: dict[str, Any]) -> str:
    lines = [_line("tous", result["tous"])]
    lines += [_line(r, s) for r, s in result["par_registre"].items()]
    lines.append("entités par type (P / R / F1, support) :")
    for kind, v in result["tous"]["entites"]["par_type"].items():
        lines.append(
            f"  {kind:10s} {v['precision']:.3f} / {v['recall']:.3f} / {v['f1']:.3f}"
            f" ({v['support']})"
        )
    lines.append(
        "valeurs de slots par slot : "
        + ", ".join(f"{k} {v:.3f}" for k, v in result["tous"]["par_slot"].items())
    )
    lines += [
        f"  confusion : {c['attendu']} -> {c['predit']} ({c['nombre']})"
        for c in result["confusions"]
    ]
    return "\n".join(lines)


def render_markdown(result: dict[str, Any], machine: str) -> str:
    """The report of `docs/nlu-evaluation.md` (figures of one run, with its date)."""

    def row(name: str, s: dict[str, Any]) -> str:
        e = s["entites"]["micro"]
        return (
            f"| {name} | {s['messages']} | {s['intent_accuracy']:.3f} | {s['intent_macro_f1']:.3f}"
            f" | {e['precision']:.3f} | {e['recall']:.3f} | {e['f1']:.3f}"
            f" | {s['slot_accuracy']:.3f} ({s['slot_values']}) |"
        )

    tous = result["tous"]
    lines = [
        f"Évaluation du {result['date']} ({machine}).",
        "",
        "| jeu | messages | exactitude intentions | macro-F1 intentions | P entités"
        " | R entités | F1 entités | valeurs de slots |",
        "|---|---|---|---|---|---|---|---|",
        row("tous", tous),
        *(row(r, s) for r, s in result["par_registre"].items()),
        "",
        "| entité | précision | rappel | F1 | support | valeurs de slots justes |",
        "|---|---|---|---|---|---|",
        *(
            f"| {k} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']}"
            f" | {tous['par_slot'].get(k, 0.0):.3f} |"
            for k, v in tous["entites"]["par_type"].items()
        ),
        "",
        "Confusions les plus fréquentes : "
        + ", ".join(f"{c['attendu']} → {c['predit']} ({c['nombre']})" for c in result["confusions"])
        + ".",
    ]
    return "\n".join(lines) + "\n"


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--modele", type=Path, default=Path("models/capnum.tar.gz"))
    parser.add_argument("--donnees", type=Path, default=Path("tests/nlu/heldout"))
    parser.add_argument("--sortie", type=Path, default=Path("results/nlu/evaluation.json"))
    parser.add_argument("--rapport", type=Path, help="écrit aussi ce rapport Markdown")


def register(sub: argparse._SubParsersAction) -> None:
    """`python -m tools nlu evaluer`."""
    nlu = sub.add_parser("nlu", help="compréhension des messages")
    nlu_sub = nlu.add_subparsers(dest="nlu_command", required=True)
    evaluer = nlu_sub.add_parser(
        "evaluer", help="scores du modèle sur le jeu mis de côté, par registre"
    )
    _add_arguments(evaluer)
    evaluer.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.modele.exists():
        print(f"ERREUR : modèle introuvable ({args.modele}) : lancez d'abord l'entraînement.")
        return 1
    examples = load_examples(args.donnees)
    if not examples:
        print(f"ERREUR : aucun message dans {args.donnees}/*.yml")
        return 1
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    predictions = predict_all([e.text for e in examples], rasa_parser(args.modele))
    result = evaluate(examples, predictions, Geo.default())
    print(render_text(result))
    args.sortie.parent.mkdir(parents=True, exist_ok=True)
    args.sortie.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    if args.rapport:
        machine = f"{os.cpu_count()} cœurs, Python {platform.python_version()}"
        args.rapport.write_text(render_markdown(result, machine), encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.nlu.evaluation")
    _add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
