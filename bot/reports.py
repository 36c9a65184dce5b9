"""Prints the scores of `rasa test` runs: `python -m bot.reports nlu|core RESULTS_DIR`."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

_SUMMARY_KEYS = ("accuracy", "macro avg", "weighted avg", "micro avg")


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def nlu_summary(results: Path) -> dict[str, Any]:
    """Intent accuracy and macro-F1, entity precision/recall/F1, top confusions."""
    intents = _load(results / "intent_report.json") or {}
    entities = _load(results / "DIETClassifier_report.json") or {}
    errors = _load(results / "intent_errors.json") or []
    confusions = Counter(
        (e["intent"], e["intent_prediction"]["name"]) for e in errors if e.get("intent_prediction")
    )
    entity_avg = entities.get("micro avg") or entities.get("weighted avg") or {}
    return {
        "intent_accuracy": intents.get("accuracy"),
        "intent_macro_f1": (intents.get("macro avg") or {}).get("f1-score"),
        "messages": (intents.get("weighted avg") or {}).get("support"),
        "entity_precision": entity_avg.get("precision"),
        "entity_recall": entity_avg.get("recall"),
        "entity_f1": entity_avg.get("f1-score"),
        "confusions": [
            {"attendu": a, "predit": p, "nombre": n} for (a, p), n in confusions.most_common(8)
        ],
    }


def core_summary(results: Path, stories_dir: Path) -> dict[str, Any]:
    """How many test conversations were played, how many actions, and how many failed."""
    total = 0
    for path in stories_dir.glob("test_*.yml"):
        total += len((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("stories", []))
    failed_path = results / "failed_test_stories.yml"
    failed_doc = {}
    if failed_path.exists():
        failed_doc = yaml.safe_load(failed_path.read_text(encoding="utf-8")) or {}
    failed = len(failed_doc.get("stories", []))
    report = _load(results / "story_report.json") or {}
    actions = int((report.get("weighted avg") or {}).get("support") or 0)
    return {"conversations": total, "predictions_verifiees": actions, "echecs": failed}


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("nlu", "core"):
        print("usage : python -m bot.reports nlu|core DOSSIER_RESULTATS", file=sys.stderr)
        return 2
    results = Path(argv[1])
    if argv[0] == "nlu":
        summary = nlu_summary(results)
        for key, value in summary.items():
            if key != "confusions":
                print(f"{key:18s}: {_fmt(value)}")
        for c in summary["confusions"]:
            print(f"  confusion : {c['attendu']} -> {c['predit']} ({c['nombre']})")
    else:
        summary = core_summary(results, Path("tests/conversations"))
        print(
            f"conversations de test : {summary['conversations']}, prédictions vérifiées : "
            f"{summary['predictions_verifiees']}, échecs : {summary['echecs']}"
        )
        if not summary["predictions_verifiees"] or summary["echecs"]:
            print("ERREUR : aucune conversation évaluée ou des échecs", file=sys.stderr)
            return 1
    (results / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
