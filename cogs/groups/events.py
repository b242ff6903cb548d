"""Which native Discord scheduled event a group should have: pure rules, no Discord and no database.

The bot keeps **at most one** guild scheduled event per group, for its running or next meeting, so members see
the group in Discord's Events list:

* created ahead (when the group is created, and when the previous meeting ends),
* updated when the facilitator edits the group (name, description, time),
* replaced when the place changes kind (a voice event can't become an external one) or the date moves,
* cancelled when its meeting is skipped or the group is archived; a meeting that ran is completed.

A ``private`` group never gets one: Discord shows everyone who marks an event "Interested", and a private group's
members may not want that. An event whose meeting is running is left alone (Discord refuses start times in the
past), so a group created or edited mid-meeting gets its event for the following meeting.

Event shape: voice and stage channels are ``entity_type`` 2 and 1 with ``channel_id``; a text channel is
``EXTERNAL`` (3) with ``location`` ``#channel-name`` and an end time (Discord requires one for external events).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from cogs.groups.schedule import Meeting, WeeklyTime, current_or_next, next_meeting

__all__ = ["EventPlan", "plan_event"]


@dataclass(frozen=True, slots=True)
class EventPlan:
    """``retire`` the kept event (cancel it, or complete it if it is live), then ``create`` one for a meeting,
    or ``update`` the kept event to a meeting's details. All None/False means nothing to do."""

    retire: bool = False
    create: Meeting | None = None
    update: Meeting | None = None

    @property
    def nothing(self) -> bool:
        return not self.retire and self.create is None and self.update is None


def plan_event(
    when: WeeklyTime,
    skipped: Collection[date],
    now: datetime,
    *,
    wanted: bool,
    event_date: date | None,
    changed: bool = False,
    replace: bool = False,
) -> EventPlan:
    """What to do so the group has the right event.

    ``wanted``: the group is active, not private, and the bot may manage events. ``event_date``: the meeting the
    kept event is for (None: no event kept). ``changed``: the group's details changed (update the kept event).
    ``replace``: the change needs a new event (the place changed kind).
    """
    target = current_or_next(when, now, skipped) if wanted else None
    if event_date is not None:
        if target is not None and target.local_date == event_date and not (replace and target.start > now):
            if changed and target.start > now:
                return EventPlan(update=target)
            return EventPlan()
        retire = True
    else:
        retire = False
    if target is not None and target.start <= now:
        target = next_meeting(when, now, skipped)
    return EventPlan(retire=retire, create=target)
