"""Whole conversations against the real running servers (Rasa + actions), over HTTP.

Run by `make test` after it starts the servers (`pytest -m server`, with
CAPNUM_SERVER_URL and CAPNUM_RASA_TOKEN set); skipped otherwise.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.support.server import SERVER, TOKEN

pytestmark = pytest.mark.server


@pytest.fixture(autouse=True)
def needs_server() -> None:
    if not SERVER:
        pytest.skip("CAPNUM_SERVER_URL not set: servers not started")


def http(method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"{SERVER}{path}", data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, None


class Chat:
    """One web chat conversation."""

    def __init__(self) -> None:
        self.sender = secrets.token_hex(16)

    def say(self, text: str) -> list[dict[str, Any]]:
        status, messages = http(
            "POST", "/webhooks/webchat/webhook", {"sender": self.sender, "message": text}
        )
        assert status == 200
        return messages

    def tracker(self) -> dict[str, Any]:
        status, tracker = http("GET", f"/conversations/{self.sender}/tracker?token={TOKEN}")
        assert status == 200
        return tracker


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def recommendations(messages: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((m["custom"] for m in messages if m.get("custom")), None)


def test_from_greeting_to_explained_recommendations() -> None:
    """The issue's example sentence, two answers, then explained trainings near Roubaix."""
    chat = Chat()
    first = chat.say(
        "salut, j'ai 19 ans, j'ai arrêté le lycée en première, j'habite à Roubaix "
        "et j'aimerais bien faire de l'informatique"
    )
    assert "supprimer mes données" in texts(first)
    assert "diplôme" in texts(first)  # only the missing fact is asked
    answer = chat.say("j'ai pas de diplome")
    payload = recommendations(answer)
    assert payload is not None, texts(answer)
    assert payload["profil"]["commune"] == "Roubaix"
    assert payload["profil"]["departement"] == "59"
    assert payload["profil"]["diplome"] == "aucun"
    best = payload["formations"][0]
    assert best["distance_km"] <= 30
    assert best["raisons"]
    details = chat.say("la 2e")
    assert payload["formations"][1]["intitule"] in texts(details)
    slots = chat.tracker()["slots"]
    assert slots["age"] == 19 and slots["situation"] == "decrocheur"


def test_correction_after_results_recomputes() -> None:
    """Moving to Amiens after the results updates the place and the distances."""
    chat = Chat()
    chat.say("bonjour")
    chat.say("je cherche du travail")
    chat.say("22 ans")
    chat.say("bac")
    chat.say("59100")
    first = recommendations(chat.say("le développement web"))
    assert first is not None
    moved = chat.say("j'ai déménagé à Amiens")
    assert "Amiens" in texts(moved)
    payload = recommendations(moved)
    assert payload is not None and payload["profil"]["departement"] == "80"


@pytest.mark.parametrize(
    "message", ["", "a" * 5000, "😀😀😀", "What is the weather like in London?", "zzkqj wxv"]
)
def test_bad_input_gets_a_french_answer(message: str) -> None:
    """Empty, huge, emoji-only, English and nonsense messages get a French answer."""
    chat = Chat()
    chat.say("bonjour")
    answer = chat.say(message)
    assert answer and texts(answer).strip()


def test_api_requires_the_token_and_refuses_model_upload() -> None:
    """The HTTP API needs the token; model upload is refused even with it."""
    chat = Chat()
    chat.say("bonjour")
    status, _ = http("GET", f"/conversations/{chat.sender}/tracker")
    assert status in (401, 403)
    status, _ = http("PUT", f"/model?token={TOKEN}", {"model_file": "/tmp/x.tar.gz"})
    assert status == 403


def test_erase_deletes_the_conversation() -> None:
    """After "supprimer mes données" and confirmation, the tracker keeps no answer."""
    chat = Chat()
    chat.say("salut j'ai 19 ans et j'habite à Lille")
    assert chat.tracker()["slots"]["commune"] == "Lille"
    chat.say("supprimer mes données")
    chat.say("/confirmer_suppression")
    tracker = chat.tracker()
    assert tracker["slots"]["commune"] is None
    assert "Lille" not in json.dumps(tracker["events"], ensure_ascii=False)
