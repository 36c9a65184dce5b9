"""The running Rasa server the HTTP and browser tests talk to, and how to call its web chat."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from email.message import Message

SERVER = os.environ.get("CAPNUM_SERVER_URL")


TOKEN = os.environ.get("CAPNUM_RASA_TOKEN", "")


BASE = "/webhooks/webchat"


def request(
    method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, Message, bytes]:
    req = urllib.request.Request(
        f"{SERVER}{path}",
        data=body,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()
