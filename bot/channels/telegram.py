"""Telegram channel: the Bot API webhook in, the Bot API (aiohttp) out.

Rasa serves the webhook at `/webhooks/telegram/webhook`. Each update is checked (secret
header, size, JSON), de-duplicated by `update_id`, turned into a neutral message
(`bot.channels.messaging`), run through Rasa, and the turn's answers are sent back in
order. The Bot API address is configurable (public by default, a local server in tests or
a self-hosted Bot API server). Setup and design: `docs/channels.md`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import inspect
import json
import logging
import re
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.guard import (
    ALWAYS_ALLOWED,
    DEFAULT_MAX_LENGTH,
    EMPTY_MESSAGE_INTENT,
    GuardedInput,
    RateLimiter,
    guard_text,
    offered_payloads,
    without_repeats,
)
from bot.channels.messaging import (
    LOCAL_ANSWERS,
    Button,
    Incoming,
    Kind,
    MessageCollector,
    Outgoing,
    RecentIds,
    conversation_id,
    parse_bold,
    pending_question,
    rasa_text,
    render,
)
from bot.channels.webchat import DEFAULT_RATE_PER_CONVERSATION, TrackerStoreUnavailable
from bot.presentation import Texts
from bot.privacy import masking_note
from bot.tracker_store import STORE_FAILURES

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
PUBLIC_API_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MESSAGE_LIMIT = 4096  # characters of a message (counted in UTF-16 code units, to be safe)
CALLBACK_DATA_LIMIT = 64  # bytes of a button's callback_data
MAX_BODY_BYTES = 256 * 1024  # an update is a few KB; refuse anything far bigger
HASHED_PREFIX = "#"  # callback_data of a payload too long for Telegram: "#" + its hash
CHOSEN = "-"  # callback_data of an already chosen button (the echo): nothing to do
GROUP_TYPES = {"group", "supergroup"}
# The erasure answer (action_supprimer_donnees) and the domain text added to it here.
ERASURE_TYPE = "effacement"
ERASURE_NOTE = "libelle_messagerie_effacement"
APP_NAME = "Telegram"
_MEDIA_KEYS = (
    "sticker",
    "photo",
    "voice",
    "audio",
    "video",
    "video_note",
    "animation",
    "document",
    "contact",
    "poll",
    "dice",
    "game",
)
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{3,64}))?(?:\s|$)")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji often counts 2)."""
    return len(text.encode("utf-16-le")) // 2


# --- outgoing: neutral messages to Bot API parameters ----------------------------------
def payload_key(payload: str) -> str:
    """A short key for a payload too long for callback_data (URL-safe hash, 23 bytes)."""
    digest = hashlib.sha256(payload.encode()).digest()
    return HASHED_PREFIX + base64.urlsafe_b64encode(digest).decode()[:22]


def callback_data(payload: str) -> str:
    """The payload itself when it fits in 64 bytes, else its key (resolved from the
    conversation's own bot messages when tapped, see `TelegramInput`)."""
    if len(payload.encode()) <= CALLBACK_DATA_LIMIT:
        return payload
    return payload_key(payload)


def inline_keyboard(buttons: tuple[Button, ...]) -> dict[str, Any]:
    """Buttons two by two when their titles are short, else one per row."""
    per_row = 2 if all(len(b.title) <= 18 for b in buttons) else 1
    keys = [{"text": b.title, "callback_data": callback_data(b.payload)} for b in buttons]
    return {"inline_keyboard": [keys[i : i + per_row] for i in range(0, len(keys), per_row)]}


def bold_entities(text: str, spans: tuple[tuple[int, int], ...]) -> list[dict[str, Any]]:
    """Bold spans as Telegram message entities (offsets in UTF-16 code units)."""
    entities = []
    for start, end in spans:
        offset = utf16_len(text[:start])
        length = utf16_len(text[start:end])
        if length:
            entities.append({"type": "bold", "offset": offset, "length": length})
    return entities


def send_message_params(
    chat_id: int | str, item: Outgoing, reply_to: int | None = None
) -> dict[str, Any]:
    """`sendMessage` parameters for one neutral message (plain text plus entities: no
    markup to escape, whatever the catalogue says)."""
    params: dict[str, Any] = {"chat_id": chat_id, "text": item.body.text}
    entities = bold_entities(item.body.text, item.body.bold)
    if entities:
        params["entities"] = entities
    if item.buttons:
        params["reply_markup"] = inline_keyboard(item.buttons)
    if reply_to is not None:
        params["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
    return params


# --- incoming: Telegram updates to neutral messages ------------------------------------
@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is, to know when a group addresses it."""

    username: str
    id: int | None = None


@dataclass(frozen=True)
class TelegramUpdate:
    """What one update asks of the assistant."""

    update_id: int
    chat_id: int
    chat_type: str
    user_id: int
    message_id: int | None
    incoming: Incoming
    edited: bool = False
    callback_id: str | None = None
    callback_title: str | None = None

    @property
    def in_group(self) -> bool:
        return self.chat_type in GROUP_TYPES


def chat_type(update: dict[str, Any]) -> str | None:
    """The type of the chat an update comes from (before any other parsing)."""
    message = update.get("message") or update.get("edited_message")
    if message is None and isinstance(update.get("callback_query"), dict):
        message = update["callback_query"].get("message")
    chat = message.get("chat") if isinstance(message, dict) else None
    return chat.get("type") if isinstance(chat, dict) else None


def _is_me(user: Any, bot: BotIdentity | None) -> bool:
    if not isinstance(user, dict) or bot is None:
        return False
    if bot.id is not None and user.get("id") == bot.id:
        return True
    return str(user.get("username") or "").lower() == bot.username.lower()


def _addressed(message: dict[str, Any], text: str, bot: BotIdentity | None) -> bool:
    """In a group: a command to this bot, a mention of it, or a reply to one of its
    messages."""
    if bot is None:
        return False
    if _is_me((message.get("reply_to_message") or {}).get("from"), bot):
        return True
    command = _COMMAND.match(text)
    if command and (command.group(2) or "").lower() == bot.username.lower():
        return True
    for entity in message.get("entities") or message.get("caption_entities") or []:
        if entity.get("type") == "text_mention" and _is_me(entity.get("user"), bot):
            return True
    return re.search(rf"@{re.escape(bot.username)}\b", text, re.IGNORECASE) is not None


def _incoming(message: dict[str, Any], text: str) -> Incoming | None:
    command = _COMMAND.match(text)
    if command:
        return Incoming(Kind.COMMAND, command.group(1))
    if text:
        return Incoming(Kind.TEXT, text)
    location = message.get("location") or (message.get("venue") or {}).get("location")
    if isinstance(location, dict):
        try:
            lat, lon = float(location["latitude"]), float(location["longitude"])
        except (KeyError, TypeError, ValueError):
            return Incoming(Kind.MEDIA)
        return Incoming(Kind.LOCATION, latitude=lat, longitude=lon)
    if any(key in message for key in _MEDIA_KEYS):
        return Incoming(Kind.MEDIA)
    if "text" in message:
        return Incoming(Kind.TEXT, "")
    return None  # service messages: members joining, pinned messages, ...


def _tapped_title(query: dict[str, Any], data: str) -> str | None:
    markup = (query.get("message") or {}).get("reply_markup") or {}
    for row in markup.get("inline_keyboard") or []:
        for key in row:
            if isinstance(key, dict) and key.get("callback_data") == data:
                return str(key.get("text") or "")
    return None


def parse_update(update: Any, bot: BotIdentity | None = None) -> TelegramUpdate | None:
    """The assistant's view of an update; None when it must be ignored (unknown kinds,
    channel posts, bots, live location moves, group messages not addressed to the bot).

    A caption counts as the message's text; an edited text is answered as a new message.
    """
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        return None
    query = update.get("callback_query")
    if isinstance(query, dict):
        message = query.get("message") or {}
        chat, user, data = message.get("chat") or {}, query.get("from") or {}, query.get("data")
        if not isinstance(data, str) or "id" not in chat or "id" not in user:
            return None
        return TelegramUpdate(
            update_id=update["update_id"],
            chat_id=chat["id"],
            chat_type=str(chat.get("type") or "private"),
            user_id=user["id"],
            message_id=message.get("message_id"),
            incoming=Incoming(Kind.BUTTON, data),
            callback_id=str(query.get("id") or ""),
            callback_title=_tapped_title(query, data),
        )
    edited = "message" not in update and "edited_message" in update
    message = update.get("edited_message") if edited else update.get("message")
    if not isinstance(message, dict):
        return None
    chat, user = message.get("chat") or {}, message.get("from") or {}
    if "id" not in chat or "id" not in user or user.get("is_bot"):
        return None
    if edited and ("location" in message or "venue" in message):
        return None  # a live location moving: not a new answer
    raw = message.get("text") if "text" in message else message.get("caption")
    text = raw.strip() if isinstance(raw, str) else ""
    kind = str(chat.get("type") or "private")
    if kind in GROUP_TYPES:
        if not _addressed(message, text, bot):
            return None
        if bot is not None:
            text = re.sub(rf"@{re.escape(bot.username)}\b", "", text, flags=re.IGNORECASE).strip()
    elif kind != "private":
        return None  # channels
    incoming = _incoming(message, text)
    if incoming is None:
        return None
    return TelegramUpdate(
        update_id=update["update_id"],
        chat_id=chat["id"],
        chat_type=kind,
        user_id=user["id"],
        message_id=message.get("message_id"),
        incoming=incoming,
        edited=edited,
    )


def sender_id(secret: str, chat_id: int, user_id: int, chat_type: str = "private") -> str:
    """The Rasa conversation of a person: the chat, or in a group, the person in the chat
    (each member has their own profile). No raw Telegram id is stored."""
    if chat_type in GROUP_TYPES:
        return conversation_id(CHANNEL, secret, chat_id, user_id)
    return conversation_id(CHANNEL, secret, chat_id)


# --- Bot API client -------------------------------------------------------------------
class BotApiError(Exception):
    """A Bot API call that failed for good (after the retries it deserved)."""

    def __init__(self, method: str, code: int | None, reason: str) -> None:
        super().__init__(f"{method}: {reason}")
        self.code = code
        self.reason = reason


class BotApi:
    """Calls the Bot API; retries 429 answers after `retry_after` (capped), and time-outs,
    network errors and 5xx answers with exponential backoff. Logs only the method, the
    error class or code and a conversation hash: never the token, never the texts."""

    def __init__(
        self,
        base_url: str,
        token: str,
        timeout: float = 10.0,
        attempts: int = 4,
        backoff: float = 0.5,
        max_retry_after: float = 30.0,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._session

    async def call(
        self, method: str, params: dict[str, Any], log_key: str = "", attempts: int | None = None
    ) -> Any:
        """The call's `result`; raises `BotApiError` when it finally fails."""
        url = f"{self.base_url}/bot{self._token}/{method}"
        attempts = attempts or self.attempts
        reason, code = "", None
        for attempt in range(attempts):
            delay = self.backoff * 2**attempt
            try:
                async with self._client().post(url, json=params) as answer:
                    code = answer.status
                    body = await answer.json(content_type=None)
            except (asyncio.TimeoutError, aiohttp.ClientError, ValueError) as exc:
                reason, code = type(exc).__name__, None
            else:
                if not isinstance(body, dict):
                    body = {}
                if body.get("ok"):
                    return body.get("result")
                code = int(body.get("error_code") or code or 0)
                reason = f"HTTP {code}"
                if code == 429:
                    retry_after = (body.get("parameters") or {}).get("retry_after")
                    delay = min(float(retry_after or 1), self.max_retry_after)
                elif code < 500:
                    logger.warning(
                        "telegram %s refused (%s), conversation %s", method, reason, log_key
                    )
                    raise BotApiError(method, code, reason)
            if attempt + 1 < attempts:
                logger.info(
                    "telegram %s failed (%s), conversation %s: retry in %.1fs",
                    method,
                    reason,
                    log_key,
                    delay,
                )
                await self._sleep(delay)
        logger.error(
            "telegram %s failed %d times (%s), conversation %s", method, attempts, reason, log_key
        )
        raise BotApiError(method, code, reason)


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


# --- the input channel ------------------------------------------------------------------
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
        self._recent = RecentIds()
        self._locks = KeyedLocks()
        # As on the web chat: a burst of 8 messages, then 20 a minute per conversation.
        self.per_conversation = RateLimiter(DEFAULT_RATE_PER_CONVERSATION, burst=8)

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
                messages = _error_message(texts)
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
        failures: list[str] = []
        token = STORE_FAILURES.set(failures)
        try:
            await on_new_message(UserMessage(text, collector, sender, input_channel=CHANNEL))
        finally:
            STORE_FAILURES.reset(token)
        if failures:  # answered from an empty tracker, not saved: apologise instead
            raise TrackerStoreUnavailable(failures[0])
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


def with_erasure_note(messages: list[dict[str, Any]], texts: Texts) -> list[dict[str, Any]]:
    """After an erasure (the answer carries `{"type": "effacement", "efface": true}`), its
    text also says what was erased on Cap Num's server and what Cap Num cannot erase: the
    messages kept by the Telegram app (the person can delete the chat there)."""
    out = []
    for message in messages:
        custom = message.get("custom")
        erased = isinstance(custom, dict) and custom.get("type") == ERASURE_TYPE
        if erased and custom.get("efface") is True:
            try:
                note = texts.get(ERASURE_NOTE, application=APP_NAME)
            except KeyError:  # a model trained before this text: the answer as it is
                note = ""
            if note:
                text = str(message.get("text") or "").strip()
                message = {**message, "text": f"{text}\n\n{note}" if text else note}
        out.append(message)
    return out


def _error_message(texts: Texts) -> list[Outgoing]:
    try:
        return [Outgoing(parse_bold(texts.get("libelle_messagerie_erreur")))]
    except KeyError:  # a model trained without the messaging responses
        return []


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
