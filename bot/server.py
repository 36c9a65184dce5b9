"""Starts the Rasa server (same arguments as `rasa run`) with the model-upload and
training endpoints of the HTTP API refused, whatever the token, custom actions
bounded in time (`bot.resilience`) and the hot-path fixes of `bot.performance`."""

from __future__ import annotations

import sys
from typing import Any

import rasa.core.run
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import performance, resilience
from bot.channels.webchat import WebChatInput

REFUSED = {("PUT", "/model"), ("DELETE", "/model"), ("POST", "/model/train")}


async def refuse_model_endpoints(request: Request) -> HTTPResponse | None:
    """Request middleware: 403 for endpoints that replace or train the model."""
    if (request.method, request.path.rstrip("/")) in REFUSED:
        return response.json({"error": "This endpoint is disabled on Cap Num."}, status=403)
    return None


_configure_app = rasa.core.run.configure_app


def configure_app(*args, **kwargs):  # type: ignore[no-untyped-def]
    """Rasa's app factory, plus the refusal middleware and the channels' own request
    middleware (the web chat's CORS preflight), registered before Sanic-CORS's."""
    app = _configure_app(*args, **kwargs)
    app.register_middleware(refuse_model_endpoints, "request")
    channels = kwargs.get("input_channels", args[0] if args else None) or []
    preflights = [c.preflight for c in channels if isinstance(c, WebChatInput)]

    async def put_first(app_: Any, _loop: Any) -> None:
        # Sanic-CORS puts its middleware first when the server starts; this listener runs
        # after its own, so the channels' preflight ends up ahead of it.
        for preflight in preflights:
            app_.request_middleware.appendleft(preflight)

    if preflights:
        app.register_listener(put_first, "before_server_start")
    return app


def main() -> None:
    resilience.install()
    performance.install()
    rasa.core.run.configure_app = configure_app
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", "run", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
