"""Command line: `python -m bot [run|migrate|sync|sandbox]` (also installed as `peerbot`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys

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
        choices=("run", "migrate", "sync", "sandbox"),
        help="run the bot (default), apply database migrations, force a command sync, or try the bot in a terminal",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "sandbox":
            from sandbox.repl import main as sandbox_main

            return sandbox_main()
        settings = load_settings(require_token=args.command in ("run", "sync"))
        configure_logging(settings.log_level)
        if args.command == "migrate":
            asyncio.run(migrate(settings))
        elif args.command == "sync":
            asyncio.run(force_sync(settings))
        else:
            asyncio.run(run_bot(settings))
    except ConfigError as exc:
        print(f"peerbot: configuration error: {exc}", file=sys.stderr)  # noqa: T201
        return 2
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
