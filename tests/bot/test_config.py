"""Configuration errors through the real CLI: one clear line, exit status 2, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "x" * 59


def run_cli(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "DEV_", "SECRET_"))}
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({}, "DISCORD_TOKEN"),
        ({"DISCORD_TOKEN": "short"}, "DISCORD_TOKEN"),
        ({"DISCORD_TOKEN": TOKEN, "DEV_GUILD_ID": "not-a-number"}, "DEV_GUILD_ID"),
        ({"DISCORD_TOKEN": TOKEN, "DATABASE_PATH": "/proc/nope/peerbot.db"}, "DATABASE_PATH"),
        ({"DISCORD_TOKEN": TOKEN, "LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"DISCORD_TOKEN": TOKEN, "DISCORD_API_BASE": "ftp://x"}, "DISCORD_API_BASE"),
    ],
)
def test_bad_setting_is_one_line_and_exit_2(tmp_path: Path, env: dict[str, str], setting: str) -> None:
    result = run_cli(tmp_path, env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert setting in lines[0]
    assert "Traceback" not in result.stderr
    assert TOKEN not in result.stderr


def test_database_path_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    with pytest.raises(ConfigError, match="DATABASE_PATH"):
        load_settings({"DISCORD_TOKEN": TOKEN, "DATABASE_PATH": str(tmp_path / "db")}, env_file=None)


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"DISCORD_TOKEN={TOKEN}\nLOG_LEVEL=debug\nDEV_GUILD_ID=123456789012345678\n")
    settings = load_settings({"LOG_LEVEL": "WARNING", "DATABASE_PATH": str(tmp_path / "a.db")}, env_file=env_file)
    assert settings.token == TOKEN
    assert settings.log_level == "WARNING"
    assert settings.dev_guild_id == 123456789012345678
    assert TOKEN not in repr(settings)


def test_migrate_cli_reports_what_it_did(tmp_path: Path) -> None:
    env = {"DATABASE_PATH": str(tmp_path / "p.db")}
    first = run_cli(tmp_path, env, "migrate")
    assert first.returncode == 0, first.stderr
    assert "0001_core.sql" in first.stdout
    second = run_cli(tmp_path, env, "migrate")
    assert second.returncode == 0
    assert "up to date" in second.stdout
