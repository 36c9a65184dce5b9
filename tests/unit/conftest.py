"""Fixtures of the console's unit tests: a clock moved by hand and console services
over in-memory SQLite that use it."""

from __future__ import annotations

import pytest

from bot.console.service import ConsoleService
from tests.support.console import Clock, console_service


@pytest.fixture
def clock() -> Clock:
    """A clock moved by hand."""
    return Clock()


@pytest.fixture
def svc(clock: Clock) -> ConsoleService:
    """Console services over in-memory SQLite with the test's clock."""
    return console_service(clock=clock)
