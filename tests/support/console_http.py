"""The console over HTTP as a counsellor's browser and a young person's web chat use it
(end-to-end tests against the running servers)."""

from __future__ import annotations

import json
import secrets
from typing import Any

import requests

from tests.support.console import PASSWORD
from tests.support.server import SERVER

CONSOLE = "/webhooks/console"


class Browser:
    """A counsellor's browser: cookies, the CSRF token, same-origin requests."""

    def __init__(self, base: str | None = None) -> None:
        self.base = base or SERVER or ""
        self.http = requests.Session()
        self.http.headers["Origin"] = self.base
        self.csrf = ""

    def login(self, login: str, password: str = PASSWORD) -> requests.Response:
        answer = self.post("/api/connexion", {"identifiant": login, "mot_de_passe": password})
        if answer.ok:
            self.csrf = answer.json()["csrf"]
        return answer

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(f"{self.base}{CONSOLE}{path}", timeout=60, **kwargs)

    def post(self, path: str, body: Any = None, csrf: str | None = None) -> requests.Response:
        headers = {"X-CSRF-Token": self.csrf if csrf is None else csrf}
        return self.http.post(
            f"{self.base}{CONSOLE}{path}", data=json.dumps(body or {}), headers=headers, timeout=60
        )


def chat(sender: str, message: str) -> list[dict[str, Any]]:
    """The young person's web chat: one message, the answers."""
    answer = requests.post(
        f"{SERVER}/webhooks/webchat/webhook",
        json={"sender": sender, "message": message, "message_id": secrets.token_hex(8)},
        timeout=120,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def shared_sessions(counsellor: Browser, count: int, message: str) -> list[tuple[dict, str]]:
    """`count` sessions, each joined from a new web chat by its code, accepted, and one
    profile message sent; returns (the session's state as the console sees it, the
    conversation id)."""
    out = []
    for _ in range(count):
        state = counsellor.post("/api/seances", {"mode": "chat"}).json()
        sender = secrets.token_hex(16)
        chat(sender, state["seance"]["code"]["code"])
        assert chat(sender, "/partage_accepter")[0]["partage"] == "actif"
        chat(sender, message)
        out.append((counsellor.get(f"/api/seances/{state['seance']['id']}").json(), sender))
    return out
