"""Settings: every default lives in bot/config.py, the scripts export exactly those, and
.env.example documents each one."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from bot.config import DEFAULTS, REPO_ROOT, setting, shell_exports


def test_a_value_from_the_environment_wins_and_blank_means_unset() -> None:
    """An explicit value is used as is; an empty or blank one falls back to the default."""
    assert setting("CAPNUM_RASA_PORT", {"CAPNUM_RASA_PORT": "6000"}) == "6000"
    assert setting("CAPNUM_RASA_PORT", {"CAPNUM_RASA_PORT": "  "}) == "5005"


def test_defaults_that_name_another_setting_follow_it() -> None:
    """The action server's address follows its port, the database sits in the repo."""
    assert setting("CAPNUM_ACTION_URL", {"CAPNUM_ACTION_PORT": "7001"}) == (
        "http://127.0.0.1:7001/webhook"
    )
    assert setting("CAPNUM_DATABASE_URL", {}) == f"sqlite:///{REPO_ROOT.as_posix()}/var/capnum.db"


def test_the_shell_gets_the_same_values_as_python() -> None:
    """scripts/env.sh evaluates `python bot/config.py`: bash ends with Python's values."""
    names = list(DEFAULTS)
    script = f'eval "$({sys.executable} {REPO_ROOT / "bot/config.py"})"; ' + "; ".join(
        f'printf "%s\\n" "${name}"' for name in names
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "CAPNUM_ROOT": REPO_ROOT.as_posix(),
        "CAPNUM_ACTION_PORT": "7002",
    }
    out = subprocess.run(
        ["bash", "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.splitlines() == [setting(name, env) for name in names]


@pytest.mark.parametrize("name", list(DEFAULTS))
def test_env_example_documents_each_default(name: str) -> None:
    """.env.example shows each setting with its real default."""
    shown = re.sub(r"\{(CAPNUM_[A-Z_]+)\}", r"${\1}", DEFAULTS[name])
    text = (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
    assert re.search(rf"^(# )?{name}={re.escape(shown)}$", text, re.M), name


def test_no_script_repeats_a_default() -> None:
    """No shell script gives its own fallback to a setting that has a default here."""
    repeated = [
        f"{path.name}: {match}"
        for path in sorted((REPO_ROOT / "scripts").glob("*.sh"))
        for match in re.findall(r"\$\{(CAPNUM_[A-Z_]+):-(?!\})", path.read_text(encoding="utf-8"))
        if match in DEFAULTS
    ]
    assert repeated == []


def test_shell_exports_cover_every_default_in_order() -> None:
    """One export line per setting, in the order of DEFAULTS (later ones use earlier ones)."""
    exported = re.findall(r"^export (CAPNUM_[A-Z_]+)=", shell_exports(), re.M)
    assert exported == list(DEFAULTS)
