"""Runtime settings read from the environment, with safe local defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

#: Repository root, computed from this file's location (bot/config.py).
REPO_ROOT: Path = Path(__file__).resolve().parent.parent

DATABASE_URL_ENV = "CAPNUM_DATABASE_URL"
KNOWLEDGE_DIR_ENV = "CAPNUM_KNOWLEDGE_DIR"


def default_database_url() -> str:
    """Local SQLite database under `<repo>/var/` (ignored by git)."""
    return f"sqlite:///{(REPO_ROOT / 'var' / 'capnum.db').as_posix()}"


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
DEFAULT_RETENTION_DAYS = 30
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
    base = env.get(PUBLIC_URL_ENV, "").strip().rstrip("/") or "http://127.0.0.1:5005"
    return base + PRIVACY_PAGE_PATH
