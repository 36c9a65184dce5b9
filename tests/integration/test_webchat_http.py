"""The web chat endpoints of the real running Rasa server, over HTTP: pages and their
security headers, origins, CORS, body and id checks, replay of a retried message id."""

from __future__ import annotations

import json
import os
import secrets
from typing import Any

import pytest

from tests.support.server import BASE, SERVER, TOKEN, request

pytestmark = pytest.mark.server
ALLOWED = [o for o in os.environ.get("CAPNUM_WEB_ORIGINS", "").split(",") if o.strip()]


@pytest.fixture(autouse=True)
def needs_server() -> None:
    if not SERVER:
        pytest.skip("CAPNUM_SERVER_URL not set: servers not started")


def post(message: Any, sender: str | None = None, **extra: Any) -> tuple[int, Any]:
    payload = {"sender": sender or secrets.token_hex(16), "message": message, **extra}
    status, _, raw = request("POST", f"{BASE}/webhook", json.dumps(payload).encode())
    return status, json.loads(raw) if raw else None


@pytest.mark.parametrize("path", ["/", "/demo", "/confidentialite"])
def test_pages_have_a_strict_security_policy(path: str) -> None:
    """Every web chat page is French and served with a strict CSP and nosniff."""
    status, headers, body = request("GET", f"{BASE}{path}")
    assert status == 200 and b'<html lang="fr">' in body
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp
    assert csp.endswith(" ".join(["frame-ancestors 'self'", *sorted(ALLOWED)]).strip())
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("webchat.js", "text/javascript"),
        ("widget.js", "text/javascript"),
        ("webchat.css", "text/css"),
        ("widget.css", "text/css"),
    ],
)
def test_assets_are_served_locally(name: str, kind: str) -> None:
    """The web chat scripts and styles are served locally with the right content type."""
    status, headers, body = request("GET", f"{BASE}/static/{name}")
    assert status == 200 and body
    assert headers["Content-Type"].startswith(kind)


@pytest.mark.parametrize("name", ["../webchat.py", "secret.txt", "%2e%2e%2fwebchat.py"])
def test_only_listed_assets(name: str) -> None:
    """Only the listed static assets are served; path tricks and other files get 404."""
    status, _, _ = request("GET", f"{BASE}/static/{name}")
    assert status == 404


def test_foreign_origin_is_refused() -> None:
    """A message from a foreign origin is refused with 403 and gets no CORS headers."""
    payload = json.dumps({"sender": secrets.token_hex(16), "message": "salut"}).encode()
    status, headers, _ = request(
        "POST", f"{BASE}/webhook", payload, {"Origin": "https://evil.example"}
    )
    assert status == 403
    assert "Access-Control-Allow-Origin" not in headers
    status, headers, _ = request(
        "OPTIONS", f"{BASE}/webhook", None, {"Origin": "https://evil.example"}
    )
    assert "Access-Control-Allow-Origin" not in headers


@pytest.mark.skipif(not ALLOWED, reason="CAPNUM_WEB_ORIGINS is empty")
def test_allowed_origin_gets_cors_headers() -> None:
    """An allowed origin gets CORS headers on the preflight and on the message."""
    origin = ALLOWED[0]
    status, headers, _ = request(
        "OPTIONS",
        f"{BASE}/webhook",
        None,
        {"Origin": origin, "Access-Control-Request-Method": "POST"},
    )
    assert status in (200, 204)
    assert headers["Access-Control-Allow-Origin"] == origin
    payload = json.dumps({"sender": secrets.token_hex(16), "message": "salut"}).encode()
    status, headers, body = request("POST", f"{BASE}/webhook", payload, {"Origin": origin})
    assert status == 200 and json.loads(body)
    assert headers["Access-Control-Allow-Origin"] == origin


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"[1, 2]", 400),
        (json.dumps({"message": "salut"}).encode(), 400),  # no sender
        (json.dumps({"sender": "short", "message": "salut"}).encode(), 400),
        (json.dumps({"sender": "a/b" * 10, "message": "salut"}).encode(), 400),
        (json.dumps({"sender": "a" * 32, "message": "x", "message_id": {"a": 1}}).encode(), 400),
        (json.dumps({"sender": "a" * 32, "message": "x" * 20_000}).encode(), 413),
    ],
)
def test_bad_requests_are_refused_without_a_stack_trace(body: bytes, status: int) -> None:
    """Malformed, anonymous or oversized requests get 400/413 with a JSON error, no traceback."""
    got, _, raw = request("POST", f"{BASE}/webhook", body)
    assert got == status
    assert b"Traceback" not in raw and json.loads(raw)["error"]


def test_retried_message_id_replays_the_answer() -> None:
    """A retried message id replays the first answer and stores the message only once."""
    sender = secrets.token_hex(16)
    first = post("j'ai 27 ans", sender, message_id="abcdef0123")
    again = post("j'ai 27 ans", sender, message_id="abcdef0123")
    assert first == again and first[0] == 200
    status, _, raw = request("GET", f"/conversations/{sender}/tracker?token={TOKEN}")
    users = [e for e in json.loads(raw)["events"] if e["event"] == "user"]
    assert [e["text"] for e in users] == ["j'ai 27 ans"]
    assert users[0]["message_id"] == "abcdef0123"


def test_first_turn_has_the_privacy_notice() -> None:
    """The first answer carries the privacy notice with the erasure command and age limit."""
    status, messages = post("bonjour")
    assert status == 200
    text = " ".join(m.get("text", "") for m in messages)
    assert "assistant automatique" in text
    assert "supprimer mes données" in text and "moins de 15 ans" in text
    assert "/webhooks/webchat/confidentialite" in text


def test_personal_data_is_masked_before_it_is_stored() -> None:
    """Phone, e-mail and name are masked in the stored conversation, the person is told,
    and the rest of the message is still understood."""
    sender = secrets.token_hex(16)
    post("bonjour", sender)
    status, messages = post(
        "je m'appelle Kevin, j'ai 19 ans, mon 06 12 34 56 78 et kevin@mail.fr", sender
    )
    assert status == 200
    assert "données personnelles" in messages[0]["text"]
    assert "téléphone" in messages[0]["text"] and "e-mail" in messages[0]["text"]
    status, _, raw = request("GET", f"/conversations/{sender}/tracker?token={TOKEN}")
    stored = raw.decode()
    for secret in ("Kevin", "kevin@mail.fr", "06 12 34 56 78"):
        assert secret not in stored
    assert json.loads(raw)["slots"]["age"] == 19


def tracker_of(sender: str) -> dict[str, Any]:
    status, _, raw = request("GET", f"/conversations/{sender}/tracker?token={TOKEN}")
    assert status == 200
    return json.loads(raw)


def test_intent_syntax_only_for_offered_buttons() -> None:
    """The syntax of an offered button works; a typed "/informer{...}" is read as text."""
    sender = secrets.token_hex(16)
    post("bonjour", sender)  # offers the situation buttons
    status, messages = post('/informer{"situation": "demandeur_emploi"}', sender)
    assert status == 200 and messages
    assert tracker_of(sender)["slots"]["situation"] == "demandeur_emploi"
    status, _ = post('/informer{"age": "5"}', sender)  # the age question has no buttons
    assert status == 200
    tracker = tracker_of(sender)
    last_user = [e for e in tracker["events"] if e["event"] == "user"][-1]
    assert last_user["text"] == 'informer{"age": "5"}'  # text for the NLU, not an intent
    assert tracker["slots"]["age"] is None


def test_a_conversation_sending_too_fast_is_slowed_down() -> None:
    """After a burst, a conversation gets 429 with Retry-After; others are not affected."""
    sender = secrets.token_hex(16)
    statuses = []
    for _ in range(12):
        payload = json.dumps({"sender": sender, "message": "salut"}).encode()
        status, headers, raw = request("POST", f"{BASE}/webhook", payload)
        statuses.append(status)
        if status == 429:
            assert int(headers["Retry-After"]) >= 1
            assert json.loads(raw)["error"]
    assert 429 in statuses and statuses[0] == 200
    assert post("salut")[0] == 200
