"""The kept-open connection to the action server (bot/patches/action_session.py): calls
reuse one TCP connection of a real rasa_sdk server, a connection the server closed never
fails a turn, and every answer and failure is the one Rasa's own request gives."""

from __future__ import annotations

import asyncio
import json
import sys
import types
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
import rasa.core.run
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import ClientResponseError, EndpointConfig
from rasa_sdk import Action
from rasa_sdk.endpoint import create_app
from sanic import Sanic
from sanic.config import DEFAULT_CONFIG

import bot.actions.__main__ as action_server
from bot import domain_digest, patches
from bot.config import REPO_ROOT
from bot.patches import action_session
from tests.support.helpers import free_port, patched_rasa

pytestmark = pytest.mark.anyio

CALL = {
    "next_action": "action_echo",
    "sender_id": "session-test",
    "tracker": {"sender_id": "session-test", "slots": {}, "latest_message": {}, "events": []},
    "domain": {},
}


class ActionEcho(Action):
    def name(self) -> str:
        return "action_echo"

    async def run(self, dispatcher: Any, tracker: Any, domain: Any) -> list[Any]:
        dispatcher.utter_message(text="écho")
        return []


@pytest.fixture
def rasa_patched() -> Iterator[None]:
    with patched_rasa():
        yield


@pytest.fixture(autouse=True)
async def closed_sessions() -> AsyncIterator[None]:
    yield
    await action_session.close_sessions()
    action_session._domain_holders.clear()
    action_server._domains.clear()


#: Domains received by `ActionDomain`, and body sizes received by the server.
SEEN_DOMAINS: list[Any] = []
BODY_SIZES: list[int] = []


class ActionDomain(Action):
    def name(self) -> str:
        return "action_domain"

    async def run(self, dispatcher: Any, tracker: Any, domain: Any) -> list[Any]:
        SEEN_DOMAINS.append(domain)
        return []


@asynccontextmanager
async def sdk_server(
    keep_alive: float | None = None, domain_by_digest: bool = False
) -> AsyncIterator[tuple[str, list[Any]]]:
    """rasa_sdk's own Sanic app on 127.0.0.1, with two actions (and, with
    `domain_by_digest`, Cap Num's middlewares of `python -m bot.actions`); yields its
    webhook address and the connections it accepted (one entry per TCP connection that
    sent a request)."""
    Sanic.test_mode = True  # several apps named "rasa_sdk" in one process
    package = types.ModuleType("capnum_echo_actions")
    package.ActionEcho = ActionEcho  # type: ignore[attr-defined]
    package.ActionDomain = ActionDomain  # type: ignore[attr-defined]
    sys.modules[package.__name__] = package
    app = create_app(package.__name__)
    if keep_alive is not None:
        app.config.KEEP_ALIVE_TIMEOUT = keep_alive
    connections: list[Any] = []

    @app.middleware("request")
    async def count(request: Any) -> None:
        BODY_SIZES.append(len(request.body))
        if not any(known is request.conn_info for known in connections):
            connections.append(request.conn_info)

    if domain_by_digest:
        app.register_middleware(action_server.domain_by_digest, "request")
        app.register_middleware(action_server.confirm_stored_domain, "response")

    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    await server.startup()
    try:
        yield f"http://127.0.0.1:{port}/webhook", connections
    finally:
        server.close()
        await server.wait_closed()


class RawServer:
    """A minimal HTTP/1.1 server whose connections the test controls: it records each
    request and can close a connection instead of answering (as a server whose keep-alive
    ran out does)."""

    def __init__(self) -> None:
        self.connections = 0
        self.requests: list[dict[str, Any]] = []
        self.answered = 0
        self.drop_reused = 0  # how many requests on a reused connection to drop
        self.drop_after = None  # drop every request once this many were answered
        self.status = 200
        self.content_type = "application/json"
        self.body = b'{"events": [], "responses": []}'
        self.delay = 0.0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        on_this_connection = 0
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                first, *lines = head.split("\r\n")
                fields = (line.partition(":") for line in lines if line)
                headers = {name.lower(): value.strip() for name, _, value in fields}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                on_this_connection += 1
                self.requests.append({"line": first, "headers": headers, "body": body})
                if on_this_connection > 1 and self.drop_reused:
                    self.drop_reused -= 1
                    return
                if self.drop_after is not None and self.answered >= self.drop_after:
                    return
                await asyncio.sleep(self.delay)
                self.answered += 1
                writer.write(
                    f"HTTP/1.1 {self.status} Status\r\nContent-Type: {self.content_type}\r\n"
                    f"Content-Length: {len(self.body)}\r\n\r\n".encode()
                    + self.body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def raw() -> AsyncIterator[tuple[RawServer, str]]:
    fake = RawServer()
    port = free_port()
    server = await asyncio.start_server(fake.handle, "127.0.0.1", port)
    try:
        yield fake, f"http://127.0.0.1:{port}/webhook"
    finally:
        server.close()
        await server.wait_closed()


async def test_calls_reuse_one_connection_of_the_action_server(rasa_patched) -> None:
    """Five calls to rasa_sdk's server, one TCP connection (Rasa alone opens five)."""
    async with sdk_server() as (url, connections):
        for _ in range(5):
            answer = await EndpointConfig(url).request(json=CALL, method="post", timeout=3)
            assert answer["responses"][0]["text"] == "écho"
    assert len(connections) == 1


async def test_rasa_alone_opens_a_connection_per_call() -> None:
    """The comparison: Rasa's own request, one connection per call."""
    async with sdk_server() as (url, connections):
        for _ in range(5):
            await EndpointConfig(url).request(json=CALL, method="post", timeout=3)
    assert len(connections) == 5


async def test_a_connection_the_server_closed_does_not_fail_the_call(rasa_patched) -> None:
    """The action server's keep-alive (here 0.5 s) runs out before the client's: the next
    call gets its answer, on a new connection."""
    async with sdk_server(keep_alive=0.5) as (url, connections):
        await EndpointConfig(url).request(json=CALL, method="post", timeout=3)
        await asyncio.sleep(1.0)
        answer = await EndpointConfig(url).request(json=CALL, method="post", timeout=3)
    assert answer["responses"][0]["text"] == "écho"
    assert len(connections) == 2


def test_the_client_drops_idle_connections_before_the_action_server() -> None:
    """Sanic's default keep-alive of rasa_sdk's server is longer than the client's."""
    assert action_session.KEEPALIVE_SECONDS < DEFAULT_CONFIG["KEEP_ALIVE_TIMEOUT"]


async def test_a_stale_reused_connection_is_sent_again_once(rasa_patched, raw) -> None:
    """The server closes a reused connection without answering: the request goes again,
    on a new connection, and the call gets the answer."""
    fake, url = raw
    await EndpointConfig(url).request(json=CALL)
    fake.drop_reused = 1
    assert await EndpointConfig(url).request(json=CALL) == {"events": [], "responses": []}
    assert (fake.connections, len(fake.requests), fake.answered) == (2, 3, 2)


async def test_a_request_on_a_new_connection_is_not_sent_again(rasa_patched, raw) -> None:
    """A server that drops the request on a new connection: the error is Rasa's, and the
    request was sent once (it may have been run)."""
    fake, url = raw
    fake.drop_after = 0
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await EndpointConfig(url).request(json=CALL)
    assert (fake.connections, len(fake.requests)) == (1, 1)


async def test_a_request_is_sent_again_once_only(rasa_patched, raw) -> None:
    """Dropped on the reused connection, then on the new one: the second error stands."""
    fake, url = raw
    fake.drop_after = 1
    await EndpointConfig(url).request(json=CALL)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await EndpointConfig(url).request(json=CALL)
    assert (fake.connections, len(fake.requests)) == (2, 3)


async def test_headers_token_and_basic_auth_are_sent(rasa_patched, raw) -> None:
    """What Rasa's request sends: its content type, the endpoint's headers, token and
    basic auth, the caller's parameters; no cookie kept from an answer."""
    fake, url = raw
    fake.body = b"{}"
    endpoint = EndpointConfig(
        url,
        params={"a": "1"},
        headers={"X-Cle": "valeur"},
        basic_auth={"username": "u", "password": "p"},
        token="jeton",
    )
    await endpoint.request(json=CALL, params={"b": "2"})
    await endpoint.request(json=CALL)
    first, second = fake.requests
    assert first["line"].startswith("POST /webhook?")
    for part in ("a=1", "token=jeton", "b=2"):
        assert part in first["line"]
    assert "b=2" not in second["line"]
    headers = first["headers"]
    assert headers["content-type"] == "application/json"
    assert headers["x-cle"] == "valeur"
    assert headers["authorization"] == aiohttp.BasicAuth("u", "p").encode()
    assert "cookie" not in second["headers"]


async def test_the_body_is_the_json_rasa_sends(rasa_patched, raw) -> None:
    """The body reads as the same JSON; the domain's text is written once per domain."""
    fake, url = raw
    domain = {"responses": {"utter_salut": [{"text": "Bonjour « toi »"}]}}
    await EndpointConfig(url).request(json={**CALL, "domain": domain})
    assert action_session._domain_text[:2] == (domain, json.dumps(domain))
    text = action_session._domain_text[1]
    await EndpointConfig(url).request(json={**CALL, "domain": domain, "next_action": "autre"})
    assert action_session._domain_text[1] is text
    first, second = (json.loads(request["body"]) for request in fake.requests)
    assert first == {**CALL, "domain": domain}
    # This server never said it keeps the domain: it gets it with every call.
    assert second == {**CALL, "domain": domain, "next_action": "autre"}
    digest = domain_digest.digest(json.dumps(domain))
    assert {r["headers"][domain_digest.DIGEST_HEADER.lower()] for r in fake.requests} == {digest}


@pytest.mark.parametrize(
    "body", [{}, {"a": 1}, {"domain": {}}, {"domain": {"x": [1]}, "a": "é"}, {"domain": None}]
)
def test_json_body_reads_as_the_body(body) -> None:
    """Whatever the body, the bytes sent read as that body, as aiohttp's `json=` writes it."""
    assert json.loads(action_session.json_body(body)) == body
    assert (
        action_session.json_body({"domain": {"x": 2}}) == json.dumps({"domain": {"x": 2}}).encode()
    )


async def test_an_error_status_is_rasas_client_response_error(rasa_patched, raw) -> None:
    """Status 500: Rasa's ClientResponseError, with the status and the body."""
    fake, url = raw
    fake.status, fake.body = 500, b'{"error": "boom"}'
    with pytest.raises(ClientResponseError) as failed:
        await EndpointConfig(url).request(json=CALL)
    assert (failed.value.status, failed.value.text) == (500, b'{"error": "boom"}')


async def test_an_answer_that_is_not_json_is_none(rasa_patched, raw) -> None:
    """An answer that is not JSON gives None, as with Rasa."""
    fake, url = raw
    fake.content_type, fake.body = "text/plain", b"ok"
    assert await EndpointConfig(url).request(json=CALL) is None


async def test_the_callers_time_limit_applies(rasa_patched, raw) -> None:
    """A slow answer is cut at the caller's time-out; the next call still works."""
    fake, url = raw
    fake.delay = 1.0
    with pytest.raises(asyncio.TimeoutError):
        await EndpointConfig(url).request(json=CALL, timeout=0.2)
    fake.delay = 0.0
    assert await EndpointConfig(url).request(json=CALL, timeout=2) is not None


async def test_server_down_is_a_connection_error(rasa_patched) -> None:
    """No server: the connection error Rasa's RemoteAction turns into its failure."""
    with pytest.raises(aiohttp.ClientConnectorError):
        await EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook").request(json=CALL)


@pytest.fixture(scope="module")
def rasa_domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain.yml"))


async def run_action(url: str, domain: Domain, name: str = "action_recommander") -> list[Any]:
    """Rasa's RemoteAction, with every patch installed (time limit included)."""
    tracker = DialogueStateTracker("session-test", domain.slots)
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    action = RemoteAction(name, EndpointConfig(url))
    return await action.run(CollectingOutputChannel(), nlg, tracker, domain)


async def test_failures_still_reach_the_person_in_french(rasa_patched, raw, rasa_domain) -> None:
    """Through RemoteAction: a failing server gives the French failure message, a
    rejection still reaches the form."""
    fake, url = raw
    fake.status = 500
    [failure] = await run_action(url, rasa_domain)
    assert "souci technique" in failure.text
    fake.status, fake.body = 400, b'{"action_name": "action_recommander", "error": "non"}'
    with pytest.raises(ActionExecutionRejection):
        await run_action(url, rasa_domain)
    fake.status, fake.body = 200, b'{"events": [], "responses": [{"text": "bien"}]}'
    [answer] = await run_action(url, rasa_domain)
    assert answer.text == "bien"
    assert fake.connections == 1


async def test_the_domain_is_sent_once_then_named(rasa_patched, rasa_domain) -> None:
    """Through RemoteAction to `python -m bot.actions`'s middlewares: the first call
    carries the domain, the next ones only its digest, and the actions get the same domain
    every time."""
    SEEN_DOMAINS.clear()
    BODY_SIZES.clear()
    async with sdk_server(domain_by_digest=True) as (url, _):
        for _ in range(3):
            await run_action(url, rasa_domain, "action_domain")
    assert len(SEEN_DOMAINS) == 3
    assert all(seen == rasa_domain.as_dict() for seen in SEEN_DOMAINS)
    full, *named = BODY_SIZES
    assert full > 80_000 and all(size < 10_000 for size in named)


async def test_a_restarted_action_server_gets_the_domain_again(rasa_patched, rasa_domain) -> None:
    """An action server that forgot the domain (restarted, or another behind the same
    address) answers 409 once, and the call is sent again with the domain."""
    SEEN_DOMAINS.clear()
    BODY_SIZES.clear()
    async with sdk_server(domain_by_digest=True) as (url, _):
        await run_action(url, rasa_domain, "action_domain")
        action_server._domains.clear()
        events = await run_action(url, rasa_domain, "action_domain")
        await run_action(url, rasa_domain, "action_domain")
    assert events == []
    assert len(SEEN_DOMAINS) == 3 and all(d == rasa_domain.as_dict() for d in SEEN_DOMAINS)
    # Full, named (refused), full again, named.
    assert [size > 80_000 for size in BODY_SIZES] == [True, False, True, False]


async def test_a_plain_rasa_sdk_server_always_gets_the_domain(rasa_patched, rasa_domain) -> None:
    """A server started by `python -m rasa_sdk` (no middleware) never says it keeps the
    domain: every call carries it."""
    SEEN_DOMAINS.clear()
    BODY_SIZES.clear()
    async with sdk_server() as (url, _):
        for _ in range(3):
            await run_action(url, rasa_domain, "action_domain")
    assert all(seen == rasa_domain.as_dict() for seen in SEEN_DOMAINS)
    assert len(BODY_SIZES) == 3 and all(size > 80_000 for size in BODY_SIZES)


async def test_a_409_that_names_no_digest_is_a_failure_in_french(
    rasa_patched, raw, rasa_domain
) -> None:
    """A 409 from a server that does not speak of the digest is not sent again: Rasa's
    failure message, in French."""
    fake, url = raw
    fake.status, fake.body = 409, b'{"error": "unknown domain digest"}'
    [failure] = await run_action(url, rasa_domain)
    assert "souci technique" in failure.text
    assert len(fake.requests) == 1  # no digest header in its answer: not resent


async def test_server_stop_closes_the_session(rasa_patched, raw) -> None:
    """Rasa's `close_resources` listener, patched, closes the loop's session."""
    _, url = raw
    await EndpointConfig(url).request(json=CALL)
    session = action_session.shared_session()
    app = SimpleNamespace(ctx=SimpleNamespace())
    await rasa.core.run.close_resources(app, asyncio.get_running_loop())
    assert session.closed
    assert await EndpointConfig(url).request(json=CALL) is not None


def test_the_switch_leaves_rasas_request() -> None:
    """CAPNUM_PATCHES=non: Rasa's own request, a new session per call."""
    request = vars(EndpointConfig)["request"]
    with patched_rasa({patches.SWITCH: "non"}):
        assert vars(EndpointConfig)["request"] is request
    with patched_rasa():
        assert vars(EndpointConfig)["request"] is action_session.request
