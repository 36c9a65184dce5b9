"""Load generator: plays the user turns of the test conversations
(`tests/e2e/conversations/scenarios.yml`) against a running assistant, with N concurrent
conversations, at a fixed message rate (or as fast as answers come) for a fixed time.

Latency is measured from the moment a message was due (not when it could be sent), so a
saturated server shows its queueing delay (no coordinated omission). Peak memory is read
from /proc (VmHWM) for the processes given.
"""

from __future__ import annotations

import asyncio
import math
import secrets
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from bot.config import REPO_ROOT

SCENARIOS = REPO_ROOT / "tests" / "e2e" / "conversations" / "scenarios.yml"


def load_scripts(path: Path = SCENARIOS) -> list[list[str]]:
    """The user turns of each test conversation, typed texts and button payloads."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [list(map(str, s["turns"])) for s in data.get("scenarios", []) if s.get("turns")]


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0-100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def peak_memory_mb(pid: int) -> float | None:
    """Peak resident memory of a process (VmHWM), in MB; None if unreadable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


@dataclass
class LoadResult:
    """Figures of one load run."""

    conversations: int
    rate: float
    duration_s: float
    sent: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list, repr=False)

    def summary(self) -> dict[str, Any]:
        ok = self.latencies_ms
        return {
            "conversations": self.conversations,
            "debit_demande": self.rate,
            "duree_s": round(self.duration_s, 1),
            "messages": self.sent,
            "erreurs": self.errors,
            "messages_par_s": round(len(ok) / self.duration_s, 2) if self.duration_s else 0.0,
            "p50_ms": round(percentile(ok, 50), 1),
            "p95_ms": round(percentile(ok, 95), 1),
            "p99_ms": round(percentile(ok, 99), 1),
        }


async def post_message(
    session: aiohttp.ClientSession, url: str, sender: str, text: str, timeout: float
) -> bool:
    try:
        async with session.post(
            url,
            json={"sender": sender, "message": text},
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as response:
            await response.read()
            return response.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return False


async def run_load(
    url: str,
    scripts: Sequence[Sequence[str]],
    conversations: int,
    rate: float,
    duration: float,
    timeout: float = 30.0,
) -> LoadResult:
    """`conversations` workers each play test conversations one after the other (a new
    sender for each); `rate` messages a second in all (0: each worker sends as soon as it
    has its answer) during `duration` seconds."""
    result = LoadResult(conversations, rate, duration)
    due: asyncio.Queue[float] = asyncio.Queue()
    start = time.monotonic()
    stop = start + duration

    async def pace() -> None:
        n = 0
        while (at := start + n / rate) < stop:
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            due.put_nowait(at)
            n += 1

    async def worker(index: int, session: aiohttp.ClientSession) -> None:
        script_no = index
        while time.monotonic() < stop:
            sender = f"charge-{secrets.token_hex(16)}"
            for text in scripts[script_no % len(scripts)]:
                if rate:
                    try:
                        at = await asyncio.wait_for(due.get(), max(0.01, stop - time.monotonic()))
                    except asyncio.TimeoutError:
                        return
                else:
                    at = time.monotonic()
                    if at >= stop:
                        return
                result.sent += 1
                if await post_message(session, url, sender, text, timeout):
                    result.latencies_ms.append((time.monotonic() - at) * 1000)
                else:
                    result.errors += 1
            script_no += conversations

    connector = aiohttp.TCPConnector(limit=conversations + 2)
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = [asyncio.create_task(worker(i, session)) for i in range(conversations)]
        pacer = asyncio.create_task(pace()) if rate else None
        await asyncio.gather(*tasks)
        if pacer:
            pacer.cancel()
    result.duration_s = time.monotonic() - start
    return result


async def turn_latency_by_length(
    url: str, turns: Sequence[int] = (10, 100), repeats: int = 20, timeout: float = 30.0
) -> dict[str, float]:
    """p95 latency of the turns around each length in `turns` of one long conversation
    (Rasa replays the session on every turn: the cost of a long conversation)."""
    sender = f"longue-{secrets.token_hex(16)}"
    texts = ["j'ai 22 ans", "je cherche du travail", "c'est payant ?", "merci", "la 1re"]
    latencies: list[float] = []
    async with aiohttp.ClientSession() as session:
        for n in range(max(turns) + repeats):
            started = time.monotonic()
            ok = await post_message(session, url, sender, texts[n % len(texts)], timeout)
            latencies.append((time.monotonic() - started) * 1000 if ok else float("nan"))
    return {
        f"p95_tour_{t}_ms": round(
            percentile([x for x in latencies[t - 1 : t - 1 + repeats] if x == x], 95), 1
        )
        for t in turns
    }


def as_dict(result: LoadResult) -> dict[str, Any]:
    """JSON-friendly form (without the raw latencies)."""
    data = asdict(result)
    data.pop("latencies_ms")
    return {**data, **result.summary()}
