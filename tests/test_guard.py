"""Channel input guards: rate limits and the "/intent" syntax limited to offered buttons."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from bot.channels.guard import (
    ALWAYS_ALLOWED,
    RateLimiter,
    as_plain_text,
    is_command,
    offered_payloads,
)


def test_rate_limiter_allows_a_burst_then_the_rate() -> None:
    limiter = RateLimiter(per_minute=60, burst=3)
    assert [limiter.allow("a", now=0.0) for _ in range(4)] == [True, True, True, False]
    assert limiter.retry_after("a") == 1
    assert limiter.allow("b", now=0.0)  # keys are independent
    assert not limiter.allow("a", now=0.5)
    assert limiter.allow("a", now=1.6)  # one token a second
    assert not limiter.allow("a", now=1.7)
    assert [limiter.allow("a", now=100.0) for _ in range(4)] == [True, True, True, False]


def test_rate_limiter_forgets_the_oldest_keys() -> None:
    limiter = RateLimiter(per_minute=1, burst=1, max_keys=2)
    for key in ("a", "b", "c"):
        assert limiter.allow(key, now=0.0)
    assert limiter.allow("a", now=0.0)  # "a" was forgotten: a fresh bucket
    assert not limiter.allow("c", now=0.0)


def buttons(*payloads: str) -> BotUttered:
    return BotUttered("Choisis :", {"buttons": [{"title": p, "payload": p} for p in payloads]})


def recommendations(*ranks: int) -> BotUttered:
    formations = [{"details_payload": f'/demander_details{{"rang": "{r}"}}'} for r in ranks]
    return BotUttered(None, {"custom": {"type": "recommandations", "formations": formations}})


def test_offered_payloads_are_the_last_buttons_and_the_latest_cards() -> None:
    events = [
        ActionExecuted("action_listen"),
        UserUttered("salut"),
        recommendations(1, 2),
        buttons("/ancien"),
        UserUttered("plus près"),
        recommendations(3),
        buttons('/informer{"diplome": "aucun"}', "/plus_pres"),
        BotUttered("Autre chose ?", {"buttons": [{"title": "Oui", "payload": "/affirmer"}]}),
    ]
    assert offered_payloads(events) == {
        '/informer{"diplome": "aucun"}',
        "/plus_pres",
        "/affirmer",
        '/demander_details{"rang": "3"}',
    }
    assert offered_payloads([]) == set()


@pytest.mark.parametrize(
    ("text", "command", "plain"),
    [
        ('/informer{"age": "5"}', True, 'informer{"age": "5"}'),
        ("  //recommencer", True, "recommencer"),
        ("salut / ça va", False, "salut / ça va"),
        ("/", True, ""),
    ],
)
def test_commands_not_offered_become_text(text: str, command: bool, plain: str) -> None:
    assert is_command(text) is command
    if command:
        assert as_plain_text(text) == plain


def test_channel_controls_are_always_allowed() -> None:
    assert {"/recommencer", "/confirmer_suppression", "/saluer"} <= ALWAYS_ALLOWED
    assert not any("informer" in c for c in ALWAYS_ALLOWED)
