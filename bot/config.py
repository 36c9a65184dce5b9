"""Runtime settings read from the environment, with safe local defaults.

`DEFAULTS` is the one place where a default lives: `scripts/env.sh` exports them
(`python3 bot/config.py` prints the shell lines, so this module imports only the standard
library), the Python code reads them through `setting()`, and `.env.example` documents each
one (a test keeps the three in step).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

#: Repository root, computed from this file's location (bot/config.py).
REPO_ROOT: Path = Path(__file__).resolve().parent.parent

#: Every setting's default; `{NAME}` stands for that setting's value (CAPNUM_ROOT: the
#: repository). Empty means "not set" (a feature off, or no extra origin).
DEFAULTS: dict[str, str] = {
    "CAPNUM_RASA_PORT": "5005",
    "CAPNUM_ACTION_PORT": "5055",
    "CAPNUM_ACTION_HOST": "127.0.0.1",
    "CAPNUM_ACTION_URL": "http://127.0.0.1:{CAPNUM_ACTION_PORT}/webhook",
    "CAPNUM_PUBLIC_URL": "http://127.0.0.1:{CAPNUM_RASA_PORT}",
    "CAPNUM_DATABASE_URL": "sqlite:///{CAPNUM_ROOT}/var/capnum.db",
    "CAPNUM_TRACKER_URL": "sqlite:///{CAPNUM_ROOT}/var/tracker.db",
    "CAPNUM_CONSOLE_URL": "{CAPNUM_TRACKER_URL}",
    "CAPNUM_CONSOLE_RATE_ADDRESS": "600",
    "CAPNUM_CONSOLE_RATE_LOGIN": "10",
    "CAPNUM_ENDPOINTS": "endpoints.yml",
    "CAPNUM_RETENTION_DAYS": "30",
    "CAPNUM_PURGE_INTERVAL": "21600",
    "CAPNUM_ACTION_TIMEOUT": "2.5",
    "CAPNUM_WEB_ORIGINS": "",
    "CAPNUM_WEB_RATE_ADDRESS": "300",
    "CAPNUM_WEB_RATE_CONVERSATION": "20",
    "CAPNUM_WEB_RATE_EXEMPT": "",
    "CAPNUM_REDIS_URL": "",
    "CAPNUM_CHROMIUM": "/usr/bin/chromium",
    "CAPNUM_TELEGRAM_TOKEN": "",
    "CAPNUM_TELEGRAM_SECRET": "",
    "CAPNUM_TELEGRAM_API_URL": "https://api.telegram.org",
    "CAPNUM_TELEGRAM_BOT_USERNAME": "",
    "CAPNUM_PATCHES": "",
}
_REFERENCE = re.compile(r"\{(CAPNUM_[A-Z_]+)\}")


def setting(name: str, environ: Mapping[str, str] | None = None) -> str:
    """The value of `name` in `environ` (default: `os.environ`), or its default with the
    settings it names filled in. Empty or blank values mean unset."""
    env = os.environ if environ is None else environ
    value = env.get(name, "").strip()
    if value:
        return value
    if name == "CAPNUM_ROOT":
        return REPO_ROOT.as_posix()
    return _REFERENCE.sub(lambda m: setting(m.group(1), env), DEFAULTS[name])


def shell_exports() -> str:
    """`export NAME="${NAME:-default}"` lines, in order (for scripts/env.sh)."""
    lines = []
    for name, default in DEFAULTS.items():
        shell_default = _REFERENCE.sub(r"${\1}", default)
        lines.append(f'export {name}="${{{name}:-{shell_default}}}"')
    return "\n".join(lines)


DATABASE_URL_ENV = "CAPNUM_DATABASE_URL"
KNOWLEDGE_DIR_ENV = "CAPNUM_KNOWLEDGE_DIR"


def default_database_url() -> str:
    """Local SQLite database under `<repo>/var/` (ignored by git)."""
    return setting(DATABASE_URL_ENV, {})


@dataclass(frozen=True)
class Settings:
    """Process settings; build with `get_settings()` or `Settings.from_env()`."""

    database_url: str
    knowledge_dir: Path

    @property
    def catalogue_dir(self) -> Path:
        """Folder of the catalogue JSONL files."""
        return self.knowledge_dir / "catalogue"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read settings from `environ` (default: `os.environ`); empty values mean unset."""
        env = os.environ if environ is None else environ
        database_url = env.get(DATABASE_URL_ENV, "").strip() or default_database_url()
        knowledge = env.get(KNOWLEDGE_DIR_ENV, "").strip()
        knowledge_dir = (
            Path(knowledge).expanduser().resolve() if knowledge else REPO_ROOT / "knowledge"
        )
        return cls(database_url=database_url, knowledge_dir=knowledge_dir)


def get_settings() -> Settings:
    """Current settings from the process environment (read on every call, no caching)."""
    return Settings.from_env()


RETENTION_DAYS_ENV = "CAPNUM_RETENTION_DAYS"
PUBLIC_URL_ENV = "CAPNUM_PUBLIC_URL"
DEFAULT_RETENTION_DAYS = int(DEFAULTS[RETENTION_DAYS_ENV])
PRIVACY_PAGE_PATH = "/webhooks/webchat/confidentialite"


def retention_days(environ: Mapping[str, str] | None = None) -> int:
    """Days a conversation is kept after its last message (`CAPNUM_RETENTION_DAYS`, 30 by
    default; a value that is not a positive integer falls back to the default)."""
    env = os.environ if environ is None else environ
    value = env.get(RETENTION_DAYS_ENV, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_RETENTION_DAYS


def privacy_page_url(environ: Mapping[str, str] | None = None) -> str:
    """Public address of the privacy page (`CAPNUM_PUBLIC_URL` + its path)."""
    env = os.environ if environ is None else environ
    base = setting(PUBLIC_URL_ENV, env).rstrip("/")
    return base + PRIVACY_PAGE_PATH


if __name__ == "__main__":
    print(shell_exports())
