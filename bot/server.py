"""Starts the Rasa server (same arguments as `rasa run`) with the model-upload and
training endpoints of the HTTP API refused, whatever the token."""

from __future__ import annotations

import sys

import rasa.core.run
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

REFUSED = {("PUT", "/model"), ("DELETE", "/model"), ("POST", "/model/train")}


async def refuse_model_endpoints(request: Request) -> HTTPResponse | None:
    """Request middleware: 403 for endpoints that replace or train the model."""
    if (request.method, request.path.rstrip("/")) in REFUSED:
        return response.json({"error": "This endpoint is disabled on Cap Num."}, status=403)
    return None


_configure_app = rasa.core.run.configure_app


def configure_app(*args, **kwargs):  # type: ignore[no-untyped-def]
    """Rasa's app factory, plus the refusal middleware."""
    app = _configure_app(*args, **kwargs)
    app.register_middleware(refuse_model_endpoints, "request")
    return app


def main() -> None:
    rasa.core.run.configure_app = configure_app
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", "run", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
