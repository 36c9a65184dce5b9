"""Outgoing: neutral messages as Bot API `sendMessage` parameters (bold entities, inline
keyboards, callback data within Telegram's limits), and the erasure answer's note."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from bot.channels.messaging import Button, Outgoing, parse_bold
from bot.presentation import Texts

MESSAGE_LIMIT = 4096  # characters of a message (counted in UTF-16 code units, to be safe)
CALLBACK_DATA_LIMIT = 64  # bytes of a button's callback_data
HASHED_PREFIX = "#"  # callback_data of a payload too long for Telegram: "#" + its hash
CHOSEN = "-"  # callback_data of an already chosen button (the echo): nothing to do
# The erasure answer (action_supprimer_donnees) and the domain text added to it here.
ERASURE_TYPE = "effacement"
ERASURE_NOTE = "libelle_messagerie_effacement"
APP_NAME = "Telegram"


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji often counts 2)."""
    return len(text.encode("utf-16-le")) // 2


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


def error_message(texts: Texts) -> list[Outgoing]:
    """The apology for a failed turn (none with a model trained without it)."""
    try:
        return [Outgoing(parse_bold(texts.get("libelle_messagerie_erreur")))]
    except KeyError:  # a model trained without the messaging responses
        return []
