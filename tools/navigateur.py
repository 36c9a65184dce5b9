"""Headless Chromium (Debian's package) driven by Playwright: shared by the browser tests
and the screenshot command."""

from __future__ import annotations

import os
from typing import Any

CHROMIUM = os.environ.get("CAPNUM_CHROMIUM", "/usr/bin/chromium")
CHAT_PATH = "/webhooks/webchat/"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
# Offline machine: no background requests, no GPU, no sandbox (CI runs as root).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# True when no message waits to be sent and no answer is being shown.
IDLE_JS = (
    "() => JSON.parse(localStorage.getItem('capnum.envois') || '[]').length === 0"
    " && document.getElementById('saisie-en-cours').hidden"
)
PROFILE_SENTENCE = (
    "salut, j'ai 19 ans, j'ai arrêté le lycée en première, j'habite à Roubaix "
    "et j'aimerais bien faire de l'informatique"
)


def launch(playwright: Any, executable: str = CHROMIUM) -> Any:
    """Debian's Chromium, headless (Playwright's own browser download is not used)."""
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


def send(page: Any, text: str) -> None:
    """Types a message in the chat page, sends it and waits for the whole answer."""
    field = page.get_by_label("Ton message")
    field.fill(text)
    field.press("Enter")
    page.wait_for_function(IDLE_JS)


def tap(page: Any, title: str) -> None:
    """Taps the last button with this title in the conversation and waits for the answer."""
    page.locator("#journal").get_by_role("button", name=title, exact=True).last.click()
    page.wait_for_function(IDLE_JS)
