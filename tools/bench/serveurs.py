"""`python -m tools bench serveurs`: throughput of one Rasa server against several behind the load
balancer of the scale-out deployment (scripts/scale.sh), under the same load.

The load is the benchmark's (`tools.bench.loadgen`): the test conversations' user turns, at a fixed
rate above what one server can answer, so that each run shows how many messages a second
come back and with what latency. During the balanced run it also counts what one message
costs (the capacity model of `docs/deployment.md`): CPU of the Rasa and action servers (from
their pid files in `var/pids/`), PostgreSQL transactions and rows written, Redis commands.
Figures go to `bench/results/serveurs.json` and to a section of `docs/deployment.md`.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import time
from pathlib import Path
from typing import Any

import aiohttp
import redis
from sqlalchemy import create_engine, text

from bot.config import REPO_ROOT, setting
from tools.bench.charge import machine, ratio, replace_section
from tools.bench.loadgen import as_dict, load_scripts, run_load

REPORT_START = "<!-- bench-serveurs:debut -->"
REPORT_END = "<!-- bench-serveurs:fin -->"
KEYS = ("messages", "erreurs", "messages_par_s", "p50_ms", "p95_ms", "p99_ms")
COST_ROWS = (
    ("processeur des serveurs Rasa (ms)", "cpu_rasa_ms"),
    ("processeur du serveur d'actions (ms)", "cpu_actions_ms"),
    ("transactions PostgreSQL validées", "transactions"),
    ("lignes PostgreSQL écrites (insérées, modifiées, effacées)", "lignes_ecrites"),
    ("commandes Redis (verrous et état partagé)", "commandes_redis"),
)


def cpu_seconds(pid_files: list[Path]) -> float:
    """User + system CPU seconds of the processes of these pid files (0 for a gone one)."""
    total = 0.0
    for pid_file in pid_files:
        try:
            fields = Path(f"/proc/{int(pid_file.read_text())}/stat").read_text().rsplit(")", 1)
        except (OSError, ValueError):
            continue
        values = fields[1].split()
        total += (int(values[11]) + int(values[12])) / os.sysconf("SC_CLK_TCK")
    return total


def counters() -> dict[str, float]:
    """CPU of the servers, PostgreSQL's transactions (this database) and rows written (the
    tables of its current schema), Redis's commands, now; a part that cannot be read
    (SQLite, no Redis) is left out."""
    pids = Path(REPO_ROOT, "var", "pids")
    found = {
        "cpu_rasa_s": cpu_seconds(sorted(pids.glob("rasa-*.pid"))),
        "cpu_actions_s": cpu_seconds(sorted(pids.glob("actions-*.pid"))),
    }
    url = setting("CAPNUM_TRACKER_URL")
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.connect() as conn:
            commits = conn.execute(
                text("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
            ).scalar_one()
            # Rows of this deployment's own tables (other schemas may hold other work).
            written = conn.execute(
                text(
                    "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                    "FROM pg_stat_user_tables WHERE schemaname = current_schema()"
                )
            ).scalar_one()
        engine.dispose()
        found.update(transactions=float(commits), lignes_ecrites=float(written))
    try:
        stats = redis.Redis.from_url(setting("CAPNUM_REDIS_URL") or "redis://127.0.0.1:6379")
        found["commandes_redis"] = float(stats.info("stats")["total_commands_processed"])
    except redis.RedisError:
        pass
    return found


async def measured_costs(before: dict[str, float], messages: int) -> dict[str, float]:
    """What one answered message cost between `before` and now."""
    await asyncio.sleep(1.5)  # PostgreSQL publishes its statistics within a second
    after = counters()
    per = {k: (after[k] - before[k]) / max(1, messages) for k in before if k in after}
    costs = {k.replace("_s", "_ms"): 1000 * v for k, v in per.items() if k.startswith("cpu")}
    costs.update({k: v for k, v in per.items() if not k.startswith("cpu")})
    return {k: round(v, 2) for k, v in costs.items()}


async def compare(
    single: str, balanced: str, servers: int, rate: float, conversations: int, duration: float
) -> dict[str, Any]:
    """The same load on one server's webhook, then on the load balancer's (after a few
    seconds of conversations through the balancer, so that every server has answered)."""
    scripts = load_scripts()
    await run_load(balanced, scripts, 2 * servers, 0, min(5.0, duration))
    one = as_dict(await run_load(single, scripts, conversations, rate, duration))
    before, started = counters(), time.monotonic()
    many = as_dict(await run_load(balanced, scripts, conversations, rate, duration))
    costs = await measured_costs(before, int(many["messages"]) - int(many["erreurs"]))
    costs["duree_s"] = round(time.monotonic() - started, 1)
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
        "cout_par_message": costs,
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
                "",
                f"Coût d'un message pendant la mesure à {n} serveurs (tout compris : "
                "messages au-delà de la saturation, vérifications de santé) :",
                "",
                "| par message | valeur |",
                "|---|---|",
                *(
                    f"| {label} | {summary['cout_par_message'].get(key, '—')} |"
                    for label, key in COST_ROWS
                ),
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
