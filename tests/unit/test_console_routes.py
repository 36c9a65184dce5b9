"""The console channel's own guard pieces: sign-in attempts limited per address, settings."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from bot.console.comptes import ConsoleError
from bot.console.routes import ConsoleInput, security_headers


def test_sign_in_attempts_are_limited_per_address() -> None:
    """After the burst, a further attempt from the same address is refused with 429
    before any password is checked; another address is not slowed down."""
    channel = ConsoleInput(logins_per_minute=3)
    request = SimpleNamespace(remote_addr="203.0.113.7", ip="203.0.113.7")
    codes = []
    for _ in range(4):
        with pytest.raises(ConsoleError) as refused:
            asyncio.run(channel.connexion(request, None, {"identifiant": "x", "mot_de_passe": "y"}))
        codes.append((refused.value.code, refused.value.status))
    assert codes[:3] == [("identifiants_invalides", 401)] * 3
    assert codes[3] == ("trop_de_requetes", 429)
    other = SimpleNamespace(remote_addr="198.51.100.2", ip="198.51.100.2")
    with pytest.raises(ConsoleError) as refused:
        asyncio.run(channel.connexion(other, None, {"identifiant": "x", "mot_de_passe": "y"}))
    assert refused.value.code == "identifiants_invalides"


def test_credentials_set_the_limits() -> None:
    """credentials.yml values (from the environment) set both limits; empty ones keep
    the defaults."""
    channel = ConsoleInput.from_credentials({"rate_per_address": "120", "logins_per_minute": "5"})
    assert channel.per_address.rate * 60 == pytest.approx(120)
    assert channel.logins.rate * 60 == pytest.approx(5)
    default = ConsoleInput.from_credentials({"rate_per_address": "", "logins_per_minute": None})
    assert default.logins.rate * 60 == pytest.approx(10)


def test_pages_forbid_framing_and_inline_code() -> None:
    """The console page may not be framed nor run inline scripts; nothing is cached."""
    headers = security_headers(page=True)
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store" and headers["X-Frame-Options"] == "DENY"
