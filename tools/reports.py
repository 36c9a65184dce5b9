"""Prints test summaries: `python -m tools.reports core RESULTS_DIR` (end-to-end
conversations) and `python -m tools.reports axe AXE_JSON` (accessibility checks).

(The NLU scores are printed by `tools.nlu.evaluation`.)
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


def axe_summary(path: Path) -> dict[str, Any]:
    """States checked by axe-core and their violations counted by impact."""
    states = _load(path) or {}
    impacts: dict[str, int] = {}
    for state in states.values():
        for violation in state["violations"]:
            impact = violation["impact"] or "inconnu"
            impacts[impact] = impacts.get(impact, 0) + violation["nodes"]
    return {
        "etats": sorted(states),
        "regles_respectees": sum(s["passes"] for s in states.values()),
        "violations": impacts,
        "graves": impacts.get("serious", 0) + impacts.get("critical", 0),
    }


def _axe(path: Path) -> int:
    summary = axe_summary(path)
    print(
        f"axe-core : {len(summary['etats'])} état(s) vérifié(s) ({', '.join(summary['etats'])}), "
        f"{summary['regles_respectees']} règles respectées, violations par impact : "
        f"{summary['violations'] or 'aucune'}"
    )
    if not summary["etats"] or summary["graves"]:
        print("ERREUR : aucun état vérifié ou des violations graves", file=sys.stderr)
        return 1
    return 0


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "axe":
        return _axe(Path(argv[1]))
    if len(argv) != 2 or argv[0] != "core":
        print(
            "usage : python -m tools.reports core DOSSIER_RESULTATS | axe FICHIER_AXE_JSON",
            file=sys.stderr,
        )
        return 2
    results = Path(argv[1])
    summary = core_summary(results, Path("tests/e2e/conversations"))
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
