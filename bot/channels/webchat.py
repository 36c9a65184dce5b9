"""Web chat channel: serves the chat page, the partner-site widget and a demo page, and
receives the page's messages (REST-like, JSON answer with the bot's messages).

Routes, under `/webhooks/webchat/`: `` (the chat page), `demo` (a partner page embedding
the widget), `confidentialite` (the privacy page), `static/<file>`, `webhook` (POST
`{"sender", "message", "message_id"}`) and `effacer` (POST `{"sender"}`: erases the
conversation and answers `{"efface": true}` only once it is erased). Every message goes
through `bot.channels.guard` (sender id, text, masking, commands, rate limits); errors
answer `{"error": code, "message": French text}`.
Browsers may only call the webhook or frame the page from the server's own origin and the
origins listed in `allowed_origins` (credentials.yml, from `CAPNUM_WEB_ORIGINS`).
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import re
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
    DEFAULT_MAX_LENGTH,
    DEFAULT_RATE_PER_CONVERSATION,
    GuardedInput,
    RateLimiter,
    as_plain_text,
    guard_text,
    is_command,
    offered_payloads,
    sender_ok,
    without_repeats,
)
from bot.channels.replay import replay_memory
from bot.config import DEFAULTS, setting
from bot.console import partage
from bot.console.service import POUSSEURS, after_turn
from bot.console.service import effacer_conversation as effacer_console
from bot.console.service import service as console
from bot.patches.action_timeout import FAILURE_RESPONSE
from bot.presentation import Texts
from bot.privacy import masking_note
from bot.tracker_store import erase_conversation, store_failures_fail_the_turn

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
MAX_BODY_BYTES = 16 * 1024
# Messages a minute from one address (a class, a NAT).
DEFAULT_RATE_PER_ADDRESS = float(DEFAULTS["CAPNUM_WEB_RATE_ADDRESS"])
WEBHOOK_PATH = "/webhooks/webchat/webhook"
ERASE_PATH = "/webhooks/webchat/effacer"
NEWS_PATH = "/webhooks/webchat/nouvelles"
MESSAGE_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,64}")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})
# French text (domain response) of each error code of the HTTP routes.
ERROR_TEXTS = {
    "origin_not_allowed": "libelle_erreur_origine",
    "body_too_large": "libelle_erreur_trop_long",
    "invalid_json": "libelle_erreur_requete",
    "invalid_sender": "libelle_erreur_requete",
    "invalid_message_id": "libelle_erreur_requete",
    "too_many_messages": "libelle_erreur_trop_de_messages",
    "unavailable": FAILURE_RESPONSE,
}
_STATIC_FILES = {
    "webchat.js": "text/javascript",
    "webchat.css": "text/css",
    "widget.js": "text/javascript",
    "widget.css": "text/css",
    "demo.css": "text/css",
    "document.css": "text/css",
}


def parse_origins(value: str | Iterable[str] | None) -> frozenset[str]:
    """Allowed origins from credentials: a list, or one string separated by commas/spaces.
    Each is normalised to `scheme://host[:port]` without a trailing slash."""
    if value is None:
        return frozenset()
    items = re.split(r"[,\s]+", value) if isinstance(value, str) else list(value)
    return frozenset(o for o in map(_clean_origin, items) if o)


def parse_addresses(value: str | None) -> frozenset[str]:
    """The client addresses exempt from the rate limits (`CAPNUM_WEB_RATE_EXEMPT`, comma
    separated: a load generator or a monitoring probe, never a public address)."""
    return frozenset(a.strip() for a in (value or "").split(",") if a.strip())


def _clean_origin(value: object) -> str:
    """An origin without surrounding spaces nor trailing slashes ("0\r/" gives "0")."""
    text, previous = str(value), None
    while text != previous:
        previous, text = text, text.strip().rstrip("/")
    return text


def origin_of(url: str | None) -> str | None:
    """`scheme://host[:port]` of a URL (None for an empty one)."""
    if not url or "://" not in url:
        return None
    scheme, rest = url.split("://", 1)
    return f"{scheme.lower()}://{rest.split('/', 1)[0].lower()}"


def origin_allowed(origin: str | None, own_origins: Iterable[str], allowed: frozenset[str]) -> bool:
    """True for requests without an Origin header (not from a browser page), for the
    server's own origins (scheme included) and for the configured origins."""
    if not origin:
        return True
    return origin in allowed or origin.lower() in own_origins


def own_origins(scheme: str, host: str, public_url: str | None) -> frozenset[str]:
    """The server's own origins: the public address (`CAPNUM_PUBLIC_URL`), and the address
    asked for when it is the loopback. Any other Host header is ignored: a page of a
    domain pointed at this machine (DNS rebinding) is not the server's own origin."""
    origins = {o for o in [origin_of(public_url)] if o}
    host = host.lower()
    hostname = host.split("]")[0] + "]" if host.startswith("[") else host.rsplit(":", 1)[0]
    if hostname in LOOPBACK_HOSTS:
        origins.add(f"{scheme.lower()}://{host}")
    return frozenset(origins)


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


class WebChatInput(GuardedInput, RestInput):
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
        self.recent = replay_memory()
        # Bursts: a few quick taps in a conversation; a whole class behind one address.
        self.per_conversation = RateLimiter(rate_per_conversation, burst=8, name="web_sender")
        self.per_address = RateLimiter(
            rate_per_address, burst=max(10, int(rate_per_address)), name="web_address"
        )
        # The page asks for the counsellor's messages every 2 s while a session is shared.
        self.news = RateLimiter(60, burst=10, name="web_news")
        self.exempt = parse_addresses(setting("CAPNUM_WEB_RATE_EXEMPT"))

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WebChatInput:
        credentials = credentials or {}
        return cls(
            int(credentials.get("max_length") or DEFAULT_MAX_LENGTH),
            parse_origins(credentials.get("allowed_origins")),
            float(credentials.get("rate_per_conversation") or DEFAULT_RATE_PER_CONVERSATION),
            float(credentials.get("rate_per_address") or DEFAULT_RATE_PER_ADDRESS),
        )

    def _origin_ok(self, request: Request) -> bool:
        own = own_origins(request.scheme, request.host, os.environ.get("CAPNUM_PUBLIC_URL"))
        return origin_allowed(request.headers.get("origin"), own, self.allowed_origins)

    def _rate_limited(self, request: Request, sender_id: str) -> HTTPResponse | None:
        address = request.remote_addr or request.ip
        if address in self.exempt:
            return None
        for limiter, key in ((self.per_address, address), (self.per_conversation, sender_id)):
            wait = limiter.wait(key)
            if wait:
                response_ = self._error(request, 429, "too_many_messages")
                response_.headers["Retry-After"] = str(wait)
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
        if not origin or not self._origin_ok(request):
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
        if request.method != "OPTIONS" or not request.path.rstrip("/").endswith(
            (WEBHOOK_PATH, ERASE_PATH, NEWS_PATH)
        ):
            return None
        headers = self._cors(request)
        return response.empty(status=204 if headers else 403, headers=headers)

    def _unavailable(self, request: Request, exc: Exception) -> HTTPResponse:
        """503 with the French failure message: the turn was not recorded, and the page
        keeps the message and sends it again (same message id) a little later."""
        logger.error("web chat turn failed: %s", type(exc).__name__)
        text = _domain_text(request, FAILURE_RESPONSE)
        return response.json(
            {"error": "unavailable", "message": text, "messages": [{"text": text}]},
            status=503,
            headers={**self._cors(request), "Retry-After": "5"},
        )

    def _error(self, request: Request, status: int, error: str) -> HTTPResponse:
        """`{"error": code, "message": French text}` with the CORS headers."""
        body = {"error": error, "message": _domain_text(request, ERROR_TEXTS[error])}
        return response.json(body, status=status, headers=self._cors(request))

    async def _read_body(self, request: Request) -> dict[str, Any] | HTTPResponse:
        """The JSON object of a POST, with a valid sender id, or the error answer."""
        if not self._origin_ok(request):
            return self._error(request, 403, "origin_not_allowed")
        if len(request.body or b"") > MAX_BODY_BYTES:
            return self._error(request, 413, "body_too_large")
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError, RecursionError):
            # RecursionError: thousands of nested brackets.
            return self._error(request, 400, "invalid_json")
        if not isinstance(body, dict):
            return self._error(request, 400, "invalid_json")
        if not sender_ok(body.get("sender")):
            return self._error(request, 400, "invalid_sender")
        return body

    async def erase(self, request: Request) -> HTTPResponse:
        """Erases one conversation at once (the page's "Effacer mes données" button, after
        its own confirmation dialog); answers `{"efface": true}` once it is done."""
        body = await self._read_body(request)
        if isinstance(body, HTTPResponse):
            return body
        sender_id = body["sender"]
        limited = self._rate_limited(request, sender_id)
        if limited is not None:
            return limited
        agent = request.app.ctx.agent
        try:
            async with agent.lock_store.lock(sender_id):
                await erase_conversation(agent.tracker_store, sender_id)
                effacer_console(sender_id)
        except Exception as exc:  # database down: nothing is said to be erased
            return self._unavailable(request, exc)
        self.recent.forget(sender_id)
        text = _domain_text(request, "libelle_effacement_fait")
        return response.json({"efface": True, "message": text}, headers=self._cors(request))

    async def news_of(self, request: Request) -> HTTPResponse:
        """The messages a counsellor pushed to this conversation since the last call."""
        body = await self._read_body(request)
        if isinstance(body, HTTPResponse):
            return body
        if not self.news.allow(body["sender"]):
            return self._error(request, 429, "too_many_messages")
        try:
            messages = console().seances.retirer(body["sender"])
        except Exception as exc:
            return self._unavailable(request, exc)
        return response.json(messages, headers=self._cors(request))

    async def push(self, sender_id: str, _: str, messages: list[dict[str, Any]], __: Texts) -> None:
        """Keeps a counsellor's messages until the page asks for them (`nouvelles`)."""
        console().seances.deposer(sender_id, messages)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webchat = Blueprint("webchat_webhook", inspect.getmodule(self).__name__)
        POUSSEURS["webchat"] = self.push

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

        @webchat.route("/effacer", methods=["OPTIONS"])
        async def erase_options(request: Request) -> HTTPResponse:
            return await self.preflight(request) or response.empty(status=405)

        @webchat.route("/effacer", methods=["POST"])
        async def erase(request: Request) -> HTTPResponse:
            return await self.erase(request)

        @webchat.route("/nouvelles", methods=["OPTIONS"])
        async def news_options(request: Request) -> HTTPResponse:
            return await self.preflight(request) or response.empty(status=405)

        @webchat.route("/nouvelles", methods=["POST"])
        async def news(request: Request) -> HTTPResponse:
            return await self.news_of(request)

        @webchat.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = await self._read_body(request)
            if isinstance(body, HTTPResponse):
                return body
            sender_id = body["sender"]
            message_id = body.get("message_id")
            if message_id is not None and (
                not isinstance(message_id, str) or not MESSAGE_ID_PATTERN.fullmatch(message_id)
            ):
                return self._error(request, 400, "invalid_message_id")
            limited = self._rate_limited(request, sender_id)
            if limited is not None:
                return limited
            raw = body.get("message")
            try:
                answer = partage.intercepter(console(), _texts(request), raw, sender_id, "webchat")
            except Exception as exc:  # the console's database is down: say so, retry later
                return self._unavailable(request, exc)
            if answer is not None:
                return response.json(answer, headers=self._cors(request))
            if isinstance(raw, str) and is_command(raw):
                try:
                    raw = await self._checked_command(request, sender_id, raw)
                except Exception as exc:  # the tracker store is down: the turn would fail too
                    return self._unavailable(request, exc)
            masked = guard_text(raw, self.max_length)
            text = masked.text

            async def turn() -> list[dict[str, Any]]:
                collector = CollectingOutputChannel()
                with store_failures_fail_the_turn():
                    await on_new_message(
                        UserMessage(
                            text,
                            collector,
                            sender_id,
                            input_channel=self.name(),
                            message_id=message_id,
                        )
                    )
                return without_repeats(collector.messages)

            key = (sender_id, message_id) if message_id else None
            try:
                messages = await self.recent.answer(key, turn)
            except Exception as exc:  # database or model failure: say so, the client retries
                return self._unavailable(request, exc)
            after_turn(sender_id)
            if masked.kinds:
                note = masking_note(request.app.ctx.agent.domain.responses, masked.kinds)
                messages = [{"recipient_id": sender_id, "text": note}, *messages]
            return response.json(messages, headers=self._cors(request))

        return webchat


def _texts(request: Request) -> Texts:
    return Texts(request.app.ctx.agent.domain.responses)


def _domain_text(request: Request, name: str) -> str:
    """The French text of a domain response (empty if the domain lacks it)."""
    responses = request.app.ctx.agent.domain.responses
    return str((responses.get(name) or [{}])[0].get("text", ""))
