"""Custom actions with a time limit: when the action server is down, slow or failing, the
person gets a French message (`utter_probleme_technique`) instead of silence.

Rasa 3.6 waits up to 5 minutes for the action server and, on failure, logs the error and
sends nothing. `patches()` (applied by `bot.patches.install` before Rasa starts) bounds
every call of `RemoteAction.run` (custom actions and form validations) and turns a
failure into that message. A rejection (`ActionExecutionRejection`, used by forms) is
passed through.

It also keeps a conversation alive when Rasa's circuit breaker trips (more than
`MAX_NUMBER_OF_PREDICTIONS` actions in one turn): Rasa then stops the turn without
listening, so every later message trips it again at once and gets no answer at all, not
even "recommencer". Here the turn ends with a French message, the form is left and the
assistant listens again.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from typing import Any

import aiohttp
import rasa.core.actions.action as rasa_action
from rasa.core.actions.action import (
    ActionExecutionRejection,
    RemoteAction,
    create_bot_utterance,
)
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from bot.config import DEFAULTS
from bot.patches.patch import Patch

logger = logging.getLogger(__name__)
FAILURE_RESPONSE = "utter_probleme_technique"
LOOP_RESPONSE = "utter_boucle_interrompue"
TIMEOUT_ENV = "CAPNUM_ACTION_TIMEOUT"
DEFAULT_TIMEOUT_SECONDS = float(DEFAULTS[TIMEOUT_ENV])

_original_run = RemoteAction.run
_original_prediction_loop = MessageProcessor._run_prediction_loop


def action_timeout(environ: Mapping[str, str] | None = None) -> float:
    """Seconds a custom action may take (`CAPNUM_ACTION_TIMEOUT`, 2.5 by default), so that
    the answer, or the failure message, reaches the person within 3 seconds."""
    env = os.environ if environ is None else environ
    try:
        value = float(env.get(TIMEOUT_ENV, "") or DEFAULT_TIMEOUT_SECONDS)
    except ValueError:
        return DEFAULT_TIMEOUT_SECONDS
    return value if 0 < value <= 60 else DEFAULT_TIMEOUT_SECONDS


async def run_with_limit(
    action: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any
) -> list[Event]:
    """`RemoteAction.run` bounded in time; a failure becomes the French failure message."""
    try:
        return await asyncio.wait_for(
            _original_run(action, output_channel, nlg, tracker, domain), action_timeout()
        )
    except ActionExecutionRejection:
        raise
    except (RasaException, asyncio.TimeoutError, aiohttp.ClientError) as exc:
        logger.error("custom action %s failed: %s", action.name(), type(exc).__name__)
        message = await nlg.generate(FAILURE_RESPONSE, tracker, output_channel.name())
        return [create_bot_utterance(message or {"text": ""})]


async def prediction_loop_that_listens(
    processor: MessageProcessor, output_channel: Any, tracker: DialogueStateTracker
) -> None:
    """Rasa's prediction loop; when its circuit breaker stopped the turn, the person gets
    `LOOP_RESPONSE`, the form is left and the assistant listens again."""
    await _original_prediction_loop(processor, output_channel, tracker)
    if not processor.is_action_limit_reached(tracker, should_predict_another_action=True):
        return
    logger.error("circuit breaker tripped: turn stopped, the assistant listens again")
    message = await processor.nlg.generate(LOOP_RESPONSE, tracker, output_channel.name())
    if message:
        # Both calls pop keys from the message they get: each gets its own copy.
        tracker.update(create_bot_utterance(dict(message)))
        await output_channel.send_response(tracker.sender_id, dict(message))
    if tracker.active_loop_name:
        tracker.update(ActiveLoop(None))
        tracker.update(SlotSet(REQUESTED_SLOT, None))
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))


def patches(environ: Mapping[str, str]) -> list[Patch]:
    """The time limit on every custom action of this process, and the recovery from a
    tripped circuit breaker."""
    return [
        Patch(rasa_action, "DEFAULT_REQUEST_TIMEOUT", int(action_timeout(environ)) + 1),
        Patch(RemoteAction, "run", run_with_limit),
        Patch(MessageProcessor, "_run_prediction_loop", prediction_loop_that_listens),
    ]
