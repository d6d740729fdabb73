"""The proxy's health endpoints: readiness says whether this worker can serve now, so a
load balancer (HAProxy, compose, a Kubernetes probe) stops routing to a worker whose
database is gone and takes it back once the database returns; liveness stays a cheap
"the process answers".

The stack here has its own embedded PostgreSQL (test_faults' `own_stack`), which the
test stops and starts under the running proxy.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from .. import conformance
from ..flows import MODELS, batch_lines, create_batch, new_user, upload_batch_input
from .test_faults import embedded_postgres, own_stack

READY = (200, "connected")
LOST_WITHIN = 5  # seconds after the database stopped: readiness must have said so
BACK_WITHIN = 15  # seconds after it started again: readiness must be good again


def readiness(url: str) -> tuple[int, str | None]:
    """(status, the "db" it reports); a probe waits at most 10 s for an answer."""
    answer = httpx.get(f"{url}/health/readiness", timeout=10)
    body = answer.json() if answer.headers.get("content-type", "").startswith("application/json") else {}
    return answer.status_code, body.get("db") if isinstance(body, dict) else None


def readiness_until(url: str, wanted: Callable[[tuple[int, str | None]], bool], within: float, what: str) -> float:
    """Probe readiness until `wanted` holds for its answer; the seconds that took. Fails
    on the deadline with the last answer seen."""
    started = time.monotonic()
    while True:
        seen = readiness(url)
        if wanted(seen):
            return time.monotonic() - started
        if time.monotonic() - started > within:
            raise AssertionError(f"readiness still {seen} {within} s after {what}")
        time.sleep(0.2)


@pytest.mark.patch("0039-readiness-checks-the-database-live.patch")
@pytest.mark.slow_allowed(seconds=120, why="starts a stack with its own PostgreSQL, stops and starts it")
def test_readiness_fails_within_seconds_of_losing_the_database_and_recovers(proxy, state_dir, say) -> None:
    """Unpatched: with the database's socket gone (every request 500 `connect ENOENT
    .../.s.PGSQL.5432`), /health/readiness still answered 200 `"db": "connected"` with
    the `last_updated` of its last check: 1.80.10 answers that cached status for 2
    minutes (and writes "db": "connected" whatever it found), 1.108.7 for 15 s."""
    with own_stack(proxy.build, state_dir, say, database_url=None) as stack:
        assert readiness(stack.url) == READY  # a fresh check, just before the loss
        postgres = embedded_postgres(stack)
        postgres.stop()
        say("health: PostgreSQL stopped under the proxy")
        took = readiness_until(stack.url, lambda seen: seen != READY, LOST_WITHIN, "the database stopped")
        status, db = readiness(stack.url)
        say(f"health: readiness {status} db={db!r} {took:.1f}s after the database stopped")
        assert (status, db) == (503, "disconnected")
        started = time.monotonic()
        alive = httpx.get(f"{stack.url}/health/liveliness", timeout=10)
        assert (alive.status_code, time.monotonic() - started < 1) == (200, True), "liveness stays cheap"
        postgres.start()
        took = readiness_until(stack.url, lambda seen: seen == READY, BACK_WITHIN, "the database came back")
        say(f"health: ready again {took:.1f}s after PostgreSQL came back")


@pytest.mark.patch("0042-database-errors-answer-without-its-text.patch")
@pytest.mark.slow_allowed(seconds=120, why="starts a stack with its own PostgreSQL and stops it")
def test_requests_that_need_the_database_answer_503_without_its_text_while_it_is_down(proxy, state_dir, say) -> None:
    """Unpatched: with the database's socket gone, listing or retrieving a managed file or
    batch answered 500 with the query engine's own words ("Error occurred during query
    execution: ConnectorError(...)", "connect ENOENT .../.s.PGSQL.5432"), which tell a
    client neither what happened nor that a retry may help. A virtual key not used yet
    (not in the proxy's cache, so read from the database) must answer 503 too, not 401."""
    with own_stack(proxy.build, state_dir, say, database_url=None) as stack:
        _, user = new_user(stack, "outage")
        model = MODELS["gpt"]
        uploaded = upload_batch_input(user, model, batch_lines(model, ["one"]))
        created = create_batch(user, uploaded.id)
        _, unused = new_user(stack, "outage-unused")  # its key is read from the database on first use
        postgres = embedded_postgres(stack)
        postgres.stop()
        say("health: PostgreSQL stopped under the proxy")
        found = []
        keys = (("virtual key", user.api_key), ("unused virtual key", unused.api_key), ("master key", stack.master_key))
        for who, key in keys:
            for verb, path in (
                ("files.list", "/v1/files"),
                ("batches.list", "/v1/batches"),
                ("files.retrieve", f"/v1/files/{uploaded.id}"),
                ("batches.retrieve", f"/v1/batches/{created.id}"),
            ):
                answer = httpx.get(f"{stack.url}{path}", headers={"Authorization": f"Bearer {key}"}, timeout=30)
                where = f"{verb} ({who}): {answer.status_code} {answer.text[:200]}"
                if answer.status_code != 503:
                    found.append(f"{where}: not 503")
                if conformance.DATABASE_TEXT.search(answer.text):
                    found.append(f"{where}: the database's text reached the client")
                try:
                    body = answer.json()
                except ValueError:
                    body = answer.text
                found += [f"{where}: {problem}" for problem in conformance.problems("GET", path, 503, body)]
        assert not found, "\n".join(found)
