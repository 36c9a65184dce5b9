"""Web chat channel: serves the chat page, the partner-site widget and a demo page, and
receives the page's messages (REST-like, JSON answer with the bot's messages).

Routes, under `/webhooks/webchat/`: `` (the chat page), `demo` (a partner page embedding
the widget), `confidentialite` (the privacy page), `static/<file>`, and `webhook` (POST
`{"sender", "message", "message_id"}`). Personal data in messages is masked before Rasa
sees it (`bot.privacy`).
Browsers may only call the webhook or frame the page from the server's own origin and the
origins listed in `allowed_origins` (credentials.yml, from `CAPNUM_WEB_ORIGINS`).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.guard import (
    ALWAYS_ALLOWED,
    RateLimiter,
    as_plain_text,
    is_command,
    offered_payloads,
)
from bot.privacy import mask, masking_note
from bot.resilience import FAILURE_RESPONSE
from bot.tracker_store import STORE_FAILURES

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
DEFAULT_MAX_LENGTH = 1000
MAX_BODY_BYTES = 16 * 1024
DEFAULT_RATE_PER_CONVERSATION = 20.0  # messages a minute, after a burst of 8
DEFAULT_RATE_PER_ADDRESS = 300.0  # messages a minute from one address (a class, a NAT)
EMPTY_MESSAGE_INTENT = "/nlu_fallback"
TOO_LONG_INTENT = "/message_trop_long"
WEBHOOK_PATH = "/webhooks/webchat/webhook"
SENDER_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
MESSAGE_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,64}")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_STATIC_FILES = {
    "webchat.js": "text/javascript",
    "webchat.css": "text/css",
    "widget.js": "text/javascript",
    "widget.css": "text/css",
    "demo.css": "text/css",
    "document.css": "text/css",
}


def prepare_text(text: Any, max_length: int = DEFAULT_MAX_LENGTH) -> str:
    """What is sent to the assistant for a typed text: empty and huge texts are replaced
    by intents whose answers explain the problem in French; the text is valid UTF-8."""
    if not isinstance(text, str) or not text.strip():
        return EMPTY_MESSAGE_INTENT
    # A lone surrogate ("\ud800" in the JSON) is no character: spaCy cannot hash it.
    text = LONE_SURROGATE.sub("\ufffd", text).strip()
    if len(text) > max_length:
        return TOO_LONG_INTENT
    return text


def parse_origins(value: str | Iterable[str] | None) -> frozenset[str]:
    """Allowed origins from credentials: a list, or one string separated by commas/spaces.
    Each is normalised to `scheme://host[:port]` without a trailing slash."""
    if value is None:
        return frozenset()
    items = re.split(r"[,\s]+", value) if isinstance(value, str) else list(value)
    return frozenset(str(o).strip().rstrip("/") for o in items if str(o).strip())


def origin_allowed(origin: str | None, host: str, allowed: frozenset[str]) -> bool:
    """True for requests without an Origin header (not from a browser page), for the
    server's own origin, and for the configured origins."""
    if not origin:
        return True
    if origin in allowed:
        return True
    return origin.split("://", 1)[-1] == host


def security_headers(allowed: frozenset[str], page: bool) -> dict[str, str]:
    """Headers of the served files; pages get a strict Content-Security-Policy whose
    frame-ancestors are the allowed origins."""
    headers = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
    if page:
        ancestors = " ".join(["'self'", *sorted(allowed)])
        headers["Content-Security-Policy"] = (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'self'; "
            f"frame-ancestors {ancestors}"
        )
    return headers


class TrackerStoreUnavailable(RuntimeError):
    """The conversation database failed during the turn."""


class RecentAnswers:
    """Answers of the last messages by (sender, message id), so that a client retrying an
    unacknowledged message gets the same answer instead of a second turn."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._answers: OrderedDict[tuple[str, str], asyncio.Future[list[dict[str, Any]]]] = (
            OrderedDict()
        )

    async def answer(
        self,
        key: tuple[str, str] | None,
        compute: Callable[[], Awaitable[list[dict[str, Any]]]],
    ) -> list[dict[str, Any]]:
        """The stored answer for `key`, or the result of `compute()` (stored if it works)."""
        if key is None:
            return await compute()
        known = self._answers.get(key)
        if known is not None:
            return await asyncio.shield(known)
        future: asyncio.Future[list[dict[str, Any]]] = asyncio.get_running_loop().create_future()
        self._answers[key] = future
        while len(self._answers) > self.size:
            self._answers.popitem(last=False)
        try:
            result = await compute()
        except BaseException as exc:
            self._answers.pop(key, None)
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning
            raise
        future.set_result(result)
        return result


class WebChatInput(RestInput):
    """REST channel plus the chat page, the widget and the demo page."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    def __init__(
        self,
        max_length: int = DEFAULT_MAX_LENGTH,
        allowed_origins: Iterable[str] = (),
        rate_per_conversation: float = DEFAULT_RATE_PER_CONVERSATION,
        rate_per_address: float = DEFAULT_RATE_PER_ADDRESS,
    ) -> None:
        self.max_length = max_length
        self.allowed_origins = frozenset(allowed_origins)
        self.recent = RecentAnswers()
        # Bursts: a few quick taps in a conversation; a whole class behind one address.
        self.per_conversation = RateLimiter(rate_per_conversation, burst=8)
        self.per_address = RateLimiter(rate_per_address, burst=max(10, int(rate_per_address)))

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WebChatInput:
        credentials = credentials or {}
        return cls(
            int(credentials.get("max_length") or DEFAULT_MAX_LENGTH),
            parse_origins(credentials.get("allowed_origins")),
            float(credentials.get("rate_per_conversation") or DEFAULT_RATE_PER_CONVERSATION),
            float(credentials.get("rate_per_address") or DEFAULT_RATE_PER_ADDRESS),
        )

    def _rate_limited(self, request: Request, sender_id: str) -> HTTPResponse | None:
        for limiter, key in (
            (self.per_address, request.remote_addr or request.ip),
            (self.per_conversation, sender_id),
        ):
            if not limiter.allow(key):
                response_ = self._error(request, 429, "too many messages")
                response_.headers["Retry-After"] = str(limiter.retry_after(key))
                return response_
        return None

    async def _checked_command(self, request: Request, sender_id: str, text: str) -> str:
        """A "/intent" text is kept only if the assistant offered it as a button."""
        if not is_command(text) or text.strip() in ALWAYS_ALLOWED:
            return text
        tracker = await request.app.ctx.agent.tracker_store.retrieve(sender_id)
        if tracker is not None and text.strip() in offered_payloads(tracker.events):
            return text
        return as_plain_text(text)

    def _cors(self, request: Request) -> dict[str, str]:
        origin = request.headers.get("origin")
        if not origin or not origin_allowed(origin, request.host, self.allowed_origins):
            return {}
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type",
            "Access-Control-Max-Age": "600",
            "Vary": "Origin",
        }

    async def preflight(self, request: Request) -> HTTPResponse | None:
        """CORS preflight of the webhook. `bot.server` installs it as an app middleware,
        ahead of Sanic-CORS (set up by Rasa for its API), which would otherwise answer
        every OPTIONS request itself, without the allowed origins."""
        if request.method != "OPTIONS" or not request.path.rstrip("/").endswith(WEBHOOK_PATH):
            return None
        headers = self._cors(request)
        return response.empty(status=204 if headers else 403, headers=headers)

    def _unavailable(self, request: Request, exc: Exception) -> HTTPResponse:
        """503 with the French failure message: the turn was not recorded, and the page
        keeps the message and sends it again (same message id) a little later."""
        logger.error("web chat turn failed: %s", type(exc).__name__)
        responses = request.app.ctx.agent.domain.responses
        text = responses.get(FAILURE_RESPONSE, [{}])[0].get("text", "")
        return response.json(
            {"error": "unavailable", "messages": [{"text": text}]},
            status=503,
            headers={**self._cors(request), "Retry-After": "5"},
        )

    def _error(self, request: Request, status: int, error: str) -> HTTPResponse:
        return response.json({"error": error}, status=status, headers=self._cors(request))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webchat = Blueprint("webchat_webhook", inspect.getmodule(self).__name__)

        async def page(name: str) -> HTTPResponse:
            return await response.file(
                STATIC_DIR / name, headers=security_headers(self.allowed_origins, page=True)
            )

        @webchat.route("/", methods=["GET"])
        async def chat_page(_: Request) -> HTTPResponse:
            return await page("webchat.html")

        @webchat.route("/demo", methods=["GET"])
        async def demo_page(_: Request) -> HTTPResponse:
            return await page("demo.html")

        @webchat.route("/confidentialite", methods=["GET"])
        async def privacy_page(_: Request) -> HTTPResponse:
            return await page("confidentialite.html")

        @webchat.route("/static/<name>", methods=["GET"])
        async def static(_: Request, name: str) -> HTTPResponse:
            if name not in _STATIC_FILES:
                return response.json({"error": "not found"}, status=404)
            return await response.file(
                STATIC_DIR / name,
                mime_type=_STATIC_FILES[name],
                headers={**security_headers(self.allowed_origins, page=False)},
            )

        @webchat.route("/webhook", methods=["OPTIONS"])
        async def options(request: Request) -> HTTPResponse:
            return await self.preflight(request) or response.empty(status=405)

        @webchat.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not origin_allowed(
                request.headers.get("origin"), request.host, self.allowed_origins
            ):
                return self._error(request, 403, "origin not allowed")
            if len(request.body or b"") > MAX_BODY_BYTES:
                return self._error(request, 413, "body too large")
            try:
                body = json.loads(request.body or b"{}")
            except (ValueError, UnicodeDecodeError):
                return self._error(request, 400, "invalid JSON")
            if not isinstance(body, dict):
                return self._error(request, 400, "JSON object expected")
            sender_id = body.get("sender")
            if not isinstance(sender_id, str) or not SENDER_PATTERN.fullmatch(sender_id):
                return self._error(request, 400, "sender missing or invalid")
            message_id = body.get("message_id")
            if message_id is not None and (
                not isinstance(message_id, str) or not MESSAGE_ID_PATTERN.fullmatch(message_id)
            ):
                return self._error(request, 400, "message_id invalid")
            limited = self._rate_limited(request, sender_id)
            if limited is not None:
                return limited
            raw = body.get("message")
            if isinstance(raw, str) and is_command(raw):
                try:
                    raw = await self._checked_command(request, sender_id, raw)
                except Exception as exc:  # the tracker store is down: the turn would fail too
                    return self._unavailable(request, exc)
            masked = mask(prepare_text(raw, self.max_length))
            text = masked.text

            async def turn() -> list[dict[str, Any]]:
                collector = CollectingOutputChannel()
                failures: list[str] = []
                token = STORE_FAILURES.set(failures)
                try:
                    await on_new_message(
                        UserMessage(
                            text,
                            collector,
                            sender_id,
                            input_channel=self.name(),
                            message_id=message_id,
                        )
                    )
                finally:
                    STORE_FAILURES.reset(token)
                if failures:  # answered from an empty tracker, not saved: refuse the turn
                    raise TrackerStoreUnavailable(failures[0])
                return collector.messages

            key = (sender_id, message_id) if message_id else None
            try:
                messages = await self.recent.answer(key, turn)
            except Exception as exc:  # database or model failure: say so, the client retries
                return self._unavailable(request, exc)
            if masked.kinds:
                note = masking_note(request.app.ctx.agent.domain.responses, masked.kinds)
                messages = [{"recipient_id": sender_id, "text": note}, *messages]
            return response.json(messages, headers=self._cors(request))

        return webchat
