"""Throughput of the mock server: file upload+retrieve, and chat completions.

    python mock-server/bench.py                       # starts a server on a free loopback port
    python mock-server/bench.py --base-url http://127.0.0.1:8090

Each scenario stops after --requests requests or --max-seconds, whichever comes first.
Needs httpx (a dev dependency, not one of the server's).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import httpx

AUTH = {"Authorization": "Bearer sk-mock-openai-key"}
ADMIN = {"X-Mock-Admin": "true"}
CHAT_BODY = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "How fast is this mock?"}]}
UPLOAD = b'{"custom_id": "a", "method": "POST", "url": "/v1/chat/completions", "body": {}}\n' * 10


async def upload_and_retrieve(client: httpx.AsyncClient) -> int:
    created = await client.post(
        "/v1/files", headers=AUTH, files={"file": ("bench.jsonl", UPLOAD)}, data={"purpose": "batch"}
    )
    created.raise_for_status()
    retrieved = await client.get(f"/v1/files/{created.json()['id']}", headers=AUTH)
    retrieved.raise_for_status()
    return 2


async def chat(client: httpx.AsyncClient) -> int:
    response = await client.post("/v1/chat/completions", headers=AUTH, json=CHAT_BODY)
    response.raise_for_status()
    return 1


REQUESTS_PER_CALL = {upload_and_retrieve: 2, chat: 1}


async def measure(
    base_url: str,
    work: Callable[[httpx.AsyncClient], Awaitable[int]],
    requests: int,
    max_seconds: float,
    concurrency: int,
) -> tuple[int, float]:
    """Runs `work` from `concurrency` workers; returns (requests done, seconds)."""
    calls_left = max(1, requests // REQUESTS_PER_CALL[work])
    done = 0
    started = time.perf_counter()
    deadline = started + max_seconds
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:

        async def worker() -> None:
            nonlocal calls_left, done
            while calls_left > 0 and time.perf_counter() < deadline:
                calls_left -= 1  # claimed before awaiting, so workers never overshoot
                finished = await work(client)
                done += finished  # not `done += await ...`, which reads `done` before awaiting

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done, time.perf_counter() - started


@contextlib.contextmanager
def local_server() -> Iterator[str]:
    """A mock server on a free loopback port, stopped by PID afterwards."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parent / "src"), os.environ.get("PYTHONPATH")])),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_openai_server", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # the ready line, or "" if the server died
        match = re.search(r"listening on (http://\S+)", line)
        if not match:
            raise SystemExit(f"mock server did not start: {line!r}")
        yield match.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", help="a running mock server; default: start one")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--max-seconds", type=float, default=30.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    with contextlib.ExitStack() as stack:
        base_url = args.base_url or stack.enter_context(local_server())
        for name, work in (("file upload+retrieve", upload_and_retrieve), ("chat completions", chat)):
            httpx.post(f"{base_url}/__mock__/reset", headers=ADMIN).raise_for_status()
            done, seconds = asyncio.run(measure(base_url, work, args.requests, args.max_seconds, args.concurrency))
            print(f"{name:22} {done:6d} requests in {seconds:6.2f}s = {done / seconds:8.1f} req/s")
        httpx.post(f"{base_url}/__mock__/reset", headers=ADMIN).raise_for_status()


if __name__ == "__main__":
    main()
