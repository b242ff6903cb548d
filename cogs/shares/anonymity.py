"""Who wrote a share, without storing who wrote it (DESIGN §4). Pure functions, no I/O, no Discord.

An **author token** is ``HMAC-SHA256(secret key, f"{guild_id}:{user_id}")`` in hex. It is what the shares
tables keep instead of a user id: the same member gets the same token in one server (so they can delete
their own share, and moderators can block them) and an unrelated token in another server. Without the key
file nobody can turn a token back into a user id; with it, the bot can only *recompute* a token from a
user id it is given (that is how ``/share delete`` and ``/privacy delete`` find a member's rows).

Pseudonyms are what members see, always ``"Anonymous · XXXX"`` (four upper-case hex digits):

- ``per_share`` (the default): ``HMAC(key, f"share:{share_id}:{token}")`` — every share gets a fresh
  name, so two shares of one member cannot be linked by their names;
- ``per_author`` (a server's choice): ``HMAC(key, f"author:{token}")`` — derived from the token, never
  from the user id directly, so it is stable for a member in that server and unrelated across servers;
- replies use ``HMAC(key, f"reply:{share_id}:{token}")``: one replier keeps one name inside a thread
  and gets another in the next thread. The share's author is labelled as the author instead.

Four hex digits are a label, not an identity: two people may now and then get the same one.

Share ids are shown to members as ``#123`` (the plain decimal row id with a hash): short, easy to read out
and to type, the way Discord people already refer to tickets. ``parse_share_id`` accepts ``#123``,
``123``, ``# 123``, ``share #123`` in any case and with spaces around.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Literal

PseudonymMode = Literal["per_share", "per_author"]
PSEUDONYM_MODES: tuple[PseudonymMode, ...] = ("per_share", "per_author")
PSEUDONYM_PREFIX = "Anonymous · "
AUTHOR_LABEL = "the author"
MIN_KEY_BYTES = 16
MAX_SHARE_ID = 2**63 - 1  # SQLite INTEGER PRIMARY KEY range

_SHARE_ID = re.compile(r"(?:share\s*)?#?\s*0*([0-9]{1,19})")


def _mac(key: bytes, message: str) -> str:
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the secret key must be at least {MIN_KEY_BYTES} bytes")
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def author_token(key: bytes, guild_id: int, user_id: int) -> str:
    """The member's token in this server: 64 hex characters, the same every time, different per server."""
    return _mac(key, f"{guild_id}:{user_id}")


def tokens_match(a: str | None, b: str | None) -> bool:
    """Compare two tokens in constant time; a missing (wiped) token matches nothing."""
    if a is None or b is None:
        return False
    return hmac.compare_digest(a.encode("ascii", "replace"), b.encode("ascii", "replace"))


def _label(digest: str) -> str:
    return PSEUDONYM_PREFIX + digest[:4].upper()


def share_pseudonym(key: bytes, share_id: int, token: str) -> str:
    """The per-share name: a new one for every share, even of the same author."""
    return _label(_mac(key, f"share:{share_id}:{token}"))


def author_pseudonym(key: bytes, token: str) -> str:
    """The per-author name: stable for one member in one server (it is derived from the server's token)."""
    return _label(_mac(key, f"author:{token}"))


def reply_pseudonym(key: bytes, share_id: int, token: str) -> str:
    """A replier's name inside one share's thread."""
    return _label(_mac(key, f"reply:{share_id}:{token}"))


def pseudonym_for(mode: PseudonymMode, key: bytes, share_id: int, token: str) -> str:
    """The name a new share is posted under, by the server's pseudonym mode."""
    if mode == "per_author":
        return author_pseudonym(key, token)
    if mode == "per_share":
        return share_pseudonym(key, share_id, token)
    raise ValueError(f"unknown pseudonym mode {mode!r}")


def author_reply_label(share_pseudonym_: str | None) -> str:
    """How the share's author is labelled when they reply in their own thread."""
    return f"{share_pseudonym_} ({AUTHOR_LABEL})" if share_pseudonym_ else f"Anonymous ({AUTHOR_LABEL})"


def format_share_id(share_id: int) -> str:
    """The id members see and type: ``#123``."""
    if not 1 <= share_id <= MAX_SHARE_ID:
        raise ValueError("share ids are positive integers")
    return f"#{share_id}"


def parse_share_id(text: str) -> int | None:
    """Read what a member typed (``#123``, ``123``, ``Share #123``, with spaces); None if it is not an id."""
    match = _SHARE_ID.fullmatch(text.strip().casefold())
    if match is None:
        return None
    value = int(match.group(1))
    return value if 1 <= value <= MAX_SHARE_ID else None
