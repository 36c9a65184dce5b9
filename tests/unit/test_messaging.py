"""The channel-neutral messaging layer: incoming messages to Rasa texts, the bot's
messages to neutral messages (cards from the payload, bold, buttons, long texts split)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rasa.shared.core.events import ActiveLoop, BotUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.messaging import (
    COMMANDS,
    LOCAL_ANSWERS,
    MEDIA,
    UNKNOWN_POSITION,
    Button,
    Incoming,
    Kind,
    MessageCollector,
    Outgoing,
    RecentIds,
    RichText,
    conversation_id,
    nearest_commune,
    parse_bold,
    pending_question,
    rasa_text,
    render,
    split_text,
)
from bot.geo import Geo
from bot.presentation import Texts


@pytest.fixture(scope="module")
def texts(domain: dict[str, Any]) -> Texts:
    return Texts(domain["responses"])


@pytest.fixture(scope="module")
def geo() -> Geo:
    return Geo.default()


def formation(rang: int, intitule: str = "Développeur web", raisons: int = 2) -> dict[str, Any]:
    return {
        "id": f"f-{rang}",
        "rang": rang,
        "intitule": intitule,
        "raisons": [f"raison {i}" for i in range(1, raisons + 1)],
        "date_donnees": "2019",
        "textes": {
            "organisme": "Simplon",
            "lieu": "Roubaix (59) – 3 km",
            "duree": "7 mois",
            "cout": "gratuite",
            "public": "tous publics",
            "source": "example.org",
        },
        "details_payload": f'/demander_details{{"rang": "{rang}"}}',
    }


def test_bold_markers_become_spans() -> None:
    """**bold** markers become bold spans over plain text; lone stars stay text."""
    rich = parse_bold("1. **Développeur** – chez **Simplon**, ok")
    assert rich.text == "1. Développeur – chez Simplon, ok"
    assert [rich.text[a:b] for a, b in rich.bold] == ["Développeur", "Simplon"]
    assert parse_bold("2 * 3 ** 4").bold == ()


def test_short_text_is_one_piece_and_long_text_is_cut_at_paragraphs() -> None:
    """Short text stays one piece; long text is cut at paragraphs without losing words."""
    assert split_text(RichText("  bonjour  "), 100) == [RichText("bonjour")]
    paragraph = "mot " * 20
    text = "\n\n".join(paragraph.strip() for _ in range(10))
    pieces = split_text(RichText(text), 200)
    assert all(len(p.text) <= 200 for p in pieces)
    assert len(pieces) >= 5
    assert " ".join(p.text for p in pieces).split() == text.split()  # nothing lost
    assert all(not p.text.startswith(("\n", " ")) for p in pieces)


def test_text_without_spaces_is_cut_anywhere_and_bold_follows() -> None:
    """Text without spaces is cut at the limit and its bold spans follow the cut."""
    rich = parse_bold("**" + "a" * 30 + "**" + "b" * 30)
    pieces = split_text(rich, 25)
    assert "".join(p.text for p in pieces) == "a" * 30 + "b" * 30
    assert pieces[0].bold == ((0, 25),)
    assert pieces[1].bold == ((0, 5),)
    assert all(len(p.text) <= 25 for p in pieces)


def test_limit_uses_the_platform_measure() -> None:
    """The length limit is measured with the platform's own measure (UTF-16 units)."""
    utf16 = lambda s: len(s.encode("utf-16-le")) // 2  # noqa: E731
    pieces = split_text(RichText("😀" * 10), 6, utf16)  # each emoji counts 2
    assert [len(p.text) for p in pieces] == [3, 3, 3, 1]


def test_cards_replace_plain_text_cards(texts: Texts) -> None:
    """The recommendations payload replaces the plain-text cards with rich cards and buttons."""
    messages = [
        {"text": "J'ai trouvé 2 formation(s) pour toi."},
        {"text": "1. **Développeur web** – Simplon", "utter_action": "utter_formation_carte"},
        {"text": "2. **Technicien** – Afpa"},  # recognised by its rank and title as well
        {
            "custom": {
                "type": "recommandations",
                "formations": [formation(1), formation(2, "Technicien")],
            }
        },
        {
            "text": "Tu veux en savoir plus ?",
            "buttons": [{"title": "Voir plus", "payload": "/plus_de_resultats"}],
        },
    ]
    out = render(messages, texts, 4096)
    assert [o.body.text.splitlines()[0] for o in out] == [
        "J'ai trouvé 2 formation(s) pour toi.",
        "1. Développeur web",
        "2. Technicien",
        "Tu veux en savoir plus ?",
    ]
    first = out[1]
    assert first.body.bold == ((0, len("1. Développeur web")),)
    assert "• raison 1\n• raison 2" in first.body.text
    assert "2019" in first.body.text and "Simplon" in first.body.text
    assert "example.org" in first.body.text
    assert first.buttons == (Button("Détails", '/demander_details{"rang": "1"}'),)
    assert out[3].buttons == (Button("Voir plus", "/plus_de_resultats"),)


def test_without_payload_plain_cards_are_kept(texts: Texts) -> None:
    """Without a recommendations payload the plain-text cards are sent as they are."""
    messages = [
        {"text": "1. **Développeur web** – Simplon", "utter_action": "utter_formation_carte"}
    ]
    assert [o.body.text for o in render(messages, texts, 4096)] == ["1. Développeur web – Simplon"]


def test_a_title_with_markers_cannot_break_the_card(texts: Texts) -> None:
    """Star markers inside a course title are neutralised and cannot break the bold."""
    out = render(
        [{"custom": {"type": "recommandations", "formations": [formation(1, "C** et **Java")]}}],
        texts,
        4096,
    )
    title = "1. C\u2217\u2217 et \u2217\u2217Java"
    assert out[0].body.text.startswith(title + "\n")
    assert out[0].body.bold == ((0, len(title)),)


def test_long_message_is_split_and_buttons_go_last(texts: Texts) -> None:
    """A long message is split under the limit and its buttons go with the last piece."""
    long = "\n".join(f"ligne {i} " + "x" * 50 for i in range(100))
    out = render(
        [{"text": long, "buttons": [{"title": "OK", "payload": "/affirmer"}]}], texts, 1000
    )
    assert len(out) > 5
    assert all(len(o.body.text) <= 1000 for o in out)
    assert [o.buttons for o in out[:-1]] == [()] * (len(out) - 1)
    assert out[-1].buttons == (Button("OK", "/affirmer"),)


def test_unknown_custom_and_empty_messages_send_nothing(texts: Texts) -> None:
    """Unknown custom payloads and empty texts send nothing."""
    assert (
        render([{"custom": {"type": "autre"}}, {"text": "   "}, {"text": None}], texts, 100) == []
    )


def test_commands_text_buttons_and_media_to_rasa(geo: Geo) -> None:
    """Text, commands, buttons and media map to the right Rasa input; typed payloads defused."""
    assert rasa_text(Incoming(Kind.TEXT, "j'ai 19 ans"), 1000) == "j'ai 19 ans"
    assert rasa_text(Incoming(Kind.TEXT, "x" * 1001), 1000) == "/message_trop_long"
    assert rasa_text(Incoming(Kind.TEXT, ""), 1000) == "/nlu_fallback"
    # Typed text never reaches Rasa as an intent payload.
    assert rasa_text(Incoming(Kind.TEXT, '/informer{"age": "12"}'), 1000).startswith("informer")
    assert rasa_text(Incoming(Kind.COMMAND, "start"), 1000) == "/saluer"
    assert rasa_text(Incoming(Kind.COMMAND, "SUPPRIMER"), 1000) == "/supprimer_donnees"
    assert rasa_text(Incoming(Kind.COMMAND, "inconnue"), 1000) == "/nlu_fallback"
    assert set(COMMANDS) == {"start", "recommencer", "supprimer", "aide"}
    assert rasa_text(Incoming(Kind.BUTTON, "/plus_pres"), 1000) == "/plus_pres"
    assert rasa_text(Incoming(Kind.BUTTON, "n'importe quoi"), 1000) == "/nlu_fallback"
    assert rasa_text(Incoming(Kind.MEDIA), 1000) == MEDIA


def test_a_position_gives_the_nearest_commune(geo: Geo) -> None:
    """A shared position becomes an /informer with the nearest commune's label."""
    roubaix = Incoming(Kind.LOCATION, latitude=50.6942, longitude=3.1746)
    text = rasa_text(roubaix, 1000, lambda: geo)
    assert text.startswith("/informer")
    assert json.loads(text.removeprefix("/informer")) == {"commune": "Roubaix (59)"}
    commune = nearest_commune(geo, 48.8566, 2.3522)
    assert commune is not None and commune.nom == "Paris"
    # The resolver of the profile reads the label back to the same commune.
    assert geo.resolve("Roubaix (59)")[0].nom == "Roubaix"


@pytest.mark.parametrize(
    ("lat", "lon"), [(51.5074, -0.1278), (0.0, 0.0), (float("nan"), 2.0), (90.0, 0.0)]
)
def test_a_position_far_from_france_is_unknown(geo: Geo, lat: float, lon: float) -> None:
    """A position outside France, or invalid, becomes the unknown-position input."""
    assert rasa_text(Incoming(Kind.LOCATION, latitude=lat, longitude=lon), 1000, lambda: geo) == (
        UNKNOWN_POSITION
    )


def test_conversation_ids_are_stable_keyed_and_opaque() -> None:
    """Conversation ids are stable, keyed by the secret and never show the user id."""
    a = conversation_id("telegram", "secret-1", 12345)
    assert a == conversation_id("telegram", "secret-1", 12345)
    assert a != conversation_id("telegram", "secret-2", 12345)
    assert a != conversation_id("telegram", "secret-1", 12345, 7)
    assert a.startswith("telegram-") and "12345" not in a and len(a) == len("telegram-") + 32


def test_recent_ids_are_bounded() -> None:
    """RecentIds remembers a bounded number of ids and forgets the oldest."""
    recent = RecentIds(size=3)
    assert [recent.seen(i) for i in (1, 2, 1, 3, 4)] == [False, False, True, False, False]
    assert recent.seen(1) is False  # the oldest was forgotten
    assert recent.seen(4) is True


@pytest.mark.anyio
async def test_collector_keeps_messages_whole() -> None:
    """The collector keeps each bot message whole, buttons included."""
    collector = MessageCollector()
    await collector.send_response(
        "x", {"text": "a\n\nb", "buttons": [{"title": "t", "payload": "/p"}]}
    )
    assert collector.messages == [{"text": "a\n\nb", "buttons": [{"title": "t", "payload": "/p"}]}]
    assert MessageCollector.name() == "messaging"


def test_outgoing_defaults() -> None:
    """An outgoing message has no buttons by default."""
    assert Outgoing(RichText("x")).buttons == ()


def test_local_answers_and_the_pending_question(texts: Texts) -> None:
    """Local answers exist in the domain; the pending question is the profile form's last one."""
    assert all(texts.get(name).strip() for name in LOCAL_ANSWERS.values())
    question = BotUttered("Tu as quel âge ?", {"buttons": [{"title": "18", "payload": "/x"}]})
    tracker = DialogueStateTracker.from_events("s", [question, BotUttered("Merci")])
    assert pending_question(tracker) is None  # no question pending outside the profile form
    assert pending_question(None) is None
    tracker.update(ActiveLoop("profil_form"))
    assert pending_question(tracker) == {"text": "Merci", "buttons": None}
    tracker = DialogueStateTracker.from_events("s", [ActiveLoop("profil_form"), question])
    assert pending_question(tracker) == {
        "text": "Tu as quel âge ?",
        "buttons": question.data["buttons"],
    }
