"""One kept-open HTTP connection pool to the action server, instead of a new TCP connection
for every custom action call.

Rasa 3.6's `EndpointConfig.request` opens a new `aiohttp.ClientSession` (so a new connector
and a new TCP connection) for each call, and closes it after the answer. The profile
(docs/benchmarks.md, "Connexion gardée au serveur d'actions") put 9 to 15 ms per message in
those calls (1.5 per message): 2 to 4 ms opening sessions and connections, 4 to 8 ms writing
the JSON body, mostly the domain. Here every call of this process goes through one session
per event loop, whose connections are kept alive. In Cap Num's server the only endpoint
that uses `request` is the action endpoint (no NLG server, no callback channel); any other
endpoint configured would share the pool.

Each request is Rasa's: same URL, parameters, token, headers, basic auth, certificate,
compression and time-outs (the caller's `timeout`, else Rasa's `DEFAULT_REQUEST_TIMEOUT`
as its session had), same JSON answer or None, same `ClientResponseError` for a status of
400 or more. The shared session keeps no cookies (Rasa's were thrown away after each call)
and sets no limit on the number of connections (Rasa's calls had none).

The action server (rasa_sdk's Sanic) closes a connection idle for KEEP_ALIVE_TIMEOUT, 5 s
by default. The client closes its idle connections after `KEEPALIVE_SECONDS`, well before.
If the server closed a reused connection anyway (its own setting lower, a restart), the
request fails before any answer: it is sent again, once. Only a request on a reused
connection is retried, and only for a body that can be sent again; a request that failed
on a new connection fails as with Rasa. At server stop (`close_resources`, after Rasa's
own), the session of the server's loop is closed.

Every call also carries the whole domain, the same dict each time (`Domain.as_dict()` is
the domain's own `_data`): its JSON text is written once per domain object, and once
the action server has said it keeps it, the domain is named by its digest instead of sent
(`bot.domain_digest`). A body reads as the same JSON as aiohttp's `json=` would send.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import ssl
from types import SimpleNamespace
from typing import Any

import aiohttp
import rasa.core.run
import rasa.utils.endpoints as rasa_endpoints
from aiohttp.client_exceptions import ContentTypeError
from rasa.shared.exceptions import FileNotFoundException
from rasa.utils.endpoints import ClientResponseError, EndpointConfig, concat_url

from bot import domain_digest
from bot.patches.patch import Patch

logger = logging.getLogger(__name__)

#: Seconds an idle connection is kept by the client: below the action server's keep-alive
#: (Sanic's KEEP_ALIVE_TIMEOUT, 5 s by default), so that the client drops it first.
KEEPALIVE_SECONDS = 2.0
#: What a connection the server had already closed gives when it is used again.
STALE_CONNECTION_ERRORS = (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)

_sessions: dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}


async def _mark_reused(_session: Any, context: SimpleNamespace, _params: Any) -> None:
    request_context = getattr(context, "trace_request_ctx", None)
    if isinstance(request_context, SimpleNamespace):
        request_context.reused = True


def shared_session() -> aiohttp.ClientSession:
    """The session of the running event loop, created on first use."""
    loop = asyncio.get_running_loop()
    session = _sessions.get(loop)
    if session is None or session.closed:
        for other in [other for other in _sessions if other.is_closed()]:
            del _sessions[other]
        tracing = aiohttp.TraceConfig()
        tracing.on_connection_reuseconn.append(_mark_reused)
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, keepalive_timeout=KEEPALIVE_SECONDS),
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=rasa_endpoints.DEFAULT_REQUEST_TIMEOUT),
            trace_configs=[tracing],
        )
        _sessions[loop] = session
    return session


async def close_sessions() -> None:
    """Closes the session of the running event loop, if any (the next call opens another)."""
    session = _sessions.pop(asyncio.get_running_loop(), None)
    if session is not None:
        await session.close()


_domain_text: tuple[dict[str, Any], str, str] | None = None
#: (address, digest) of the action servers that said they keep that domain.
_domain_holders: set[tuple[str, str]] = set()


def _domain_json(domain: dict[str, Any]) -> tuple[str, str]:
    """JSON text and digest of the domain, made once for each domain object: Rasa sends
    the same dict, its `Domain`'s `_data`, with every call (85 kB of JSON, about 1.6 ms
    to write)."""
    global _domain_text
    if _domain_text is None or _domain_text[0] is not domain:
        text = json.dumps(domain)
        _domain_text = (domain, text, domain_digest.digest(text))
    return _domain_text[1], _domain_text[2]


def json_body(body: dict[str, Any], with_domain: bool = True) -> bytes:
    """`body` as aiohttp's `json=` would send it (`json.dumps`, UTF-8), the text of its
    `domain` made once (`_domain_json`); without the domain when `with_domain` is false."""
    domain = body.get("domain")
    if not isinstance(domain, dict):
        return json.dumps(body).encode()
    rest = json.dumps({key: value for key, value in body.items() if key != "domain"})
    if not with_domain:
        return rest.encode()
    joint = ", " if rest != "{}" else ""
    return f'{rest[:-1]}{joint}"domain": {_domain_json(domain)[0]}}}'.encode()


def _replayable(kwargs: dict[str, Any]) -> bool:
    data = kwargs.get("data")
    return data is None or isinstance(data, bytes | str | dict)


async def request(
    self: EndpointConfig,
    method: str = "post",
    subpath: str | None = None,
    content_type: str | None = "application/json",
    compress: bool = False,
    **kwargs: Any,
) -> Any:
    """`EndpointConfig.request` through the shared session (module docstring), the domain
    named by its digest once the action server keeps it (`bot.domain_digest`)."""
    headers = {}
    if content_type:
        headers["Content-Type"] = content_type
    if "headers" in kwargs:
        headers.update(kwargs.pop("headers"))
    if self.headers:
        headers.update(self.headers)
    url = concat_url(self.url, subpath)
    sslcontext = None
    if self.cafile:
        try:
            sslcontext = ssl.create_default_context(cafile=self.cafile)
        except FileNotFoundError as e:
            raise FileNotFoundException(
                f"Failed to find certificate file, '{os.path.abspath(self.cafile)}' does not exist."
            ) from e
    if self.basic_auth and "auth" not in kwargs:
        kwargs["auth"] = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
    params = self.combine_parameters(kwargs)
    holder: tuple[str, str] | None = None
    body: dict[str, Any] = {}
    if (
        headers.get("Content-Type") == "application/json"
        and isinstance(kwargs.get("json"), dict)
        and "data" not in kwargs
    ):
        body = kwargs.pop("json")
        if isinstance(body.get("domain"), dict) and not compress:
            holder = (url, _domain_json(body["domain"])[1])
            headers[domain_digest.DIGEST_HEADER] = holder[1]
        # The conversation is written once: without the domain when the server keeps it.
        kwargs["data"] = json_body(body, with_domain=holder not in _domain_holders)
    stale_retried = missing_retried = False
    while True:
        attempt = SimpleNamespace(reused=False)
        try:
            async with shared_session().request(
                method,
                url,
                headers=headers,
                params=params,
                compress=compress,
                ssl=sslcontext,
                trace_request_ctx=attempt,
                **kwargs,
            ) as response:
                if holder is not None:
                    if (
                        response.status == domain_digest.MISSING_STATUS
                        and response.headers.get(domain_digest.MISSING_HEADER) == holder[1]
                        and not missing_retried
                    ):
                        # Restarted, or another server behind the same address.
                        _domain_holders.discard(holder)
                        kwargs["data"] = json_body(body)
                        missing_retried = True
                        continue
                    if response.headers.get(domain_digest.STORED_HEADER) == holder[1]:
                        _domain_holders.add(holder)
                if response.status >= 400:
                    raise ClientResponseError(
                        response.status, response.reason, await response.content.read()
                    )
                try:
                    return await response.json()
                except ContentTypeError:
                    return None
        except STALE_CONNECTION_ERRORS as error:
            if stale_retried or not attempt.reused or not _replayable(kwargs):
                raise
            stale_retried = True
            logger.info("action server closed a kept-alive connection (%s): sent again", error)


_rasa_close_resources = rasa.core.run.close_resources


async def close_resources(app: Any, loop: asyncio.AbstractEventLoop) -> None:
    """Rasa's resources closed at server stop, then the shared session."""
    try:
        await _rasa_close_resources(app, loop)
    finally:
        await close_sessions()


def patches() -> list[Patch]:
    """The shared session for every endpoint request, closed at server stop."""
    return [
        Patch(EndpointConfig, "request", request),
        Patch(rasa.core.run, "close_resources", close_resources),
    ]
