"""Scale-out deployment (scripts/scale.sh): several Rasa servers behind nginx share the
PostgreSQL tracker store and the Redis lock store.

Run by `make test` (step "Déploiement multi-serveurs") with CAPNUM_SCALE_URLS,
CAPNUM_LB_URL and CAPNUM_RASA_TOKEN set; skipped otherwise.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from bot.config import REPO_ROOT
from tests.support.console import create_admin
from tests.support.console_http import Browser
from tests.support.helpers import post_message
from tools.bench.serveurs import cpu_seconds

pytestmark = pytest.mark.scale
SERVERS = [u for u in os.environ.get("CAPNUM_SCALE_URLS", "").split(",") if u]
BALANCER = os.environ.get("CAPNUM_LB_URL", "")
TOKEN = os.environ.get("CAPNUM_RASA_TOKEN", "")
PROFILE_TURNS = [
    "bonjour",
    "je cherche du travail",
    "22 ans",
    "bac",
    "59100",
    "le développement web",
]


@pytest.fixture(autouse=True)
def needs_deployment() -> None:
    if len(SERVERS) < 2 or not BALANCER:
        pytest.skip("scale-out deployment not started (scripts/scale.sh)")


def tracker(sender: str, base: str | None = None) -> dict[str, Any]:
    url = f"{base or SERVERS[-1]}/conversations/{sender}/tracker?token={TOKEN}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def user_texts(sender: str) -> list[str]:
    return [e["text"] for e in tracker(sender)["events"] if e["event"] == "user"]


def test_turns_alternating_between_servers_keep_the_whole_state() -> None:
    """Each turn on the other server: the profile builds up in order and the last turn
    recommends with every answer known; both servers read the same conversation."""
    sender = secrets.token_hex(16)
    last: Any = None
    for i, text in enumerate(PROFILE_TURNS):
        status, last = post_message(
            SERVERS[i % len(SERVERS)], sender, text, f"alt-{i:04d}-{sender[:8]}"
        )
        assert status == 200, (text, status)
    payload = next(m["custom"] for m in last if m.get("custom"))
    assert payload["profil"]["situation"] == "demandeur_emploi"
    assert payload["profil"]["age"] == 22 and payload["profil"]["diplome"] == "bac"
    assert payload["profil"]["departement"] == "59"
    for base in SERVERS:
        assert [e for e in user_texts(sender)] == PROFILE_TURNS
        assert tracker(sender, base)["slots"]["diplome"] == "bac"


def test_simultaneous_messages_of_one_conversation_are_serialised() -> None:
    """Two messages of one conversation sent at once to two servers: the Redis lock makes
    them run one after the other, and both are kept."""
    sender = secrets.token_hex(16)
    assert post_message(SERVERS[0], sender, "bonjour", f"sim-0000-{sender[:8]}")[0] == 200
    texts = ["je cherche du travail", "j'ai 23 ans"]
    with ThreadPoolExecutor(2) as pool:
        results = list(
            pool.map(
                lambda i: post_message(
                    SERVERS[i], sender, texts[i], f"sim-{i + 1:04d}-{sender[:8]}"
                ),
                range(2),
            )
        )
    assert [status for status, _ in results] == [200, 200]
    assert sorted(user_texts(sender)[1:]) == sorted(texts)
    slots = tracker(sender)["slots"]
    assert slots["situation"] == "demandeur_emploi" and slots["age"] == 23


def server_cpu(port: str) -> float:
    """User + system CPU seconds of the Rasa server on `port` (from its pid file)."""
    return cpu_seconds([Path(REPO_ROOT, "var", "pids", f"rasa-{port}.pid")])


def test_balancer_spreads_conversations_over_every_server() -> None:
    """Eight conversations through nginx: each server does a real share of the work."""
    ports = [url.rsplit(":", 1)[1] for url in SERVERS]
    before = {port: server_cpu(port) for port in ports}

    def talk(n: int) -> None:
        sender = secrets.token_hex(16)
        for i, text in enumerate(PROFILE_TURNS):
            status, _ = post_message(BALANCER, sender, text, f"spread-{n}-{i}-{sender[:8]}")
            assert status == 200

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(talk, range(8)))
    used = {port: server_cpu(port) - before[port] for port in ports}
    print(f"\nCPU des serveurs pendant 48 messages via nginx : {used}")
    assert all(seconds >= 0.2 * sum(used.values()) / len(ports) for seconds in used.values())


def test_a_retried_message_on_the_other_server_is_answered_once() -> None:
    """A message retried on the other server (after its answer, or while its turn runs)
    gets the first answer from the shared replay memory: one turn, one stored message."""
    sender = secrets.token_hex(16)
    first = post_message(SERVERS[0], sender, "bonjour", f"retry-0001-{sender[:8]}")
    again = post_message(SERVERS[1], sender, "bonjour", f"retry-0001-{sender[:8]}")
    assert first[0] == again[0] == 200 and again[1] == first[1]
    text, message_id = "je cherche du travail", f"retry-0002-{sender[:8]}"
    with ThreadPoolExecutor(2) as pool:
        both = list(
            pool.map(lambda base: post_message(base, sender, text, message_id), SERVERS[:2])
        )
    assert [status for status, _ in both] == [200, 200] and both[0][1] == both[1][1]
    assert user_texts(sender) == ["bonjour", text]


def forwarded_address() -> str:
    """A client address of the documentation range (RFC 5737), one per test run, as nginx
    forwards it; not exempt from the limits like the load generator's 127.0.0.1."""
    return f"198.51.100.{secrets.randbelow(250) + 1}"


def test_the_conversation_limit_holds_across_two_servers() -> None:
    """16 quick messages of one conversation, alternating servers: the burst of 8 holds
    for both together (per server, 16 would pass), and the refused ones say when to retry."""
    sender, address = secrets.token_hex(16), forwarded_address()

    def send(i: int) -> tuple[int, Any]:
        message_id = f"limit-{i:04d}-{sender[:8]}"
        return post_message(SERVERS[i % 2], sender, "ok", message_id, address=address)

    with ThreadPoolExecutor(16) as pool:
        statuses = [status for status, _ in pool.map(send, range(16))]
    accepted = statuses.count(200)
    print(f"\n16 messages d'une conversation sur deux serveurs : {accepted} acceptés")
    assert statuses.count(429) == 16 - accepted
    # 8 at once, then 20 a minute: one more token every 3 s while the burst is served.
    assert 8 <= accepted <= 10


def erase_from(base: str, sender: str, address: str) -> int:
    request = urllib.request.Request(
        f"{base}/webhooks/webchat/effacer",
        data=json.dumps({"sender": sender}).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "X-Forwarded-For": address},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_address_limit_holds_across_two_servers() -> None:
    """400 requests from one address (erasures: the cheapest limited request), half on
    each server: about 300 pass (the burst, then 300 a minute) for both together; per
    server, all 400 would."""
    address = forwarded_address()
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        statuses = list(
            pool.map(
                lambda i: erase_from(SERVERS[i % 2], secrets.token_hex(16), address), range(400)
            )
        )
    elapsed = time.monotonic() - started
    accepted = statuses.count(200)
    print(f"\n400 requêtes d'une adresse en {elapsed:.1f} s : {accepted} acceptées")
    assert statuses.count(429) == 400 - accepted
    assert 300 <= accepted <= 300 + 5 * elapsed + 2


def test_console_live_updates_when_chat_and_console_are_on_different_servers() -> None:
    """The counsellor's page waits on one server while the young person talks to the
    other: the page wakes up with the new profile and message."""
    admin = create_admin(f"Mission locale multi-serveurs {secrets.token_hex(3)}")
    counsellor = Browser(SERVERS[0])
    assert counsellor.login(admin).ok
    state = counsellor.post("/api/seances", {"mode": "chat"}).json()
    seance_id, code = state["seance"]["id"], state["seance"]["code"]["code"]
    sender = secrets.token_hex(16)
    for i, text in enumerate([code, "/partage_accepter"]):
        assert post_message(SERVERS[1], sender, text, f"share-{i}-{sender[:8]}")[0] == 200
    version = counsellor.get(f"/api/seances/{seance_id}").json()["version"]
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(
            counsellor.get, f"/api/seances/{seance_id}/attendre?version={version}"
        )
        time.sleep(0.5)
        message = "salut, j'ai 19 ans, j'habite à Roubaix et j'aimerais faire du développement web"
        assert post_message(SERVERS[1], sender, message, f"share-2-{sender[:8]}")[0] == 200
        seen = waiting.result(timeout=60).json()
    assert not seen.get("inchange") and seen["version"] != version
    assert seen["profil"]["age"] == 19 and seen["profil"]["commune"] == "Roubaix"
    assert any(m["texte"] == message for m in seen["messages"] if m["de"] == "personne")


def test_sigkill_of_one_server_under_load_loses_no_acknowledged_message() -> None:
    """Conversations through nginx while one Rasa server is killed (SIGKILL): every
    message answered 200 is in its conversation, and each conversation answers again
    within 20 s (the client resends an unacknowledged message with the same id, after an
    error or 8 s without an answer)."""
    victim_port = SERVERS[0].rsplit(":", 1)[1]
    pid = int(Path(REPO_ROOT, "var", "pids", f"rasa-{victim_port}.pid").read_text())
    conversations = 8
    acknowledged: dict[str, list[str]] = {}
    outage: dict[str, float] = {}
    killed = threading.Event()
    kill_time: list[float] = []

    def talk(n: int) -> None:
        sender = secrets.token_hex(16)
        acknowledged[sender] = []
        for i, text in enumerate(PROFILE_TURNS * 2):
            message_id = f"load-{n:02d}-{i:03d}-{sender[:8]}"
            first_failure = None
            while True:
                # Like a resilient page: a request unanswered after 8 s is sent again.
                status, _ = post_message(BALANCER, sender, text, message_id, timeout=8)
                if status == 200:
                    break
                first_failure = first_failure or time.monotonic()
                assert time.monotonic() - first_failure < 20, f"{sender}: no answer for 20 s"
                time.sleep(0.5)
            if first_failure is not None:
                outage[sender] = max(outage.get(sender, 0.0), time.monotonic() - first_failure)
            acknowledged[sender].append(text)
            if n == 0 and i == 2 and not killed.is_set():
                os.kill(pid, signal.SIGKILL)
                kill_time.append(time.monotonic())
                killed.set()
            time.sleep(0.2)

    started = time.monotonic()
    with ThreadPoolExecutor(conversations) as pool:
        list(pool.map(talk, range(conversations)))
    elapsed = time.monotonic() - started
    assert killed.is_set()
    missing = {}
    duplicated = 0
    for sender, texts in acknowledged.items():
        stored = user_texts(sender)
        if len(stored) < len(texts):
            missing[sender] = (texts, stored)
        duplicated += len(stored) - len(texts)
        # Every acknowledged message is stored, in order.
        it = iter(stored)
        assert all(any(t == s for s in it) for t in texts), (texts, stored)
    assert not missing
    total = sum(len(t) for t in acknowledged.values())
    print(
        f"\n{conversations} conversations, {total} messages acquittés en {elapsed:.1f} s, "
        f"serveur tué après {kill_time[0] - started:.1f} s ; conversations interrompues : "
        f"{len(outage)}, plus longue interruption {max(outage.values(), default=0):.1f} s ; "
        f"tours en double (message renvoyé après une réponse perdue) : {duplicated}"
    )
