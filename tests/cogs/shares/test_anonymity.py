"""Author tokens, pseudonyms and share ids (cogs.shares.anonymity)."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogs.shares import anonymity as anon

from .conftest import GUILD, KEY, OTHER_GUILD

USER = 312_987_654_321_098_765
PSEUDONYM = re.compile(r"Anonymous · [0-9A-F]{4}")


def test_token_is_hmac_sha256_hex_and_deterministic() -> None:
    token = anon.author_token(KEY, GUILD, USER)
    assert re.fullmatch(r"[0-9a-f]{64}", token)
    assert anon.author_token(KEY, GUILD, USER) == token
    assert str(USER) not in token


def test_token_differs_per_guild_user_and_key() -> None:
    token = anon.author_token(KEY, GUILD, USER)
    assert anon.author_token(KEY, OTHER_GUILD, USER) != token
    assert anon.author_token(KEY, GUILD, USER + 1) != token
    assert anon.author_token(bytes(32), GUILD, USER) != token


def test_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        anon.author_token(b"short", GUILD, USER)


def test_tokens_match() -> None:
    token = anon.author_token(KEY, GUILD, USER)
    assert anon.tokens_match(token, anon.author_token(KEY, GUILD, USER))
    assert not anon.tokens_match(token, anon.author_token(KEY, GUILD, USER + 1))
    assert not anon.tokens_match(None, token)
    assert not anon.tokens_match(token, None)


def test_per_share_pseudonyms_differ_across_one_authors_shares() -> None:
    token = anon.author_token(KEY, GUILD, USER)
    names = [anon.pseudonym_for("per_share", KEY, share_id, token) for share_id in range(1, 41)]
    # Four hex digits are 16 bits, so two of 40 shares may now and then share a name; almost all differ.
    assert len(set(names)) >= 38
    assert all(a != b for a, b in itertools.pairwise(names))
    assert anon.share_pseudonym(KEY, 7, token) == anon.share_pseudonym(KEY, 7, token)


def test_per_author_pseudonym_is_stable_per_guild() -> None:
    token = anon.author_token(KEY, GUILD, USER)
    names = {anon.pseudonym_for("per_author", KEY, share_id, token) for share_id in range(1, 20)}
    assert len(names) == 1
    other = anon.pseudonym_for("per_author", KEY, 1, anon.author_token(KEY, OTHER_GUILD, USER))
    assert {other} != names


def test_reply_pseudonym_is_per_thread() -> None:
    token = anon.author_token(KEY, GUILD, USER)
    assert anon.reply_pseudonym(KEY, 1, token) == anon.reply_pseudonym(KEY, 1, token)
    assert anon.reply_pseudonym(KEY, 1, token) != anon.reply_pseudonym(KEY, 2, token)
    assert anon.author_reply_label("Anonymous · 7F3A") == "Anonymous · 7F3A (the author)"


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown pseudonym mode"):
        anon.pseudonym_for("per_moon", KEY, 1, "t")  # type: ignore[arg-type]


@given(
    key=st.binary(min_size=16, max_size=64),
    share_id=st.integers(min_value=1, max_value=anon.MAX_SHARE_ID),
    token=st.text(max_size=80),
    mode=st.sampled_from(anon.PSEUDONYM_MODES),
)
def test_pseudonym_format(key: bytes, share_id: int, token: str, mode: anon.PseudonymMode) -> None:
    assert PSEUDONYM.fullmatch(anon.pseudonym_for(mode, key, share_id, token))
    assert PSEUDONYM.fullmatch(anon.reply_pseudonym(key, share_id, token))


@given(st.integers(min_value=1, max_value=anon.MAX_SHARE_ID))
def test_share_id_round_trip(share_id: int) -> None:
    text = anon.format_share_id(share_id)
    assert text == f"#{share_id}"
    assert anon.parse_share_id(text) == share_id


@given(
    share_id=st.integers(min_value=1, max_value=anon.MAX_SHARE_ID),
    before=st.sampled_from(["", " ", "  \t"]),
    prefix=st.sampled_from(["", "#", "# ", "share #", "Share #", "SHARE ", "share#"]),
    after=st.sampled_from(["", " ", "\n"]),
)
def test_share_id_parse_is_tolerant(share_id: int, before: str, prefix: str, after: str) -> None:
    assert anon.parse_share_id(f"{before}{prefix}{share_id}{after}") == share_id


@pytest.mark.parametrize(
    "text", ["", "#", "0", "#0", "-3", "abc", "#12a", "1 2", "12.5", "share", str(2**63), "#" + "9" * 20]
)
def test_share_id_parse_rejects(text: str) -> None:
    assert anon.parse_share_id(text) is None


def test_format_share_id_rejects_non_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        anon.format_share_id(0)
