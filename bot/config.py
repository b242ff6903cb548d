"""Settings, read once from the environment (and a local `.env` file) into a frozen object.

Every problem is reported as a `ConfigError` naming the setting and how to fix it; the CLI turns it
into one line on stderr and exit status 2 (DESIGN §5).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

DISCORD_API_BASE = "https://discord.com/api/v10"
DISCORD_GATEWAY_URL = "wss://gateway.discord.gg/"
DEFAULT_DATABASE_PATH = "data/peerbot.sqlite3"
DEFAULT_SECRET_KEY_FILE = "data/secret.key"  # noqa: S105 - a path, not a secret
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_SNOWFLAKE = re.compile(r"^[0-9]{15,21}$")


class ConfigError(Exception):
    """A setting is missing or invalid. The message is one line, fit to show to the person running the bot."""

    def __init__(self, setting: str, problem: str, fix: str) -> None:
        super().__init__(f"{setting} {problem}. {fix}")
        self.setting = setting


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment. The token never appears in `repr`."""

    token: str = field(repr=False)
    database_path: Path
    log_level: str = "INFO"
    dev_guild_id: int | None = None
    secret_key_file: Path = Path(DEFAULT_SECRET_KEY_FILE)
    api_base: str = DISCORD_API_BASE
    gateway_url: str = DISCORD_GATEWAY_URL


def _env(environ: Mapping[str, str] | None, env_file: Path | None) -> dict[str, str]:
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return {k: v.strip() for k, v in values.items()}


def _snowflake(name: str, raw: str) -> int | None:
    if not raw:
        return None
    if not _SNOWFLAKE.match(raw):
        raise ConfigError(name, f"is not a Discord id ({raw[:30]!r})", "Use the numeric id (Developer Mode > Copy ID).")
    return int(raw)


def _url(name: str, raw: str, default: str, schemes: tuple[str, ...]) -> str:
    if not raw:
        return default
    if not raw.startswith(schemes) or "//" not in raw:
        raise ConfigError(name, f"is not a {'/'.join(schemes)} URL", f"Leave it unset to use {default}.")
    return raw.rstrip("/") if name == "DISCORD_API_BASE" else raw


def _writable_file(name: str, raw: str, default: str) -> Path:
    path = Path(raw or default).expanduser()
    parent = path.parent if str(path.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        problem = f"points into a folder that cannot be created ({parent})"
        raise ConfigError(name, problem, "Choose a path this user can write to.") from exc
    if path.is_dir():
        raise ConfigError(name, f"is a folder ({path})", "Give the path of a file, e.g. data/peerbot.sqlite3.")
    target = path if path.exists() else parent
    if not os.access(target, os.W_OK):
        raise ConfigError(name, f"is not writable ({path})", "Choose a path this user can write to.")
    return path


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    env_file: Path | None = Path(".env"),
    require_token: bool = True,
) -> Settings:
    """Read and validate every setting; raise `ConfigError` on the first problem."""
    env = _env(environ, env_file)
    token = env.get("DISCORD_TOKEN", "")
    if require_token and not token:
        raise ConfigError(
            "DISCORD_TOKEN",
            "is not set",
            "Copy .env.example to .env and paste your bot token (Developer Portal > your app > Bot > Reset Token).",
        )
    if token and (len(token) < 20 or any(c.isspace() for c in token)):
        raise ConfigError(
            "DISCORD_TOKEN", "does not look like a bot token", "Paste the token exactly as the Portal shows it."
        )
    level = (env.get("LOG_LEVEL") or "INFO").upper()
    if level not in _LOG_LEVELS:
        raise ConfigError("LOG_LEVEL", f"is {level!r}", f"Use one of {', '.join(_LOG_LEVELS)}.")
    return Settings(
        token=token,
        database_path=_writable_file("DATABASE_PATH", env.get("DATABASE_PATH", ""), DEFAULT_DATABASE_PATH),
        log_level=level,
        dev_guild_id=_snowflake("DEV_GUILD_ID", env.get("DEV_GUILD_ID", "")),
        secret_key_file=_writable_file("SECRET_KEY_FILE", env.get("SECRET_KEY_FILE", ""), DEFAULT_SECRET_KEY_FILE),
        api_base=_url("DISCORD_API_BASE", env.get("DISCORD_API_BASE", ""), DISCORD_API_BASE, ("http://", "https://")),
        gateway_url=_url(
            "DISCORD_GATEWAY_URL", env.get("DISCORD_GATEWAY_URL", ""), DISCORD_GATEWAY_URL, ("ws://", "wss://")
        ),
    )


def configure_logging(level: str) -> None:
    """Root logging through discord.py's formatter, so our lines and the library's look alike."""
    import discord.utils

    discord.utils.setup_logging(level=getattr(logging, level), root=True)
    # APScheduler logs a line per armed job: thousands at start-up.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, getattr(logging, level)))
