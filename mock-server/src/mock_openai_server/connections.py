"""Which connections API requests arrived on, so a test can see whether a client (the
proxy) keeps its connections to the provider or opens a new one per call."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

ADMIN_PREFIX = "/__mock__"


class ConnectionLog:
    def __init__(self) -> None:
        self.peers: set[tuple] = set()
        self.requests = 0

    def clear(self) -> None:
        self.peers.clear()
        self.requests = 0

    def to_api(self) -> dict:
        return {"connections": len(self.peers), "requests": self.requests}


class ConnectionLogMiddleware:
    """Records the peer (host, port) of every API request; admin requests are not counted."""

    def __init__(self, app: ASGIApp, log: ConnectionLog) -> None:
        self.app, self.log = app, log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(ADMIN_PREFIX) and scope.get("client"):
            self.log.peers.add(tuple(scope["client"]))
            self.log.requests += 1
        await self.app(scope, receive, send)
