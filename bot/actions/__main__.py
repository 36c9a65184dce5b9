"""The action server: `python -m bot.actions [--port 5055 ...]` takes rasa_sdk's options and
runs rasa_sdk's server on the actions of `bot.actions` (as `python -m rasa_sdk --actions
bot.actions`), through rasa_sdk's plugin hook, once it listens:

- the process-wide services are loaded (communes, catalogue): the first message no
  longer waits for them (about 0.5 s for the communes);
- what is loaded is frozen out of the garbage collector: about 185,000 objects that every
  full collection walked, in about 100 ms, in the middle of a turn (docs/benchmarks.md);

and, before each call reaches the actions, the domain that Rasa named by its digest
instead of sending it again (`bot.domain_digest`).
"""

from __future__ import annotations

import gc
import logging
import sys
from collections import OrderedDict
from typing import Any

import pluggy
from rasa_sdk.__main__ import main as rasa_sdk_main
from rasa_sdk.plugin import plugin_manager
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import domain_digest
from bot.actions import services

logger = logging.getLogger(__name__)
hookimpl = pluggy.HookimplMarker("rasa_sdk")


async def load_and_freeze(_app: Any, _loop: Any) -> None:
    """Sanic listener (after the server starts): services loaded, then frozen."""
    services.load()
    gc.collect()
    gc.freeze()
    logger.info("action server ready: %d objects kept out of the collector", gc.get_freeze_count())


_domains: OrderedDict[str, Any] = OrderedDict()


async def domain_by_digest(request: Request) -> HTTPResponse | None:
    """Request middleware: keeps the domain of a call that names its digest, or puts it
    back into a call sent without it; 409 when the digest is unknown (Rasa sends the
    full call again)."""
    name = request.headers.get(domain_digest.DIGEST_HEADER)
    if not name or request.path != "/webhook" or request.headers.get("Content-Encoding"):
        return None
    call = request.json
    if not isinstance(call, dict):
        return None
    if "domain" in call:
        _domains[name] = call["domain"]
        _domains.move_to_end(name)
        while len(_domains) > domain_digest.KEPT_DOMAINS:
            _domains.popitem(last=False)
        request.ctx.domain_stored = name
        return None
    if name not in _domains:
        return response.json(
            {"error": "unknown domain digest"},
            status=domain_digest.MISSING_STATUS,
            headers={domain_digest.MISSING_HEADER: name},
        )
    call["domain"] = _domains[name]
    return None


async def confirm_stored_domain(request: Request, answer: HTTPResponse) -> None:
    """Response middleware: tells Rasa that the domain of this call is kept."""
    stored = getattr(request.ctx, "domain_stored", None)
    if stored and answer.status < 400:
        answer.headers[domain_digest.STORED_HEADER] = stored


class ServerExtensions:
    """rasa_sdk plugin: adds `load_and_freeze` and the domain by digest to the action
    server's app."""

    @hookimpl
    def attach_sanic_app_extensions(self, app: Any) -> None:
        app.register_listener(load_and_freeze, "after_server_start")
        app.register_middleware(domain_by_digest, "request")
        app.register_middleware(confirm_stored_domain, "response")


def main(argv: list[str] | None = None) -> None:
    """rasa_sdk's command line, its actions package set to `bot.actions`."""
    plugin_manager().register(ServerExtensions())
    args = sys.argv[1:] if argv is None else argv
    sys.argv = [sys.argv[0], "--actions", "bot.actions", *args]
    rasa_sdk_main()


if __name__ == "__main__":
    main()
