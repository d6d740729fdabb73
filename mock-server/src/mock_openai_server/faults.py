"""Fault injection: make the next N matching API requests fail, answer late, or stop
sending their answer's body after some bytes until released (how a test sees whether the
proxy passes a download on as it arrives: its client gets the first bytes while the rest
is held here).

A fault matches on the request path, either as a prefix or, when `route` starts with
"^", as a regular expression; optionally also on the HTTP method. Admin routes are
never affected.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import re
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import invalid_value, missing_parameter, openai_error

ADMIN_PREFIX = "/__mock__/"
MAX_DELAY_SECONDS = 300
MAX_HOLD_SECONDS = 300
DEFAULT_RETRY_AFTER_SECONDS = 1.0

_MESSAGES = {
    429: ("Rate limit reached for requests. Please try again later.", "requests", "rate_limit_exceeded"),
    500: ("The server had an error while processing your request. Sorry about that!", "server_error", None),
    502: ("Bad gateway.", "server_error", None),
    503: ("The engine is currently overloaded, please try again later.", "server_error", None),
    504: ("The server did not respond in time.", "server_error", None),
}


@dataclass
class Fault:
    id: str
    route: str
    method: str | None
    remaining: int
    status: int | None
    delay_seconds: float
    retry_after_seconds: float
    message: str | None
    pattern: re.Pattern[str] | None
    hold_after_bytes: int | None = None
    hold_seconds: float = 60.0
    released: asyncio.Event = field(default_factory=asyncio.Event)
    # then "sending" (its body has begun, the hold not reached), "holding", and "released"
    # (also when the release came while it was still sending: then it never holds) or "timed
    # out"; "sent whole" when the body ended before the hold
    held: str = "no"

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        if self.pattern is not None:
            return self.pattern.search(path) is not None
        return path.startswith(self.route)

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "route": self.route,
            "method": self.method,
            "remaining": self.remaining,
            "status": self.status,
            "delay_seconds": self.delay_seconds,
            "retry_after_seconds": self.retry_after_seconds,
            "message": self.message,
            "hold_after_bytes": self.hold_after_bytes,
            "hold_seconds": self.hold_seconds,
            "held": self.held,
        }

    def send_holding(self, send: Send) -> Send:
        """`send`, but the body stops after hold_after_bytes until released or hold_seconds pass."""
        assert self.hold_after_bytes is not None
        hold_after = self.hold_after_bytes
        sent = 0

        async def holding(message: Message) -> None:
            nonlocal sent
            if message["type"] != "http.response.body":  # the start: status and headers
                await send(message)
                return
            body = message.get("body", b"")
            if self.held == "no":
                self.held = "sending"
            if self.held == "sending" and sent + len(body) > hold_after:
                split = hold_after - sent
                await send({"type": "http.response.body", "body": body[:split], "more_body": True})
                self.held = "holding"
                try:
                    await asyncio.wait_for(self.released.wait(), self.hold_seconds)
                except TimeoutError:
                    self.held = "timed out"
                message = {**message, "body": body[split:]}
            sent += len(message.get("body", b""))
            if not message.get("more_body") and self.held == "sending":
                self.held = "sent whole"
            await send(message)

        return holding

    def response(self) -> JSONResponse:
        assert self.status is not None
        message, kind, code = _MESSAGES.get(self.status, ("Injected failure.", "server_error", None))
        if self.status < 500 and self.status != 429:
            kind = "invalid_request_error"
        error = openai_error(self.status, self.message or message, type=kind, code=code)
        headers = {}
        if self.status in (429, 503):
            headers = {
                "retry-after": str(math.ceil(self.retry_after_seconds)),
                "retry-after-ms": str(round(self.retry_after_seconds * 1000)),
            }
        return JSONResponse(error.body(), status_code=self.status, headers=headers)


class FaultRegistry:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._holding: dict[str, Fault] = {}  # hold faults, kept to be released by id
        self._ids = itertools.count(1)

    def add(self, spec: Any) -> Fault:
        fault = _parse_fault(spec, f"fault_{next(self._ids)}")
        self._faults.append(fault)
        if fault.hold_after_bytes is not None:
            self._holding[fault.id] = fault
        return fault

    def release(self, fault_id: str) -> Fault | None:
        """Let a held body go on; the fault as it stands (its `held` says what happened)."""
        fault = self._holding.pop(fault_id, None)
        if fault is not None:
            if fault.held in ("sending", "holding"):
                fault.held = "released"
            fault.released.set()
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """Consume one use of the first matching fault.

        No await happens between the lookup and the decrement, so concurrent requests
        on the event loop can never consume more uses than `count`.
        """
        for fault in self._faults:
            if fault.matches(method, path):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def active(self) -> list[Fault]:
        return list(self._faults)

    def clear(self) -> None:
        self._faults.clear()
        for fault in self._holding.values():
            fault.released.set()
        self._holding.clear()


class FaultInjectionMiddleware:
    def __init__(self, app: ASGIApp, registry: FaultRegistry):
        self.app = app
        self.registry = registry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        fault = None
        if scope["type"] == "http" and not scope["path"].startswith(ADMIN_PREFIX):
            fault = self.registry.take(scope["method"], scope["path"])
        if fault is None:
            await self.app(scope, receive, send)
            return
        if fault.delay_seconds:
            await asyncio.sleep(fault.delay_seconds)
        if fault.status is None:
            await self.app(scope, receive, send if fault.hold_after_bytes is None else fault.send_holding(send))
        else:
            await fault.response()(scope, receive, send)


def _parse_fault(spec: Any, fault_id: str) -> Fault:
    if not isinstance(spec, dict):
        raise invalid_value("body", "The fault must be a JSON object.")
    route = spec.get("route")
    if not isinstance(route, str) or not route:
        raise missing_parameter("route")
    pattern = None
    if route.startswith("^"):
        try:
            pattern = re.compile(route)
        except re.error as exc:
            raise invalid_value("route", f"Invalid regular expression: {exc}.") from None
    method = spec.get("method")
    if method is not None and not isinstance(method, str):
        raise invalid_value("method", "'method' must be a string such as 'POST'.")
    count = spec.get("count", 1)
    if not _is_int(count) or count < 1:
        raise invalid_value("count", "'count' must be an integer >= 1.")
    status = spec.get("status")
    if status is not None and (not _is_int(status) or not 400 <= status <= 599):
        raise invalid_value("status", "'status' must be an HTTP error status between 400 and 599.")
    delay = _number(spec, "delay_seconds", 0.0, MAX_DELAY_SECONDS)
    hold_after = spec.get("hold_after_bytes")
    if hold_after is not None and (not _is_int(hold_after) or hold_after < 0):
        raise invalid_value("hold_after_bytes", "'hold_after_bytes' must be an integer >= 0.")
    hold_seconds = _number(spec, "hold_seconds", 60.0, MAX_HOLD_SECONDS)
    if hold_after is not None and status is not None:
        raise invalid_value("hold_after_bytes", "A fault holds an answer's body or answers a 'status', not both.")
    if status is None and not delay and hold_after is None:
        raise invalid_value("status", "A fault needs a 'status', a 'delay_seconds', a 'hold_after_bytes', or both.")
    retry_after = _number(spec, "retry_after_seconds", DEFAULT_RETRY_AFTER_SECONDS, 60)
    message = spec.get("message")
    if message is not None and not isinstance(message, str):
        raise invalid_value("message", "'message' must be a string.")
    return Fault(
        fault_id,
        route,
        method.upper() if method else None,
        count,
        status,
        delay,
        retry_after,
        message,
        pattern,
        hold_after,
        hold_seconds,
    )


def _number(spec: dict[str, Any], name: str, default: float, maximum: float) -> float:
    value = spec.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= maximum:
        raise invalid_value(name, f"'{name}' must be a number between 0 and {maximum}.")
    return float(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
