"""Where the end-to-end suite's PostgreSQL server and mock server come from.

Each backend is a context manager yielding `Services`; everything it started is gone
when the context exits, also on failure or Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from litellm_batch_fixes.mock import start_mock_server
from litellm_batch_fixes.paths import ROOT
from litellm_batch_fixes.postgres import EmbeddedPostgres

from ..conftest import fresh_database
from ..support import scratch_data_dir

# The mock's batch steps (validating -> in_progress -> ...) are short so tests finish in seconds.
MOCK_STEP_SECONDS = 0.2
POSTGRES_IMAGE = os.environ.get("LBF_POSTGRES_IMAGE", "postgres:16-alpine")
MOCK_BASE_IMAGE = os.environ.get("LBF_MOCK_BASE_IMAGE", "python:3.11-slim")


@dataclass
class Services:
    postgres_url: str  # a database on the server; per-build databases are created beside it
    mock_url: str

    def database_for(self, name: str) -> str:
        """A fresh database `name` on the same server, returned as a URL."""
        return fresh_database(self.postgres_url, name)


@contextlib.contextmanager
def local_services(work_dir: Path, say: Callable[[str], None]) -> Iterator[Services]:
    postgres = EmbeddedPostgres(scratch_data_dir())
    mock = None
    try:
        say("local backend: starting PostgreSQL (initdb + pg_ctl)")
        postgres.start()
        say("local backend: starting the mock server process")
        mock = start_mock_server(work_dir / "mock-server.log", step_seconds=MOCK_STEP_SECONDS)
        yield Services(postgres.url, mock.extra["url"])
    finally:
        if mock:
            mock.stop()
        postgres.remove()


@contextlib.contextmanager
def container_services(say: Callable[[str], None]) -> Iterator[Services]:
    from .containers import mock_server_container, postgres_container

    with contextlib.ExitStack() as stack:
        say(f"containers backend: PostgreSQL from {POSTGRES_IMAGE}")
        postgres_url = stack.enter_context(postgres_container(POSTGRES_IMAGE))
        say(f"containers backend: mock server image from mock-server/Dockerfile on {MOCK_BASE_IMAGE}")
        mock_url = stack.enter_context(mock_server_container(ROOT, MOCK_BASE_IMAGE, MOCK_STEP_SECONDS))
        yield Services(postgres_url, mock_url)
