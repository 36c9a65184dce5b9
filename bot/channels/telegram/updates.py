"""Incoming: a Telegram update as the assistant sees it (chat, person, neutral message,
tapped button, group addressing), and the conversation it belongs to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.channels.messaging import Incoming, Kind, conversation_id

CHANNEL = "telegram"
GROUP_TYPES = {"group", "supergroup"}
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
