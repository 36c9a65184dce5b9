"""The security findings of the review (docs/security.md, "Revue du 06/12/2026"), each
replayed against the real running Rasa server over HTTP: no open REST door, no
conversation killed by "ok", erasure only when confirmed and always confirmed by the
server, restart that forgets, French errors, origins checked with their scheme, no
conversation id left in the log."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import BASE, SERVER, TOKEN, request

pytestmark = pytest.mark.server
RASA_LOG = Path(os.environ.get("CAPNUM_RASA_LOG", "var/rasa.log"))

# Messages that lead to each profile question (the form asks situation, age, diploma,
# town, interests in this order).
TO_QUESTION = {
    "situation": ["bonjour"],
    "age": ["bonjour", "je cherche du travail"],
    "diplome": ["bonjour", "je cherche du travail, j'ai 19 ans"],
    "commune": ["bonjour", "je cherche du travail, j'ai 19 ans, j'ai le bac"],
    "interets": ["bonjour", "je cherche du travail, j'ai 19 ans, j'ai le bac, à Roubaix"],
}
# Answers that trapped the conversation: acknowledgements, emoji, nothing, a request,
# a NUL byte, nonsense, off-topic.
BAD_ANSWERS = [
    "ok",
    "👍",
    "",
    "je veux une formation",
    "\x00",
    "qsdkjfh zorglub",
    "il fait beau à Tokyo ?",
]


@pytest.fixture(autouse=True)
def needs_server() -> None:
    if not SERVER:
        pytest.skip("CAPNUM_SERVER_URL not set: servers not started")


class Conversation:
    """One web chat conversation with a fresh random id."""

    def __init__(self) -> None:
        self.sender = secrets.token_hex(16)
        self.turns = 0

    def say(self, message: str) -> list[dict[str, Any]]:
        self.turns += 1
        body = {"sender": self.sender, "message": message, "message_id": self.message_id()}
        status, _, raw = request("POST", f"{BASE}/webhook", json.dumps(body).encode())
        assert status == 200, (status, raw[:300])
        return json.loads(raw)

    def message_id(self) -> str:
        return f"m{self.turns:04d}-{secrets.token_hex(6)}"

    def tracker(self) -> dict[str, Any]:
        status, _, raw = request("GET", f"/conversations/{self.sender}/tracker?token={TOKEN}")
        assert status == 200
        return json.loads(raw)

    def user_texts(self) -> list[str]:
        return [e.get("text") for e in self.tracker()["events"] if e["event"] == "user"]


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m.get("text") or "" for m in messages]


def alive() -> bool:
    status, _, _ = request("GET", f"{BASE}/")
    return status == 200


@pytest.mark.parametrize(
    "body",
    [
        {"sender": "\ud800", "message": "bonjour"},
        {"sender": "x", "message": "/restart"},
        {"sender": "kevin", "message": "je m'appelle Kevin, 06 12 34 56 78"},
        {"sender": ["liste"], "message": '/informer{"age": 12}'},
    ],
)
def test_the_plain_rest_channel_is_closed(body: dict[str, Any]) -> None:
    """`/webhooks/rest/webhook` (no guard: raw personal data stored, "/" commands, any
    sender id; a lone surrogate as sender made Rasa exit) no longer exists."""
    raw = json.dumps(body).encode("utf-8", "surrogatepass")
    status, _, _ = request("POST", "/webhooks/rest/webhook", raw)
    assert status == 404
    assert alive()


@pytest.mark.parametrize("question", list(TO_QUESTION))
def test_no_answer_traps_a_profile_question(question: str) -> None:
    """At every profile question, each of "ok", "👍", empty, a request, a NUL byte,
    nonsense and off-topic gets an answer with the question at most once (it came ten
    times, then the circuit breaker made every later message answer nothing); the
    conversation then goes on: "recommencer" and "supprimer mes données" work."""
    for bad in BAD_ANSWERS:
        chat = Conversation()
        for message in TO_QUESTION[question]:
            chat.say(message)
        assert chat.tracker()["slots"]["requested_slot"] == question
        answer = chat.say(bad)
        assert answer, bad
        assert len(texts(answer)) == len(set(texts(answer))), (bad, texts(answer))
        assert len(answer) <= 4, (bad, texts(answer))
        restarted = chat.say("recommencer")
        assert any("reparti" in t for t in texts(restarted)), (bad, texts(restarted))
        assert chat.tracker()["slots"]["requested_slot"] == "situation"
        chat.say("supprimer mes données")
        erased = chat.say("oui")
        assert {"type": "effacement", "efface": True} in [m.get("custom") for m in erased]


def test_after_an_unclear_answer_the_next_real_answer_is_taken() -> None:
    """ "ok" at the situation question, then "je cherche du travail": the situation is
    taken and the next question comes (the rejected form never resumed)."""
    chat = Conversation()
    chat.say("bonjour")
    chat.say("ok")
    chat.say("je cherche du travail")
    slots = chat.tracker()["slots"]
    assert slots["situation"] == "demandeur_emploi"
    assert slots["requested_slot"] == "age"


def test_je_confirme_without_a_request_does_not_erase() -> None:
    """ "je confirme" after a full profile, with no erasure asked, keeps everything (it
    erased at once). Read as a confirmation it asks first; read as a plain yes it gets
    the pending question again; unsure, it offers the meanings: in every case, nothing is
    erased (no test may hinge on which of close intents a machine picks)."""
    chat = Conversation()
    chat.say("bonjour")
    chat.say("je cherche du travail, j'ai 19 ans, j'ai le bac, à Roubaix")
    answer = chat.say("je confirme")
    assert {"type": "effacement", "efface": True} not in [m.get("custom") for m in answer]
    assert texts(answer)
    assert chat.tracker()["slots"]["commune"] == "Roubaix"
    assert "je confirme" in chat.user_texts()


def test_typed_erasure_confirmed_in_the_next_turn_erases_and_says_so() -> None:
    """ "supprimer mes données" then "oui": erased on the server, and the answer carries
    the machine-readable result the page needs to clear the device."""
    chat = Conversation()
    chat.say("salut j'ai 19 ans et j'habite à Lille")
    chat.say("supprimer mes données")
    answer = chat.say("oui")
    assert {"type": "effacement", "efface": True} in [m.get("custom") for m in answer]
    assert "Lille" not in json.dumps(chat.tracker()["events"], ensure_ascii=False)


def test_erase_route_answers_only_once_erased() -> None:
    """POST /effacer erases under the conversation's lock and answers `efface: true`
    with a French text; refused ids get a French 400."""
    chat = Conversation()
    chat.say("salut j'ai 19 ans et j'habite à Lille")
    status, _, raw = request(
        "POST", f"{BASE}/effacer", json.dumps({"sender": chat.sender}).encode()
    )
    assert status == 200
    body = json.loads(raw)
    assert body["efface"] is True and "effacé" in body["message"]
    assert "Lille" not in json.dumps(chat.tracker()["events"], ensure_ascii=False)
    status, _, raw = request("POST", f"{BASE}/effacer", json.dumps({"sender": "a" * 20}).encode())
    assert status == 400 and json.loads(raw)["error"] == "invalid_sender"


def test_restart_keeps_none_of_the_earlier_answers() -> None:
    """After "recommencer", the stored conversation no longer holds the earlier answers
    (they stayed in the history)."""
    chat = Conversation()
    chat.say("salut j'ai 19 ans et j'habite à Lille")
    chat.say("recommencer")
    stored = json.dumps(chat.tracker()["events"], ensure_ascii=False)
    assert "Lille" not in stored and "19 ans" not in stored
    chat.say("je cherche du travail")
    assert chat.tracker()["slots"]["situation"] == "demandeur_emploi"


@pytest.mark.parametrize("depth", [5_000, 50_000])
def test_deeply_nested_json_is_a_french_400(depth: int) -> None:
    """Thousands of nested brackets (RecursionError in the JSON parser: a bare 500)."""
    body = (b"[" * depth + b"]" * depth)[: 15 * 1024]
    for route in ("webhook", "effacer"):
        status, _, raw = request("POST", f"{BASE}/{route}", body)
        assert status == 400
        assert json.loads(raw)["message"]
    assert alive()


@pytest.mark.parametrize("sender", ["aaaaaaaaaaaaaaaa", "0000000000000000", "abcdefghijklmnopqrst"])
def test_guessable_sender_ids_are_refused_in_french(sender: str) -> None:
    """Low-entropy ids were accepted: anyone could guess another person's conversation."""
    body = json.dumps({"sender": sender, "message": "bonjour"}).encode()
    status, _, raw = request("POST", f"{BASE}/webhook", body)
    assert status == 400
    answer = json.loads(raw)
    assert answer["error"] == "invalid_sender" and "Recharge la page" in answer["message"]


def test_rate_limit_answer_is_french() -> None:
    """The 429 said "too many messages" in English only."""
    sender = secrets.token_hex(16)
    answers = []
    for n in range(12):
        body = json.dumps({"sender": sender, "message": f"salut {n}"}).encode()
        status, headers, raw = request("POST", f"{BASE}/webhook", body)
        answers.append((status, headers.get("Retry-After"), raw))
    refused = [a for a in answers if a[0] == 429]
    assert refused, [a[0] for a in answers]
    assert int(refused[0][1]) >= 1
    assert json.loads(refused[0][2])["message"].startswith("Tu envoies beaucoup")


def test_origin_check_uses_the_scheme_and_not_the_host_header() -> None:
    """The same host with another scheme, or a page whose domain points at this server
    (its Host header then names that domain), is another origin: 403."""
    host = SERVER.split("://", 1)[1]
    body = json.dumps({"sender": secrets.token_hex(16), "message": "salut"}).encode()
    same = request("POST", f"{BASE}/webhook", body, {"Origin": f"http://{host}"})
    assert same[0] == 200
    other_scheme = request("POST", f"{BASE}/webhook", body, {"Origin": f"https://{host}"})
    assert other_scheme[0] == 403
    assert json.loads(other_scheme[2])["message"]
    rebinding = request(
        "POST",
        f"{BASE}/webhook",
        body,
        {"Origin": "http://evil.example:5005", "Host": "evil.example:5005"},
    )
    assert rebinding[0] == 403


def test_api_refuses_requests_without_the_token() -> None:
    """The HTTP API never runs without the token (an empty token turned it off)."""
    for path in ("/conversations/x/tracker", "/conversations/x/tracker?token=", "/status"):
        assert request("GET", path)[0] in (401, 403)


def test_no_conversation_id_in_the_log_after_erasure() -> None:
    """A conversation's id stayed in the server log after it was erased; the log now
    holds pseudonyms only."""
    if not RASA_LOG.exists():
        pytest.skip(f"{RASA_LOG} not found (CAPNUM_RASA_LOG)")
    chat = Conversation()
    chat.say("salut j'ai 19 ans et j'habite à Lille")
    for bad in BAD_ANSWERS[:3]:
        chat.say(bad)
    request("POST", f"{BASE}/effacer", json.dumps({"sender": chat.sender}).encode())
    assert chat.sender not in RASA_LOG.read_text(encoding="utf-8", errors="replace")
