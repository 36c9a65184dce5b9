"""Telegram end to end: updates posted to the real Rasa server's webhook, answers sent to
the fake Bot API server of the tests (tests/support/fake_telegram.py), which records them.

Run by `make test` (`pytest -m server`) with the Rasa server started with
CAPNUM_TELEGRAM_API_URL pointing at the fake's port and a test token and secret;
skipped otherwise.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest

from bot.channels.telegram.channel import SECRET_HEADER
from tests.support.fake_telegram import BOT_ID, BOT_USERNAME, FakeTelegram
from tests.support.telegram_user import (
    FIRST_MESSAGE,
    SERVER,
    TG_API,
    TG_SECRET,
    TG_TOKEN,
    TOKEN,
    WEBHOOK,
    User,
    get_json,
    post,
    update_ids,
)

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTelegram]:
    if not SERVER:
        pytest.skip("CAPNUM_SERVER_URL not set: servers not started")
    api = urlparse(TG_API)
    if not (TG_TOKEN and TG_SECRET) or api.hostname != "127.0.0.1" or not api.port:
        pytest.skip("the Rasa server does not talk to a local fake Bot API (scripts/test.sh)")
    server = FakeTelegram(api.port, token=TG_TOKEN).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def clean(fake: FakeTelegram) -> None:
    fake.clear()


def texts(answers: list[dict[str, Any]]) -> str:
    return "\n".join(a["text"] for a in answers)


def buttons(answer: dict[str, Any]) -> list[tuple[str, str]]:
    keyboard = (answer.get("reply_markup") or {}).get("inline_keyboard") or []
    return [(k["text"], k["callback_data"]) for row in keyboard for k in row]


def cards(answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [a for a in answers if buttons(a) and buttons(a)[0][0] == "Détails"]


def last_payload(tracker: dict[str, Any]) -> dict[str, Any]:
    for event in reversed(tracker["events"]):
        custom = (event.get("data") or {}).get("custom") if event.get("event") == "bot" else None
        if isinstance(custom, dict) and custom.get("type") == "recommandations":
            return custom
    raise AssertionError("no recommendations in the conversation")


def test_full_conversation_to_recommendations_and_details(fake: FakeTelegram) -> None:
    """/start, two answers, one message per training with its reasons, data date and a
    Détails button; tapping it gives the details, and the choice is echoed."""
    user = User(fake)
    welcome = user.say("/start")
    assert "Cap Num" in texts(welcome) and fake.calls_of("sendChatAction", user.chat_id)
    first = user.say(FIRST_MESSAGE)
    assert "diplôme" in texts(first)
    answers = user.tap("Aucun diplôme")
    shown = cards(answers)
    assert 1 <= len(shown) <= 5, texts(answers)
    payload = last_payload(user.tracker())
    assert payload["profil"]["commune"] == "Roubaix" and payload["profil"]["diplome"] == "aucun"
    for rang, (card, formation) in enumerate(zip(shown, payload["formations"], strict=True), 1):
        title = f"{rang}. {formation['intitule']}"
        assert card["text"].startswith(title + "\n")
        assert card["entities"][0] == {
            "type": "bold",
            "offset": 0,
            "length": len(title.encode("utf-16-le")) // 2,
        }
        assert f"Données {formation['date_donnees']}" in card["text"]
        assert all(f"• {r}" in card["text"] for r in formation["raisons"])
        assert buttons(card) == [("Détails", f'/demander_details{{"rang": "{rang}"}}')]
    # The plain-text cards of text-only channels are not sent as well.
    assert not any(
        a["text"].startswith("1. **") or "Pourquoi elle te va : " in a["text"] for a in answers
    )
    assert all(len(a["text"].encode("utf-16-le")) // 2 <= 4096 for a in answers)
    assert len(shown) >= 2
    details = tap_card(user, shown[1])
    chosen = payload["formations"][1]
    assert chosen["intitule"] in texts(details)
    edit = fake.calls_of("editMessageReplyMarkup", user.chat_id)[-1].params
    assert edit["reply_markup"]["inline_keyboard"][0][0]["text"] == "✅ Détails"
    assert fake.calls_of("answerCallbackQuery")


def tap_card(user: User, card: dict[str, Any]) -> list[dict[str, Any]]:
    """Taps the Détails button of one card (all cards have the same title)."""
    query = {
        "id": secrets.token_hex(8),
        "from": {"id": user.user_id, "is_bot": False, "first_name": "Léa"},
        "chat_instance": "1",
        "data": buttons(card)[0][1],
        "message": {
            "message_id": card["message_id"],
            "date": int(time.time()),
            "chat": {"id": user.chat_id, "type": user.chat_type},
            "text": card["text"],
            "reply_markup": card["reply_markup"],
        },
    }
    status, answers = user.post({"callback_query": query})
    assert status == 200
    return answers


def test_buttons_answer_the_questions(fake: FakeTelegram) -> None:
    """Each choice question comes with an inline keyboard; a tap fills the profile."""
    user = User(fake)
    welcome = user.say("/start")
    choices = [t for a in welcome for t, _ in buttons(a)]
    assert "Je cherche du travail" in choices, texts(welcome)
    after = user.tap("Je cherche du travail")
    assert "quel âge" in texts(after)
    edit = fake.calls_of("editMessageReplyMarkup", user.chat_id)[-1].params
    assert edit["reply_markup"] == {
        "inline_keyboard": [[{"text": "✅ Je cherche du travail", "callback_data": "-"}]]
    }
    assert user.tracker()["slots"]["situation"] == "demandeur_emploi"


def test_same_recommendations_as_the_web_chat(fake: FakeTelegram) -> None:
    """The same answers give the same trainings, in the same order, on both channels."""
    answers = ["bonjour", "je cherche du travail", "22 ans", "bac", "59100", "le développement web"]
    web_sender = secrets.token_hex(16)
    web_payload = None
    for text in answers:
        request = urllib.request.Request(
            f"{SERVER}/webhooks/webchat/webhook",
            data=json.dumps({"sender": web_sender, "message": text}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            messages = json.loads(response.read())
        web_payload = next((m["custom"] for m in messages if m.get("custom")), web_payload)
    assert web_payload is not None
    user = User(fake)
    sent: list[dict[str, Any]] = []
    for text in answers:
        sent = user.say(text)
    tg_payload = last_payload(user.tracker())
    assert [f["id"] for f in tg_payload["formations"]] == [
        f["id"] for f in web_payload["formations"]
    ]
    assert [c["text"].split("\n")[0] for c in cards(sent)] == [
        f"{f['rang']}. {f['intitule']}" for f in web_payload["formations"]
    ]


def test_restart_command_forgets_the_answers(fake: FakeTelegram) -> None:
    """/recommencer on Telegram starts over and forgets the profile answers."""
    user = User(fake)
    user.say("salut j'ai 19 ans et j'habite à Lille")
    assert user.tracker()["slots"]["commune"] == "Lille"
    answers = user.say("/recommencer")
    assert "reparti de zéro" in texts(answers)
    slots = user.tracker()["slots"]
    assert slots["commune"] is None and slots["age"] is None


def test_erase_command_asks_then_erases(fake: FakeTelegram) -> None:
    """/supprimer asks first, and erases the profile from the tracker only on 'yes'."""
    user = User(fake)
    user.say("salut j'ai 19 ans et j'habite à Lille")
    question = user.say("/supprimer")
    assert "efface tout" in texts(question)
    assert ("Oui, tout effacer", "/confirmer_suppression") in [
        b for a in question for b in buttons(a)
    ]
    assert user.tracker()["slots"]["commune"] == "Lille"  # nothing erased before the answer
    done = user.tap("Oui, tout effacer")
    assert "effacé" in texts(done)
    tracker = user.tracker()
    assert tracker["slots"]["commune"] is None
    assert "Lille" not in json.dumps(tracker["events"], ensure_ascii=False)


def test_erase_can_be_cancelled(fake: FakeTelegram) -> None:
    """Answering 'no' to /supprimer keeps the profile."""
    user = User(fake)
    user.say("salut j'ai 19 ans et j'habite à Lille")
    user.say("/supprimer")
    assert "garde" in texts(user.tap("Non, garder"))
    assert user.tracker()["slots"]["commune"] == "Lille"


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", TG_SECRET + "x"])
def test_forged_update_is_rejected(fake: FakeTelegram, secret: str | None) -> None:
    """An update without the right secret is refused with 403 and runs no turn."""
    user = User(fake)
    status, answers = user.post(
        {"message": user.message(text="salut j'habite à Lille")}, secret=secret
    )
    assert status == 403 and answers == [] and fake.calls == []
    status, tracker = get_json(f"/conversations/{user.sender}/tracker?token={TOKEN}")
    assert status == 200 and not any(e.get("event") == "user" for e in tracker["events"])


def test_malformed_and_duplicate_updates(fake: FakeTelegram) -> None:
    """Malformed updates get 400, and a re-delivered update runs only one turn."""
    headers = {SECRET_HEADER: TG_SECRET}
    assert post(WEBHOOK, b"{pas du json", headers) == 400
    assert post(WEBHOOK, b'{"update_id": "x"}', headers) == 400
    user = User(fake)
    update = json.dumps(
        {"update_id": next(update_ids), "message": user.message(text="bonjour")}
    ).encode()
    assert post(WEBHOOK, update, headers) == 200
    count = len(fake.sent(user.chat_id))
    assert count >= 1
    assert post(WEBHOOK, update, headers) == 200  # Telegram re-delivers: no second turn
    assert len(fake.sent(user.chat_id)) == count
    user_events = [e for e in user.tracker()["events"] if e.get("event") == "user"]
    assert len(user_events) == 1


def test_rate_limit_answer_is_retried_after_retry_after(fake: FakeTelegram) -> None:
    """A reply refused with 429 is sent again after retry_after, not lost."""
    user = User(fake)
    fake.fail_next("sendMessage", 429, retry_after=1)
    answers = user.say("/start")
    calls = fake.calls_of("sendMessage", user.chat_id)
    assert calls[0].status == 429 and calls[1].status == 200
    assert calls[1].params["text"] == calls[0].params["text"]  # the same reply, not lost
    assert calls[1].at - calls[0].at >= 0.9
    assert "Cap Num" in texts(answers)


def test_server_error_and_timeout_are_retried(fake: FakeTelegram) -> None:
    """A reply refused with 502 is retried and delivered."""
    user = User(fake)
    fake.fail_next("sendMessage", 502)
    answers = user.say("/aide")
    assert answers and "Je t'aide" in texts(answers)
    assert [c.status for c in fake.calls_of("sendMessage", user.chat_id)][:2] == [502, 200]


@pytest.mark.parametrize(
    "content",
    [
        {
            "sticker": {
                "file_id": "s1",
                "emoji": "👍",
                "width": 512,
                "height": 512,
                "is_animated": False,
            }
        },
        {"photo": [{"file_id": "p1", "width": 90, "height": 90}]},
        {"voice": {"file_id": "v1", "duration": 4, "mime_type": "audio/ogg"}},
        {"document": {"file_id": "d1", "file_name": "cv.pdf"}},
    ],
)
def test_media_get_a_kind_answer_and_the_question_again(
    fake: FakeTelegram, content: dict[str, Any]
) -> None:
    """Media get a French hint and the pending question again, without storing a turn."""
    user = User(fake)
    user.say("/start")
    turns = len([e for e in user.tracker()["events"] if e.get("event") == "user"])
    answers = user.send(**content)
    assert "que du texte" in texts(answers)
    assert "situation" in texts(answers)  # the pending question is asked again
    assert ("Autre", '/informer{"situation": "autre"}') in buttons(answers[-1])
    # Answered by the channel: no turn, nothing stored.
    assert len([e for e in user.tracker()["events"] if e.get("event") == "user"]) == turns


def test_shared_location_sets_the_commune(fake: FakeTelegram) -> None:
    """A shared location fills the commune and department slots."""
    user = User(fake)
    user.say("salut j'ai 19 ans")
    user.send(location={"latitude": 50.6942, "longitude": 3.1746})
    slots = user.tracker()["slots"]
    assert slots["commune"] == "Roubaix" and slots["departement"] == "59"


def test_location_abroad_asks_for_the_town(fake: FakeTelegram) -> None:
    """A location abroad gets a French answer and leaves the commune empty."""
    user = User(fake)
    user.say("/start")
    answers = user.send(location={"latitude": 51.5074, "longitude": -0.1278})
    assert "pas trouvé de commune" in texts(answers)
    assert user.tracker()["slots"]["commune"] is None


def test_edited_message_is_answered_as_a_new_one(fake: FakeTelegram) -> None:
    """Correcting the town in the sent message corrects the profile; the answer quotes
    the edited message."""
    user = User(fake)
    user.say("salut j'ai 19 ans et j'habite à Roubaix")
    assert user.tracker()["slots"]["commune"] == "Roubaix"
    edited = user.message(text="salut j'ai 19 ans et j'habite à Lille", edit_date=int(time.time()))
    edited["message_id"] = 1
    status, answers = user.post({"edited_message": edited})
    assert status == 200 and answers
    assert answers[0]["reply_parameters"]["message_id"] == 1
    assert user.tracker()["slots"]["commune"] == "Lille"


def test_very_long_text_gets_a_french_answer(fake: FakeTelegram) -> None:
    """A very long text gets the French 'too long' answer."""
    user = User(fake)
    user.say("/start")
    answers = user.say("bla " * 1000)
    assert "très long" in texts(answers)


def test_group_chat_is_silent_unless_addressed(fake: FakeTelegram) -> None:
    """In a group the bot stays silent and stores nothing unless mentioned or replied to."""
    user = User(fake, group=True)
    assert user.say("salut tout le monde, quelqu'un a vu le match ?") == []
    assert user.say("/start") == []  # a bare command may be for another bot
    assert user.send(sticker={"file_id": "s1"}) == []
    status, tracker = get_json(f"/conversations/{user.sender}/tracker?token={TOKEN}")
    assert status == 200 and not any(e.get("event") == "user" for e in tracker["events"])
    answers = user.say(f"@{BOT_USERNAME} bonjour")
    assert answers and answers[0]["reply_parameters"]["message_id"] == user.last_message_id
    command = user.say(f"/aide@{BOT_USERNAME}")
    assert "Je t'aide" in texts(command)
    reply = user.say(
        "je cherche du travail",
        reply_to_message={
            "message_id": answers[-1]["message_id"],
            "from": {"id": BOT_ID, "is_bot": True},
        },
    )
    assert reply and user.tracker()["slots"]["situation"] == "demandeur_emploi"


def test_personal_data_is_masked_on_telegram(fake: FakeTelegram) -> None:
    """As on the web chat: a phone number and an e-mail are masked before they are stored,
    and the person is told; the age in the same message is understood."""
    user = User(fake)
    user.say("/start")
    answers = user.say("j'ai 19 ans, mon 06 12 34 56 78 et lea@mail.fr")
    assert "données personnelles" in texts(answers)
    stored = json.dumps(user.tracker(), ensure_ascii=False)
    assert "06 12 34 56 78" not in stored and "lea@mail.fr" not in stored
    assert user.tracker()["slots"]["age"] == 19


def test_forged_callback_data_is_not_run(fake: FakeTelegram) -> None:
    """Callback data the bot never offered (a crafted client) does not set the profile."""
    user = User(fake)
    user.say("/start")
    query = {
        "id": secrets.token_hex(8),
        "from": {"id": user.user_id, "is_bot": False, "first_name": "Léa"},
        "chat_instance": "1",
        "data": '/informer{"age": "5", "diplome": "bac_plus_3"}',
    }
    status, _ = user.post({"callback_query": query})
    assert status == 200
    slots = user.tracker()["slots"]
    assert slots["diplome"] is None and slots["age"] is None


def test_a_chat_sending_too_fast_is_slowed_down(fake: FakeTelegram) -> None:
    """After a burst of messages the bot answers "too fast" without running a turn."""
    user = User(fake)
    answers = [texts(user.say("salut")) for _ in range(11)]
    assert any("un peu vite" in a for a in answers[8:])
    users = [e for e in user.tracker()["events"] if e["event"] == "user"]
    assert len(users) <= 9
