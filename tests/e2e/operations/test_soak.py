"""A soak: two proxy replicas on one PostgreSQL, many users' batches on both models, the
upstream failing now and then, a replica killed (SIGKILL) and started again, PostgreSQL
restarted once; at the end nothing is lost, nothing is doubled, every batch is billed once.

Clients behave as a load balancer and the official SDK do: each request goes to a replica
at random; the SDK retries 429, 5xx and connection errors with backoff; a replica that
doesn't answer is left for the other. Each batch belongs to a user of its own, so that
user's spend rows are that batch's records.

Judged at the end, after a grace period for the last batches and the poller:
- every batch a client saw created is terminal, and its output is readable through either
  replica;
- the proxy's records hold each batch and each file once;
- every completed batch has exactly one spend record of the poller, at the cost its output
  file's usage gives;
- no request hung or failed after the SDK's retries (injected faults are retried as a
  client would).

`--soak-seconds` bounds the load phase: `./dev test` runs a short soak (30 s; 0 skips it),
`./dev soak --seconds N` a longer one (300 s unless told); CI runs the short one per line.
The report (requests, batches, faults, kills, the worst recovery) is printed with the
suite's `[e2e]` lines. Defects it found, each fixed with a deterministic test beside its
fix: on 1.80.10 a replica answering virtual keys 401 with the database's words after the
PostgreSQL restart (0048), spend written during the restart dropped (0049), a batch billed
by a replica killed before its queued spend was written (0050); on both lines a file delete
whose batch's cost could not be recorded because the provider failed (0058: 1.80.10 lost
the cost, 1.108.7 answered 400), and the query engine's bridge ending when PostgreSQL ended
a connection a transaction held (prisma-bridge's transactions test).
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import signal
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx
import openai
import psycopg
import pytest

from litellm_batch_fixes.bench.clients import new_user_key
from litellm_batch_fixes.postgres import EmbeddedPostgres
from litellm_batch_fixes.stack import Stack

from ...support import scratch_data_dir
from ..flows import MODELS, TERMINAL, batch_lines, clear_faults, inject_fault
from ..spend.test_batch_spend import POLL_EVERY, WRITE_EVERY, cost_of, poller_records, spend_stack

WORKERS = 4  # concurrent users' flows; the machine has two cores for both replicas and the clients
FAULT_EVERY = 4  # seconds between injected upstream faults
KILL_EVERY = (20, 35)  # seconds between replica kills (random in this range)
GRACE = 90  # seconds after the load for the last batches to finish and be billed
BILLING_LEASE = 30  # seconds
REPLICA_DOWN = (openai.APIConnectionError, openai.APITimeoutError)


@dataclass
class Tally:
    """What the run did and saw; shared by the client threads (under `lock`)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    started: float = field(default_factory=time.monotonic)
    requests: Counter = field(default_factory=Counter)
    faults: Counter = field(default_factory=Counter)
    kills: int = 0
    database_restarts: int = 0
    recoveries: list[float] = field(default_factory=list)  # seconds from a kill until the replica answers
    problems: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)  # kills and restarts, printed at the end
    batches: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # batch id -> (user, key, model)
    outputs: dict[str, str] = field(default_factory=dict)  # batch id -> output file content
    deleted: set[str] = field(default_factory=set)  # batches whose input and output files were deleted

    def count(self, what: str) -> None:
        with self.lock:
            self.requests[what] += 1

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(f"at {time.monotonic() - self.started:.0f}s: {text}")


class Replicas:
    """Two stacks on one database and one mock, as a load balancer sees them."""

    def __init__(self, stacks: list[Stack]):
        self.stacks = stacks
        self.up = [True] * len(stacks)

    def client(self, key: str) -> tuple[int, openai.OpenAI]:
        index = random.choice([i for i, up in enumerate(self.up) if up] or [0])
        return index, openai.OpenAI(base_url=self.stacks[index].url, api_key=key, max_retries=6, timeout=60)

    def new_user(self, tally: Tally, master_key: str) -> tuple[str, str]:
        """A user and a key of theirs, made on a replica that answers (and has its database)."""
        for attempt in range(10):
            index = random.choice([i for i, up in enumerate(self.up) if up] or [0])
            tally.count("key/generate")
            try:
                return new_user_key(self.stacks[index].url, master_key, "soak")
            except httpx.HTTPError:  # killed, restarting, or its database restarting (503)
                time.sleep(0.5 * (attempt + 1))
        raise AssertionError("key/generate: no replica answered")

    def call(self, tally: Tally, key: str, what: str, action):
        """`action(client)` on a replica that answers; the other one when it doesn't."""
        for attempt in range(4):
            index, client = self.client(key)
            tally.count(what)
            try:
                with client:
                    return action(client)
            except REPLICA_DOWN:
                time.sleep(0.5 * (attempt + 1))  # killed or restarting: the load balancer's retry
        raise AssertionError(f"{what}: no replica answered")


def flow(replicas: Replicas, master_key: str, tally: Tally, deadline: float) -> None:
    """One user's batch after another until the deadline."""
    while time.monotonic() < deadline:
        try:
            one_batch(replicas, master_key, tally)
        except (openai.APIError, AssertionError, httpx.HTTPError) as error:
            tally.problem(f"{type(error).__name__}: {str(error)[:700]}")


def one_batch(replicas: Replicas, master_key: str, tally: Tally) -> None:
    """Upload, create, poll, read the output, and delete the files of every other batch."""
    model = random.choice(list(MODELS.values()))
    user, key = replicas.new_user(tally, master_key)
    content = batch_lines(model, ["one", "two"])
    uploaded = replicas.call(
        tally,
        key,
        "files.create",
        lambda c: c.files.create(
            file=("input.jsonl", io.BytesIO(content)), purpose="batch", extra_body={"target_model_names": model}
        ),
    )
    batch = replicas.call(
        tally,
        key,
        "batches.create",
        lambda c: c.batches.create(input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"),
    )
    with tally.lock:
        tally.batches[batch.id] = (user, key, model)
    finished = poll(replicas, tally, key, batch.id, time.monotonic() + 60)
    output_id = str(finished.output_file_id)
    if finished.status != "completed" or not finished.output_file_id:
        return
    output = replicas.call(tally, key, "files.content", lambda c: c.files.content(output_id).text)
    with tally.lock:
        tally.outputs[batch.id] = output
    if random.random() < 0.5:
        for file_id in (output_id, uploaded.id):
            delete(replicas, tally, key, file_id)
        with tally.lock:
            tally.deleted.add(batch.id)


def delete(replicas: Replicas, tally: Tally, key: str, file_id: str) -> None:
    """A delete whose answer was lost to a killed replica is sent again and meets its own
    success as 404: the file is gone either way, which is what the client asked for."""
    try:
        deleted = replicas.call(tally, key, "files.delete", lambda c: c.files.delete(file_id))
    except openai.NotFoundError:
        deleted = None
    if deleted is not None and not deleted.deleted:
        tally.problem(f"delete of {file_id}: {deleted}")


def poll(replicas: Replicas, tally: Tally, key: str, batch_id: str, until: float):
    while True:
        batch = replicas.call(tally, key, "batches.retrieve", lambda c: c.batches.retrieve(batch_id))
        if batch.status in TERMINAL or time.monotonic() > until:
            return batch
        time.sleep(0.5)


def inject_faults(mock_url: str, tally: Tally, stop: threading.Event) -> None:
    """One upstream fault every few seconds, on both providers' routes: 429 or 500 on the
    next matching request, or a slow answer; the proxy passes them on and the SDK retries."""
    kinds = [
        ("429 on batches.create", "batches.create", {"status": 429, "retry_after_seconds": 0.5}),
        ("500 on a file upload", "files.create", {"status": 500}),
        ("500 on a batch retrieve", "batches.retrieve", {"status": 500}),
        ("500 on a file delete", "files.delete", {"status": 500}),
        ("3 s late on a batch retrieve", "batches.retrieve", {"delay_seconds": 3}),
    ]
    while not stop.wait(FAULT_EVERY):
        name, verb, fault = random.choice(kinds)
        inject_fault(mock_url, verb, **fault)
        with tally.lock:
            tally.faults[name] += 1
    clear_faults(mock_url)


def chaos(replicas: Replicas, database: EmbeddedPostgres, tally: Tally, stop: threading.Event) -> None:
    """Kill a replica with SIGKILL now and then and start it again; restart PostgreSQL once,
    halfway through the first pause."""
    started = tally.started
    first_pause = random.uniform(*KILL_EVERY)
    if not stop.wait(first_pause / 2):
        database.stop()
        database.start()
        tally.database_restarts += 1
        tally.events.append(f"PostgreSQL restarted at {time.monotonic() - started:.0f}s")
    while not stop.wait(random.uniform(*KILL_EVERY) / 2):
        index = random.randrange(len(replicas.stacks))
        stack = replicas.stacks[index]
        replicas.up[index] = False
        killed = time.monotonic()
        assert stack.proxy is not None
        os.killpg(stack.proxy.process.pid, signal.SIGKILL)
        stack.stop()
        log = stack.proxy.log_path  # kept: a start begins a new log
        log.rename(log.with_name(f"{log.stem}.killed-{tally.kills + 1}.log"))
        stack.start()  # the same state dir, database and mock: a replica's restart
        replicas.up[index] = True
        tally.kills += 1
        tally.recoveries.append(time.monotonic() - killed)
        tally.events.append(
            f"replica {index} killed at {killed - started:.0f}s, answering again {tally.recoveries[-1]:.1f}s later"
        )


def spends(stack: Stack, user_id: str) -> list[float]:
    """The poller's spend rows for the user's batches (test_batch_spend's rule for each line)."""
    return [spend for spend, _, _ in poller_records(stack, user_id)]


def spend_rows(stack: Stack, user_id: str) -> list[tuple]:
    """Every aretrieve_batch row of the user, with what tells who wrote it, for a problem's report."""
    with psycopg.connect(stack.database_url) as conn:
        return conn.execute(
            """SELECT spend, status, api_key <> '', "startTime", metadata::jsonb -> 'batch_models',
                      proxy_server_request::jsonb -> 'headers' -> 'user-agent'
               FROM "LiteLLM_SpendLogs" WHERE "user" = %s AND call_type = 'aretrieve_batch'
               ORDER BY 3""",
            (user_id,),
        ).fetchall()


def doubled_records(database_url: str) -> list[tuple]:
    """Managed ids the proxy's records hold more than once."""
    with psycopg.connect(database_url) as conn:
        return [
            *conn.execute(
                'SELECT unified_object_id, count(*) FROM "LiteLLM_ManagedObjectTable" '
                "GROUP BY unified_object_id HAVING count(*) > 1"
            ).fetchall(),
            *conn.execute(
                'SELECT unified_file_id, count(*) FROM "LiteLLM_ManagedFileTable" '
                "GROUP BY unified_file_id HAVING count(*) > 1"
            ).fetchall(),
        ]


@pytest.mark.slow_allowed(seconds=600, why="a soak: --soak-seconds of load, then a grace period for the poller")
def test_replicas_under_faults_and_kills_lose_nothing(proxy, services, tmp_path, say, monkeypatch, pytestconfig):
    seconds = pytestconfig.getoption("soak_seconds")
    if seconds <= 0:
        pytest.skip("--soak-seconds 0")
    monkeypatch.setenv("LITELLM_MASTER_KEY", f"sk-{uuid.uuid4().hex}")
    monkeypatch.setenv("LITELLM_SALT_KEY", f"salt-{uuid.uuid4().hex}")
    # A claim whose poller died or lost its database is settled after the lease (1.80.10's
    # 0050; default 120 s): within the grace period here, longer than any billing takes.
    monkeypatch.setenv("BATCH_COST_BILLING_LEASE_SECONDS", str(BILLING_LEASE))
    database = EmbeddedPostgres(scratch_data_dir()).start()
    tally = Tally()
    stop = threading.Event()
    try:
        with contextlib.ExitStack() as stacks:
            replicas = Replicas(
                [
                    stacks.enter_context(
                        spend_stack(proxy.build, tmp_path / name, database.url, services.mock_url, say=lambda _: None)
                    )
                    for name in ("a", "b")
                ]
            )
            master_key = replicas.stacks[0].master_key
            deadline = time.monotonic() + seconds
            helpers = [
                threading.Thread(target=inject_faults, args=(services.mock_url, tally, stop)),
                threading.Thread(target=chaos, args=(replicas, database, tally, stop)),
            ]
            workers = [
                threading.Thread(target=flow, args=(replicas, master_key, tally, deadline)) for _ in range(WORKERS)
            ]
            for thread in helpers + workers:
                thread.start()
            for thread in workers:
                thread.join(seconds + 120)
            stop.set()
            for thread in helpers:
                thread.join(120)
            hung = [t.name for t in workers + helpers if t.is_alive()]
            assert not hung, f"threads still running: {hung}"

            # The grace period: every batch terminal, readable through either replica, billed once.
            until = time.monotonic() + GRACE
            for batch_id, (_, key, _) in sorted(tally.batches.items()):
                finished = poll(replicas, tally, key, batch_id, until)
                if finished.status not in TERMINAL:
                    tally.problem(f"{batch_id} still {finished.status} after the grace period")
                for stack in replicas.stacks:
                    with openai.OpenAI(base_url=stack.url, api_key=key, max_retries=3) as client:
                        again = client.batches.retrieve(batch_id)
                        if again.status != finished.status:
                            tally.problem(f"{batch_id}: {again.status} on one replica, {finished.status} on another")
                        if batch_id in tally.outputs and batch_id not in tally.deleted:
                            if client.files.content(str(again.output_file_id)).text != tally.outputs[batch_id]:
                                tally.problem(f"{batch_id}: another output through {stack.url}")
            billed_by = time.monotonic() + POLL_EVERY + WRITE_EVERY + 30
            for batch_id, output in sorted(tally.outputs.items()):
                user, _, model = tally.batches[batch_id]
                expected = cost_of(replicas.stacks[0], output, model)[0]
                while len(records := spends(replicas.stacks[0], user)) != 1 and time.monotonic() < billed_by:
                    time.sleep(1)
                if len(records) != 1 or records[0] != pytest.approx(expected, rel=1e-9):
                    files = "deleted" if batch_id in tally.deleted else "kept"
                    tally.problem(
                        f"{batch_id} (files {files}): spend records {records}, expected one of {expected}; "
                        f"the rows: {spend_rows(replicas.stacks[0], user)}"
                    )
            doubled = doubled_records(database.url)
            if doubled:
                tally.problem(f"records held twice: {doubled[:5]}")
    finally:
        stop.set()
        database.remove()
    worst = max(tally.recoveries, default=0.0)
    say(
        f"soak ({proxy.build}, {seconds}s): {sum(tally.requests.values())} requests {dict(tally.requests)}; "
        f"{len(tally.batches)} batches, {len(tally.outputs)} outputs read; faults {dict(tally.faults)}; "
        f"{tally.kills} replica kills (worst recovery {worst:.1f}s), {tally.database_restarts} PostgreSQL restart; "
        f"{len(tally.problems)} problems"
    )
    for event in tally.events:  # kills and restarts
        say(f"soak: {event}")
    assert tally.batches, "no batch was created"
    assert not tally.problems, f"{len(tally.problems)} problems:\n" + "\n".join(tally.problems[:30])
