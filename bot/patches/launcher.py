"""The launcher's additions to Rasa's app (always installed, even with CAPNUM_PATCHES=non):
the model-upload and training endpoints of the HTTP API refused whatever the token, any
error of any route answered in French without a trace, only guarded channels
(`bot.channels.guard.GuardedInput`) accepted, log records scrubbed of personal data; once
the model is loaded, what it holds is kept out of the garbage collector's walks."""

from __future__ import annotations

import gc
import logging
import sys
from typing import Any

import rasa.core.run
from sanic import response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import log_privacy
from bot.channels.guard import GuardedInput
from bot.channels.webchat import WebChatInput
from bot.patches.action_timeout import FAILURE_RESPONSE
from bot.patches.patch import Patch

logger = logging.getLogger(__name__)
REFUSED = {("PUT", "/model"), ("DELETE", "/model"), ("POST", "/model/train")}


async def refuse_model_endpoints(request: Request) -> HTTPResponse | None:
    """Request middleware: 403 for endpoints that replace or train the model."""
    if (request.method, request.path.rstrip("/")) in REFUSED:
        return response.json({"error": "This endpoint is disabled on Cap Num."}, status=403)
    return None


class UnguardedChannel(SystemExit):
    """A channel that does not apply the guard was asked for: the server does not start."""


def check_channels(channels: list[Any]) -> None:
    """Refuses (exit code 2, French message) any input channel that is not guarded."""
    unguarded = sorted(c.name() for c in channels if not isinstance(c, GuardedInput))
    if unguarded:
        print(
            f"ERREUR : canal non protégé dans credentials.yml : {', '.join(unguarded)}. "
            "Seuls les canaux qui passent par bot.channels.guard sont autorisés "
            "(chat web, Telegram).",
            file=sys.stderr,
        )
        raise UnguardedChannel(2)


def error_answer(request: Request, exc: Exception) -> HTTPResponse:
    """Sanic error handler: HTTP errors keep their status; any other exception is logged
    by its class only and answered 500 with the French failure message."""
    if isinstance(exc, SanicException):
        status = int(getattr(exc, "status_code", 500) or 500)
        return response.json({"error": type(exc).__name__}, status=status)
    logger.error("unhandled error on %s: %s", request.path[:80], type(exc).__name__)
    agent = getattr(request.app.ctx, "agent", None)
    responses = agent.domain.responses if agent is not None and agent.domain else {}
    text = (responses.get(FAILURE_RESPONSE) or [{}])[0].get("text", "")
    return response.json({"error": "internal_error", "message": text}, status=500)


_rasa_configure_app = rasa.core.run.configure_app


def configure_app(*args, **kwargs):  # type: ignore[no-untyped-def]
    """Rasa's app factory, plus the refusal middleware, the French error handler and the
    channels' own request middleware (the web chat's CORS preflight), registered before
    Sanic-CORS's."""
    log_privacy.install()
    channels = kwargs.get("input_channels", args[0] if args else None) or []
    check_channels(channels)
    app = _rasa_configure_app(*args, **kwargs)
    app.register_middleware(refuse_model_endpoints, "request")
    app.error_handler.add(Exception, error_answer)
    preflights = [c.preflight for c in channels if isinstance(c, WebChatInput)]

    async def put_first(app_: Any, _loop: Any) -> None:
        # Sanic-CORS puts its middleware first when the server starts; this listener runs
        # after its own, so the channels' preflight ends up ahead of it.
        for preflight in preflights:
            app_.request_middleware.appendleft(preflight)

    if preflights:
        app.register_listener(put_first, "before_server_start")
    app.register_listener(freeze_loaded_objects, "after_server_start")
    return app


#: Read by the model once at start (nothing is recorded: no conversation, no tracker).
WARM_UP_TEXT = "bonjour"


async def freeze_loaded_objects(app: Any, _loop: Any) -> None:
    """After the model is loaded (Rasa loads it before the server starts): it reads one
    message first, since TensorFlow builds its functions at the first reading (1.7 s that
    the first person after a start waited). Then its objects (TensorFlow graphs, spaCy,
    the domain), which live as long as the server since the model endpoints are refused,
    are frozen: no longer walked by every full collection of Python's garbage collector,
    which otherwise stalls a turn now and then (docs/benchmarks.md)."""
    agent = getattr(app.ctx, "agent", None)
    if agent is not None and agent.is_ready():
        try:
            await agent.parse_message(WARM_UP_TEXT)
        except Exception as exc:  # the server starts all the same; the first turn will tell
            logger.warning("first reading at start failed (%s)", type(exc).__name__)
    gc.collect()
    gc.freeze()
    logger.info("Objets du modèle chargé gelés pour le ramasse-miettes : %d", gc.get_freeze_count())


def patches() -> list[Patch]:
    """Rasa's app factory, wrapped."""
    return [Patch(rasa.core.run, "configure_app", configure_app, switchable=False)]
