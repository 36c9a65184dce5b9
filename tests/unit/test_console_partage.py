"""The chat side of a session (code, consent, "arrêter le partage"), answered by the
channels before Rasa, and the live-update hub."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from bot.console import partage
from bot.console.direct import Direct
from bot.presentation import Texts
from tests.support.console import console_service, structure_with_accounts

SENDER = "c0ffee12ab34cd56ef78ab90cd12ef34"


@pytest.fixture
def t(domain) -> Texts:  # type: ignore[no-untyped-def]
    """The domain's French texts."""
    return Texts.from_domain(domain)


@pytest.fixture
def svc():  # type: ignore[no-untyped-def]
    """Console services over in-memory SQLite."""
    partage.CODE_ATTEMPTS._buckets.clear()
    return console_service()


def joined(svc, t: Texts):  # type: ignore[no-untyped-def]
    """A session whose code the young person typed (waiting for consent)."""
    _, one, _ = structure_with_accounts(svc)
    seance = svc.seances.creer(one)
    answer = partage.intercepter(
        svc, t, f"code {seance.code[:3]} {seance.code[3:]}", SENDER, "webchat"
    )
    return one, seance, answer


def test_a_typed_code_asks_for_consent_naming_the_structure(svc, t: Texts) -> None:  # type: ignore[no-untyped-def]
    """The answer is the consent question with yes/no buttons and the structure's name."""
    _, _, answer = joined(svc, t)
    assert len(answer) == 1 and answer[0]["partage"] == "attente"
    assert (
        "Mission locale de Roubaix" in answer[0]["text"]
        and "arrêter le partage" in answer[0]["text"]
    )
    assert [b["payload"] for b in answer[0]["buttons"]] == ["/partage_accepter", "/partage_refuser"]


@pytest.mark.parametrize(
    "reply", ["/partage_accepter", "oui", "Ouais", "ok", "d'accord !", "oui je suis d'accord"]
)
def test_yes_in_any_words_opens_the_sharing(svc, t: Texts, reply: str) -> None:  # type: ignore[no-untyped-def]
    """The button or a typed yes records the consent; the console sees the conversation."""
    one, seance, _ = joined(svc, t)
    answer = partage.intercepter(svc, t, reply, SENDER, "webchat")
    assert answer[0]["partage"] == "actif" and answer[0]["text"] == t.get("libelle_partage_accepte")
    assert svc.seances.lire(one, seance.id).partage_actif
    assert svc.direct.seance_de(SENDER) == seance.id


@pytest.mark.parametrize("reply", ["/partage_refuser", "non", "nan", "non merci", "je refuse"])
def test_no_shares_nothing(svc, t: Texts, reply: str) -> None:  # type: ignore[no-untyped-def]
    """A no leaves the session unlinked and says so."""
    one, seance, _ = joined(svc, t)
    answer = partage.intercepter(svc, t, reply, SENDER, "webchat")
    assert answer == [{"text": t.get("libelle_partage_refuse"), "partage": "fin"}]
    assert not svc.seances.lire(one, seance.id).partage_actif


def test_other_messages_go_on_to_the_assistant(svc, t: Texts) -> None:  # type: ignore[no-untyped-def]
    """Answering something else while consent is pending is not trapped: Rasa gets it."""
    joined(svc, t)
    for text in ["jsp", "j'ai 19 ans", "je veux faire du dev", "😀", "", None]:
        assert partage.intercepter(svc, t, text, SENDER, "webchat") is None


def test_yes_without_a_pending_session_is_the_assistants(svc, t: Texts) -> None:  # type: ignore[no-untyped-def]
    """A plain "oui" with no session waiting goes to Rasa; a stale button is explained."""
    assert partage.intercepter(svc, t, "oui", SENDER, "webchat") is None
    stale = partage.intercepter(svc, t, "/partage_accepter", SENDER, "webchat")
    assert stale == [{"text": t.get("libelle_partage_aucun"), "partage": "fin"}]


@pytest.mark.parametrize(
    "words",
    [
        "arrêter le partage",
        "arreter le partage",
        "stop partage",
        "je veux arrêter le partage avec mon conseiller",
        "/arreter_partage",
    ],
)
def test_stopping_the_sharing_in_the_persons_words(svc, t: Texts, words: str) -> None:  # type: ignore[no-untyped-def]
    """The sharing ends at once, whatever the wording; the console is told."""
    one, seance, _ = joined(svc, t)
    partage.intercepter(svc, t, "oui", SENDER, "webchat")
    before = svc.direct.version(seance.id)
    answer = partage.intercepter(svc, t, words, SENDER, "webchat")
    assert answer == [{"text": t.get("libelle_partage_arrete"), "partage": "fin"}]
    assert not svc.seances.lire(one, seance.id).partage_actif
    assert svc.direct.version(seance.id) > before
    again = partage.intercepter(svc, t, words, SENDER, "webchat")
    assert again[0]["text"] == t.get("libelle_partage_aucun")


def test_wrong_codes_are_refused_then_slowed_down(svc, t: Texts) -> None:  # type: ignore[no-untyped-def]
    """A wrong code is explained; after 5 tries the conversation must wait."""
    answers = [partage.intercepter(svc, t, "ACD-347", SENDER, "webchat") for _ in range(6)]
    assert all(a == [{"text": t.get("libelle_partage_code_refuse")}] for a in answers[:5])
    assert answers[5] == [{"text": t.get("libelle_partage_trop_d_essais")}]


def test_a_waiter_wakes_when_its_session_changes() -> None:
    """Long polling: a waiter returns the new version as soon as the session changes,
    and the same version after the timeout when nothing happened."""

    async def scenario() -> tuple[int, int]:
        direct = Direct(lambda: {SENDER: "s1"})
        waiting = asyncio.create_task(direct.attendre("s1", 0, timeout=5))
        await asyncio.sleep(0.01)
        direct.apres_tour(SENDER)
        woken = await asyncio.wait_for(waiting, 1)
        idle = await direct.attendre("s1", woken, timeout=0.05)
        return woken, idle

    assert asyncio.run(scenario()) == (1, 1)


def test_a_saved_shared_conversation_is_kept_in_memory_for_the_console() -> None:
    """Only shared conversations get a snapshot (slots, messages); ending the sharing or
    erasing drops it."""
    shared = {SENDER: "s1"}
    direct = Direct(lambda: dict(shared))
    tracker = SimpleNamespace(
        events=[
            SimpleNamespace(type_name="user", as_dict=lambda: {"event": "user", "text": "salut"}),
            SimpleNamespace(type_name="slot", as_dict=lambda: {"event": "slot"}),
        ],
        current_slot_values=lambda: {"commune": "Roubaix"},
    )
    direct.instantane(SENDER, tracker)
    direct.instantane("someone0else1abcdef23456789abcd", tracker)
    assert direct.lire_instantane(SENDER) == (
        {"commune": "Roubaix"},
        [{"event": "user", "text": "salut"}],
    )
    assert direct.lire_instantane("someone0else1abcdef23456789abcd") is None
    shared.clear()
    direct.rafraichir()
    assert direct.lire_instantane(SENDER) is None
