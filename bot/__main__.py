"""Command line: `python -m bot [run|migrate|sync|sandbox|backup PATH|restore PATH]` (also installed as `peerbot`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path

from bot.backup import BackupError, backup, restore
from bot.config import ConfigError, Settings, configure_logging, load_settings
from bot.db import Database, MigrationError

log = logging.getLogger("bot")


async def run_bot(settings: Settings) -> None:
    from bot.app import PeerBot

    async with PeerBot(settings) as bot:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # Windows has no add_signal_handler
                loop.add_signal_handler(sig, stop.set)
        runner = asyncio.create_task(bot.start(settings.token), name="bot")
        stopper = asyncio.create_task(stop.wait(), name="stop-signal")
        await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        # Close here, in the main task, so the database is closed before asyncio.run cancels what is left
        # (an open aiosqlite connection would keep the process alive: omnilib/aiosqlite#299).
        await bot.close()
        stopper.cancel()
        if runner.done():
            runner.result()  # a start-up error surfaces here
        else:
            await runner


async def migrate(settings: Settings) -> None:
    db = await Database.connect(settings.database_path)
    try:
        applied = await db.migrate()
    finally:
        await db.close()
    if applied:
        print(f"Applied {len(applied)} migration(s) to {settings.database_path}:")  # noqa: T201 - CLI output
        for name in applied:
            print(f"  {name}")  # noqa: T201
    else:
        print(f"{settings.database_path} is up to date.")  # noqa: T201


async def force_sync(settings: Settings) -> None:
    from bot.app import PeerBot

    async with PeerBot(settings, sync_commands=False) as bot:
        await bot.login(settings.token)  # runs setup_hook: database, cogs
        await bot.sync_if_changed(force=True)
    print("Commands synced.")  # noqa: T201


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="peerbot", description="peerbot: a Discord bot for peer-support communities.")
    parser.add_argument(
        "command",
        nargs="?",
        default="run",
        choices=("run", "migrate", "sync", "sandbox", "backup", "restore"),
        help="run the bot (default), apply database migrations, force a command sync, try the bot in a terminal, "
        "copy the database while the bot runs (backup PATH), or put a backup back with the bot stopped "
        "(restore PATH)",
    )
    parser.add_argument("path", nargs="?", help="backup: the new file (or a folder); restore: the backup file")
    args = parser.parse_args(argv)
    if args.command in ("backup", "restore") and not args.path:
        parser.error(f"{args.command} needs a PATH, e.g. `python -m bot {args.command} backups/peerbot.sqlite3`")
    if args.command not in ("backup", "restore") and args.path:
        parser.error(f"{args.command} takes no PATH")
    try:
        if args.command == "sandbox":
            from sandbox.repl import main as sandbox_main

            return sandbox_main()
        settings = load_settings(require_token=args.command in ("run", "sync"))
        configure_logging(settings.log_level)
        if args.command == "backup":
            copied = backup(settings.database_path, Path(args.path))
            print(f"Backed up {settings.database_path} to {copied.path} ({copied.size:,} bytes, checked).")  # noqa: T201
            print("Keep the secret key file (SECRET_KEY_FILE) safe too, separately: it is not in the backup.")  # noqa: T201
        elif args.command == "restore":
            copied = restore(Path(args.path), settings.database_path)
            print(f"Restored {args.path} into {settings.database_path}; the previous file was kept beside it.")  # noqa: T201
            asyncio.run(migrate(settings))
        elif args.command == "migrate":
            asyncio.run(migrate(settings))
        elif args.command == "sync":
            asyncio.run(force_sync(settings))
        else:
            asyncio.run(run_bot(settings))
    except ConfigError as exc:
        print(f"peerbot: configuration error: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    except BackupError as exc:
        print(f"peerbot: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    except MigrationError as exc:
        print(f"peerbot: database error: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


def entrypoint() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entrypoint()
