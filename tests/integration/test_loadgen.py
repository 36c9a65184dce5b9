"""Load generator against a fake assistant (a real HTTP server on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from tests.support.helpers import local_webhook
from tools.bench.loadgen import (
    as_dict,
    load_scripts,
    peak_memory_mb,
    percentile,
    run_load,
    turn_latency_by_length,
)

pytestmark = pytest.mark.anyio


def test_scripts_are_the_test_conversations() -> None:
    """The load scripts are the test conversations, each a list of non-empty turns."""
    scripts = load_scripts()
    assert len(scripts) >= 30
    assert all(turns and all(isinstance(t, str) and t for t in turns) for turns in scripts)
    assert any(t.startswith("salut, j'ai 19 ans") for turns in scripts for t in turns)


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [([], 95, 0.0), ([5.0], 50, 5.0), (list(range(1, 101)), 95, 95), ([3, 1, 2], 50, 2)],
)
def test_percentile_nearest_rank(values, q, expected) -> None:
    """percentile() uses the nearest-rank method and gives 0 for no values."""
    assert percentile(values, q) == expected


def test_peak_memory_of_this_process() -> None:
    """Peak memory is read for a live process and is None for a missing one."""
    assert peak_memory_mb(os.getpid()) > 1
    assert peak_memory_mb(2**22 + 12345) is None


class FakeAssistant:
    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append((body["sender"], body["message"]))
        await asyncio.sleep(0.01)
        if body["message"] == "boom":
            return web.json_response({"error": "x"}, status=500)
        return web.json_response([{"text": "ok"}])


@pytest.fixture
async def assistant() -> AsyncIterator[tuple[FakeAssistant, str]]:
    fake = FakeAssistant()
    async with local_webhook(fake.webhook) as url:
        yield fake, url


async def test_closed_loop_plays_conversations_in_order(assistant) -> None:
    """Each worker plays whole scripts in order, each with a sender of its own."""
    fake, url = assistant
    result = await run_load(
        url, [["a", "b", "c"], ["x", "y"]], conversations=2, rate=0, duration=0.5
    )
    assert result.errors == 0 and result.sent == len(fake.received) > 6
    by_sender: dict[str, list[str]] = {}
    for sender, text in fake.received:
        by_sender.setdefault(sender, []).append(text)
    for texts in by_sender.values():  # a script, in order (the last one may be cut)
        assert texts in (["a", "b", "c"][: len(texts)], ["x", "y"][: len(texts)])
    summary = result.summary()
    assert summary["p50_ms"] >= 9  # the fake assistant takes 10 ms
    assert summary["messages_par_s"] > 0


async def test_paced_load_sends_at_the_rate_and_counts_errors(assistant) -> None:
    """The paced load sends at the requested rate and counts failed turns as errors."""
    fake, url = assistant
    result = await run_load(url, [["un", "boom"]], conversations=4, rate=40, duration=1.0)
    assert 30 <= result.sent <= 41
    assert result.errors == sum(1 for _, t in fake.received if t == "boom") > 0
    assert as_dict(result)["erreurs"] == result.errors
    assert "latencies_ms" not in as_dict(result)


async def test_latency_by_conversation_length(assistant) -> None:
    """Turn latency is measured at each requested conversation length in one conversation."""
    fake, url = assistant
    figures = await turn_latency_by_length(url, turns=(2, 4), repeats=2)
    assert set(figures) == {"p95_tour_2_ms", "p95_tour_4_ms"}
    assert len({s for s, _ in fake.received}) == 1 and len(fake.received) == 6


def fake_scenarios(p95: float) -> dict:
    step = {"p50_ms": p95 / 2, "p95_ms": p95, "p99_ms": p95 * 2, "erreurs": 0}
    return {
        "une_conversation": step,
        "vingt_messages_par_s": step,
        "montee": [{"debit_demande": 5, "messages_par_s": 5.0, "p95_ms": p95}],
        "debit_max_p95_sous_1s": 40.0,
        "p95_tour_10_ms": p95,
        "p95_tour_100_ms": p95 * 3,
    }


def test_report_gives_ratios_and_replaces_its_section(tmp_path) -> None:
    """The benchmark report gives ratios to the reference and replaces only its own section."""
    from tools.bench.charge import REPORT_END, REPORT_START, render, write_report

    summary = {
        "date": "2026-11-29 05:30 UTC",
        "machine": {"cpu": "AMD EPYC", "coeurs": 2, "python": "3.10.13"},
        "duree_s": 20,
        "commande": "scripts/bench.sh",
        "capnum": fake_scenarios(150.0),
        "reference": fake_scenarios(100.0),
        "action": {"p50_ms": 4.0, "p95_ms": 9.0},
        "temps": {"reference_entrainement_s": 60.0},
        "memoire_mb": {"rasa": 1200.4},
    }
    section = render(summary)
    assert "| p95 d'un tour, 1 conversation (ms) | 150.0 | 100.0 | 1.5 |" in section
    assert "| p95 au tour 100 (ms) | 450.0 | 300.0 | 1.5 |" in section
    assert "| entraînement (s) | — | 60.0 | — |" in section
    assert "rasa 1200 Mo" in section and "p95 9.0 ms" in section
    report = tmp_path / "benchmarks.md"
    report.write_text("# Mesures\n\nAutre section.\n")
    write_report(report, section)
    write_report(report, section.replace("150.0", "151.0"))
    text = report.read_text()
    assert text.count(REPORT_START) == 1 and text.count(REPORT_END) == 1
    assert "Autre section." in text and "151.0" in text and "| 150.0 |" not in text


async def test_servers_comparison_runs_the_same_load_on_both(tmp_path) -> None:
    """`python -m tools bench serveurs`: the same paced load on one server, then on the balancer;
    the figures come from what each answered, and the report section is written."""
    from tools.bench import serveurs as bench_serveurs

    one, many = FakeAssistant(), FakeAssistant()
    async with local_webhook(one.webhook) as single, local_webhook(many.webhook) as balanced:
        summary = await bench_serveurs.compare(
            single, balanced, servers=2, rate=30, conversations=3, duration=0.6
        )
    assert summary["un_serveur"]["messages"] == len(one.received) > 10
    # The balancer also got the warm-up conversations.
    assert len(many.received) > summary["repartiteur"]["messages"] > 10
    assert {s for s, _ in one.received}.isdisjoint({s for s, _ in many.received})
    ratio = summary["repartiteur"]["messages_par_s"] / summary["un_serveur"]["messages_par_s"]
    assert summary["rapport_debit"] == round(ratio, 2)
    report = tmp_path / "deployment.md"
    report.write_text("# Déploiement\n")
    bench_serveurs.replace_section(
        report,
        bench_serveurs.render(summary),
        bench_serveurs.REPORT_START,
        bench_serveurs.REPORT_END,
        "Débit",
    )
    text = report.read_text()
    assert "| 1 serveur | 2 serveurs derrière nginx |" in text
    assert f"**{summary['rapport_debit']}**" in text


def test_servers_comparison_reports_a_server_that_is_down(tmp_path, capsys) -> None:
    """The servers comparison exits 1 in French and writes nothing when no server answers."""
    from tools.cli import main

    url = "http://127.0.0.1:9"  # discard port: nothing listens
    code = main(
        [
            "bench",
            "serveurs",
            "--un",
            url,
            "--repartiteur",
            url,
            "--duree",
            "0.3",
            "--debit",
            "5",
            "--conversations",
            "1",
            "--sortie",
            str(tmp_path / "s.json"),
            "--rapport",
            str(tmp_path / "d.md"),
        ]
    )
    assert code == 1
    assert "aucune réponse du serveur seul ni du répartiteur" in capsys.readouterr().out
    assert not (tmp_path / "s.json").exists() and not (tmp_path / "d.md").exists()
