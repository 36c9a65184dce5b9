"""Custom actions bounded in time: a real HTTP action server that is down, slow, failing,
rejecting or fine, called through Rasa's own RemoteAction."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import MethodType, SimpleNamespace
from typing import Any

import pytest
import rasa.core.actions.action as rasa_action
from aiohttp import web
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.processor import MessageProcessor
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.config import REPO_ROOT
from bot.patches import action_timeout
from tests.support.helpers import free_port, local_webhook, patched_rasa

pytestmark = pytest.mark.anyio


class FakeActionServer:
    """An action server whose behaviour each test chooses."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.finished: list[str] = []

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        if self.mode == "slow":
            await asyncio.sleep(30)
        self.finished.append(self.mode)
        if self.mode == "error":
            return web.json_response({"error": "boom"}, status=500)
        if self.mode == "reject":
            return web.json_response(
                {"action_name": body["next_action"], "error": "not valid"}, status=400
            )
        return web.json_response({"events": [], "responses": [{"text": "réponse normale"}]})


@pytest.fixture
async def action_server() -> AsyncIterator[tuple[FakeActionServer, str]]:
    fake = FakeActionServer()
    async with local_webhook(fake.webhook) as url:
        yield fake, url


@pytest.fixture(scope="module")
def rasa_domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain.yml"))


async def run_action(url: str, domain: Domain) -> list[Any]:
    action = RemoteAction("action_recommander", EndpointConfig(url))
    tracker = DialogueStateTracker("resilience-test", domain.slots)
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    return await action_timeout.run_with_limit(
        action, CollectingOutputChannel(), nlg, tracker, domain
    )


def failure_text(events: list[Any]) -> str:
    [event] = events
    assert isinstance(event, BotUttered)
    return event.text or ""


async def test_action_server_down(rasa_domain) -> None:
    """When the action server is down the person gets the French technical-problem answer."""
    events = await run_action(f"http://127.0.0.1:{free_port()}/webhook", rasa_domain)
    assert "souci technique" in failure_text(events)


async def test_slow_action_is_cut_and_answered(action_server, rasa_domain, monkeypatch) -> None:
    """The answer comes back while the action server is still working on the request."""
    fake, url = action_server
    fake.mode = "slow"
    monkeypatch.setenv(action_timeout.TIMEOUT_ENV, "0.5")
    events = await run_action(url, rasa_domain)
    assert "souci technique" in failure_text(events)
    assert fake.finished == []  # the slow request had not finished


async def test_failing_action_server(action_server, rasa_domain) -> None:
    """When the action server fails the person gets the French technical-problem answer."""
    fake, url = action_server
    fake.mode = "error"
    assert "souci technique" in failure_text(await run_action(url, rasa_domain))


async def test_rejection_is_passed_to_the_form(action_server, rasa_domain) -> None:
    """An action rejection still reaches the form as ActionExecutionRejection."""
    fake, url = action_server
    fake.mode = "reject"
    with pytest.raises(ActionExecutionRejection):
        await run_action(url, rasa_domain)


async def test_normal_answer_is_unchanged(action_server, rasa_domain) -> None:
    """A normal action answer passes through unchanged."""
    _, url = action_server
    assert failure_text(await run_action(url, rasa_domain)) == "réponse normale"


@pytest.mark.parametrize(
    ("value", "expected"), [(None, 2.5), ("1.5", 1.5), ("abc", 2.5), ("0", 2.5), ("500", 2.5)]
)
def test_timeout_setting(value, expected) -> None:
    """The action time-out comes from the environment; invalid or extreme values use 2.5 s."""
    env = {} if value is None else {action_timeout.TIMEOUT_ENV: value}
    assert action_timeout.action_timeout(env) == expected


def test_install_bounds_every_remote_action() -> None:
    """`bot.patches.install` replaces the action call and the prediction loop, and both
    come back."""
    with patched_rasa({action_timeout.TIMEOUT_ENV: "4"}):
        assert RemoteAction.run is action_timeout.run_with_limit
        assert MessageProcessor._run_prediction_loop is action_timeout.prediction_loop_that_listens
        assert rasa_action.DEFAULT_REQUEST_TIMEOUT == 5


def fake_processor(domain: Domain) -> Any:
    """The parts of Rasa's MessageProcessor the recovery reads, with Rasa's own check."""
    processor = SimpleNamespace(
        max_number_of_predictions=10, nlg=TemplatedNaturalLanguageGenerator(domain.responses)
    )
    processor.is_action_limit_reached = MethodType(
        MessageProcessor.is_action_limit_reached, processor
    )
    return processor


async def test_tripped_circuit_breaker_answers_and_listens(rasa_domain, monkeypatch) -> None:
    """A turn stopped by the circuit breaker (ten actions, no listen) ends with a French
    message, the form left and the assistant listening: the next message is a normal
    turn (it tripped again at once, for every later message, "recommencer" included)."""

    async def looping(_processor: Any, _channel: Any, tracker: DialogueStateTracker) -> None:
        for _ in range(10):
            tracker.update(ActionExecuted("action_repli"))

    monkeypatch.setattr(action_timeout, "_original_prediction_loop", looping)
    processor = fake_processor(rasa_domain)
    tracker = DialogueStateTracker.from_events(
        "breaker-test-0001",
        [
            ActionExecuted("action_listen"),
            ActiveLoop("profil_form"),
            UserUttered("ok", {"name": "affirmer"}),
        ],
        slots=rasa_domain.slots,
    )
    channel = CollectingOutputChannel()
    await action_timeout.prediction_loop_that_listens(processor, channel, tracker)
    assert [m["text"] for m in channel.messages] == [
        rasa_domain.responses[action_timeout.LOOP_RESPONSE][0]["text"]
    ]
    assert tracker.latest_action_name == "action_listen"
    assert tracker.active_loop_name is None
    tracker.update(UserUttered("recommencer", {"name": "recommencer"}))
    assert not processor.is_action_limit_reached(tracker, should_predict_another_action=True)


async def test_normal_turn_is_left_alone(rasa_domain, monkeypatch) -> None:
    """A turn that ends by listening gets no extra message."""

    async def normal(_processor: Any, _channel: Any, tracker: DialogueStateTracker) -> None:
        tracker.update(ActionExecuted("utter_saluer"))
        tracker.update(ActionExecuted("action_listen"))

    monkeypatch.setattr(action_timeout, "_original_prediction_loop", normal)
    tracker = DialogueStateTracker.from_events(
        "breaker-test-0002", [UserUttered("salut")], slots=rasa_domain.slots
    )
    channel = CollectingOutputChannel()
    await action_timeout.prediction_loop_that_listens(fake_processor(rasa_domain), channel, tracker)
    assert channel.messages == []
    assert [e.action_name for e in tracker.events if isinstance(e, ActionExecuted)] == [
        "utter_saluer",
        "action_listen",
    ]
