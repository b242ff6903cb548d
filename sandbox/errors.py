"""Errors raised by the fake: API errors returned to the bot, and misuse errors raised in tests."""

from __future__ import annotations

from typing import Any


class SandboxError(Exception):
    """A test or sandbox user asked for something a real Discord client could not do."""


class ApiError(Exception):
    """An error response the fake REST API returns, shaped like Discord's JSON error body."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {message} (code {code})")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        """The JSON body Discord would send for this error."""
        data: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            data["errors"] = self.errors
        return data


def missing_permissions() -> ApiError:
    """403 Missing Permissions (50013)."""
    return ApiError(403, 50013, "Missing Permissions")


def missing_access() -> ApiError:
    """403 Missing Access (50001)."""
    return ApiError(403, 50001, "Missing Access")


def unknown(kind: str) -> ApiError:
    """404 Unknown <kind> with Discord's JSON error code for that kind."""
    codes = {
        "Channel": 10003,
        "Guild": 10004,
        "Member": 10007,
        "Message": 10008,
        "Role": 10011,
        "User": 10013,
        "Webhook": 10015,
        "Application": 10002,
        "Interaction": 10062,
        "Guild Scheduled Event": 10070,
        "Application Command": 10063,
    }
    return ApiError(404, codes.get(kind, 0), f"Unknown {kind}")


def invalid_form(field: str, code: str, message: str) -> ApiError:
    """400 Invalid Form Body (50035) with one nested field error, as Discord reports it."""
    node: dict[str, Any] = {"_errors": [{"code": code, "message": message}]}
    for part in reversed(field.split(".")):
        node = {part: node}
    return ApiError(400, 50035, "Invalid Form Body", node)
