"""Plays the scenarios of `tests/e2e/conversations/scenarios.yml` against a running assistant,
checks what each one must do, and writes the conversations as Rasa test stories.

    python -m tools.record_conversations --server http://127.0.0.1:5005

A scenario lists the person's messages and the actions/responses that must happen (in
that order). The written stories (user text, intent, actions, form events) are then
replayed by `rasa test` on every `make test`, so a change that alters a checked
conversation fails the tests.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import urllib.request
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "tests" / "e2e" / "conversations" / "scenarios.yml"
SKIPPED_ACTIONS = {"action_listen", "action_extract_slots", "action_session_start"}


def _post(url: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.loads(response.read())


def story_steps(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Test-story steps from tracker events: user turns, actions, form events."""
    steps: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            parse = event["parse_data"]
            steps.append(
                {
                    "user": event.get("text") or "",
                    "intent": parse["intent"]["name"],
                    "entities": parse.get("entities") or [],
                }
            )
        elif kind == "action" and event.get("name") not in SKIPPED_ACTIONS:
            steps.append({"action": event["name"]})
        elif kind == "active_loop":
            steps.append({"active_loop": event.get("name")})
        elif kind == "slot" and event.get("name") == "requested_slot":
            steps.append({"slot_was_set": [{"requested_slot": event.get("value")}]})
        elif kind == "restart":
            break
    return steps


def check(name: str, events: list[dict[str, Any]], expected: list[str]) -> list[str]:
    """Problems: expected actions or responses missing or out of order."""
    trail = []
    for e in events:
        if e.get("event") == "action" and e["name"] not in SKIPPED_ACTIONS:
            trail.append(e["name"])
        elif e.get("event") == "bot":
            trail.append((e.get("metadata") or {}).get("utter_action") or "?")
    position = 0
    problems = []
    for item in expected:
        try:
            position = trail.index(item, position) + 1
        except ValueError:
            problems.append(f"{name}: '{item}' missing after position {position} in {trail}")
            break
    return problems


def play(server: str, token: str, scenario: dict[str, Any]) -> tuple[list[dict], list[str]]:
    sender = f"rec-{secrets.token_hex(16)}"
    for turn in scenario["turns"]:
        _post(f"{server}/webhooks/webchat/webhook", {"sender": sender, "message": turn})
    tracker = _get(f"{server}/conversations/{sender}/tracker?token={token}")
    events = tracker["events"]
    return events, check(scenario["name"], events, scenario.get("expect", []))


def annotate(text: str, entities: list[dict[str, Any]]) -> str:
    """The message with its predicted entities in Rasa's markup, as `rasa test` expects."""
    out, position = [], 0
    for entity in sorted(entities, key=lambda e: e["start"]):
        start, end = entity["start"], entity["end"]
        if start < position:
            continue
        covered = text[start:end]
        out.append(text[position:start])
        if entity.get("value") == covered:
            out.append(f"[{covered}]({entity['entity']})")
        else:
            spec = json.dumps({"entity": entity["entity"], "value": entity["value"]})
            out.append(f"[{covered}]{spec}")
        position = end
    return "".join(out) + text[position:]


def to_yaml_story(name: str, steps: list[dict[str, Any]]) -> str:
    lines = [f"  - story: {name}", "    steps:"]
    for step in steps:
        if "user" in step and step["user"].startswith("/"):
            # A button payload: the intent and entities it carries, no text to parse.
            lines.append(f"      - intent: {step['intent']}")
            if step["entities"]:
                lines.append("        entities:")
                for entity in step["entities"]:
                    value = json.dumps(entity["value"], ensure_ascii=False)
                    lines.append(f"          - {entity['entity']}: {value}")
        elif "user" in step:
            text = annotate(step["user"].replace("\n", " "), step["entities"])
            lines.append("      - user: |")
            lines.append(f"          {text}")
            lines.append(f"        intent: {step['intent']}")
        elif "action" in step:
            lines.append(f"      - action: {step['action']}")
        elif "active_loop" in step:
            value = step["active_loop"] or "null"
            lines.append(f"      - active_loop: {value}")
        else:
            value = step["slot_was_set"][0]["requested_slot"]
            lines.append("      - slot_was_set:")
            lines.append(f"          - requested_slot: {value if value is not None else 'null'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="http://127.0.0.1:5005")
    parser.add_argument("--token", required=True)
    parser.add_argument("--scenarios", type=Path, default=SCENARIOS)
    args = parser.parse_args(argv)
    spec = yaml.safe_load(args.scenarios.read_text(encoding="utf-8"))
    by_file: dict[str, list[str]] = {}
    problems: list[str] = []
    for scenario in spec["scenarios"]:
        events, found = play(args.server, args.token, scenario)
        problems += found
        by_file.setdefault(scenario["file"], []).append(
            to_yaml_story(scenario["name"], story_steps(events))
        )
    for problem in problems:
        print("PROBLÈME :", problem, file=sys.stderr)
    if problems:
        return 1
    for file, stories in by_file.items():
        header = (
            "# Written by tools/record_conversations.py from scenarios.yml "
            "(checked conversations); replayed by `rasa test`.\n"
        )
        body = 'version: "3.1"\nstories:\n' + "\n\n".join(stories) + "\n"
        (args.scenarios.parent / file).write_text(header + body, encoding="utf-8")
        print(f"{file}: {len(stories)} conversation(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
