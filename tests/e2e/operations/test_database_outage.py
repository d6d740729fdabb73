"""While PostgreSQL refuses the proxy's connections (starting up after a restart, a
failover, connections not allowed) and after: a key that can't be read answers 503, which
clients retry, and spend incurred meanwhile is written once the database takes
connections again, not dropped.

The stacks here have their own embedded PostgreSQL. `refusing_connections` makes it
refuse the proxy's database and ends the proxy's sessions, so every new connection gets
PostgreSQL's FATAL refusal, deterministically; test_health stops PostgreSQL outright.
"""

from __future__ import annotations

import contextlib
import time

import httpx
import psycopg
import pytest

from litellm_batch_fixes.postgres import DATABASE, EmbeddedPostgres
from litellm_batch_fixes.stack import Stack

from ...support import with_database
from .. import conformance
from ..flows import MODELS, new_user
from ..spend.test_batch_spend import WRITTEN_WITHIN, key_spend, spend_stack
from .test_faults import embedded_postgres, own_stack

BACK_WITHIN = 15  # seconds after the database takes connections again: answers are good again


@contextlib.contextmanager
def refusing_connections(postgres: EmbeddedPostgres):
    """PostgreSQL up, but refusing the proxy's database and having ended its sessions."""
    with psycopg.connect(with_database(postgres.url, "postgres"), autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE {DATABASE} ALLOW_CONNECTIONS false")
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (DATABASE,))
        try:
            yield
        finally:
            admin.execute(f"ALTER DATABASE {DATABASE} ALLOW_CONNECTIONS true")


@pytest.mark.patch("0048-auth-without-the-database-answers-503.patch")
@pytest.mark.slow_allowed(seconds=120, why="starts a stack with its own PostgreSQL")
def test_a_key_that_cannot_be_read_while_the_database_refuses_answers_503(proxy, state_dir, say) -> None:
    """Unpatched 1.80.10: a virtual key the proxy had to read from a database refusing
    connections (PostgreSQL starting up after a restart, a failover) answered 401
    "Authentication Error, FATAL: ..." or "... All connection attempts failed": the
    database's words, and a status that tells the client its key is bad, so neither it
    nor the SDK retries. The key is fine once the database answers again."""
    with own_stack(proxy.build, state_dir, say, database_url=None) as stack:
        keys = [new_user(stack, f"refused-{n}")[1].api_key for n in range(2)]  # not used yet: not cached
        found = []
        with refusing_connections(embedded_postgres(stack)):
            say("health: PostgreSQL refuses the proxy's database and cut its sessions")
            for key, path in zip(keys, ("/v1/files", "/v1/batches"), strict=True):
                answer = httpx.get(f"{stack.url}{path}", headers={"Authorization": f"Bearer {key}"}, timeout=30)
                where = f"GET {path} with a key not read yet: {answer.status_code} {answer.text[:300]}"
                say(f"health: {where}")
                if answer.status_code != 503:
                    found.append(f"{where}: not 503")
                if conformance.DATABASE_TEXT.search(answer.text) or "FATAL" in answer.text:
                    found.append(f"{where}: the database's text reached the client")
                found += [f"{where}: {p}" for p in conformance.problems("GET", path, answer.status_code, answer.json())]
        deadline = time.monotonic() + BACK_WITHIN
        while (
            answer := httpx.get(f"{stack.url}/v1/files", headers={"Authorization": f"Bearer {keys[0]}"})
        ).status_code != 200:
            if time.monotonic() > deadline:
                found.append(
                    f"the key still answers {answer.status_code} {BACK_WITHIN} s after the database took it back"
                )
                break
            time.sleep(0.5)
        assert not found, "\n".join(found)


def chat_rows(stack: Stack, user_id: str) -> list[float]:
    """The spend of the user's chat completion rows."""
    with psycopg.connect(stack.database_url) as conn:
        rows = conn.execute(
            'SELECT spend FROM "LiteLLM_SpendLogs" WHERE "user" = %s AND call_type = \'acompletion\'', (user_id,)
        ).fetchall()
    return [spend for (spend,) in rows]


@pytest.mark.patch(
    "0049-spend-kept-while-the-database-refuses.patch",
    needs={"1.108.7": ["0048-auth-without-the-database-answers-503.patch"]},
)
@pytest.mark.slow_allowed(seconds=120, why="starts a stack with its own PostgreSQL and waits for write cycles")
def test_spend_incurred_while_the_database_refuses_is_written_when_it_is_back(proxy, state_dir, say) -> None:
    """Unpatched 1.80.10: the spend rows queued while the database refused connections
    were dropped at the first failed write (only httpx's own connection errors were
    retried, three times), so a request served meanwhile (a chat, the poller's record of
    a finished batch) was never in /spend/logs, whatever came after. Unpatched 1.108.7
    requeues rows the database didn't take, but took this refusal for a row it rejects
    and dropped it (its 0048)."""
    with spend_stack(proxy.build, state_dir, None, None, say) as stack:
        user, client = new_user(stack, "outage-spender")
        client.files.list()  # the key is read once, and cached: the chat below needs no read
        with refusing_connections(embedded_postgres(stack)):
            say("outage: PostgreSQL refuses the proxy's database and ended its sessions")
            client.chat.completions.create(model=MODELS["gpt"], messages=[{"role": "user", "content": "meanwhile"}])
            time.sleep(3 * WRITTEN_WITHIN)  # write cycles that fail
        deadline = time.monotonic() + BACK_WITHIN + WRITTEN_WITHIN
        while not (rows := chat_rows(stack, user)) and time.monotonic() < deadline:
            time.sleep(1)
        say(f"outage: the chat's spend rows {rows} once the database took connections again")
        assert len(rows) == 1 and rows[0] > 0
        time.sleep(WRITTEN_WITHIN)  # the counters' write follows the row's
        assert key_spend(stack, client.api_key) == pytest.approx(rows[0], rel=1e-9)
