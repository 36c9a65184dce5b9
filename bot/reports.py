"""Prints the result of the end-to-end conversations: `python -m bot.reports core RESULTS_DIR`.

(The NLU scores are printed by `bot.nlu.evaluation`.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


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
    if len(argv) != 2 or argv[0] != "core":
        print("usage : python -m bot.reports core DOSSIER_RESULTATS", file=sys.stderr)
        return 2
    results = Path(argv[1])
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
