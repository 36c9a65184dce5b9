"""The action server's command (`python -m bot.actions`): rasa_sdk's server on the actions
of `bot.actions`, the services loaded and frozen once it listens."""

from __future__ import annotations

import gc
import logging
import sys

import pytest
from rasa_sdk.endpoint import create_app
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic

import bot.actions.__main__ as action_server
from bot.actions import services


def test_the_plugin_adds_the_listener_to_rasa_sdks_app() -> None:
    """rasa_sdk's app gets `load_and_freeze` as an after-start listener."""
    Sanic.test_mode = True  # several apps named "rasa_sdk" in one process
    app = create_app("bot.actions")
    action_server.ServerExtensions().attach_sanic_app_extensions(app)
    after_start = [
        (future.handler.keywords or {}).get("listener")
        for future in app._future_signals
        if future.event == "server.init.after"
    ]
    assert action_server.load_and_freeze in after_start


@pytest.mark.anyio
async def test_services_are_loaded_then_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    """After start, the services are loaded first, then everything alive is frozen."""
    order: list[str] = []
    monkeypatch.setattr(services, "load", lambda: order.append("load"))
    loaded = {"communes": ["Roubaix"]}
    try:
        await action_server.load_and_freeze(None, None)
        assert order == ["load"]
        assert gc.get_freeze_count() > 0
        assert not any(o is loaded for o in gc.get_objects())  # no longer walked
    finally:
        gc.unfreeze()


def test_main_runs_rasa_sdk_on_bot_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command passes its options to rasa_sdk, with `--actions bot.actions`, and
    registers the plugin first."""
    seen: dict[str, object] = {}

    def fake_main() -> None:
        seen["argv"] = list(sys.argv)
        seen["plugins"] = [type(p).__name__ for p in plugin_manager().get_plugins()]

    monkeypatch.setattr(action_server, "rasa_sdk_main", fake_main)
    monkeypatch.setattr(sys, "argv", ["bot.actions"])
    try:
        action_server.main(["--port", "5999"])
    finally:
        for plugin in list(plugin_manager().get_plugins()):
            if isinstance(plugin, action_server.ServerExtensions):
                plugin_manager().unregister(plugin)
    assert seen["argv"] == ["bot.actions", "--actions", "bot.actions", "--port", "5999"]
    assert "ServerExtensions" in seen["plugins"]


def test_a_catalogue_failure_at_start_is_logged_not_raised(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The server starts without its catalogue: the error class is logged, the communes
    are loaded all the same."""

    def broken() -> list:
        raise OSError("disk unreadable: /home/kevin")

    monkeypatch.setattr(services, "formations", broken)
    with caplog.at_level(logging.ERROR, logger="bot.actions.services"):
        services.load()
    assert "catalogue not loaded at start (OSError)" in caplog.text
    assert "kevin" not in caplog.text
