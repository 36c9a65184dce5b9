"""`python -m tools bench serveurs`: throughput of one Rasa server against several behind the load
balancer of the scale-out deployment (scripts/scale.sh), under the same load.

The load is the benchmark's (`tools.bench.loadgen`): the test conversations' user turns, at a fixed
rate above what one server can answer, so that each run shows how many messages a second
come back and with what latency. Figures go to `bench/results/serveurs.json` and to a
section of `docs/deployment.md`.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
from pathlib import Path
from typing import Any

import aiohttp

from tools.bench.charge import machine, ratio, replace_section
from tools.bench.loadgen import as_dict, load_scripts, run_load

REPORT_START = "<!-- bench-serveurs:debut -->"
REPORT_END = "<!-- bench-serveurs:fin -->"
KEYS = ("messages", "erreurs", "messages_par_s", "p50_ms", "p95_ms", "p99_ms")


async def compare(
    single: str, balanced: str, servers: int, rate: float, conversations: int, duration: float
) -> dict[str, Any]:
    """The same load on one server's webhook, then on the load balancer's (after a few
    seconds of conversations through the balancer, so that every server has answered)."""
    scripts = load_scripts()
    await run_load(balanced, scripts, 2 * servers, 0, min(5.0, duration))
    one = as_dict(await run_load(single, scripts, conversations, rate, duration))
    many = as_dict(await run_load(balanced, scripts, conversations, rate, duration))
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "debit_demande": rate,
        "conversations": conversations,
        "duree_s": duration,
        "serveurs": servers,
        "un_serveur": {k: one[k] for k in KEYS},
        "repartiteur": {k: many[k] for k in KEYS},
        "rapport_debit": ratio(many["messages_par_s"], one["messages_par_s"]),
    }


def render(summary: dict[str, Any]) -> str:
    """The Markdown section written between the report markers."""
    one, many = summary["un_serveur"], summary["repartiteur"]
    n = summary["serveurs"]
    rows = [
        ("messages/s obtenus", "messages_par_s"),
        ("p50 (ms)", "p50_ms"),
        ("p95 (ms)", "p95_ms"),
        ("p99 (ms)", "p99_ms"),
        ("messages envoyés", "messages"),
        ("erreurs", "erreurs"),
    ]
    return (
        "\n".join(
            [
                REPORT_START,
                f"Mesuré le {summary['date']} sur {summary['machine']['cpu']} "
                f"({summary['machine']['coeurs']} cœurs) : {summary['debit_demande']:g} messages/s "
                f"demandés pendant {summary['duree_s']:g} s, {summary['conversations']} "
                "conversations, PostgreSQL et Redis sur la même machine. Commande : "
                "`CAPNUM_SCALE_TEST=1 scripts/scale.sh` (étape multi-serveurs de `make test`).",
                "",
                f"| mesure | 1 serveur | {n} serveurs derrière nginx |",
                "|---|---|---|",
                *(f"| {label} | {one[key]} | {many[key]} |" for label, key in rows),
                "",
                f"Rapport des débits : **{summary['rapport_debit']}**.",
                REPORT_END,
            ]
        )
        + "\n"
    )


def register(sub: argparse._SubParsersAction) -> None:
    """`python -m tools bench serveurs` (added to the `bench` group)."""
    parser = sub.add_parser(
        "serveurs", help="débit d'un serveur Rasa contre plusieurs derrière le répartiteur"
    )
    parser.add_argument("--un", required=True, help="URL d'un serveur Rasa seul")
    parser.add_argument("--repartiteur", required=True, help="URL du répartiteur (nginx)")
    parser.add_argument("--serveurs", type=int, default=2, help="serveurs derrière nginx")
    parser.add_argument("--debit", type=float, default=40.0, help="messages/s demandés")
    parser.add_argument("--conversations", type=int, default=40)
    parser.add_argument("--duree", type=float, default=20.0, help="secondes par mesure")
    parser.add_argument("--sortie", type=Path, default=Path("bench/results/serveurs.json"))
    parser.add_argument("--rapport", type=Path, default=Path("docs/deployment.md"))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    hook = "/webhooks/webchat/webhook"
    try:
        summary = asyncio.run(
            compare(
                args.un.rstrip("/") + hook,
                args.repartiteur.rstrip("/") + hook,
                args.serveurs,
                args.debit,
                args.conversations,
                args.duree,
            )
        )
    except (aiohttp.ClientError, OSError) as exc:
        print(f"ERREUR : mesure impossible ({type(exc).__name__}: {exc}). Serveurs lancés ?")
        return 1
    unanswered = [
        name
        for name, key in (("du serveur seul", "un_serveur"), ("du répartiteur", "repartiteur"))
        if not summary[key]["messages_par_s"]
    ]
    if unanswered:
        print(f"ERREUR : aucune réponse {' ni '.join(unanswered)} ; rien n'est écrit.")
        return 1
    args.sortie.parent.mkdir(parents=True, exist_ok=True)
    args.sortie.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    section = render(summary)
    replace_section(args.rapport, section, REPORT_START, REPORT_END, "Débit de deux serveurs")
    print(section)
    return 0
