"""The Bot API client: calls with retries and logs that never show the token or texts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)
PUBLIC_API_URL = "https://api.telegram.org"


class BotApiError(Exception):
    """A Bot API call that failed for good (after the retries it deserved)."""

    def __init__(self, method: str, code: int | None, reason: str) -> None:
        super().__init__(f"{method}: {reason}")
        self.code = code
        self.reason = reason


class BotApi:
    """Calls the Bot API; retries 429 answers after `retry_after` (capped), and time-outs,
    network errors and 5xx answers with exponential backoff. Logs only the method, the
    error class or code and a conversation hash: never the token, never the texts."""

    def __init__(
        self,
        base_url: str,
        token: str,
        timeout: float = 10.0,
        attempts: int = 4,
        backoff: float = 0.5,
        max_retry_after: float = 30.0,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._session

    async def call(
        self, method: str, params: dict[str, Any], log_key: str = "", attempts: int | None = None
    ) -> Any:
        """The call's `result`; raises `BotApiError` when it finally fails."""
        url = f"{self.base_url}/bot{self._token}/{method}"
        attempts = attempts or self.attempts
        reason, code = "", None
        for attempt in range(attempts):
            delay = self.backoff * 2**attempt
            try:
                async with self._client().post(url, json=params) as answer:
                    code = answer.status
                    body = await answer.json(content_type=None)
            except (asyncio.TimeoutError, aiohttp.ClientError, ValueError) as exc:
                reason, code = type(exc).__name__, None
            else:
                if not isinstance(body, dict):
                    body = {}
                if body.get("ok"):
                    return body.get("result")
                code = int(body.get("error_code") or code or 0)
                reason = f"HTTP {code}"
                if code == 429:
                    retry_after = (body.get("parameters") or {}).get("retry_after")
                    delay = min(float(retry_after or 1), self.max_retry_after)
                elif code < 500:
                    logger.warning(
                        "telegram %s refused (%s), conversation %s", method, reason, log_key
                    )
                    raise BotApiError(method, code, reason)
            if attempt + 1 < attempts:
                logger.info(
                    "telegram %s failed (%s), conversation %s: retry in %.1fs",
                    method,
                    reason,
                    log_key,
                    delay,
                )
                await self._sleep(delay)
        logger.error(
            "telegram %s failed %d times (%s), conversation %s", method, attempts, reason, log_key
        )
        raise BotApiError(method, code, reason)
