"""The domain files of `domain/`, merged as the action server receives them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.config import REPO_ROOT

DOMAIN_DIR = REPO_ROOT / "domain"


def load_domain(directory: Path = DOMAIN_DIR) -> dict[str, Any]:
    """Responses, slots, forms, intents and actions of every `*.yml` file, merged."""
    merged: dict[str, Any] = {
        "responses": {},
        "slots": {},
        "forms": {},
        "intents": [],
        "actions": [],
    }
    for path in sorted(Path(directory).glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        merged["responses"].update(part.get("responses", {}))
        merged["slots"].update(part.get("slots", {}))
        merged["forms"].update(part.get("forms", {}))
        merged["intents"] += part.get("intents", [])
        merged["actions"] += part.get("actions", [])
    return merged
