"""Fuzzing of the web chat endpoints of the real running server over HTTP (Hypothesis):
raw random bytes, random JSON and random valid-looking messages to the webhook, random
static file names and origins. Never a 5xx, never a stack trace, always a documented
status. Budget: tests/support/fuzz.py (a quarter of the profile: each example is a real request,
and some run a conversation turn)."""

from __future__ import annotations

import json
import os
import re
import secrets

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.support.fuzz import any_text, chat_text, examples
from tests.support.server import BASE, SERVER, TOKEN, request

pytestmark = pytest.mark.server
HTTP = settings(max_examples=examples(0.25), suppress_health_check=list(HealthCheck))
# What a stack trace or an unhandled error page would show.
LEAK = re.compile(
    rb"Traceback|File \"/|\w+Error\b(?!\")|\w+Exception\b|site-packages|line \d+, in ", re.I
)


@pytest.fixture(autouse=True)
def needs_server() -> None:
    if not SERVER:
        pytest.skip("CAPNUM_SERVER_URL not set: servers not started")


def check(status: int, body: bytes, allowed: set[int]) -> None:
    assert status < 500, (status, body[:300])
    assert status in allowed, (status, body[:300])
    assert not LEAK.search(body), body[:300]


def webhook(body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    status, _, raw = request("POST", f"{BASE}/webhook", body, headers)
    return status, raw


@HTTP
@given(st.binary(max_size=2048))
@example(b"\xff\xfe{")
@example(b'{"sender": "' + b"a" * 32 + b'", "message": "\\ud800"}')  # lone surrogate
def test_raw_bytes(body: bytes) -> None:
    """Any raw bytes posted to the webhook get 200 or 400, never a 5xx or a leak."""
    check(*webhook(body), {200, 400})


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=20,
)
SENDERS = st.one_of(st.from_regex(r"\A[A-Za-z0-9_-]{16,64}\Z"), any_text, st.integers())
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "sender": SENDERS,
        "message": st.one_of(chat_text, any_text, JSON),
        "message_id": st.one_of(st.from_regex(r"\A[A-Za-z0-9_-]{8,64}\Z"), JSON),
    },
)


@HTTP
@given(st.one_of(JSON, FIELDS, st.dictionaries(any_text, JSON, max_size=3)))
def test_random_json(value: object) -> None:
    """Any JSON posted to the webhook gets a list of answers or a JSON error, never a 5xx."""
    body = json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
    status, raw = webhook(body)
    check(status, raw, {200, 400, 413})
    if status == 200:
        assert isinstance(json.loads(raw), list)
    else:
        assert json.loads(raw)["error"]


@HTTP
@given(st.one_of(chat_text, any_text, st.text(max_size=1500)))
def test_valid_messages_get_an_answer(message: str) -> None:
    """Any text from a valid sender is a conversation turn: 200 and a list of messages
    (an over-long one is answered with an explanation, not an error)."""
    body = json.dumps({"sender": secrets.token_hex(16), "message": message}).encode(
        "utf-8", "surrogatepass"
    )
    status, raw = webhook(body)
    check(status, raw, {200})
    messages = json.loads(raw)
    assert messages and all("recipient_id" in m for m in messages)


@HTTP
@given(any_text, st.sampled_from(["GET", "POST", "PUT", "DELETE", "OPTIONS"]))
@example("..%2F..%2Fwebchat.py", "GET")
@example("%00", "GET")
def test_static_names_and_methods(name: str, method: str) -> None:
    """Any static file name and method gets a 4xx unless it is a listed asset."""
    from urllib.parse import quote

    path = f"{BASE}/static/{quote(name.encode('utf-8', 'surrogatepass'), safe='')}"
    status, _, raw = request(method, path)
    check(status, raw, {200, 403, 404, 405})
    if status == 200 and method == "OPTIONS":
        assert not raw  # Sanic-CORS answers OPTIONS itself, with no body
    elif status == 200:
        assert method == "GET" and name in {
            "webchat.js",
            "webchat.css",
            "widget.js",
            "widget.css",
            "demo.css",
        }


@HTTP
@given(any_text.filter(lambda o: "\n" not in o and "\r" not in o), st.booleans())
def test_random_origins(origin: str, preflight: bool) -> None:
    """A foreign origin is refused (403, no CORS header); never an error."""
    try:
        origin.encode("latin-1")
    except UnicodeEncodeError:
        origin = origin.encode("utf-8", "surrogatepass").decode("latin-1")
    headers = {"Origin": origin}
    body = json.dumps({"sender": secrets.token_hex(16), "message": "salut"}).encode()
    method, data = ("OPTIONS", None) if preflight else ("POST", body)
    try:
        status, got, raw = request(method, f"{BASE}/webhook", data, headers)
    except ValueError:  # http.client refuses the header itself: nothing was sent
        return
    check(status, raw, {200, 204, 400, 403})
    if status == 403:
        assert "Access-Control-Allow-Origin" not in got


# Every route the run command exposes: the web chat, Telegram, and Rasa's HTTP API
# (token or not); `{id}` takes random conversation ids.
ROUTES = [
    "/",
    "/version",
    "/status",
    "/domain",
    "/webhooks/rest/webhook",
    "/webhooks/webchat/",
    "/webhooks/webchat/webhook",
    "/webhooks/webchat/effacer",
    "/webhooks/telegram/webhook",
    "/webhooks/telegram/",
    "/conversations/{id}/tracker",
    "/conversations/{id}/tracker/events",
    "/conversations/{id}/messages",
    "/conversations/{id}/trigger_intent",
    "/conversations/{id}/predict",
    "/conversations/{id}/execute",
    "/conversations/{id}/story",
    "/model/parse",
    "/model/predict",
    "/model/test/intents",
    "/model/test/stories",
    "/model",
    "/model/train",
]
IDS = st.one_of(SENDERS, st.just("\ud800"), st.just("x" * 10_000), st.just("%00"))
BODIES = st.one_of(
    st.binary(max_size=2048),
    JSON.map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8", "surrogatepass")),
    FIELDS.map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8", "surrogatepass")),
)


def alive() -> bool:
    status, _, raw = request("GET", f"{BASE}/")
    return status == 200 and b"<html" in raw


@HTTP
@given(
    st.sampled_from(ROUTES),
    IDS,
    st.sampled_from(["GET", "POST", "PUT", "DELETE", "OPTIONS"]),
    BODIES,
    st.sampled_from(["", "?token=", "?token=wrong", "token"]),
)
@example("/conversations/{id}/tracker", "\ud800", "GET", b"", "token")
@example("/conversations/{id}/messages", "\ud800", "POST", b'{"text": "ok"}', "token")
@example("/webhooks/rest/webhook", "x", "POST", b'{"sender": "\\ud800", "message": "a"}', "")
def test_every_route_survives_anything(
    route: str, sender: object, method: str, body: bytes, token: str
) -> None:
    """Any method, id, body and token on any exposed route: without the token never a
    5xx nor a stack trace, and whatever happened, the server answers afterwards (one
    request stopped the whole Rasa server)."""
    from urllib.parse import quote

    conversation = quote(str(sender).encode("utf-8", "surrogatepass"), safe="")
    query = f"?token={TOKEN}" if token == "token" else token
    path = route.replace("{id}", conversation) + query
    data = None if method in ("GET", "OPTIONS") else body
    # With the token, the Telegram webhook also gets its secret: the update is parsed.
    secret = os.environ.get("CAPNUM_TELEGRAM_SECRET", "") if token == "token" else ""
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    status, _, raw = request(method, path, data, headers)
    unconfigured = route.startswith("/webhooks/telegram/") and b"not configured" in raw
    if token != "token" and not (status == 503 and unconfigured):
        check(status, raw, set(range(200, 500)))
    assert alive(), (method, path[:120], status)
