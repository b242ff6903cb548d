"""The server-side secret behind anonymous author tokens (DESIGN §4): generated once, kept outside the database."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_BYTES = 32


def load_or_create_secret(path: Path) -> bytes:
    """Read the key, or create it with mode 0600. Losing it only unlinks old shares from their authors."""
    if path.exists():
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
        if len(key) < KEY_BYTES:
            raise ValueError(f"{path} holds a key shorter than {KEY_BYTES} bytes")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.hex())
    return key
