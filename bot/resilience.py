"""Custom actions with a time limit: when the action server is down, slow or failing, the
person gets a French message (`utter_probleme_technique`) instead of silence.

Rasa 3.6 waits up to 5 minutes for the action server and, on failure, logs the error and
sends nothing. `install()` (called by `bot.server` before Rasa starts) bounds every call of
`RemoteAction.run` (custom actions and form validations) and turns a failure into that
message. A rejection (`ActionExecutionRejection`, used by forms) is passed through.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

import aiohttp
import rasa.core.actions.action as rasa_action
from rasa.core.actions.action import (
    ActionExecutionRejection,
    RemoteAction,
    create_bot_utterance,
)
from rasa.shared.core.events import Event
from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)
FAILURE_RESPONSE = "utter_probleme_technique"
TIMEOUT_ENV = "CAPNUM_ACTION_TIMEOUT"
DEFAULT_TIMEOUT_SECONDS = 2.5

_original_run = RemoteAction.run


def action_timeout(environ: dict[str, str] | None = None) -> float:
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


def install() -> None:
    """Applies the time limit to every custom action of this process."""
    rasa_action.DEFAULT_REQUEST_TIMEOUT = int(action_timeout()) + 1
    RemoteAction.run = run_with_limit  # type: ignore[method-assign]
