"""Where the desk keeps its files: the one module that knows platformdirs paths."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "referral-desk"
DATABASE_ENV = "REFERRAL_DESK_DB"


def data_dir() -> Path:
    """The user data directory (created on first use, owner-only)."""
    path = user_data_path(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def default_database() -> str:
    """`REFERRAL_DESK_DB` if set, else `referral-desk.db` in the user data directory."""
    configured = os.environ.get(DATABASE_ENV, "").strip()
    if configured:
        return configured
    return str(data_dir() / "referral-desk.db")


def server_outbox_dir() -> Path:
    """Where a desk on a server database writes `.eml` files (no file beside it)."""
    return user_data_path(APP_NAME, appauthor=False) / "outbox"


def server_secret_file() -> Path:
    """Where a desk on a server database keeps its signing secret (no file beside it)."""
    return user_data_path(APP_NAME, appauthor=False) / "secret"


def demo_data_dir() -> Path:
    """The demo roster and referrals: packaged in a wheel, or `data/` in a checkout."""
    packaged = resources.files("referral_desk") / "data"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "data"
