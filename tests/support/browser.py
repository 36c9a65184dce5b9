"""axe-core accessibility checks of the web chat pages, for the browser tests."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.config import REPO_ROOT

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"


RESULTS = REPO_ROOT / "results" / "browser"


def run_axe(page: Any, state: str) -> list[dict[str, Any]]:
    """axe-core (WCAG 2.0/2.1 A and AA rules) on the page; records the result under
    results/browser/axe.json and returns the serious and critical violations."""
    if not AXE.exists():
        pytest.fail("axe-core missing: run scripts/setup-browser.sh")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
            return {violations: r.violations.map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.length, help: v.help})), passes: r.passes.length,
                incomplete: r.incomplete.length};
        }"""
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "axe.json"
    report = json.loads(path.read_text()) if path.exists() else {}
    report[state] = result
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
