"""Cost of the counsellors' console for the chat: N shared conversations talk at a fixed
total rate, first with nobody watching, then with N counsellors watching their session
live (long polling of `/api/seances/<id>/attendre`, the console page's loop), alternately,
`--tours` times; each phase starts N new conversations (same turns in every phase).
Prints and records p50/p95/p99 of the chat's turns for each phase.

`python -m tools bench console --url http://127.0.0.1:5005` against a running assistant
whose console database is this process's `CAPNUM_CONSOLE_URL` (the account is made here).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import time
from pathlib import Path
from typing import Any

import aiohttp

from bot.console.service import service
from tools.bench.charge import machine
from tools.bench.loadgen import load_scripts, percentile, post_message

PASSWORD_BYTES = 18


def compte_de_mesure() -> tuple[str, str]:
    """(login, password) of a new admin account of a benchmark structure."""
    password = secrets.token_urlsafe(PASSWORD_BYTES)
    comptes = service().comptes
    structure = comptes.creer_structure("Structure de mesure (benchmark)")
    login = f"bench-{secrets.token_hex(4)}"
    comptes.creer_compte(structure, login, "Mesure", "admin", password)
    return login, password


class Console:
    """A counsellor's browser over aiohttp (cookies of an IP host accepted)."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.http = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True), headers={"Origin": self.url}
        )
        self.csrf = ""

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with self.http.post(
            f"{self.url}/webhooks/console{path}", json=body, headers={"X-CSRF-Token": self.csrf}
        ) as answer:
            data = await answer.json()
            if answer.status >= 400:
                raise RuntimeError(f"{path}: {answer.status} {data}")
            return data

    async def get(self, path: str) -> dict[str, Any]:
        """The JSON answer; raises on an error status (the page waits, then asks again)."""
        async with self.http.get(
            f"{self.url}/webhooks/console{path}", timeout=aiohttp.ClientTimeout(total=60)
        ) as answer:
            data = await answer.json()
            if answer.status >= 400:
                raise RuntimeError(f"{path}: {answer.status} {data}")
            return data


async def _chat(http: aiohttp.ClientSession, url: str, sender: str, text: str) -> bool:
    return await post_message(http, f"{url}/webhooks/webchat/webhook", sender, text, 30.0)


async def shared_sessions(
    console: Console, http: aiohttp.ClientSession, url: str, n: int
) -> list[tuple[str, str]]:
    """(session id, conversation id) of n sessions joined by code and accepted."""
    pairs = []
    for _ in range(n):
        state = await console.post("/api/seances", {"mode": "chat"})
        sender = secrets.token_hex(16)
        assert await _chat(http, url, sender, state["seance"]["code"]["code"])
        assert await _chat(http, url, sender, "oui")
        pairs.append((state["seance"]["id"], sender))
    return pairs


async def phase(
    url: str,
    http: aiohttp.ClientSession,
    pairs: list[tuple[str, str]],
    scripts: list[list[str]],
    rate: float,
    duration: float,
    console: Console | None,
) -> dict[str, Any]:
    """The shared conversations play test turns at `rate` messages a second in all; with
    `console`, one watcher per session long-polls it meanwhile."""
    latencies: list[float] = []
    errors = 0
    updates = 0
    errors_console = 0
    start = time.monotonic()
    stop = start + duration
    due: asyncio.Queue[float] = asyncio.Queue()

    async def pace() -> None:
        n = 0
        while (at := start + n / rate) < stop:
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            due.put_nowait(at)
            n += 1

    async def talker(index: int, sender: str) -> None:
        nonlocal errors
        turns = [
            t for s in scripts[index % len(scripts) :] + scripts[: index % len(scripts)] for t in s
        ]
        for text in turns:
            try:
                at = await asyncio.wait_for(due.get(), max(0.01, stop - time.monotonic()))
            except asyncio.TimeoutError:
                return
            if await _chat(http, url, sender, text):
                latencies.append((time.monotonic() - at) * 1000)
            else:
                errors += 1

    async def watcher(seance_id: str) -> None:
        nonlocal updates, errors_console
        assert console is not None
        version = -1
        while time.monotonic() < stop:
            try:
                state = await console.get(f"/api/seances/{seance_id}/attendre?version={version}")
            except (RuntimeError, aiohttp.ClientError, asyncio.TimeoutError):
                errors_console += 1
                await asyncio.sleep(3.0)  # as the console page does
                continue
            if not state.get("inchange"):
                updates += 1
            version = state.get("version", version)

    tasks = [asyncio.create_task(talker(i, s)) for i, (_, s) in enumerate(pairs)]
    watchers = [asyncio.create_task(watcher(i)) for i, _ in pairs] if console else []
    pacer = asyncio.create_task(pace())
    await asyncio.gather(*tasks)
    pacer.cancel()
    for task in watchers:
        task.cancel()
    return {
        "conseillers": len(watchers),
        "messages": len(latencies),
        "erreurs": errors,
        "mises_a_jour_console": updates,
        "erreurs_console": errors_console,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
    }


async def measure(url: str, n: int, rate: float, duration: float, rounds: int) -> dict[str, Any]:
    login, password = compte_de_mesure()
    console = Console(url)
    connector = aiohttp.TCPConnector(limit=2 * n + 4)
    async with aiohttp.ClientSession(connector=connector) as http:
        try:
            signed = await console.post(
                "/api/connexion", {"identifiant": login, "mot_de_passe": password}
            )
            console.csrf = signed["csrf"]
            scripts = load_scripts()
            # Warm-up (caches, first queries), not measured.
            warm = await shared_sessions(console, http, url, n)
            await phase(url, http, warm, scripts, rate, min(duration, 15.0), console)
            runs = []
            for _ in range(rounds):
                for watching in (False, True):
                    # New conversations for each phase: every phase plays the same turns.
                    pairs = await shared_sessions(console, http, url, n)
                    runs.append(
                        await phase(
                            url, http, pairs, scripts, rate, duration, console if watching else None
                        )
                    )
        finally:
            await console.http.close()
    return {"machine": machine(), "debit": rate, "duree_s": duration, "phases": runs}


def render(result: dict[str, Any]) -> str:
    rows = [
        "| phase | conseillers | messages | erreurs | mises à jour console "
        "| p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for i, p in enumerate(result["phases"], start=1):
        rows.append(
            f"| {i} | {p['conseillers']} | {p['messages']} | {p['erreurs']} | "
            f"{p['mises_a_jour_console']} | {p['p50_ms']} | {p['p95_ms']} | {p['p99_ms']} |"
        )
    quiet = [p["p95_ms"] for p in result["phases"] if not p["conseillers"]]
    watched = [p["p95_ms"] for p in result["phases"] if p["conseillers"]]
    pairs = ", ".join(
        f"{100 * (w / q - 1):+.1f} %" for q, w in zip(quiet, watched, strict=False) if q
    )
    rows.append("")
    rows.append(f"p95 du chat avec les conseillers / sans, par paire : {pairs}")
    return "\n".join(rows)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("console", help="coût de la console en direct pour le chat")
    parser.add_argument(
        "--url", required=True, help="adresse du serveur Rasa (http://127.0.0.1:5005)"
    )
    parser.add_argument("--conseillers", type=int, default=20, help="séances suivies en direct")
    parser.add_argument("--debit", type=float, default=20.0, help="messages par seconde en tout")
    parser.add_argument("--duree", type=float, default=30.0, help="secondes par phase")
    parser.add_argument("--tours", type=int, default=2, help="paires (sans, avec) de phases")
    parser.add_argument("--sortie", type=Path, default=Path("bench/results/console.json"))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    result = asyncio.run(measure(args.url, args.conseillers, args.debit, args.duree, args.tours))
    args.sortie.parent.mkdir(parents=True, exist_ok=True)
    args.sortie.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"Machine : {result['machine']}")
    print(render(result))
    return 0
