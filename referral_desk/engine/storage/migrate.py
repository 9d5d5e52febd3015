"""Alembic, loaded only when the stored schema is not the current one."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from ..rules.errors import StorageError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> object:
    """An Alembic config pointing at the packaged migration scripts and this engine."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def known_revisions() -> list[str]:
    """Every revision the packaged scripts know, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def upgrade_to_head(engine: Engine, current: str | None, target: str = "head") -> None:
    """Migrates the database from `current` to `target` (default the newest revision)."""
    from alembic import command

    if current is not None and current not in known_revisions():
        raise StorageError(
            f"database: schema revision {current} is newer than this desk knows; "
            "upgrade referral-desk"
        )
    command.upgrade(alembic_config(engine), target)  # type: ignore[arg-type]
