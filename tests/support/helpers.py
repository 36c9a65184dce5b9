"""Helpers shared by the tests that talk HTTP: a web chat client and a local fake server."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import yaml
from aiohttp import web

from bot import patches
from bot.config import REPO_ROOT
from bot.patches.patch import Patch


def post_message(
    base: str,
    sender: str,
    message: str,
    message_id: str,
    timeout: float = 60,
    address: str | None = None,
) -> tuple[int, Any]:
    """Posts one web chat message; (status, JSON body or None); status 0 when the server
    could not be reached or did not answer in time. `address`: the client address a proxy
    in front would forward (X-Forwarded-For)."""
    body = json.dumps({"sender": sender, "message": message, "message_id": message_id})
    headers = {"Content-Type": "application/json"}
    if address:
        headers["X-Forwarded-For"] = address
    request = urllib.request.Request(
        f"{base}/webhooks/webchat/webhook", data=body.encode(), method="POST", headers=headers
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


@contextmanager
def patched_rasa(environ: Mapping[str, str] | None = None) -> Iterator[list[Patch]]:
    """Cap Num's patches of Rasa installed for the block; afterwards, every replaced
    attribute is asserted to be Rasa's own again."""
    environ = environ or {}
    originals = [(p, vars(p.owner)[p.attribute]) for p in patches.all_patches(environ)]
    applied = patches.install(environ)
    try:
        yield applied
    finally:
        patches.uninstall()
        for patch, original in originals:
            assert vars(patch.owner)[patch.attribute] is original, patch.target


def nlu_examples(limit: int = 80) -> list[str]:
    """About `limit` training messages, spread over every NLU file."""
    texts = []
    for path in sorted((REPO_ROOT / "data").rglob("*.yml")):
        for item in (yaml.safe_load(path.read_text("utf-8")) or {}).get("nlu", []):
            for line in str(item.get("examples", "")).splitlines():
                texts.append(line.lstrip("- ").strip())
    return texts[:: max(1, len(texts) // limit)]
