"""What `/privacy show` says."""

from __future__ import annotations

SUMMARY = (
    "peerbot keeps as little as it can about you: your saved crisis-line country and quiet setting, "
    "your volunteer shifts and duty, your support-group sign-ups and reminder choice, your peer requests and "
    "resource suggestions. "
    "Anonymous shares are stored under a one-way token, never your name or id. The crisis listener never "
    "stores what you write. `/privacy export` sends you a copy as a file; `/privacy delete` removes all of it."
)

EXPORT_READY = (
    "Here is everything peerbot keeps under your Discord id, in every server. Anonymous shares are not in it: "
    "they are stored without your id. Only you can see this message."
)
