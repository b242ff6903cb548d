"""Which Discord event a group should have: at most one, for its running or next meeting."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from cogs.groups.events import EventPlan, plan_event
from cogs.groups.schedule import WeeklyTime, meeting_on

WHEN = WeeklyTime(1, time(18, 0), 90, "Europe/London")
NOW = datetime(2040, 1, 2, 12, 0, tzinfo=UTC)
TUE, NEXT_TUE = date(2040, 1, 3), date(2040, 1, 10)


def test_new_group_gets_an_event_for_its_next_meeting() -> None:
    assert plan_event(WHEN, (), NOW, wanted=True, event_date=None) == EventPlan(create=meeting_on(WHEN, TUE))


def test_kept_event_for_the_next_meeting_is_left_alone_or_updated() -> None:
    assert plan_event(WHEN, (), NOW, wanted=True, event_date=TUE).nothing
    assert plan_event(WHEN, (), NOW, wanted=True, event_date=TUE, changed=True) == EventPlan(
        update=meeting_on(WHEN, TUE)
    )


def test_place_of_another_kind_replaces_the_event() -> None:
    plan = plan_event(WHEN, (), NOW, wanted=True, event_date=TUE, changed=True, replace=True)
    assert plan == EventPlan(retire=True, create=meeting_on(WHEN, TUE))


def test_skipping_the_events_meeting_cancels_it_and_creates_the_next() -> None:
    plan = plan_event(WHEN, {TUE}, NOW, wanted=True, event_date=TUE)
    assert plan == EventPlan(retire=True, create=meeting_on(WHEN, NEXT_TUE))


def test_ended_meeting_is_retired_and_the_next_created() -> None:
    after = datetime(2040, 1, 3, 19, 30, tzinfo=UTC)
    assert plan_event(WHEN, (), after, wanted=True, event_date=TUE) == EventPlan(
        retire=True, create=meeting_on(WHEN, NEXT_TUE)
    )


def test_running_meeting_keeps_its_event_and_is_never_moved() -> None:
    during = datetime(2040, 1, 3, 18, 30, tzinfo=UTC)
    assert plan_event(WHEN, (), during, wanted=True, event_date=TUE, changed=True, replace=True).nothing


def test_running_meeting_without_an_event_gets_one_for_the_next() -> None:
    during = datetime(2040, 1, 3, 18, 30, tzinfo=UTC)
    assert plan_event(WHEN, (), during, wanted=True, event_date=None) == EventPlan(create=meeting_on(WHEN, NEXT_TUE))


def test_archived_or_private_groups_have_no_event() -> None:
    assert plan_event(WHEN, (), NOW, wanted=False, event_date=TUE) == EventPlan(retire=True)
    assert plan_event(WHEN, (), NOW, wanted=False, event_date=None).nothing
