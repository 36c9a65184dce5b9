"""Web chat channel input rules and the refusal of model-changing API endpoints."""

from __future__ import annotations

import asyncio
import functools
import json
from types import SimpleNamespace

import pytest
from rasa.shared.core.domain import Domain

from bot.channels.guard import EMPTY_MESSAGE_INTENT, TOO_LONG_INTENT, prepare_text
from bot.channels.replay import RecentAnswers
from bot.channels.webchat import (
    WebChatInput,
    origin_allowed,
    own_origins,
    parse_origins,
    security_headers,
)
from bot.config import REPO_ROOT
from bot.patches.launcher import refuse_model_endpoints

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", EMPTY_MESSAGE_INTENT),
        ("   \n ", EMPTY_MESSAGE_INTENT),
        (None, EMPTY_MESSAGE_INTENT),
        ("a" * 5000, TOO_LONG_INTENT),
        ("  salut  ", "salut"),
        ("😀😀😀", "😀😀😀"),
        # Regression (found by tests/integration/test_fuzz_http.py): a lone surrogate from the JSON
        # ("\ud800") crashed spaCy's tokenizer, and the webhook answered 500.
        (" j'ai \ud800 19 ans\udfff", "j'ai \ufffd 19 ans\ufffd"),
        # A NUL byte or other control characters are no text: they become spaces.
        ("\x00", EMPTY_MESSAGE_INTENT),
        ("ok\x00\x1b[31m", "ok [31m"),
        ("ligne 1\nligne 2", "ligne 1\nligne 2"),
    ],
)
def test_prepare_text(text, expected):
    """Empty and huge messages are replaced by intents with a French answer."""
    assert prepare_text(text, max_length=1000) == expected


def test_max_length_and_origins_from_credentials():
    """The length limit and the allowed origins come from credentials.yml."""
    channel = WebChatInput.from_credentials(
        {"max_length": 200, "allowed_origins": "https://a.example, https://b.example/"}
    )
    assert channel.max_length == 200
    assert channel.allowed_origins == {"https://a.example", "https://b.example"}
    default = WebChatInput.from_credentials(None)
    assert default.max_length == 1000 and default.allowed_origins == frozenset()
    # CAPNUM_WEB_ORIGINS unset: Rasa expands ${...} to an empty string.
    assert WebChatInput.from_credentials({"allowed_origins": ""}).allowed_origins == frozenset()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, set()),
        ("", set()),
        ("https://a.example", {"https://a.example"}),
        (
            "https://a.example/ http://localhost:8080,,",
            {"https://a.example", "http://localhost:8080"},
        ),
        (["https://a.example/", " "], {"https://a.example"}),
    ],
)
def test_parse_origins(value, expected):
    """Allowed origins are parsed from a string or list, trimmed of slashes and blanks."""
    assert parse_origins(value) == expected


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        (None, True),  # not a browser page (curl, tests, server-side clients)
        ("http://127.0.0.1:5005", True),  # the server's own page
        ("https://partenaire.example", True),  # configured
        ("https://evil.example", False),
        ("http://127.0.0.1:5006", False),  # another port is another origin
        ("https://partenaire.example.evil.example", False),
        ("null", False),  # sandboxed iframes and file:// pages
    ],
)
def test_origin_allowed(origin, allowed):
    """Only the server's own origin and the configured ones may call from a page."""
    configured = frozenset({"https://partenaire.example"})
    own = own_origins("http", "127.0.0.1:5005", None)
    assert origin_allowed(origin, own, configured) is allowed


@pytest.mark.parametrize(
    ("scheme", "host", "public_url", "expected"),
    [
        ("http", "127.0.0.1:5005", None, {"http://127.0.0.1:5005"}),
        ("http", "localhost:5005", None, {"http://localhost:5005"}),
        ("http", "[::1]:5005", None, {"http://[::1]:5005"}),
        # The scheme counts: https://127.0.0.1:5005 is another origin.
        ("https", "127.0.0.1:5005", None, {"https://127.0.0.1:5005"}),
        # A Host header that is not the loopback (DNS rebinding, a forged header) is
        # never taken as the server's own origin; the public address is.
        ("http", "evil.example:5005", None, set()),
        (
            "http",
            "evil.example",
            "https://capnum.example/chat",
            {"https://capnum.example"},
        ),
    ],
)
def test_own_origins(scheme, host, public_url, expected):
    """The server's own origins come from its public address and the loopback only,
    scheme included (the old check compared with any Host header, scheme ignored)."""
    assert own_origins(scheme, host, public_url) == expected
    if expected:
        origin = sorted(expected)[0]
        assert origin_allowed(origin, own_origins(scheme, host, public_url), frozenset())
    assert not origin_allowed(f"http://{host}", own_origins("https", host, None), frozenset())


def test_security_headers_frame_only_for_allowed_origins():
    """Pages forbid inline scripts and may be framed only by the allowed origins."""
    headers = security_headers(frozenset({"https://partenaire.example"}), page=True)
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert csp.endswith("frame-ancestors 'self' https://partenaire.example")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in security_headers(frozenset(), page=False)


async def test_recent_answers_replays_a_retried_message():
    """A retried message id gets the first answer; the turn runs once, even concurrently."""
    recent = RecentAnswers(size=2)
    calls = []

    async def turn():
        calls.append(1)
        await asyncio.sleep(0.01)
        return [{"text": f"réponse {len(calls)}"}]

    first, again = await asyncio.gather(
        recent.answer(("s", "m1"), turn), recent.answer(("s", "m1"), turn)
    )
    assert first == again == [{"text": "réponse 1"}]
    assert await recent.answer(("s", "m1"), turn) == [{"text": "réponse 1"}]
    assert len(calls) == 1
    assert await recent.answer(("s", "m2"), turn) == [{"text": "réponse 2"}]
    assert await recent.answer(None, turn) == [{"text": "réponse 3"}]  # no id: no replay
    await recent.answer(("s", "m3"), turn)  # size 2: m1 is forgotten
    assert await recent.answer(("s", "m1"), turn) == [{"text": "réponse 5"}]


async def test_recent_answers_forgets_failed_turns():
    """A turn that failed is run again on retry (nothing was answered)."""
    recent = RecentAnswers()
    attempts = []

    async def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("down")
        return [{"text": "ok"}]

    with pytest.raises(ConnectionError):
        await recent.answer(("s", "m"), flaky)
    assert await recent.answer(("s", "m"), flaky) == [{"text": "ok"}]


class FakeRequest:
    def __init__(self, method: str, path: str) -> None:
        self.method = method
        self.path = path


@pytest.mark.parametrize(
    ("method", "path", "refused"),
    [
        ("PUT", "/model", True),
        ("POST", "/model/train", True),
        ("DELETE", "/model", True),
        ("GET", "/status", False),
        ("GET", "/conversations/abc/tracker", False),
        ("POST", "/webhooks/webchat/webhook", False),
    ],
)
async def test_model_endpoints_are_refused(method, path, refused):
    """Model upload, unload and training answer 403; other endpoints pass."""
    result = await refuse_model_endpoints(FakeRequest(method, path))
    assert (result is not None and result.status == 403) is refused


@functools.lru_cache(maxsize=1)
def _domain_responses() -> dict:
    return Domain.load(str(REPO_ROOT / "domain.yml")).responses


class FakeClient:
    """The parts of a Sanic request the rate limits read (and the domain, for the texts)."""

    def __init__(self, address: str) -> None:
        self.remote_addr = ""
        self.ip = address
        self.host = "127.0.0.1:5005"
        self.scheme = "http"
        self.headers: dict[str, str] = {}
        domain = SimpleNamespace(responses=_domain_responses())
        self.app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(domain=domain)))


def test_rate_limits_per_address_and_per_conversation():
    """One address shares its budget across conversations; a conversation has its own
    smaller one; refusals are 429 with Retry-After."""
    channel = WebChatInput(rate_per_conversation=20, rate_per_address=12)
    school = FakeClient("10.0.0.1")
    refused = [channel._rate_limited(school, f"conversation-{i:08d}") for i in range(13)]
    assert all(r is None for r in refused[:12])
    assert refused[12] is not None and refused[12].status == 429
    assert int(refused[12].headers["Retry-After"]) >= 1
    body = json.loads(refused[12].body)
    assert body["error"] == "too_many_messages"
    assert body["message"].startswith("Tu envoies beaucoup de messages")
    home = FakeClient("10.0.0.2")
    answers = [channel._rate_limited(home, "one-conversation-00") for _ in range(9)]
    assert all(r is None for r in answers[:8]) and answers[8].status == 429
    assert WebChatInput.from_credentials({"rate_per_address": "600"}).per_address.burst == 600


def test_exempt_addresses_are_not_limited(monkeypatch):
    """CAPNUM_WEB_RATE_EXEMPT (a load generator, a probe) lifts the limits of those
    addresses only."""
    monkeypatch.setenv("CAPNUM_WEB_RATE_EXEMPT", " 127.0.0.1, ::1 ,")
    channel = WebChatInput(rate_per_conversation=20, rate_per_address=12)
    assert channel.exempt == {"127.0.0.1", "::1"}
    probe, other = FakeClient("127.0.0.1"), FakeClient("10.0.0.3")
    assert all(channel._rate_limited(probe, "one-conversation-00") is None for _ in range(50))
    assert [channel._rate_limited(other, "two-conversation-0") for _ in range(9)][8].status == 429


def test_server_refuses_an_unguarded_channel(capsys):
    """Rasa's plain REST channel (no guard) stops the start with a French message; the
    web chat and Telegram are accepted."""
    from rasa.core.channels.rest import RestInput

    from bot.channels.telegram.channel import TelegramInput
    from bot.patches.launcher import UnguardedChannel, check_channels

    check_channels([WebChatInput(), TelegramInput.from_credentials({})])
    with pytest.raises(UnguardedChannel) as refused:
        check_channels([WebChatInput(), RestInput()])
    assert refused.value.code == 2
    assert "canal non protégé" in capsys.readouterr().err


def test_credentials_expose_only_guarded_channels():
    """credentials.yml names only Cap Num's guarded channels (no `rest:`)."""
    import yaml

    credentials = yaml.safe_load((REPO_ROOT / "credentials.yml").read_text(encoding="utf-8"))
    assert sorted(credentials) == [
        "bot.channels.telegram.channel.TelegramInput",
        "bot.channels.webchat.WebChatInput",
        "bot.console.routes.ConsoleInput",
    ]
