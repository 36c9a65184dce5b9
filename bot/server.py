"""Starts the Rasa server (same arguments as `rasa run`) with the model-upload and
training endpoints of the HTTP API refused, whatever the token, custom actions
bounded in time (`bot.resilience`) and the hot-path fixes of `bot.performance`."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
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


def rasa_arguments(argv: list[str], environ: Mapping[str, str]) -> list[str]:
    """`rasa run` arguments for `argv`; with `--enable-api` and no `--auth-token`, the
    token comes from CAPNUM_RASA_TOKEN (so it never shows in `ps`). Exits with code 2,
    French message on stderr, when the API would be open without a token."""
    arguments = ["rasa", "run", *argv]
    explicit = any(a == "--auth-token" or a.startswith(("--auth-token=", "-t")) for a in argv)
    if "--enable-api" in argv and not explicit:
        token = environ.get("CAPNUM_RASA_TOKEN", "").strip()
        if not token:
            print(
                "ERREUR : CAPNUM_RASA_TOKEN est vide ou absent : l'API HTTP de Rasa "
                "(--enable-api) ne démarre pas sans jeton.",
                file=sys.stderr,
            )
            raise SystemExit(2)
        arguments += ["--auth-token", token]
    return arguments


def main() -> None:
    sys.argv = rasa_arguments(sys.argv[1:], os.environ)
    resilience.install()
    performance.install()
    rasa.core.run.configure_app = configure_app
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
