"""Percentiles and summaries."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from bench.families import Sample


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of already sorted values."""
    if not values:
        return None
    rank = max(1, math.ceil(q / 100 * len(values)))
    return values[min(rank, len(values)) - 1]


def summary(values: Iterable[float | None]) -> dict[str, Any]:
    data = sorted(v for v in values if v is not None)
    return {
        "n": len(data),
        "p50": percentile(data, 50),
        "p99": percentile(data, 99),
        "max": data[-1] if data else None,
    }


def summarise(samples: list[Sample], inside: Mapping[str, list[float]]) -> dict[str, Any]:
    """One label's samples (ms): stand-in latency, completion, time inside the bot (and without the garbage
    collections that ran meanwhile), the database calls made before the first response, and errors."""
    ok = [s for s in samples if s.error is None]
    errors: dict[str, int] = {}
    for s in samples:
        if s.error is not None:
            errors[s.error] = errors.get(s.error, 0) + 1
    rows = [inside.get(str(s.interaction_id)) for s in ok]
    found = [r for r in rows if r is not None]
    return {
        "samples": len(samples),
        "errors": errors,
        "latency": summary(s.latency_ms for s in ok),
        "complete": summary(s.complete_ms for s in ok),
        "bot_internal": summary(r[0] * 1000 for r in found),
        "bot_internal_without_gc": summary((r[0] - r[1]) * 1000 for r in found),
        "gc_ms": summary(r[1] * 1000 for r in found),
        "db_calls": summary(float(r[2]) for r in found),
        "db_await_ms": summary(r[3] * 1000 for r in found),
        "db_exec_ms": summary(r[4] * 1000 for r in found),
        "deferred": sum(1 for s in ok if s.response_type in (5, 6)),
    }


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b
