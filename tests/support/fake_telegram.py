"""A fake Telegram Bot API server for the tests: a real HTTP server on 127.0.0.1.

It answers like the Bot API (`{"ok": true, "result": ...}`) at `/bot<token>/<method>`,
records every call, and can be told to fail the next calls of a method (429 with
`parameters.retry_after`, 500, or no answer until the client times out).

Run on its own to try the channel by hand: `python -m tests.fake_telegram --port 5181`.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BOT_ID = 424242
BOT_USERNAME = "capnum_test_bot"


@dataclass
class Call:
    """One request received: the method, its JSON parameters, the token used."""

    method: str
    params: dict[str, Any]
    token: str
    at: float = field(default_factory=time.monotonic)
    status: int = 0
    result: Any = None


@dataclass
class Failure:
    status: int
    retry_after: int | None = None
    hang: float = 0.0


class FakeTelegram:
    """The server, its recorded calls and the failures to inject."""

    def __init__(self, port: int = 0, token: str | None = None) -> None:
        self.token = token
        self.calls: list[Call] = []
        self._failures: dict[str, list[Failure]] = {}
        self._lock = threading.Lock()
        self._message_id = 1000
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeTelegram:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- test controls ---------------------------------------------------------------
    def fail_next(
        self, method: str, status: int = 429, retry_after: int | None = 1, times: int = 1
    ) -> None:
        """The next `times` calls of `method` fail with `status` (429: with retry_after)."""
        with self._lock:
            self._failures.setdefault(method, []).extend(
                Failure(status, retry_after) for _ in range(times)
            )

    def hang_next(self, method: str, seconds: float) -> None:
        """The next call of `method` gets no answer for `seconds` (a client time-out)."""
        with self._lock:
            self._failures.setdefault(method, []).append(Failure(200, hang=seconds))

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()
            self._failures.clear()

    def calls_of(self, method: str, chat_id: int | None = None) -> list[Call]:
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method == method and (chat_id is None or c.params.get("chat_id") == chat_id)
            ]

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """The parameters of every successful `sendMessage` (to one chat), in order, each
        with the `message_id` the fake gave it."""
        return [
            {**c.params, "message_id": c.result["message_id"]}
            for c in self.calls_of("sendMessage", chat_id)
            if c.status == 200 and isinstance(c.result, dict)
        ]

    # -- the Bot API -----------------------------------------------------------------
    def _answer(self, method: str, params: dict[str, Any], token: str) -> tuple[int, Any]:
        call = Call(method, params, token)
        status, body = self._result(call)
        call.status, call.result = status, (body or {}).get("result")
        return status, body

    def _result(self, call: Call) -> tuple[int, Any]:
        method, params, token = call.method, call.params, call.token
        with self._lock:
            self.calls.append(call)
            failure = (
                (self._failures.get(method) or [None]).pop(0) if method in self._failures else None
            )
        if failure is not None and failure.hang:
            time.sleep(failure.hang)
        elif failure is not None:
            error: dict[str, Any] = {
                "ok": False,
                "error_code": failure.status,
                "description": "Too Many Requests" if failure.status == 429 else "Internal error",
            }
            if failure.status == 429:
                error["description"] += f": retry after {failure.retry_after}"
                error["parameters"] = {"retry_after": failure.retry_after}
            return failure.status, error
        if self.token is not None and token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        if method == "getMe":
            return 200, {
                "ok": True,
                "result": {"id": BOT_ID, "is_bot": True, "username": BOT_USERNAME},
            }
        if method == "sendMessage":
            if not str(params.get("text") or "").strip():
                return 400, {"ok": False, "error_code": 400, "description": "message text is empty"}
            if len(str(params["text"]).encode("utf-16-le")) // 2 > 4096:
                return 400, {"ok": False, "error_code": 400, "description": "message is too long"}
            with self._lock:
                self._message_id += 1
                message_id = self._message_id
            return 200, {
                "ok": True,
                "result": {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": {"id": params.get("chat_id"), "type": "private"},
                    "from": {"id": BOT_ID, "is_bot": True, "username": BOT_USERNAME},
                    "text": params.get("text"),
                },
            }
        return 200, {"ok": True, "result": True}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                parts = self.path.strip("/").split("/")
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if len(parts) != 2 or not parts[0].startswith("bot"):
                    self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                    return
                try:
                    params = json.loads(raw) if raw else {}
                except ValueError:
                    params = {}
                status, body = fake._answer(parts[1], params, parts[0][3:])
                self._reply(status, body)

            def _reply(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (time-out test)

            def log_message(self, *_: Any) -> None:
                pass

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5181)
    args = parser.parse_args()
    fake = FakeTelegram(args.port).start()
    print(f"Fake Bot API on {fake.url} (Ctrl-C to stop)")
    try:
        while True:
            time.sleep(5)
            for call in fake.calls[-20:]:
                print(call.method, json.dumps(call.params, ensure_ascii=False)[:200])
            fake.calls.clear()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
