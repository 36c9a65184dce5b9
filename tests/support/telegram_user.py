"""A Telegram user of the tests: updates posted to the real Rasa server's Telegram
webhook, answers read from the fake Bot API (tests/support/fake_telegram.py)."""

from __future__ import annotations

import itertools
import json
import os
import random
import secrets
import time
import urllib.error
import urllib.request
from typing import Any

from bot.channels.telegram.channel import SECRET_HEADER
from bot.channels.telegram.updates import sender_id
from tests.support.fake_telegram import BOT_ID, BOT_USERNAME, FakeTelegram

SERVER = os.environ.get("CAPNUM_SERVER_URL")
TOKEN = os.environ.get("CAPNUM_RASA_TOKEN", "")
TG_TOKEN = os.environ.get("CAPNUM_TELEGRAM_TOKEN", "")
TG_SECRET = os.environ.get("CAPNUM_TELEGRAM_SECRET", "")
TG_API = os.environ.get("CAPNUM_TELEGRAM_API_URL", "")
WEBHOOK = "/webhooks/telegram/webhook"
FIRST_MESSAGE = (
    "salut, j'ai 19 ans, j'ai arrêté le lycée en première, j'habite à Roubaix "
    "et j'aimerais bien faire de l'informatique"
)
update_ids = itertools.count(random.randrange(10**6, 10**9))


def post(path: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(
        f"{SERVER}{path}",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def get_json(path: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(f"{SERVER}{path}", timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, None


class User:
    """A Telegram user talking to the bot, in a private chat or in a group."""

    def __init__(self, fake: FakeTelegram, group: bool = False) -> None:
        self.fake = fake
        self.user_id = random.randrange(10**8, 10**9)
        self.chat_id = -random.randrange(10**12, 10**13) if group else self.user_id
        self.chat_type = "supergroup" if group else "private"
        self.message_ids = itertools.count(1)
        self.last_message_id = 0

    @property
    def sender(self) -> str:
        return sender_id(TG_SECRET, self.chat_id, self.user_id, self.chat_type)

    def message(self, **content: Any) -> dict[str, Any]:
        self.last_message_id = next(self.message_ids)
        return {
            "message_id": self.last_message_id,
            "date": int(time.time()),
            "chat": {"id": self.chat_id, "type": self.chat_type},
            "from": {
                "id": self.user_id,
                "is_bot": False,
                "first_name": "Léa",
                "language_code": "fr",
            },
            **content,
        }

    def post(
        self, update: dict[str, Any], secret: str | None = TG_SECRET
    ) -> tuple[int, list[dict[str, Any]]]:
        """Posts an update; the answers are the messages sent to this chat meanwhile."""
        before = len(self.fake.sent(self.chat_id))
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        status = post(
            WEBHOOK, json.dumps({"update_id": next(update_ids), **update}).encode(), headers
        )
        return status, self.fake.sent(self.chat_id)[before:]

    def say(self, text: str, **extra: Any) -> list[dict[str, Any]]:
        status, answers = self.post({"message": self.message(text=text, **extra)})
        assert status == 200
        return answers

    def send(self, **content: Any) -> list[dict[str, Any]]:
        status, answers = self.post({"message": self.message(**content)})
        assert status == 200
        return answers

    def tap(self, title: str) -> list[dict[str, Any]]:
        """Taps the last button titled `title` in the messages the bot sent."""
        for sent in reversed(self.fake.sent(self.chat_id)):
            keyboard = (sent.get("reply_markup") or {}).get("inline_keyboard") or []
            for key in (k for row in keyboard for k in row):
                if key["text"] == title:
                    query = {
                        "id": secrets.token_hex(8),
                        "from": {"id": self.user_id, "is_bot": False, "first_name": "Léa"},
                        "chat_instance": "1",
                        "data": key["callback_data"],
                        "message": {
                            "message_id": sent["message_id"],
                            "date": int(time.time()),
                            "chat": {"id": self.chat_id, "type": self.chat_type},
                            "from": {"id": BOT_ID, "is_bot": True, "username": BOT_USERNAME},
                            "text": sent["text"],
                            "reply_markup": sent["reply_markup"],
                        },
                    }
                    status, answers = self.post({"callback_query": query})
                    assert status == 200
                    return answers
        raise AssertionError(f"no button {title!r} was sent")

    def tracker(self) -> dict[str, Any]:
        status, tracker = get_json(f"/conversations/{self.sender}/tracker?token={TOKEN}")
        assert status == 200
        return tracker
