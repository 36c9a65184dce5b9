"""Helpers shared by the tests that talk HTTP: a web chat client and a local fake server."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web


def post_message(
    base: str, sender: str, message: str, message_id: str, timeout: float = 60
) -> tuple[int, Any]:
    """Posts one web chat message; (status, JSON body or None); status 0 when the server
    could not be reached or did not answer in time."""
    body = json.dumps({"sender": sender, "message": message, "message_id": message_id})
    request = urllib.request.Request(
        f"{base}/webhooks/webchat/webhook",
        data=body.encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw) if raw else None
        except ValueError:
            return error.code, None
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def local_webhook(
    handler: Callable[[web.Request], Awaitable[web.Response]],
) -> AsyncIterator[str]:
    """A real HTTP server on 127.0.0.1 answering POST /webhook; yields its address."""
    app = web.Application()
    app.router.add_post("/webhook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        await runner.cleanup()
