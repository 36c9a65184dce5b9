"""The Telegram input channel: the webhook's checks, one turn per update under a lock per
conversation, button taps, and the answers sent back in order (never a 500: Telegram
would deliver the update again)."""

from __future__ import annotations

import asyncio
import hmac
import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.guard import (
    ALWAYS_ALLOWED,
    DEFAULT_MAX_LENGTH,
    DEFAULT_RATE_PER_CONVERSATION,
    EMPTY_MESSAGE_INTENT,
    GuardedInput,
    RateLimiter,
    guard_text,
    offered_payloads,
    without_repeats,
)
from bot.channels.messaging import (
    LOCAL_ANSWERS,
    Incoming,
    Kind,
    MessageCollector,
    Outgoing,
    RecentIds,
    pending_question,
    rasa_text,
    render,
)
from bot.channels.telegram.api import PUBLIC_API_URL, BotApi, BotApiError
from bot.channels.telegram.replies import (
    CHOSEN,
    HASHED_PREFIX,
    MESSAGE_LIMIT,
    error_message,
    payload_key,
    send_message_params,
    utf16_len,
    with_erasure_note,
)
from bot.channels.telegram.updates import (
    CHANNEL,
    GROUP_TYPES,
    BotIdentity,
    TelegramUpdate,
    chat_type,
    parse_update,
    sender_id,
)
from bot.console import partage
from bot.console.service import POUSSEURS, after_turn
from bot.console.service import service as console
from bot.presentation import Texts
from bot.privacy import masking_note
from bot.tracker_store import store_failures_fail_the_turn

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 256 * 1024  # an update is a few KB; refuse anything far bigger


class KeyedLocks:
    """One lock per conversation, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str):  # type: ignore[no-untyped-def]
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


class TelegramCollector(MessageCollector):
    """The turn's messages; responses may have `channel: telegram` variants."""

    CHANNEL = CHANNEL


class TelegramInput(GuardedInput, InputChannel):
    """Telegram webhook (`/webhooks/telegram/webhook`) built on Rasa's `InputChannel`."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(
        self,
        token: str | None = None,
        secret_token: str | None = None,
        api_url: str | None = None,
        bot_username: str | None = None,
        max_length: int = DEFAULT_MAX_LENGTH,
        api: BotApi | None = None,
    ) -> None:
        self.token = token or None
        self.secret_token = secret_token or None
        self.max_length = max_length
        self.api = api or BotApi(api_url or PUBLIC_API_URL, token or "")
        self._bot = BotIdentity(bot_username.lstrip("@")) if bot_username else None
        self._recent = RecentIds(name="telegram_update")
        self._locks = KeyedLocks()
        # As on the web chat: a burst of 8 messages, then 20 a minute per conversation.
        self.per_conversation = RateLimiter(
            DEFAULT_RATE_PER_CONVERSATION, burst=8, name="telegram_sender"
        )

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        credentials = credentials or {}
        return cls(
            token=credentials.get("token"),
            secret_token=credentials.get("secret_token"),
            api_url=credentials.get("api_url"),
            bot_username=credentials.get("bot_username"),
            max_length=int(credentials.get("max_length") or DEFAULT_MAX_LENGTH),
        )

    @property
    def configured(self) -> bool:
        return bool(self.token and self.secret_token)

    def secret_ok(self, header: str | None) -> bool:
        """Constant-time check of Telegram's secret header."""
        if not self.secret_token or not header:
            return False
        return hmac.compare_digest(header.encode(), self.secret_token.encode())

    async def identity(self) -> BotIdentity | None:
        """The configured username, else asked once to the Bot API (`getMe`)."""
        if self._bot is None:
            try:
                me = await self.api.call("getMe", {}, attempts=2)
                self._bot = BotIdentity(str(me["username"]), me.get("id"))
            except (BotApiError, KeyError, TypeError):
                return None
        return self._bot

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram = Blueprint("telegram_webhook", inspect.getmodule(self).__name__)
        POUSSEURS[CHANNEL] = self.push

        @telegram.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": self.configured})

        @telegram.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            status, body = await self.receive(
                request.body or b"", request.headers.get(SECRET_HEADER), request, on_new_message
            )
            return response.json(body, status=status)

        @telegram.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await self.api.close()

        return telegram

    async def receive(
        self,
        body: bytes,
        secret_header: str | None,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> tuple[int, dict[str, Any]]:
        """HTTP status and JSON answer for one webhook call (never a 500: Telegram would
        re-deliver the update again and again)."""
        if not self.configured:
            logger.warning("telegram update refused: token or secret not configured")
            return 503, {"error": "telegram channel not configured"}
        if len(body) > MAX_BODY_BYTES:
            return 413, {"error": "update too large"}
        if not self.secret_ok(secret_header):
            logger.warning("telegram update refused: wrong or missing secret token")
            return 403, {"error": "forbidden"}
        try:
            update = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return 400, {"error": "malformed update"}
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            return 400, {"error": "malformed update"}
        if self._recent.seen(update["update_id"]):
            return 200, {"status": "duplicate"}
        bot = await self.identity() if chat_type(update) in GROUP_TYPES else self._bot
        parsed = parse_update(update, bot)
        if parsed is None:
            return 200, {"status": "ignored"}
        try:
            await self.handle(parsed, request, on_new_message)
        except Exception as exc:  # answered 200 whatever happened
            logger.error("telegram update %s failed (%s)", update["update_id"], type(exc).__name__)
        return 200, {"status": "ok"}

    async def handle(
        self,
        update: TelegramUpdate,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """Runs one turn and sends its answers; never raises (Telegram would re-deliver)."""
        secret = self.secret_token or ""
        sender = sender_id(secret, update.chat_id, update.user_id, update.chat_type)
        texts = _texts(request)
        if not self.per_conversation.allow(sender):
            # Too fast: one short answer, no turn (Telegram gets its 200 all the same).
            slow_down = [{"text": texts.get("libelle_messagerie_trop_vite")}]
            await self.send(
                update.chat_id, render(slow_down, texts, MESSAGE_LIMIT, utf16_len), sender
            )
            return
        async with self._locks.hold(sender):
            try:
                messages = await self._turn(update, request, sender, texts, on_new_message)
            except Exception as exc:  # the turn failed: say so rather than stay silent
                logger.error(
                    "telegram turn failed (%s), conversation %s", type(exc).__name__, sender
                )
                messages = error_message(texts)
            reply_to = update.message_id if (update.edited or update.in_group) else None
            await self.send(update.chat_id, messages, sender, reply_to)

    async def _turn(
        self,
        update: TelegramUpdate,
        request: Request,
        sender: str,
        texts: Texts,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> list[Outgoing]:
        """The answers to one update (none for a tap that asks for nothing)."""
        incoming: Incoming | None = update.incoming
        if update.callback_id is not None:
            incoming = await self._tapped(update, request, sender, texts)
            if incoming is None:
                return []
        text = rasa_text(incoming, self.max_length)
        answer = partage.intercepter(console(), texts, text, sender, f"{CHANNEL}:{update.chat_id}")
        if answer is not None:
            return render(answer, texts, MESSAGE_LIMIT, utf16_len)
        if incoming.kind is Kind.BUTTON and text not in ALWAYS_ALLOWED:
            # Callback data comes from the client: only the buttons offered are run.
            tracker = await _tracker(request, sender)
            if tracker is None or text not in offered_payloads(tracker.events):
                text = EMPTY_MESSAGE_INTENT
        notes: list[dict[str, Any]] = []
        if incoming.kind is Kind.TEXT:
            masked = guard_text(text, self.max_length)
            text = masked.text
            if masked.kinds:
                responses = request.app.ctx.agent.domain.responses
                notes.append({"text": masking_note(responses, masked.kinds)})
        if text in LOCAL_ANSWERS:
            question = pending_question(await _tracker(request, sender))
            messages = [{"text": texts.get(LOCAL_ANSWERS[text])}, *([question] if question else [])]
            return render(messages, texts, MESSAGE_LIMIT, utf16_len)
        await self._quietly("sendChatAction", {"chat_id": update.chat_id, "action": "typing"})
        collector = TelegramCollector()
        # Answered from an empty tracker, not saved: the turn fails and `handle` apologises.
        with store_failures_fail_the_turn():
            await on_new_message(UserMessage(text, collector, sender, input_channel=CHANNEL))
        after_turn(sender)
        messages = with_erasure_note(without_repeats(collector.messages), texts)
        return render([*notes, *messages], texts, MESSAGE_LIMIT, utf16_len)

    async def send(
        self, chat_id: int, messages: list[Outgoing], log_key: str, reply_to: int | None = None
    ) -> None:
        """Sends in order; a message that fails for good is logged and skipped, and the
        rest is dropped if the person blocked the bot (403)."""
        for item in messages:
            try:
                await self.api.call(
                    "sendMessage", send_message_params(chat_id, item, reply_to), log_key
                )
            except BotApiError as exc:
                if exc.code == 403:
                    return
            reply_to = None

    async def push(
        self, sender_id: str, chat_id: str, messages: list[dict[str, Any]], texts: Texts
    ) -> None:
        """Sends a counsellor's messages to the chat saved when the session was joined."""
        if chat_id.lstrip("-").isdigit():
            await self.send(
                int(chat_id), render(messages, texts, MESSAGE_LIMIT, utf16_len), sender_id
            )

    async def _tapped(
        self, update: TelegramUpdate, request: Request, sender: str, texts: Texts
    ) -> Incoming | None:
        """Answers a button tap (stops the spinner), echoes the choice on the keyboard, and
        gives the payload to run; None when there is nothing to run."""
        data = update.incoming.text
        answer: dict[str, Any] = {"callback_query_id": update.callback_id}
        payload: str | None = data
        if data == CHOSEN:
            payload = None
        elif data.startswith(HASHED_PREFIX):
            payload = await _resolve_key(request, sender, data)
            if payload is None:
                answer["text"] = texts.get("libelle_messagerie_bouton_expire")
        await self._quietly("answerCallbackQuery", answer)
        if payload is None:
            return None
        if update.message_id is not None and update.callback_title:
            title = texts.get("libelle_messagerie_choix", titre=update.callback_title)
            markup = {"inline_keyboard": [[{"text": title, "callback_data": CHOSEN}]]}
            await self._quietly(
                "editMessageReplyMarkup",
                {
                    "chat_id": update.chat_id,
                    "message_id": update.message_id,
                    "reply_markup": markup,
                },
            )
        return Incoming(Kind.BUTTON, payload)

    async def _quietly(self, method: str, params: dict[str, Any]) -> None:
        """A call whose failure does not matter to the conversation (one retry at most)."""
        try:
            await self.api.call(method, params, attempts=2)
        except BotApiError:
            pass


def _texts(request: Request) -> Texts:
    agent = getattr(request.app.ctx, "agent", None)
    domain = getattr(agent, "domain", None)
    return Texts(getattr(domain, "responses", None) or {})


async def _tracker(request: Request, sender: str) -> DialogueStateTracker | None:
    """The stored conversation, read only (None when there is none yet)."""
    agent = getattr(request.app.ctx, "agent", None)
    store = getattr(agent, "tracker_store", None)
    return await store.retrieve(sender) if store is not None else None


async def _resolve_key(request: Request, sender: str, key: str) -> str | None:
    """The payload behind a hashed callback key: a button of one of the bot's messages
    in this conversation (so it survives restarts and goes away with an erasure)."""
    tracker = await _tracker(request, sender)
    for event in reversed(list(tracker.events) if tracker else []):
        if isinstance(event, BotUttered):
            for button in event.data.get("buttons") or []:
                payload = str(button.get("payload") or "")
                if payload and payload_key(payload) == key:
                    return payload
    return None
