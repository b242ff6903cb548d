"""What `/privacy show` says."""

from __future__ import annotations

SUMMARY = (
    "peerbot keeps as little as it can about you: your saved crisis-line country and quiet setting, "
    "your volunteer shifts and duty, your support-group sign-ups and reminder choice, and your peer requests. "
    "Anonymous shares are stored under a one-way token, never your name or id. The crisis listener never "
    "stores what you write. `/privacy delete` removes all of it."
)
