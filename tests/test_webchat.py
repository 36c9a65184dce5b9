"""Web chat channel input rules and the refusal of model-changing API endpoints."""

from __future__ import annotations

import pytest

from bot.channels.webchat import (
    EMPTY_MESSAGE_INTENT,
    TOO_LONG_INTENT,
    WebChatInput,
    prepare_text,
)
from bot.server import refuse_model_endpoints

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", EMPTY_MESSAGE_INTENT),
        ("   \n ", EMPTY_MESSAGE_INTENT),
        (None, EMPTY_MESSAGE_INTENT),
        ("a" * 5000, TOO_LONG_INTENT),
        ("  salut  ", "salut"),
        ("😀😀😀", "😀😀😀"),
    ],
)
def test_prepare_text(text, expected):
    """Empty and huge messages are replaced by intents with a French answer."""
    assert prepare_text(text, max_length=1000) == expected


def test_max_length_from_credentials():
    """The length limit comes from credentials.yml."""
    assert WebChatInput.from_credentials({"max_length": 200}).max_length == 200
    assert WebChatInput.from_credentials(None).max_length == 1000


class FakeRequest:
    def __init__(self, method: str, path: str) -> None:
        self.method = method
        self.path = path


@pytest.mark.parametrize(
    ("method", "path", "refused"),
    [
        ("PUT", "/model", True),
        ("POST", "/model/train", True),
        ("DELETE", "/model", True),
        ("GET", "/status", False),
        ("GET", "/conversations/abc/tracker", False),
        ("POST", "/webhooks/webchat/webhook", False),
    ],
)
async def test_model_endpoints_are_refused(method, path, refused):
    """Model upload, unload and training answer 403; other endpoints pass."""
    result = await refuse_model_endpoints(FakeRequest(method, path))
    assert (result is not None and result.status == 403) is refused
