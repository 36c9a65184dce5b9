"""`python -m tools bench charge`: conversational load on Cap Num and on a reference assistant
(`rasa init`), figures as ratios to the reference, JSON summary and Markdown report.

The servers are started by `scripts/bench.sh`, which also measures training and
start-to-first-answer times and passes them here with the process ids.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import secrets
import time
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from bot.config import REPO_ROOT
from tools.bench.loadgen import (
    as_dict,
    load_scripts,
    peak_memory_mb,
    percentile,
    run_load,
    turn_latency_by_length,
)

RATES = (5, 10, 15, 20, 25, 30, 40, 60, 80)
REPORT_START = "<!-- bench-charge:debut -->"
REPORT_END = "<!-- bench-charge:fin -->"
ROUBAIX = {
    "situation": "decrocheur",
    "age": 19.0,
    "diplome": "aucun",
    "commune": "Roubaix",
    "departement": "59",
    "region": "32",
    "interets": ["developpement"],
    "rayon_km": 30.0,
}


async def scenarios(url: str, duration: float) -> dict[str, Any]:
    """One conversation as fast as it goes; 20 msg/s over 20 conversations; the highest
    rate of `RATES` kept with p95 < 1 s and no error; latency at turn 10 and 100."""
    scripts = load_scripts()
    single = await run_load(url, scripts, conversations=1, rate=0, duration=duration)
    twenty = await run_load(url, scripts, conversations=20, rate=20, duration=duration)
    ramp = []
    best: dict[str, Any] | None = None
    for rate in RATES:
        step = as_dict(await run_load(url, scripts, int(rate), rate, duration / 2))
        ramp.append(step)
        if step["p95_ms"] >= 1000 or step["erreurs"]:
            break
        best = step
    return {
        "une_conversation": as_dict(single),
        "vingt_messages_par_s": as_dict(twenty),
        "montee": ramp,
        "debit_max_p95_sous_1s": best["messages_par_s"] if best else 0.0,
        **await turn_latency_by_length(url),
    }


async def action_latency(url: str, runs: int = 100) -> dict[str, float]:
    """p50/p95 of `action_recommander` called on the action server alone (Roubaix profile,
    the real catalogue)."""
    domain = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))
    slots = {name: spec.get("initial_value") for name, spec in domain["slots"].items()}
    body = {
        "next_action": "action_recommander",
        "sender_id": f"bench-{secrets.token_hex(4)}",
        "version": "3.6.2",
        "domain": domain,
        "tracker": {
            "sender_id": "bench",
            "slots": {**slots, **ROUBAIX},
            "latest_message": {"text": "", "intent": {}, "entities": []},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }
    latencies = []
    async with aiohttp.ClientSession() as session:
        for _ in range(runs):
            started = time.monotonic()
            async with session.post(url, json=body) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"action server answered {response.status}")
            latencies.append((time.monotonic() - started) * 1000)
    return {
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
    }


def machine() -> dict[str, Any]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "coeurs": os.cpu_count(),
        "python": platform.python_version(),
        "systeme": platform.platform(),
    }


def ratio(ours: float, reference: float) -> float | None:
    return round(ours / reference, 2) if reference else None


def _both(ours: dict[str, Any], ref: dict[str, Any], key: str) -> tuple[Any, Any]:
    return ours.get(key), ref.get(key)


def _both_times(times: dict[str, float], key: str) -> tuple[Any, Any]:
    return times.get(f"capnum_{key}"), times.get(f"reference_{key}")


def _row(label: str, ours: Any, reference: Any) -> str:
    """One table row: both figures and their ratio (— when unknown)."""
    shown = ["—" if v is None else v for v in (ours, reference)]
    factor = ratio(ours, reference) if ours is not None and reference else None
    return f"| {label} | {shown[0]} | {shown[1]} | {factor if factor is not None else '—'} |"


def render(summary: dict[str, Any]) -> str:
    """The Markdown section written between the report markers."""
    ours, ref = summary["capnum"], summary.get("reference") or {}
    rows = [
        ("p95 d'un tour, 1 conversation (ms)", "une_conversation", "p95_ms"),
        ("p50 d'un tour, 1 conversation (ms)", "une_conversation", "p50_ms"),
        ("p95 à 20 messages/s (ms)", "vingt_messages_par_s", "p95_ms"),
        ("p99 à 20 messages/s (ms)", "vingt_messages_par_s", "p99_ms"),
        ("erreurs à 20 messages/s", "vingt_messages_par_s", "erreurs"),
    ]
    lines = [
        REPORT_START,
        f"Mesuré le {summary['date']} sur {summary['machine']['cpu']} "
        f"({summary['machine']['coeurs']} cœurs), Python {summary['machine']['python']}, "
        f"un serveur Rasa, tracker store SQL (SQLite) pour les deux assistants ; durée de "
        f"chaque palier "
        f"{summary['duree_s']} s. Commande : `{summary['commande']}`.",
        "",
        "| mesure | Cap Num | référence `rasa init` | rapport |",
        "|---|---|---|---|",
    ]
    times = summary.get("temps", {})
    values = [(label, ours[sc][key], (ref.get(sc) or {}).get(key)) for label, sc, key in rows]
    values += [
        ("débit max avec p95 < 1 s (messages/s)", *_both(ours, ref, "debit_max_p95_sous_1s")),
        ("p95 au tour 10 (ms)", *_both(ours, ref, "p95_tour_10_ms")),
        ("p95 au tour 100 (ms)", *_both(ours, ref, "p95_tour_100_ms")),
        ("démarrage jusqu'à la 1re réponse (s)", *_both_times(times, "demarrage_s")),
        ("entraînement (s)", *_both_times(times, "entrainement_s")),
    ]
    lines += [_row(label, a, b) for label, a, b in values]
    memory = summary.get("memoire_mb", {})
    lines += [
        "",
        "Mémoire maximale (VmHWM) : "
        + (", ".join(f"{k} {v:.0f} Mo" for k, v in memory.items()) or "non mesurée")
        + ".",
        f"Action `action_recommander` seule, catalogue réel : p50 "
        f"{summary['action']['p50_ms']} ms, p95 {summary['action']['p95_ms']} ms.",
        "",
        "Montée en charge de Cap Num (messages demandés/s → obtenus/s, p95) : "
        + "; ".join(
            f"{s['debit_demande']:g} → {s['messages_par_s']:g} ({s['p95_ms']} ms)"
            for s in ours["montee"]
        )
        + ".",
        REPORT_END,
    ]
    return "\n".join(lines) + "\n"


def replace_section(path: Path, section: str, start: str, end: str, title: str) -> None:
    """Replaces the section between the `start` and `end` markers of a Markdown file
    (appended under a `title` heading the first time)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        text = before + section + after
    else:
        text = text.rstrip("\n") + f"\n\n## {title}\n\n" + section
    path.write_text(text, encoding="utf-8")


def write_report(path: Path, section: str) -> None:
    """Replaces the benchmark's section of the report (appended the first time)."""
    replace_section(path, section, REPORT_START, REPORT_END, "Charge conversationnelle")


def register(sub: argparse._SubParsersAction) -> None:
    """`python -m tools bench charge` (added to the `bench` group)."""
    charge = sub.add_parser(
        "charge", help="charge conversationnelle, comparée à un assistant `rasa init`"
    )
    charge.add_argument("--url", required=True, help="webhook de Cap Num")
    charge.add_argument("--reference-url", help="webhook REST de l'assistant de référence")
    charge.add_argument("--action-url", help="webhook du serveur d'actions de Cap Num")
    charge.add_argument("--duree", type=float, default=20.0, help="secondes par palier")
    charge.add_argument("--pids", default="", help="nom=pid,... pour la mémoire maximale")
    charge.add_argument("--temps", default="", help="nom=secondes,... (entraînement, démarrage)")
    charge.add_argument("--sortie", type=Path, default=Path("bench/results/latest.json"))
    charge.add_argument("--rapport", type=Path, default=Path("docs/benchmarks.md"))
    charge.set_defaults(func=run)


def _pairs(text: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in text.split(",") if "=" in item)


def run(args: argparse.Namespace) -> int:
    async def measure() -> dict[str, Any]:
        summary: dict[str, Any] = {
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "duree_s": args.duree,
            "commande": "scripts/bench.sh",
            "capnum": await scenarios(args.url, args.duree),
        }
        if args.reference_url:
            summary["reference"] = await scenarios(args.reference_url, args.duree)
        if args.action_url:
            summary["action"] = await action_latency(args.action_url)
        return summary

    try:
        summary = asyncio.run(measure())
    except (aiohttp.ClientError, RuntimeError, OSError) as exc:
        print(f"ERREUR : mesure impossible ({type(exc).__name__}: {exc}). Serveurs lancés ?")
        return 1
    summary["temps"] = {k: float(v) for k, v in _pairs(args.temps).items()}
    summary["memoire_mb"] = {
        name: round(mb, 1)
        for name, pid in _pairs(args.pids).items()
        if (mb := peak_memory_mb(int(pid))) is not None
    }
    summary.setdefault("action", {"p50_ms": None, "p95_ms": None})
    args.sortie.parent.mkdir(parents=True, exist_ok=True)
    args.sortie.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    write_report(args.rapport, render(summary))
    print(render(summary))
    return 0
