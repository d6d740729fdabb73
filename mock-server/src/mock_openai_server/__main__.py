"""Command line entry point: `python -m mock_openai_server [--host H] [--port P]`."""

from __future__ import annotations

import argparse
import os
import socket

import uvicorn

from .app import create_app

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8090


class _AnnouncingServer(uvicorn.Server):
    """Prints the ready line only once the socket really accepts connections."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if not self.should_exit and sockets:
            host, port = sockets[0].getsockname()[:2]
            shown = f"[{host}]" if ":" in host else host
            print(f"mock server listening on http://{shown}:{port}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="mock_openai_server", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("MOCK_HOST", DEFAULT_HOST))
    parser.add_argument("--port", type=int, default=int(os.environ.get("MOCK_PORT", DEFAULT_PORT)))
    args = parser.parse_args(argv)

    # Binding here (not in uvicorn) lets port 0 pick a free port that we can then report.
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    # An explicit IPPROTO_TCP lets asyncio set TCP_NODELAY on accepted connections; with
    # proto 0 it does not, and every response then waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))

    config = uvicorn.Config(
        create_app(),
        log_level=os.environ.get("MOCK_LOG_LEVEL", "warning").lower(),
        access_log=False,
        timeout_graceful_shutdown=5,
        # An idle connection stays open longer than the proxy's HTTP clients keep one in
        # their pool (httpx: 5 s). With uvicorn's 5 s default both ends expire it at once,
        # and a request the proxy sends on a connection the mock is closing fails as a
        # connection error (a 500 under load in the concurrent-delete test), which says
        # nothing about the proxy's own handling.
        timeout_keep_alive=75,
    )
    _AnnouncingServer(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
