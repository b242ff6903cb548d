"""Rate limit, posting delay, eligibility and input limits (cogs.shares.policy), all pure."""

from __future__ import annotations

import random
import secrets
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogs.shares import policy

from .conftest import NOW


class EdgeRandom(random.Random):
    """Returns one end of the asked range, to pin the delay."""

    def __init__(self, low: bool) -> None:
        super().__init__(0)
        self.low = low

    def uniform(self, a: float, b: float) -> float:
        return a if self.low else b


class ExplodingRandom(random.Random):
    def uniform(self, a: float, b: float) -> float:
        raise AssertionError("the delay is switched off; no draw should happen")


def test_three_per_hour_then_next_allowed_time() -> None:
    times = [NOW - timedelta(minutes=50), NOW - timedelta(minutes=20), NOW - timedelta(minutes=5)]
    assert policy.next_allowed_at(times[:2], NOW, 3) is None
    assert policy.remaining(times[:2], NOW, 3) == 1
    # The oldest submission leaves the window 10 minutes from now.
    assert policy.next_allowed_at(times, NOW, 3) == NOW + timedelta(minutes=10)
    assert policy.remaining(times, NOW, 3) == 0
    again = NOW + timedelta(minutes=10)
    assert policy.next_allowed_at(times, again, 3) is None
    assert policy.next_allowed_at(times, again - timedelta(microseconds=1), 3) == again


def test_order_and_old_submissions_do_not_matter() -> None:
    times = [NOW - timedelta(minutes=5), NOW - timedelta(hours=3), NOW - timedelta(minutes=50), NOW]
    assert policy.next_allowed_at(times, NOW, 3) == NOW + timedelta(minutes=10)


def test_lowered_limit_waits_for_enough_to_expire() -> None:
    times = [NOW - timedelta(minutes=m) for m in (50, 40, 30, 20)]
    # Limit 2 with 4 in the window: three must leave (one may remain), the third-oldest leaves at +30 min.
    assert policy.next_allowed_at(times, NOW, 2) == NOW + timedelta(minutes=30)
    assert policy.next_allowed_at(times, NOW, 1) == NOW + timedelta(minutes=40)


def test_rate_limit_needs_aware_now_and_positive_limit() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        policy.next_allowed_at([], NOW.replace(tzinfo=None), 3)
    with pytest.raises(ValueError, match="at least 1"):
        policy.next_allowed_at([], NOW, 0)


@given(st.lists(st.integers(min_value=0, max_value=7200), max_size=10), st.integers(min_value=1, max_value=5))
def test_next_allowed_is_exactly_when_the_count_drops(offsets: list[int], per_hour: int) -> None:
    times = [NOW - timedelta(seconds=s) for s in offsets]
    at = policy.next_allowed_at(times, NOW, per_hour)
    if at is None:
        assert policy.remaining(times, NOW, per_hour) > 0
    else:
        assert at > NOW
        assert policy.remaining(times, at, per_hour) >= 1
        assert policy.remaining(times, at - timedelta(microseconds=1), per_hour) == 0


def test_delay_is_within_the_window() -> None:
    rng = random.Random(1234)
    delays = [policy.posting_delay(30, 120, rng) for _ in range(500)]
    assert all(timedelta(seconds=30) <= d <= timedelta(seconds=120) for d in delays)
    assert len(set(delays)) > 400
    assert policy.posting_delay(30, 120, EdgeRandom(low=True)) == timedelta(seconds=30)
    assert policy.posting_delay(30, 120, EdgeRandom(low=False)) == timedelta(seconds=120)
    assert policy.post_time(NOW, 30, 120, EdgeRandom(low=False)) == NOW + timedelta(seconds=120)


def test_delay_zero_disables() -> None:
    assert policy.posting_delay(0, 0, ExplodingRandom()) == timedelta(0)
    assert policy.post_time(NOW, 0, 0, ExplodingRandom()) == NOW


def test_default_delay_uses_the_system_csprng() -> None:
    assert isinstance(policy._SYSTEM_RANDOM, secrets.SystemRandom)
    for _ in range(50):
        assert timedelta(seconds=30) <= policy.posting_delay(30, 120) <= timedelta(seconds=120)


@pytest.mark.parametrize(("low", "high"), [(-1, 10), (50, 40), (0, policy.MAX_DELAY_S + 1)])
def test_invalid_delay_window(low: int, high: int) -> None:
    with pytest.raises(ValueError, match="posting delay"):
        policy.posting_delay(low, high, random.Random(0))


def test_eligibility() -> None:
    old = NOW - timedelta(days=400)
    assert policy.eligibility(NOW, old, old, 30, 7).allowed
    young = policy.eligibility(NOW, NOW - timedelta(days=2), old, 30, 7)
    assert (young.allowed, young.reason, young.allowed_from) == (False, "account_age", NOW + timedelta(days=28))
    new_member = policy.eligibility(NOW, old, NOW - timedelta(days=1), 30, 7)
    assert (new_member.reason, new_member.allowed_from) == ("member_age", NOW + timedelta(days=6))
    unknown_join = policy.eligibility(NOW, old, None, 0, 7)
    assert unknown_join.reason == "member_age"
    assert policy.eligibility(NOW, old, None, 0, 0).allowed


def test_submission_problems() -> None:
    assert policy.submission_problem(None, "I had a hard week.", None) is None
    assert policy.submission_problem("  ", "  \n ", None) is not None
    assert policy.submission_problem(None, "x" * (policy.BODY_MAX + 1), None) is not None
    assert policy.submission_problem("t" * (policy.TITLE_MAX + 1), "body", None) is not None
    assert policy.submission_problem(None, "body", "c" * (policy.CW_MAX + 1)) is not None


def test_settings_validation() -> None:
    policy.validate_settings(3, 30, 120, 0, 0)
    with pytest.raises(ValueError, match="per hour"):
        policy.validate_settings(0, 30, 120, 0, 0)
    with pytest.raises(ValueError, match="minimum ages"):
        policy.validate_settings(3, 30, 120, -1, 0)


def test_post_nonce_fits_discord() -> None:
    assert policy.post_nonce(123) == "share-123"
    assert len(policy.post_nonce(2**63 - 1)) <= 25
