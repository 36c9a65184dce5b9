"""Browser fixtures: headless Debian Chromium driven by Playwright against the real
running assistant, a partner site on another origin, and the axe-core check.

Run by `make test` (step "Navigateur") with CAPNUM_SERVER_URL, CAPNUM_RASA_TOKEN and
CAPNUM_PARTNER_URL set; skipped otherwise.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from bot.channels.webchat import STATIC_DIR
from tools.navigateur import CHAT_PATH, CHROMIUM, PHONE, launch

SERVER = os.environ.get("CAPNUM_SERVER_URL", "")
TOKEN = os.environ.get("CAPNUM_RASA_TOKEN", "")
PARTNER = os.environ.get("CAPNUM_PARTNER_URL", "")  # an origin listed in CAPNUM_WEB_ORIGINS


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not SERVER:
        pytest.skip("CAPNUM_SERVER_URL not set: servers not started")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/setup-browser.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser: Any) -> Iterator[Any]:
    """Factory of isolated browser contexts (own storage), closed after the test."""
    contexts: list[Any] = []

    def make(viewport: dict[str, int] = PHONE, **options: Any) -> Any:
        context = browser.new_context(viewport=viewport, locale="fr-FR", **options)
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


class PartnerSite(ThreadingHTTPServer):
    """A partner's web site on another origin: `/` embeds the widget with one script tag;
    `/chat` hosts the chat page itself, its script pointed at the Cap Num server."""

    def __init__(self, port: int, server_url: str) -> None:
        assets = f"{server_url}{CHAT_PATH}static"
        self.pages = {
            "/": (
                "<!doctype html><html lang='fr'><head><meta charset='utf-8'>"
                "<meta name='viewport' content='width=device-width, initial-scale=1'>"
                "<title>Partenaire</title></head><body><main><h1>Site partenaire</h1>"
                "<p>Une page qui intègre Cap Num.</p></main>"
                f"<script src='{assets}/widget.js' defer data-titre='Cap Num – Partenaire'"
                " data-couleur='#6a1b5d'></script></body></html>"
            ).encode(),
            "/chat": (
                (STATIC_DIR / "webchat.html")
                .read_text(encoding="utf-8")
                .replace('href="static/', f'href="{assets}/')
                .replace(
                    '<script src="static/webchat.js">',
                    f'<script src="{assets}/webchat.js" data-server="{server_url}">',
                )
                .encode()
            ),
        }
        super().__init__(("127.0.0.1", port), _PartnerHandler)


class _PartnerHandler(BaseHTTPRequestHandler):
    server: PartnerSite

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        page = self.server.pages.get(self.path)
        self.send_response(200 if page else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(page or b"not found")

    def log_message(self, *_: Any) -> None:
        pass


def _serve(port: int) -> Iterator[str]:
    site = PartnerSite(port, SERVER)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{port}"
    site.shutdown()
    site.server_close()


@pytest.fixture(scope="session")
def partner_url() -> Iterator[str]:
    """The partner site, on an origin the server allows (CAPNUM_PARTNER_URL)."""
    if not PARTNER:
        pytest.skip("CAPNUM_PARTNER_URL not set")
    yield from _serve(urlparse(PARTNER).port or 80)


@pytest.fixture(scope="session")
def foreign_url() -> Iterator[str]:
    """A site the server does not allow (next port after the partner's)."""
    if not PARTNER:
        pytest.skip("CAPNUM_PARTNER_URL not set")
    yield from _serve((urlparse(PARTNER).port or 80) + 1)
