"""Injected REST failures: rate limits (429 shaped exactly like Discord's), 5xx and 4xx errors."""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field

from aiohttp import web

from sandbox.http import json_response

_DEFAULT_MESSAGES = {
    400: "400: Bad Request",
    401: "401: Unauthorized",
    403: "Missing Permissions",
    404: "404: Not Found",
    500: "500: Internal Server Error",
    502: "502: Bad Gateway",
    503: "503: Service Unavailable",
    504: "504: Gateway Timeout",
}
_DEFAULT_CODES = {403: 50013}


@dataclass
class Fault:
    """A pending failure for requests whose method and path match; ``hits`` counts uses."""

    method: str
    pattern: re.Pattern[str]
    status: int
    times: int = 1
    retry_after: float | None = None
    code: int | None = None
    message: str | None = None
    is_global: bool = False
    hits: int = field(default=0)

    def matches(self, method: str, path: str) -> bool:
        return self.times > 0 and self.method in ("*", method) and self.pattern.search(path) is not None

    def response(self) -> web.Response:
        """Consume one use and build the failure response."""
        self.times -= 1
        self.hits += 1
        if self.status == 429:
            return self._rate_limited()
        body = {
            "message": self.message or _DEFAULT_MESSAGES.get(self.status, "Error"),
            "code": self.code or _DEFAULT_CODES.get(self.status, 0),
        }
        return json_response(body, self.status)

    def _rate_limited(self) -> web.Response:
        retry = 0.05 if self.retry_after is None else self.retry_after
        body = {"message": "You are being rate limited.", "retry_after": retry, "global": self.is_global}
        if self.code is not None:
            body["code"] = self.code
        headers = {
            "Via": "1.1 google",
            "Retry-After": str(max(1, math.ceil(retry))),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + retry:.3f}",
            "X-RateLimit-Reset-After": f"{retry:.3f}",
            "X-RateLimit-Bucket": "sandbox-" + format(abs(hash(self.pattern.pattern)), "x"),
            "X-RateLimit-Scope": "shared" if not self.is_global else "user",
        }
        if self.is_global:
            headers["X-RateLimit-Global"] = "true"
        return json_response(body, 429, headers)


class FaultInjector:
    """Holds injected faults; the REST middleware asks it before routing each request."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> web.Response | None:
        """The failure response for this request, if a fault matches."""
        for fault in self.faults:
            if fault.matches(method, path):
                return fault.response()
        return None

    def clear(self) -> None:
        self.faults.clear()
