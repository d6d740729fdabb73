"""Runs the mock server as a real subprocess on 127.0.0.1 and hands out SDK clients for it.

Shared helpers are fixtures (not an importable module) so they work under any pytest import mode.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from openai import AzureOpenAI, OpenAI

MOCK_SRC = Path(__file__).resolve().parents[2] / "mock-server" / "src"
STEP_SECONDS = 0.05
STARTUP_DEADLINE_SECONDS = 30
BATCH_DEADLINE_SECONDS = 15
OPENAI_KEY = "sk-mock-openai-key"
AZURE_KEY = "mock-azure-key"
API_VERSION = "2025-03-01-preview"
ADMIN_HEADERS = {"X-Mock-Admin": "true"}
# The interpreter that runs the server; another one (with the server's dependencies) can be
# named to check compatibility, e.g. MOCK_SERVER_PYTHON=/path/to/py3.10/bin/python.
SERVER_PYTHON = os.environ.get("MOCK_SERVER_PYTHON", sys.executable)
READY_LINE = re.compile(r"mock server listening on (http://127\.0\.0\.1:\d+)")


class MockServerProcess:
    """The server as a child process; output is drained by a thread so the pipe never fills."""

    def __init__(self, extra_env: dict[str, str]):
        env = {key: value for key, value in os.environ.items() if not key.startswith("MOCK_")}
        env.update({"MOCK_BATCH_STEP_SECONDS": str(STEP_SECONDS), **extra_env})
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(MOCK_SRC), env.get("PYTHONPATH")]))
        self.output: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.process = subprocess.Popen(
            [SERVER_PYTHON, "-m", "mock_openai_server", "--host", "127.0.0.1", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        threading.Thread(target=self._drain, daemon=True).start()
        self.base_url = self._wait_until_ready()

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            self._lines.put(line)
        self._lines.put(None)

    def _wait_until_ready(self) -> str:
        deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:
                self.stop()
                raise RuntimeError(f"mock server exited during startup:\n{''.join(self.output)}")
            if match := READY_LINE.search(line):
                return match.group(1)
        self.stop()
        raise RuntimeError(f"mock server not ready after {STARTUP_DEADLINE_SECONDS}s:\n{''.join(self.output)}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # only our own child, by PID
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@contextlib.contextmanager
def running_mock_server(**extra_env: str) -> Iterator[str]:
    server = MockServerProcess(extra_env)
    try:
        yield server.base_url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    with running_mock_server() as url:
        yield url


@pytest.fixture(scope="session")
def start_mock_server() -> Callable[..., contextlib.AbstractContextManager[str]]:
    """For tests that need a server with their own environment."""
    return running_mock_server


@pytest.fixture
def http(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


@pytest.fixture(autouse=True)
def clean_state(base_url: str) -> None:
    response = httpx.post(f"{base_url}/__mock__/reset", headers=ADMIN_HEADERS, timeout=10)
    assert response.status_code == 200, response.text


def make_openai_client(base_url: str, **options: Any) -> OpenAI:
    return OpenAI(base_url=f"{base_url}/v1", api_key=OPENAI_KEY, max_retries=0, **options)


def make_azure_client(base_url: str, **options: Any) -> AzureOpenAI:
    return AzureOpenAI(azure_endpoint=base_url, api_version=API_VERSION, api_key=AZURE_KEY, max_retries=0, **options)


@pytest.fixture
def openai_client(base_url: str) -> OpenAI:
    return make_openai_client(base_url)


@pytest.fixture
def azure_client(base_url: str) -> AzureOpenAI:
    return make_azure_client(base_url)


@dataclass
class Surface:
    """One API style as a client sees it: the SDK client, the model name and the batch endpoint."""

    name: str
    client: OpenAI
    model: str
    endpoint: str


def make_surface(name: str, base_url: str) -> Surface:
    if name == "openai":
        return Surface(name, make_openai_client(base_url), "gpt-4o-mini", "/v1/chat/completions")
    if name == "azure":
        return Surface(name, make_azure_client(base_url), "gpt-4o-mini-batch", "/chat/completions")
    # Azure's newer /openai/v1 surface: OpenAI's SDK, Azure's key, no api-version.
    client = OpenAI(base_url=f"{base_url}/openai/v1", api_key=AZURE_KEY, max_retries=0)
    return Surface(name, client, "gpt-4o-mini-batch", "/chat/completions")


@pytest.fixture(params=["openai", "azure", "azure_v1"])
def surface(request: pytest.FixtureRequest, base_url: str) -> Surface:
    return make_surface(request.param, base_url)


@pytest.fixture(params=["openai", "azure"])
def classic_surface(request: pytest.FixtureRequest, base_url: str) -> Surface:
    return make_surface(request.param, base_url)


def chat_line(custom_id: str, model: str, url: str, text: str = "hello", **body: Any) -> dict[str, Any]:
    return {
        "custom_id": custom_id,
        "method": "POST",
        "url": url,
        "body": {"model": model, "messages": [{"role": "user", "content": text}], **body},
    }


def to_jsonl(lines: list[Any]) -> bytes:
    return b"".join((line if isinstance(line, bytes) else json.dumps(line).encode()) + b"\n" for line in lines)


@pytest.fixture
def upload_jsonl() -> Callable[..., Any]:
    """upload_jsonl(client, lines, purpose="batch") -> FileObject; lines are dicts or raw bytes."""

    def upload(client: OpenAI, lines: list[Any], purpose: str = "batch") -> Any:
        return client.files.create(file=("input.jsonl", io.BytesIO(to_jsonl(lines))), purpose=purpose)

    return upload


@pytest.fixture
def jsonl_line() -> Callable[..., dict[str, Any]]:
    return chat_line


@pytest.fixture
def wait_for_batch() -> Callable[..., Any]:
    """wait_for_batch(client, batch_id, statuses) polls until the batch is in one of `statuses`."""

    def wait(client: OpenAI, batch_id: str, statuses: tuple[str, ...] = ("completed",)) -> Any:
        deadline = time.monotonic() + BATCH_DEADLINE_SECONDS
        seen: list[str] = []
        while time.monotonic() < deadline:
            batch = client.batches.retrieve(batch_id)
            if not seen or seen[-1] != batch.status:
                seen.append(batch.status)
            if batch.status in statuses:
                return batch
            time.sleep(STEP_SECONDS / 5)  # poll interval, not synchronisation: the deadline decides
        raise AssertionError(f"batch {batch_id} not in {statuses} after {BATCH_DEADLINE_SECONDS}s; saw {seen}")

    return wait


@pytest.fixture
def read_jsonl() -> Callable[[OpenAI, str], list[dict[str, Any]]]:
    def read(client: OpenAI, file_id: str) -> list[dict[str, Any]]:
        return [json.loads(line) for line in client.files.content(file_id).content.splitlines() if line.strip()]

    return read
