"""Web chat channel: serves the chat page and receives its messages (REST-like).

The page is at `/webhooks/webchat/` on the Rasa server, and posts to
`/webhooks/webchat/webhook`, so no other web server and no CORS are needed.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

STATIC_DIR = Path(__file__).parent / "static"
DEFAULT_MAX_LENGTH = 1000
EMPTY_MESSAGE_INTENT = "/nlu_fallback"
TOO_LONG_INTENT = "/message_trop_long"
_STATIC_FILES = {"webchat.js": "text/javascript", "webchat.css": "text/css"}


def prepare_text(text: Any, max_length: int = DEFAULT_MAX_LENGTH) -> str:
    """What is sent to the assistant for a typed text: empty and huge texts are replaced
    by intents whose answers explain the problem in French."""
    if not isinstance(text, str) or not text.strip():
        return EMPTY_MESSAGE_INTENT
    text = text.strip()
    if len(text) > max_length:
        return TOO_LONG_INTENT
    return text


class WebChatInput(RestInput):
    """REST channel plus the chat page."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    def __init__(self, max_length: int = DEFAULT_MAX_LENGTH) -> None:
        self.max_length = max_length

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WebChatInput:
        credentials = credentials or {}
        return cls(int(credentials.get("max_length", DEFAULT_MAX_LENGTH)))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webchat = Blueprint("webchat_webhook", inspect.getmodule(self).__name__)

        @webchat.route("/", methods=["GET"])
        async def page(_: Request) -> HTTPResponse:
            return await response.file(STATIC_DIR / "webchat.html")

        @webchat.route("/static/<name>", methods=["GET"])
        async def static(_: Request, name: str) -> HTTPResponse:
            if name not in _STATIC_FILES:
                return response.json({"error": "not found"}, status=404)
            return await response.file(STATIC_DIR / name, mime_type=_STATIC_FILES[name])

        @webchat.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = request.json if isinstance(request.json, dict) else {}
            sender_id = body.get("sender")
            if not isinstance(sender_id, str) or not 8 <= len(sender_id) <= 64:
                return response.json({"error": "sender missing"}, status=400)
            text = prepare_text(body.get("message"), self.max_length)
            collector = CollectingOutputChannel()
            await on_new_message(UserMessage(text, collector, sender_id, input_channel=self.name()))
            return response.json(collector.messages)

        return webchat
