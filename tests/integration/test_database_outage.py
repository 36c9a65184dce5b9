"""Fault drill: the real PostgreSQL holding the conversations is stopped in the middle of
a conversation, then started again. The assistant says it has a problem (503 with the
French message, nothing recorded), the page's retry with the same message id succeeds once
the database is back, and the conversation holds each turn exactly once.

Run by `make test` (step "Exercice de panne") against a Rasa server whose tracker store is
PostgreSQL (CAPNUM_DRILL_URL); it needs root to stop and start the cluster.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.helpers import post_message

pytestmark = pytest.mark.drill
SERVER = os.environ.get("CAPNUM_DRILL_URL", "")
TOKEN = os.environ.get("CAPNUM_RASA_TOKEN", "")


def post(sender: str, message: str, message_id: str) -> tuple[int, Any]:
    return post_message(SERVER, sender, message, message_id, timeout=30)


def cluster(action: str) -> None:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[0]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        check=True,
        capture_output=True,
        timeout=60,
    )


def postgres_ready() -> bool:
    result = subprocess.run(
        ["pg_isready", "-h", "127.0.0.1", "-p", "5432"], capture_output=True, timeout=10
    )
    return result.returncode == 0


@pytest.fixture
def stoppable_postgres() -> Iterator[None]:
    if not SERVER:
        pytest.skip("CAPNUM_DRILL_URL not set: no server on PostgreSQL started")
    if os.geteuid() != 0 or not shutil.which("pg_ctlcluster"):
        pytest.fail("the drill stops PostgreSQL: it needs root and pg_ctlcluster")
    yield
    if not postgres_ready():  # whatever happened, PostgreSQL is left running
        cluster("start")


def test_conversation_survives_a_database_restart(stoppable_postgres: None) -> None:
    """While PostgreSQL is down the chat answers 503 in French; the retried turn then succeeds."""
    sender = secrets.token_hex(16)
    assert post(sender, "bonjour", "drill-msg-1")[0] == 200
    assert post(sender, "je cherche du travail", "drill-msg-2")[0] == 200

    cluster("stop")
    assert not postgres_ready()
    started = time.monotonic()
    status, body = post(sender, "j'ai 22 ans", "drill-msg-3")
    answered_in = time.monotonic() - started
    assert status == 503, body
    assert "souci technique" in body["messages"][0]["text"]
    print(f"\nbase arrêtée : réponse 503 en français en {answered_in:.2f} s")

    cluster("start")
    deadline = time.monotonic() + 60
    while not postgres_ready() and time.monotonic() < deadline:
        time.sleep(0.5)
    back = time.monotonic()
    attempts = 0
    while True:  # what the page does: the same message id again, every few seconds
        attempts += 1
        status, messages = post(sender, "j'ai 22 ans", "drill-msg-3")
        if status == 200 or time.monotonic() - back > 30:
            break
        time.sleep(1)
    assert status == 200, messages
    print(
        f"base relancée : tour accepté après {attempts} essai(s), {time.monotonic() - back:.1f} s"
    )

    url = f"{SERVER}/conversations/{sender}/tracker?token={TOKEN}"
    with urllib.request.urlopen(url, timeout=30) as response:
        tracker = json.loads(response.read())
    users = [e["text"] for e in tracker["events"] if e["event"] == "user"]
    assert users == ["bonjour", "je cherche du travail", "j'ai 22 ans"]
    assert tracker["slots"]["age"] == 22
