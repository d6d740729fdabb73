"""Throughput of the mock server: file upload+retrieve, chat completions, and seeding
--batches batch creates (what a state with many batches costs to build).

    python mock-server/bench.py                       # starts a server on a free loopback port
    python mock-server/bench.py --batches 10000       # the seeding scenario with 10,000 batches
    python mock-server/bench.py --base-url http://127.0.0.1:8090

The server it starts keeps its state in a temp directory (MOCK_STATE_DIR), as a deployed
mock does, so every change is saved and saving is measured too. The first two scenarios
stop after --requests requests or --max-seconds, whichever comes first.
Needs httpx (a dev dependency, not one of the server's).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import httpx

AUTH = {"Authorization": "Bearer sk-mock-openai-key"}
ADMIN = {"X-Mock-Admin": "true"}
CHAT_BODY = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "How fast is this mock?"}]}
UPLOAD = b'{"custom_id": "a", "method": "POST", "url": "/v1/chat/completions", "body": {}}\n' * 10
BATCH_LINE = {"custom_id": "a", "method": "POST", "url": "/v1/chat/completions", "body": CHAT_BODY}
BATCH_INPUT = json.dumps(BATCH_LINE).encode() + b"\n"
# Seeded batches wait in their first step, so the timing is the creates' alone.
SEED_STEP_SECONDS = 3600


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


async def seed_batches(base_url: str, count: int, concurrency: int) -> float:
    """Creates `count` batches of one input file from `concurrency` workers; returns seconds."""
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        paced = await client.post("/__mock__/settings", headers=ADMIN, json={"batch_step_seconds": SEED_STEP_SECONDS})
        paced.raise_for_status()
        upload = await client.post(
            "/v1/files", headers=AUTH, files={"file": ("seed.jsonl", BATCH_INPUT)}, data={"purpose": "batch"}
        )
        upload.raise_for_status()
        body = {"input_file_id": upload.json()["id"], "endpoint": "/v1/chat/completions", "completion_window": "24h"}
        left = count
        started = time.perf_counter()

        async def worker() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                created = await client.post("/v1/batches", headers=AUTH, json=body)
                created.raise_for_status()

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started


@contextlib.contextmanager
def local_server() -> Iterator[str]:
    """A mock server on a free loopback port, its state in a temp directory, stopped by PID afterwards."""
    state_dir = tempfile.TemporaryDirectory(prefix="mock-bench-state-")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parent / "src"), os.environ.get("PYTHONPATH")])),
        "MOCK_STATE_DIR": state_dir.name,
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
        state_dir.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", help="a running mock server; default: start one")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--max-seconds", type=float, default=30.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--batches", type=int, default=1000, help="batches to seed; 0 skips that scenario")
    args = parser.parse_args()

    with contextlib.ExitStack() as stack:
        base_url = args.base_url or stack.enter_context(local_server())
        for name, work in (("file upload+retrieve", upload_and_retrieve), ("chat completions", chat)):
            httpx.post(f"{base_url}/__mock__/reset", headers=ADMIN).raise_for_status()
            done, seconds = asyncio.run(measure(base_url, work, args.requests, args.max_seconds, args.concurrency))
            print(f"{name:22} {done:6d} requests in {seconds:6.2f}s = {done / seconds:8.1f} req/s")
        httpx.post(f"{base_url}/__mock__/reset", headers=ADMIN).raise_for_status()
        if args.batches > 0:
            seconds = asyncio.run(seed_batches(base_url, args.batches, args.concurrency))
            each_ms = seconds * 1000 / args.batches
            print(f"{'seeding batches':22} {args.batches:6d} creates  in {seconds:6.2f}s = {each_ms:8.2f} ms per batch")
            httpx.post(f"{base_url}/__mock__/reset", headers=ADMIN, timeout=600).raise_for_status()


if __name__ == "__main__":
    main()
