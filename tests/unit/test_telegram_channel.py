"""The Telegram adapter without Rasa: update parsing, Bot API parameters, the Bot API
client's retries (against the fake Bot API server), and the webhook's checks and turn
handling with a stand-in for Rasa."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import ActiveLoop, BotUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.messaging import Button, Incoming, Kind, Outgoing, RichText, parse_bold
from bot.channels.telegram.api import BotApi, BotApiError
from bot.channels.telegram.channel import KeyedLocks, TelegramInput
from bot.channels.telegram.replies import (
    CALLBACK_DATA_LIMIT,
    CHOSEN,
    callback_data,
    inline_keyboard,
    payload_key,
    send_message_params,
    utf16_len,
)
from bot.channels.telegram.updates import BotIdentity, parse_update, sender_id
from tests.support.fake_telegram import BOT_ID, BOT_USERNAME, FakeTelegram

TOKEN = "123456:unit-test-token"
SECRET = "unit-test-secret"
ME = BotIdentity(BOT_USERNAME, BOT_ID)
CHAT = 5550001


def message(text: str | None = None, chat_type: str = "private", **extra: Any) -> dict[str, Any]:
    chat_id = CHAT if chat_type == "private" else -100777
    body: dict[str, Any] = {
        "message_id": 10,
        "date": 0,
        "chat": {"id": chat_id, "type": chat_type},
        "from": {"id": CHAT, "is_bot": False, "first_name": "Léa"},
        **extra,
    }
    if text is not None:
        body["text"] = text
    return body


def update(update_id: int = 1, **kinds: Any) -> dict[str, Any]:
    return {"update_id": update_id, **kinds}


# --- parsing ---------------------------------------------------------------------------
def test_private_text_and_commands() -> None:
    """A private message is trimmed text, and /start or /cmd@bot parse as bare commands."""
    parsed = parse_update(update(message=message("  j'ai 19 ans ")))
    assert parsed is not None
    assert (parsed.chat_id, parsed.user_id, parsed.message_id) == (CHAT, CHAT, 10)
    assert parsed.incoming == Incoming(Kind.TEXT, "j'ai 19 ans")
    assert not parsed.edited and not parsed.in_group
    start = parse_update(update(message=message("/start campagne42")))
    assert start is not None and start.incoming == Incoming(Kind.COMMAND, "start")
    named = parse_update(update(message=message(f"/supprimer@{BOT_USERNAME}")))
    assert named is not None and named.incoming == Incoming(Kind.COMMAND, "supprimer")


@pytest.mark.parametrize(
    ("extra", "kind"),
    [
        ({"sticker": {"file_id": "x"}}, Kind.MEDIA),
        ({"photo": [{"file_id": "x"}]}, Kind.MEDIA),
        ({"voice": {"file_id": "x", "duration": 3}}, Kind.MEDIA),
        ({"document": {"file_id": "x"}}, Kind.MEDIA),
        ({"location": {"latitude": 50.69, "longitude": 3.17}}, Kind.LOCATION),
        (
            {"venue": {"location": {"latitude": 50.69, "longitude": 3.17}, "title": "Gare"}},
            Kind.LOCATION,
        ),
        ({"photo": [{"file_id": "x"}], "caption": "j'habite à Lille"}, Kind.TEXT),
    ],
)
def test_what_people_send(extra: dict[str, Any], kind: Kind) -> None:
    """Stickers, photos, voice and files are media; locations are positions; captions are text."""
    parsed = parse_update(update(message=message(**extra)))
    assert parsed is not None and parsed.incoming.kind is kind
    if kind is Kind.LOCATION:
        assert (parsed.incoming.latitude, parsed.incoming.longitude) == (50.69, 3.17)
    if kind is Kind.TEXT:
        assert parsed.incoming.text == "j'habite à Lille"


def test_edited_text_is_a_new_message_but_a_moving_live_location_is_not() -> None:
    """An edited text counts as a new message; a live location moving does not."""
    edited = parse_update(update(edited_message=message("Roubaix", edit_date=5)))
    assert edited is not None and edited.edited and edited.incoming.text == "Roubaix"
    live = message(location={"latitude": 50.0, "longitude": 3.0}, edit_date=5)
    assert parse_update(update(edited_message=live)) is None


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        {"update_id": "1"},
        update(channel_post=message("annonce", "channel")),
        update(message={**message("salut"), "from": {"id": 9, "is_bot": True}}),
        update(message=message("canal", "channel")),
        update(message=message(new_chat_members=[{"id": 3}])),
        update(my_chat_member={"chat": {"id": 1}}),
        update(callback_query={"id": "q", "from": {"id": 1}, "message": {"chat": {"id": 1}}}),
    ],
)
def test_updates_to_ignore(raw: Any) -> None:
    """Malformed updates, channel posts, other bots, joins and empty taps are ignored."""
    assert parse_update(raw, ME) is None


def test_group_is_silent_unless_addressed() -> None:
    """In a group the bot answers only a mention, a command to it, a reply to it or a text link."""
    group = "supergroup"
    assert parse_update(update(message=message("salut tout le monde", group)), ME) is None
    assert parse_update(update(message=message("/start", group)), ME) is None
    assert parse_update(update(message=message("/start@autre_bot", group)), ME) is None
    assert parse_update(update(message=message("@capnum_test_bot_x salut", group)), ME) is None
    assert parse_update(update(message=message("salut", group)), None) is None
    mention = parse_update(update(message=message(f"@{BOT_USERNAME} j'ai 19 ans", group)), ME)
    assert mention is not None and mention.incoming.text == "j'ai 19 ans" and mention.in_group
    command = parse_update(update(message=message(f"/aide@{BOT_USERNAME}", group)), ME)
    assert command is not None and command.incoming == Incoming(Kind.COMMAND, "aide")
    reply = message("Lille", group, reply_to_message={"from": {"id": BOT_ID, "is_bot": True}})
    assert parse_update(update(message=reply), ME) is not None
    by_link = message(
        "Cap Num, aide-moi",
        group,
        entities=[{"type": "text_mention", "offset": 0, "length": 7, "user": {"id": BOT_ID}}],
    )
    assert parse_update(update(message=by_link), ME) is not None
    sticker = message(group, sticker={"file_id": "x"})
    assert parse_update(update(message={**sticker, "chat": {"id": -1, "type": group}}), ME) is None


def test_group_members_have_their_own_conversation() -> None:
    """Each group member gets their own conversation id, and the chat id never appears in it."""
    private = sender_id(SECRET, CHAT, CHAT)
    assert private == sender_id(SECRET, CHAT, 999)  # a private chat is one person
    assert sender_id(SECRET, -100, 1, "group") != sender_id(SECRET, -100, 2, "group")
    assert str(CHAT) not in private


def callback_query(
    query_id: str, data: str, message_id: int, keyboard: dict[str, Any]
) -> dict[str, Any]:
    """A tap on a button of the bot's message `message_id` in the private chat."""
    return {
        "id": query_id,
        "from": {"id": CHAT},
        "data": data,
        "message": {
            "message_id": message_id,
            "chat": {"id": CHAT, "type": "private"},
            "reply_markup": keyboard,
        },
    }


def test_callback_query_and_tapped_title() -> None:
    """A button tap parses into its payload, its query id and the title of the tapped button."""
    keyboard = {"inline_keyboard": [[{"text": "Plus près", "callback_data": "/plus_pres"}]]}
    query = callback_query("q1", "/plus_pres", 33, keyboard)
    parsed = parse_update(update(callback_query=query))
    assert parsed is not None
    assert parsed.incoming == Incoming(Kind.BUTTON, "/plus_pres")
    assert (parsed.callback_id, parsed.callback_title, parsed.message_id) == ("q1", "Plus près", 33)


# --- sending ---------------------------------------------------------------------------
def test_bold_entities_count_utf16_units() -> None:
    """Bold entity offsets and lengths are counted in UTF-16 units, as Telegram requires."""
    item = Outgoing(parse_bold("📍 **Lille** et **Roubaix**"))
    params = send_message_params(CHAT, item, reply_to=7)
    assert params["text"] == "📍 Lille et Roubaix"
    assert params["entities"] == [
        {"type": "bold", "offset": 3, "length": 5},  # the pin counts 2 units, then a space
        {"type": "bold", "offset": 12, "length": 7},
    ]
    assert params["reply_parameters"] == {"message_id": 7, "allow_sending_without_reply": True}
    assert "reply_markup" not in send_message_params(CHAT, Outgoing(RichText("x")))
    assert utf16_len("é😀") == 3


def test_long_payloads_get_short_callback_data() -> None:
    """A payload over Telegram's 64-byte callback limit is replaced by a short stable hash key."""
    short = '/demander_details{"rang": "2"}'
    assert callback_data(short) == short
    long = '/informer{"commune": "Saint-Rémy-en-Bouzemont-Saint-Genest-et-Isson (51)"}'
    data = callback_data(long)
    assert len(long.encode()) > CALLBACK_DATA_LIMIT >= len(data.encode())
    assert data == payload_key(long) and data.startswith("#")
    assert payload_key(long) != payload_key(long + " ")


def test_keyboard_layout() -> None:
    """Short buttons go two per row; a long button takes a row of its own."""
    short = tuple(Button(t, f"/{t}") for t in ("Oui", "Non", "Peut-être"))
    rows = inline_keyboard(short)["inline_keyboard"]
    assert [[k["text"] for k in row] for row in rows] == [["Oui", "Non"], ["Peut-être"]]
    long = (Button("Je cherche du travail depuis longtemps", "/a"), Button("Non", "/b"))
    assert len(inline_keyboard(long)["inline_keyboard"]) == 2


# --- the Bot API client --------------------------------------------------------------
@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    server = FakeTelegram(token=TOKEN).start()
    yield server
    server.stop()


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def client(fake: FakeTelegram, sleeps: Sleeps, **kwargs: Any) -> BotApi:
    return BotApi(fake.url, TOKEN, sleep=sleeps, **kwargs)


@pytest.mark.anyio
async def test_api_call_and_429_retried_after_retry_after(fake: FakeTelegram) -> None:
    """A 429 answer is retried after its retry_after delay, capped at the configured maximum."""
    sleeps = Sleeps()
    api = client(fake, sleeps, max_retry_after=5)
    fake.fail_next("sendMessage", 429, retry_after=3)
    fake.fail_next("sendMessage", 429, retry_after=3600)
    result = await api.call("sendMessage", {"chat_id": CHAT, "text": "bonjour"})
    await api.close()
    assert result["text"] == "bonjour"
    assert sleeps.delays == [3.0, 5.0]  # retry_after, capped
    assert [c.params["text"] for c in fake.calls_of("sendMessage")] == ["bonjour"] * 3


@pytest.mark.anyio
async def test_api_retries_server_errors_and_timeouts_with_backoff(fake: FakeTelegram) -> None:
    """Server errors and time-outs are retried with doubling back-off."""
    sleeps = Sleeps()
    api = client(fake, sleeps, timeout=0.3, backoff=0.5)
    fake.fail_next("sendMessage", 502)
    fake.hang_next("sendMessage", 1.0)
    result = await api.call("sendMessage", {"chat_id": CHAT, "text": "salut"})
    await api.close()
    assert result["chat"]["id"] == CHAT
    assert sleeps.delays == [0.5, 1.0]


@pytest.mark.anyio
async def test_api_gives_up_and_does_not_retry_client_errors(
    fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    """The API gives up after its attempts, never retries a 400, and logs no token or text."""
    sleeps = Sleeps()
    api = client(fake, sleeps, attempts=3)
    fake.fail_next("sendMessage", 500, times=5)
    with caplog.at_level(logging.INFO), pytest.raises(BotApiError) as failed:
        await api.call("sendMessage", {"chat_id": CHAT, "text": "secret du texte"}, "tg-hash")
    assert failed.value.code == 500 and len(sleeps.delays) == 2
    fake.clear()
    with pytest.raises(BotApiError) as refused:
        await api.call("sendMessage", {"chat_id": CHAT, "text": ""})
    assert refused.value.code == 400 and len(fake.calls_of("sendMessage")) == 1
    await api.close()
    logs = caplog.text
    assert "tg-hash" in logs and TOKEN not in logs and "secret du texte" not in logs


@pytest.mark.anyio
async def test_api_network_error_is_retried_then_raised() -> None:
    """A network error is retried, then raised as a BotApiError without a status code."""
    sleeps = Sleeps()
    api = BotApi("http://127.0.0.1:9", TOKEN, attempts=2, sleep=sleeps)  # nothing listens
    with pytest.raises(BotApiError) as failed:
        await api.call("getMe", {})
    await api.close()
    assert failed.value.code is None and sleeps.delays == [0.5]


# --- the webhook with a stand-in for Rasa ------------------------------------------------
class Store:
    def __init__(self) -> None:
        self.trackers: dict[str, DialogueStateTracker] = {}

    async def retrieve(self, sender: str) -> DialogueStateTracker | None:
        return self.trackers.get(sender)


def fake_request(domain: dict[str, Any], store: Store | None = None) -> Any:
    agent = SimpleNamespace(
        domain=SimpleNamespace(responses=domain["responses"]), tracker_store=store or Store()
    )
    return SimpleNamespace(app=SimpleNamespace(ctx=SimpleNamespace(agent=agent)))


class Rasa:
    """Answers each user message with fixed bot messages, and records what it received."""

    def __init__(self, *answers: dict[str, Any], fail: bool = False) -> None:
        self.answers = list(answers)
        self.received: list[UserMessage] = []
        self.fail = fail

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        if self.fail:
            raise RuntimeError("boom")
        for answer in self.answers:
            await message.output_channel.send_response(message.sender_id, dict(answer))


_OPEN: list[TelegramInput] = []


def channel(fake: FakeTelegram, **kwargs: Any) -> TelegramInput:
    api = BotApi(fake.url, TOKEN, sleep=Sleeps())
    made = TelegramInput(TOKEN, SECRET, fake.url, kwargs.pop("bot_username", None), api=api)
    _OPEN.append(made)
    return made


@pytest.fixture(autouse=True)
async def close_channels() -> Any:
    """Closes the HTTP sessions of the channels a test made."""
    yield
    while _OPEN:
        await _OPEN.pop().api.close()


def body(raw: Any) -> bytes:
    return json.dumps(raw).encode()


@pytest.mark.anyio
async def test_webhook_checks_before_anything(fake: FakeTelegram, domain: dict[str, Any]) -> None:
    """The webhook checks secret, JSON, size and configuration first, then drops duplicates."""
    rasa = Rasa({"text": "Salut"})
    request = fake_request(domain)
    tg = channel(fake)
    ok = body(update(message=message("salut")))
    assert (await tg.receive(ok, None, request, rasa))[0] == 403
    assert (await tg.receive(ok, "wrong-secret", request, rasa))[0] == 403
    assert (await tg.receive(ok, SECRET[:-1], request, rasa))[0] == 403
    assert (await tg.receive(b"{not json", SECRET, request, rasa))[0] == 400
    assert (await tg.receive(b"\xff\xfe", SECRET, request, rasa))[0] == 400
    assert (await tg.receive(body([1, 2]), SECRET, request, rasa))[0] == 400
    assert (await tg.receive(b"x" * 300_000, SECRET, request, rasa))[0] == 413
    off = TelegramInput.from_credentials({"token": "", "secret_token": "", "api_url": fake.url})
    assert not off.configured
    assert (await off.receive(ok, "", request, rasa))[0] == 503
    assert rasa.received == [] and fake.calls == []
    assert await tg.receive(ok, SECRET, request, rasa) == (200, {"status": "ok"})
    assert await tg.receive(ok, SECRET, request, rasa) == (200, {"status": "duplicate"})
    assert len(rasa.received) == 1 and [m["text"] for m in fake.sent(CHAT)] == ["Salut"]


@pytest.mark.anyio
async def test_turn_sends_cards_and_buttons_in_order(
    fake: FakeTelegram, domain: dict[str, Any]
) -> None:
    """A turn sends the typing action, then each card and the buttons, in order, as keyboards."""
    formation = {
        "rang": 1,
        "intitule": "Développeur web",
        "raisons": ["près de chez toi"],
        "date_donnees": "2019",
        "textes": {k: k for k in ("organisme", "lieu", "duree", "cout", "public", "source")},
        "details_payload": '/demander_details{"rang": "1"}',
    }
    rasa = Rasa(
        {"text": "1. **Développeur web** – x", "utter_action": "utter_formation_carte"},
        {"custom": {"type": "recommandations", "formations": [formation]}},
        {
            "text": "Et ensuite ?",
            "buttons": [{"title": "Voir plus", "payload": "/plus_de_resultats"}],
        },
    )
    tg = channel(fake)
    status, _ = await tg.receive(
        body(update(message=message("Lille"))), SECRET, fake_request(domain), rasa
    )
    assert status == 200
    assert rasa.received[0].text == "Lille" and rasa.received[0].input_channel == "telegram"
    assert rasa.received[0].sender_id == sender_id(SECRET, CHAT, CHAT)
    assert [c.method for c in fake.calls] == ["sendChatAction", "sendMessage", "sendMessage"]
    card, follow = fake.sent(CHAT)
    assert card["text"].startswith("1. Développeur web\n") and "• près de chez toi" in card["text"]
    assert card["entities"][0] == {"type": "bold", "offset": 0, "length": len("1. Développeur web")}
    assert card["reply_markup"]["inline_keyboard"] == [
        [{"text": "Détails", "callback_data": '/demander_details{"rang": "1"}'}]
    ]
    assert follow["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "/plus_de_resultats"


@pytest.mark.anyio
async def test_tap_is_answered_echoed_and_run(fake: FakeTelegram, domain: dict[str, Any]) -> None:
    """A tap is answered, its keyboard shrinks to the chosen button, and a re-tap does nothing."""
    rasa = Rasa({"text": "OK"})
    tg = channel(fake)
    keyboard = {
        "inline_keyboard": [
            [{"text": "Oui, tout effacer", "callback_data": "/confirmer_suppression"}]
        ]
    }
    query = callback_query("q9", "/confirmer_suppression", 77, keyboard)
    await tg.receive(body(update(5, callback_query=query)), SECRET, fake_request(domain), rasa)
    assert [m.text for m in rasa.received] == ["/confirmer_suppression"]
    assert fake.calls_of("answerCallbackQuery")[0].params == {"callback_query_id": "q9"}
    edit = fake.calls_of("editMessageReplyMarkup")[0].params
    assert edit["message_id"] == 77
    assert edit["reply_markup"] == {
        "inline_keyboard": [[{"text": "✅ Oui, tout effacer", "callback_data": CHOSEN}]]
    }
    # Tapping the echo again only stops the spinner.
    again = {**query, "id": "q10", "data": CHOSEN}
    await tg.receive(body(update(6, callback_query=again)), SECRET, fake_request(domain), rasa)
    assert len(rasa.received) == 1 and len(fake.calls_of("answerCallbackQuery")) == 2


@pytest.mark.anyio
async def test_hashed_tap_is_found_in_the_conversation(
    fake: FakeTelegram, domain: dict[str, Any]
) -> None:
    """A hashed tap is resolved from the conversation's buttons; an unknown one has expired."""
    long = '/informer{"commune": "Saint-Rémy-en-Bouzemont-Saint-Genest-et-Isson (51)"}'
    store = Store()
    sender = sender_id(SECRET, CHAT, CHAT)
    store.trackers[sender] = DialogueStateTracker.from_events(
        sender, [BotUttered("Laquelle ?", {"buttons": [{"title": "Saint-Rémy…", "payload": long}]})]
    )
    rasa = Rasa({"text": "Noté"})
    tg = channel(fake)
    query = {
        "id": "q1",
        "from": {"id": CHAT},
        "data": payload_key(long),
        "message": {"message_id": 5, "chat": {"id": CHAT, "type": "private"}},
    }
    await tg.receive(
        body(update(7, callback_query=query)), SECRET, fake_request(domain, store), rasa
    )
    assert [m.text for m in rasa.received] == [long]
    unknown = {**query, "id": "q2", "data": payload_key("/autre chose")}
    await tg.receive(
        body(update(8, callback_query=unknown)), SECRET, fake_request(domain, store), rasa
    )
    assert len(rasa.received) == 1
    expired = fake.calls_of("answerCallbackQuery")[-1].params
    assert expired["callback_query_id"] == "q2" and "plus valable" in expired["text"]


@pytest.mark.anyio
async def test_failed_turn_gets_an_apology_and_edits_get_a_reply(
    fake: FakeTelegram, domain: dict[str, Any]
) -> None:
    """A failed turn sends an apology; an edited message's first answer replies to it."""
    tg = channel(fake)
    status, _ = await tg.receive(
        body(update(1, message=message("salut"))), SECRET, fake_request(domain), Rasa(fail=True)
    )
    assert status == 200 and "souci technique" in fake.sent(CHAT)[0]["text"]
    fake.clear()
    await tg.receive(
        body(update(2, edited_message=message("Roubaix"))),
        SECRET,
        fake_request(domain),
        Rasa({"text": "a"}, {"text": "b"}),
    )
    first, second = fake.sent(CHAT)
    assert first["reply_parameters"]["message_id"] == 10 and "reply_parameters" not in second


@pytest.mark.anyio
async def test_group_uses_get_me_once_and_stays_silent(
    fake: FakeTelegram, domain: dict[str, Any]
) -> None:
    """In a group the bot calls getMe once, ignores other messages and replies to mentions."""
    tg = channel(fake)
    rasa = Rasa({"text": "Salut"})
    request = fake_request(domain)
    await tg.receive(body(update(1, message=message("bonjour", "group"))), SECRET, request, rasa)
    await tg.receive(
        body(update(2, message=message(f"@{BOT_USERNAME} bonjour", "group"))), SECRET, request, rasa
    )
    assert len(fake.calls_of("getMe")) == 1
    assert [m.text for m in rasa.received] == ["bonjour"]
    assert fake.sent()[0]["reply_parameters"]["message_id"] == 10


@pytest.mark.anyio
async def test_blocked_bot_stops_the_turn(fake: FakeTelegram, domain: dict[str, Any]) -> None:
    """When the user blocked the bot (403) the rest of the turn is not sent."""
    tg = channel(fake)
    fake.fail_next("sendMessage", 403, retry_after=None)
    await tg.receive(
        body(update(1, message=message("salut"))),
        SECRET,
        fake_request(domain),
        Rasa({"text": "a"}, {"text": "b"}),
    )
    assert len(fake.calls_of("sendMessage")) == 1


@pytest.mark.anyio
async def test_keyed_locks_are_dropped_after_use() -> None:
    """A per-conversation lock is dropped once released, so the lock table does not grow."""
    locks = KeyedLocks()
    async with locks.hold("a"):
        assert len(locks) == 1
    assert len(locks) == 0


@pytest.mark.anyio
async def test_media_is_answered_without_a_turn(fake: FakeTelegram, domain: dict[str, Any]) -> None:
    """Media and a foreign location get a French hint and the pending question, without a turn."""
    store = Store()
    sender = sender_id(SECRET, CHAT, CHAT)
    question = BotUttered(
        "Tu as quel âge ?", {"buttons": [{"title": "Je ne sais pas", "payload": "/je_sais_pas"}]}
    )
    store.trackers[sender] = DialogueStateTracker.from_events(
        sender, [ActiveLoop("profil_form"), question]
    )
    rasa = Rasa({"text": "jamais"})
    request = fake_request(domain, store)
    tg = channel(fake)
    await tg.receive(
        body(update(1, message=message(voice={"file_id": "v"}))), SECRET, request, rasa
    )
    await tg.receive(
        body(update(2, message=message(location={"latitude": 40.71, "longitude": -74.0}))),
        SECRET,
        request,
        rasa,
    )
    assert rasa.received == []
    sent = fake.sent(CHAT)
    assert [m["text"] for m in sent[1::2]] == ["Tu as quel âge ?"] * 2
    assert "que du texte" in sent[0]["text"] and "commune française" in sent[2]["text"]
    assert sent[1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "/je_sais_pas"


ERASED = {"type": "effacement", "efface": True}


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("custom", "noted"),
    [(ERASED, True), ({"type": "effacement", "efface": False}, False), (None, False)],
)
async def test_erasure_answer_says_what_telegram_keeps(
    fake: FakeTelegram, domain: dict[str, Any], custom: dict[str, Any] | None, noted: bool
) -> None:
    """A confirmed erasure is answered in one message that says what was erased on Cap
    Num's server and that the messages in the Telegram app are not (delete the chat)."""
    done = {"text": "C'est fait : j'ai effacé ton profil et notre conversation."}
    rasa = Rasa({**done, **({"custom": custom} if custom else {})})
    tg = channel(fake)
    await tg.receive(body(update(1, message=message("oui"))), SECRET, fake_request(domain), rasa)
    (sent,) = fake.sent(CHAT)
    assert sent["text"].startswith(done["text"])
    said = sent["text"].replace("\n", " ")
    for part in ("Effacé sur le serveur de Cap Num", "Pas effacé", "l'application Telegram"):
        assert (part in said) is noted
    assert ("supprime cette discussion dans Telegram" in said) is noted
    assert "{application}" not in said


@pytest.mark.anyio
async def test_erasure_answer_unchanged_with_a_model_without_the_note(
    fake: FakeTelegram, domain: dict[str, Any]
) -> None:
    """A model trained before the note existed still answers the erasure (text as is)."""
    responses = {
        k: v for k, v in domain["responses"].items() if k != "libelle_messagerie_effacement"
    }
    rasa = Rasa({"text": "C'est fait.", "custom": ERASED})
    tg = channel(fake)
    await tg.receive(
        body(update(1, message=message("oui"))),
        SECRET,
        fake_request({"responses": responses}),
        rasa,
    )
    assert [m["text"] for m in fake.sent(CHAT)] == ["C'est fait."]
