"""Batch spend: recorded exactly once per batch, priced right on both routes, whatever
state the batch ended in, across a restart and with two proxies polling one database.

LiteLLM's batch cost poller (CheckBatchCost) records a finished batch as one
`aretrieve_batch` spend log row attributed to the batch's creator: without an API key on
1.80.10; on 1.108.7 with the creator's key and the batch's models in its metadata.
Here it runs every 5 s (`batch_polling_interval`) and queued spend rows are written every
1 s, both without LiteLLM's random offsets (up to 30 s and 5 s; the suite's stacks run
exactly, `proxy.EXACT_SCHEDULE`), so each wait allows half a minute. Each
batch belongs to a user of its own, so the creator's rows are that batch's records.

The expected cost is computed from the output file's per-line usage and the cost map the
build ships (batch prices where the map has them; else half the standard price, LiteLLM's
rule for batches), for the model the config prices the deployment as.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import time
import uuid
from pathlib import Path

import openai
import psycopg
import pytest

from litellm_batch_fixes.build import site_packages
from litellm_batch_fixes.paths import DEFAULT_CONFIG
from litellm_batch_fixes.releases import Build
from litellm_batch_fixes.stack import Stack

from ..flows import (
    MODELS,
    NEEDS_0021,
    admin,
    batch_lines,
    clear_faults,
    create_batch,
    deployment,
    inject_fault,
    new_user,
    release,
    run_batch,
    sdk,
    upload_batch_input,
    wait_for_batch,
)

POLL_EVERY = 5
WRITE_EVERY = 1  # seconds between spend row writes (LiteLLM's default: 10)
WRITTEN_WITHIN = WRITE_EVERY + 2  # interval + a margin (no jitter on the suite's stacks)
RECORDED_WITHIN = POLL_EVERY + WRITTEN_WITHIN + 20  # seconds: a cycle, the write, a margin for a busy machine
models = pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())


def spend_stack(
    build: Build, state_dir: Path, database_url: str, mock_url: str | None, say, interval: int = POLL_EVERY
) -> Stack:
    return Stack(
        state_dir=state_dir,
        config=DEFAULT_CONFIG,
        build=build,
        port=0,
        database_url=database_url,
        mock_url=mock_url,
        batch_polling_interval=interval,
        spend_write_interval=WRITE_EVERY,
        log=lambda m: say(f"spend: {m}"),
    )


@pytest.fixture(scope="module")
def spender(proxy, services, tmp_path_factory, say):
    """A proxy of the build under test whose poller runs every few seconds."""
    database = services.database_for(f"litellm_spend_{proxy.build.name.replace('-', '_')}")
    with spend_stack(proxy.build, tmp_path_factory.mktemp("spend"), database, services.mock_url, say) as stack:
        yield stack


# The poller's rows among the `aretrieve_batch` rows (clients' retrieves log rows too, and a
# retrieve the provider failed a $0 row with status "failure"): on 1.80.10 its request tags
# name it (0035; an unpatched build's rows have no key instead); on 1.108.7 it alone fills
# the batch_models list (every row has the key, null but in the poller's).
POLLER_TAG = "request_tags::jsonb ? 'User-Agent: LiteLLM Proxy/CheckBatchCost'"
BATCH_MODELS = "jsonb_typeof(metadata::jsonb -> 'batch_models') = 'array'"
POLLER_ROWS = {"1.80.10": f"({POLLER_TAG} OR api_key = '')", "1.108.7": BATCH_MODELS}
ANY_POLLER_ROW = f"({POLLER_TAG} OR api_key = '' OR {BATCH_MODELS})"  # another release


def poller_records(stack: Stack, user_id: str) -> list[tuple[float, int, int]]:
    """(spend, prompt tokens, completion tokens) of the poller's rows for the user's batches."""
    with psycopg.connect(stack.database_url) as conn:
        return conn.execute(
            'SELECT spend, prompt_tokens, completion_tokens FROM "LiteLLM_SpendLogs" '
            "WHERE \"user\" = %s AND call_type = 'aretrieve_batch' AND "
            + POLLER_ROWS.get(release(stack), ANY_POLLER_ROW),
            (user_id,),
        ).fetchall()


def key_spend(stack: Stack, key: str) -> float:
    """The key's spend counter, as `/key/info` (what its budget reads) shows it."""
    return admin(stack, "GET", "/key/info", params={"key": key})["info"]["spend"]


def conn_value(stack: Stack, sql: str):
    with psycopg.connect(stack.database_url) as conn:
        row = conn.execute(sql).fetchone()
    return row[0] if row else None


def wait_for_records(stack: Stack, user_ids: list[str], say, within: float = RECORDED_WITHIN) -> dict[str, list]:
    deadline = time.monotonic() + within
    while True:
        found = {user: poller_records(stack, user) for user in user_ids}
        if all(found.values()):
            return found
        if time.monotonic() > deadline:
            raise AssertionError(
                f"no spend recorded within {within}s for {[u for u, rows in found.items() if not rows]}"
            )
        time.sleep(1)


def priced_as(model: str) -> str:
    """The model the config prices a deployment as: its base_model, else its own model."""
    found = deployment(model)
    return found.get("model_info", {}).get("base_model") or found["litellm_params"]["model"]


def expected_cost(stack: Stack, client: openai.OpenAI, batch, model: str) -> tuple[float, int, int]:
    """From the output file's lines and the build's own cost map."""
    return cost_of(stack, client.files.content(batch.output_file_id).text, model)


def cost_of(stack: Stack, output: str, model: str) -> tuple[float, int, int]:
    python = Path(stack.proxy.process.args[0])
    prices = json.loads((site_packages(python) / "litellm" / "model_prices_and_context_window_backup.json").read_text())
    name = priced_as(model)
    entry = prices.get(name) or prices[name.split("/", 1)[1]]
    per_input = entry.get("input_cost_per_token_batches") or entry["input_cost_per_token"] / 2
    per_output = entry.get("output_cost_per_token_batches") or entry["output_cost_per_token"] / 2
    prompt = completion = 0
    for line in output.splitlines():
        usage = json.loads(line)["response"]["body"]["usage"]
        prompt, completion = prompt + usage["prompt_tokens"], completion + usage["completion_tokens"]
    return prompt * per_input + completion * per_output, prompt, completion


def lost_batch_id() -> str:
    """A managed batch id on a real deployment for a batch its provider never had."""
    model_id = deployment(MODELS["gpt"])["model_info"]["id"]
    raw = f"litellm_proxy;model_id:{model_id};llm_batch_id:batch_lost_{uuid.uuid4().hex}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.fixture(scope="module")
def finished(spender, say) -> dict:
    """Batches made up front so one wait covers them: per model, one with a failed line
    (the client watches it complete before the poller runs) and one nobody retrieves
    until it is recorded; one whose every line failed; and a recorded batch the provider
    never had, which the poller can't find (on the patched build only: its test runs there,
    and without 0019 the lookup takes the model offline for every other test here)."""
    if spender.build.is_patched:
        with psycopg.connect(spender.database_url) as conn:  # the poller meets it first
            conn.execute(
                'INSERT INTO "LiteLLM_ManagedObjectTable" (id, unified_object_id, model_object_id, '
                "file_object, file_purpose, status, created_by, updated_by, created_at, updated_at) "
                "VALUES (%s, %s, %s, '{}', 'batch', 'validating', 'nobody', 'nobody', now(), now())",
                (str(uuid.uuid4()), lost_batch_id(), f"batch_lost_{uuid.uuid4().hex}"),
            )
    made: dict = {}
    for model in MODELS.values():
        user, client = new_user(spender, "spender")
        _, _, batch = run_batch(client, model, say, prompts=["one", "two", "three", "bad"], bad_max_tokens_at=3)
        for _ in range(5):  # more clients seeing the final state: still recorded once
            client.batches.retrieve(batch.id)
        made[model] = (user, client, batch)
        quiet_user, quiet = new_user(spender, "spender")
        unseen = create_batch(quiet, upload_batch_input(quiet, model, batch_lines(model, ["four"])).id)
        made[model, "unseen"] = (quiet_user, quiet, unseen)
    made["records"] = wait_for_records(spender, [made[k][0] for k in made], say)
    failed_user, failed_client = new_user(spender, "spender")  # waited for by its own test
    model = MODELS["gpt"]
    _, _, all_failed = run_batch(failed_client, model, say, prompts=["x"], bad_max_tokens_at=0)
    made["all-failed"] = (failed_user, failed_client, all_failed)
    return made


@pytest.mark.patch("0017-batch-cost-priced-by-base-model.patch")
def test_an_azure_batch_is_priced_by_its_base_model(spender, finished) -> None:
    """Unpatched: the Azure batch is recorded at $0 (its deployment name has no price)."""
    model = MODELS["azure"]
    user, client, batch = finished[model]
    cost, prompt, completion = expected_cost(spender, client, batch, model)
    [(spend, prompt_tokens, completion_tokens)] = finished["records"][user]
    assert (prompt_tokens, completion_tokens) == (prompt, completion)
    assert spend == pytest.approx(cost, rel=1e-9) and spend > 0


def test_each_batch_is_recorded_once_at_the_price_of_its_successful_lines(spender, finished) -> None:
    for model in MODELS.values():
        user, client, batch = finished[model]
        assert (batch.request_counts.completed, batch.request_counts.failed) == (3, 1)
        cost, _, _ = expected_cost(spender, client, batch, model)
        # once, however many clients saw it completed before the poller did
        [(spend, _, _)] = finished["records"][user]
        assert spend == pytest.approx(cost, rel=1e-9)


def test_a_batch_recorded_before_anyone_retrieves_it_stays_recorded_once(spender, finished, say) -> None:
    for model in MODELS.values():
        user, client, batch = finished[model, "unseen"]
        done = wait_for_batch(client, batch.id, say)
        for _ in range(3):
            client.batches.retrieve(done.id)
        assert len(poller_records(spender, user)) == 1


@pytest.mark.patch(
    "0016-batch-cost-recorded-once.patch",
    contract={"1.108.7": "a batch whose every line failed is retired without a spend row"},
)
def test_a_batch_whose_every_line_failed_is_recorded_once_at_no_cost(spender, finished, say) -> None:
    """Unpatched 1.80.10: never recorded; the poller queries it again every cycle.
    LiteLLM 1.108.7 retires such a batch without a spend row (it cost nothing): the
    contract there is that the poller marks it processed and stops asking."""
    user, _, batch = finished["all-failed"]
    assert (batch.status, batch.output_file_id, batch.request_counts.failed) == ("completed", None, 1)
    if release(spender) == "1.108.7":
        deadline = time.monotonic() + RECORDED_WITHIN
        query = f"""SELECT batch_processed FROM "LiteLLM_ManagedObjectTable" WHERE unified_object_id = '{batch.id}'"""
        while not conn_value(spender, query) and time.monotonic() < deadline:
            time.sleep(2)
        assert conn_value(spender, query) is True and poller_records(spender, user) == []
        return
    assert wait_for_records(spender, [user], say)[user] == [(0.0, 0, 0)]
    with psycopg.connect(spender.database_url) as conn:
        [status] = conn.execute(
            'SELECT status FROM "LiteLLM_ManagedObjectTable" WHERE unified_object_id = %s', (batch.id,)
        ).fetchone()
    assert status == "complete"


def test_a_batch_the_provider_cant_find_stops_no_other(spender, finished) -> None:
    """The lost batch was polled first in each cycle; every real batch was still recorded.
    1.80.10 keeps it and tries again next cycle; 1.108.7 retires it (processed, unbilled),
    since its deployment exists and the provider says the batch does not."""
    assert len(finished["records"]) == 4 and all(finished["records"].values())
    with psycopg.connect(spender.database_url) as conn:
        lost = conn.execute(
            'SELECT status FROM "LiteLLM_ManagedObjectTable" WHERE created_by = %s', ("nobody",)
        ).fetchall()
    if release(spender) != "1.108.7":
        assert lost == [("validating",)]
    else:
        processed = conn_value(
            spender, "SELECT batch_processed FROM \"LiteLLM_ManagedObjectTable\" WHERE created_by = 'nobody'"
        )
        assert len(lost) == 1 and processed is True


@pytest.mark.slow_allowed(seconds=150, why="starts two proxies in turn (up to 35 s each on a busy machine)")
def test_spend_survives_a_restart_between_completion_and_the_poll(proxy, services, tmp_path, say) -> None:
    """The first proxy never polls (interval of an hour); the restarted one records the
    batches it finished (their deployment ids are stable, so they still route)."""
    database = services.database_for("litellm_spend_restart")
    made: dict = {}
    with spend_stack(proxy.build, tmp_path, database, None, say, interval=3600) as first:
        for model in MODELS.values():
            user, client = new_user(first, "spender")
            made[model] = (user, client.api_key, run_batch(client, model, say, prompts=["one", "two"])[2])
    with spend_stack(proxy.build, tmp_path, database, None, say) as second:
        records = wait_for_records(second, [user for user, _, _ in made.values()], say)
        time.sleep(WRITTEN_WITHIN)  # the counters' write follows the row's
        # the key's budget counter got each batch's cost once (0035 on 1.80.10)
        charged = {user: key_spend(second, key) for user, key, _ in made.values()}
    assert all(len(rows) == 1 and rows[0][1] > 0 for rows in records.values())
    assert charged == {user: pytest.approx(rows[0][0], rel=1e-9) for user, rows in records.items()}


@pytest.mark.slow_allowed(seconds=150, why="starts two proxies, then lets each poll twice more")
def test_two_proxies_polling_one_database_record_each_batch_once(proxy, services, tmp_path, say, monkeypatch) -> None:
    database = services.database_for("litellm_spend_replicas")
    monkeypatch.setenv("LITELLM_MASTER_KEY", f"sk-{uuid.uuid4().hex}")
    monkeypatch.setenv("LITELLM_SALT_KEY", f"salt-{uuid.uuid4().hex}")
    with contextlib.ExitStack() as stacks:
        first, _ = (
            stacks.enter_context(spend_stack(proxy.build, tmp_path / name, database, services.mock_url, say))
            for name in ("a", "b")
        )
        users = {}
        for model in MODELS.values():
            user, client = new_user(first, "spender")
            users[user] = (client, model, run_batch(client, model, say, prompts=["one", "two"])[2])
        wait_for_records(first, list(users), say)
        time.sleep(2 * POLL_EVERY + WRITTEN_WITHIN)  # every poller has had a whole turn since, and written
        for user, (client, model, batch) in users.items():
            [(spend, _, _)] = poller_records(first, user)
            assert spend == pytest.approx(expected_cost(first, client, batch, model)[0], rel=1e-9)
            # the key's budget counter got it once too, whichever proxy recorded it (0035 on 1.80.10)
            assert key_spend(first, client.api_key) == pytest.approx(spend, rel=1e-9)


@pytest.mark.patch("0021-finished-batch-files-deletable.patch")
@models
def test_a_finished_batchs_files_are_deleted_at_once_and_its_cost_is_kept(proxy, model, say) -> None:
    """On the suite's proxy the poller runs hourly (LiteLLM's default), so nothing but the
    delete records the batch. Unpatched 1.108.7: 400 "Cannot delete file ... referenced by
    1 batch(es) in non-terminal state: ...: completed" until the poller has run. Unpatched
    1.80.10: the files go and the batch is not recorded; the poller, when it runs, can't
    read the deleted output file, so its cost is lost."""
    user, client = new_user(proxy, "cleaner")
    uploaded, _, done = run_batch(client, model, say, prompts=["one", "two", "bad"], bad_max_tokens_at=2)
    cost, _, _ = expected_cost(proxy, client, done, model)
    for file_id in (done.output_file_id, done.error_file_id, uploaded.id):
        assert client.files.delete(file_id).deleted
    # The delete records it; then only the spend row's write is waited for (every 10-15 s).
    [(spend, _, _)] = wait_for_records(proxy, [user], say, within=10 + 5 + 10)[user]
    assert spend == pytest.approx(cost, rel=1e-9) and spend > 0


@pytest.mark.patch("0058-file-kept-while-its-batch-cost-cannot-be-recorded.patch", needs=NEEDS_0021)
@models
def test_a_file_delete_that_could_lose_a_batchs_cost_keeps_the_file(proxy, model, say) -> None:
    """The provider fails the batch retrieve with which the delete records a finished batch's
    cost: the delete answers 503 (which the SDK retries) and keeps the file; once the provider
    answers, it goes through and the batch is billed once. Without the patch 1.80.10 deletes
    the file and the cost is lost (the poller can't read a deleted output); 1.108.7 answers
    400 (not retried) calling the finished batch still running."""
    user, client = new_user(proxy, "cleaner")
    _, _, done = run_batch(client, model, say, prompts=["one", "two"])
    cost, _, _ = expected_cost(proxy, client, done, model)
    output = str(done.output_file_id)
    inject_fault(proxy.mock_url, "batches.retrieve", status=500, count=20)
    try:
        with pytest.raises(openai.APIStatusError) as refused:
            client.files.delete(output)
    finally:
        clear_faults(proxy.mock_url)
    assert refused.value.status_code == 503, refused.value.message
    assert "try again" in refused.value.message.lower()
    assert refused.value.response.headers["retry-after"] == "5"
    assert client.files.content(output).text  # kept
    assert client.files.delete(output).deleted
    [(spend, _, _)] = wait_for_records(proxy, [user], say, within=10 + 5 + 10)[user]
    assert spend == pytest.approx(cost, rel=1e-9) and spend > 0


@pytest.mark.patch("0058-file-kept-while-its-batch-cost-cannot-be-recorded.patch")
def test_a_file_whose_batchs_bill_is_claimed_and_unwritten_is_kept(proxy, say) -> None:
    """A poller claimed the finished batch and has not written its spend row (a killed
    replica leaves its claim so until the lease gives it back): deleting the output answers
    503 and keeps it; once the claim is given back, the delete records the batch and goes.
    Without the patch the file goes at once and the batch, back in the poll, can never be
    priced: its spend is lost."""
    if release(proxy) == "1.108.7":
        pytest.skip("1.108.7 claims a batch (batch_processed) only as it writes its spend log")
    user, client = new_user(proxy, "cleaner")
    model = MODELS["gpt"]
    _, _, done = run_batch(client, model, say, prompts=["one", "two"])
    cost, _, _ = expected_cost(proxy, client, done, model)
    output = str(done.output_file_id)
    with psycopg.connect(proxy.database_url) as conn:  # claimed a minute ago: a stopped proxy's
        conn.execute(
            "UPDATE \"LiteLLM_ManagedObjectTable\" SET status = 'billing', updated_at = now() - interval '60 s' "
            "WHERE unified_object_id = %s",
            (done.id,),
        )
    with pytest.raises(openai.APIStatusError) as refused:
        client.with_options(max_retries=0).files.delete(output)
    assert refused.value.status_code == 503, refused.value.message
    assert "claimed the bill" in refused.value.message
    # Retry-After: when the claim's lease (120 s by default) lapses, about 60 s from now
    assert 55 <= int(refused.value.response.headers["retry-after"]) <= 62
    with psycopg.connect(proxy.database_url) as conn:  # what the lease does when no row was written
        conn.execute(
            "UPDATE \"LiteLLM_ManagedObjectTable\" SET status = 'validating' WHERE unified_object_id = %s",
            (done.id,),
        )
    assert client.files.delete(output).deleted
    [(spend, _, _)] = wait_for_records(proxy, [user], say, within=10 + 5 + 10)[user]
    assert spend == pytest.approx(cost, rel=1e-9) and spend > 0


def claimed(stack: Stack, batch_id: str) -> str | None:
    """How a poller's claim shows on the batch's record, or None before one: on 1.80.10
    its status column ("billing" with 0050, else "complete", which nothing else writes);
    on 1.108.7 its batch_processed column (a client's retrieve writes "complete" there too)."""
    with psycopg.connect(stack.database_url) as conn:
        row = conn.execute(
            "SELECT status, to_jsonb(t) ->> 'batch_processed' FROM \"LiteLLM_ManagedObjectTable\" t "
            "WHERE unified_object_id = %s",
            (batch_id,),
        ).fetchone()
    if row is None:
        return None
    status, processed = row
    if processed is not None:
        return f"batch_processed, status {status}" if processed == "true" else None
    return status if status in ("billing", "complete") else None


@pytest.mark.patch("0050-batch-spend-survives-a-killed-poller.patch")
@pytest.mark.slow_allowed(seconds=150, why="starts a proxy, kills it, starts it again")
def test_a_poller_killed_as_it_claims_a_batch_loses_none_of_its_spend(
    proxy, services, tmp_path, say, monkeypatch
) -> None:
    """The proxy is killed (SIGKILL, as a replica is) the moment its poller claims a
    finished batch; started again, it records the batch, once. Unpatched 1.80.10: the
    claim marks the batch recorded while its spend waits in memory for the next write
    cycle, so a kill in between loses the batch's spend for good."""
    if release(proxy) == "1.108.7":
        pytest.skip(
            "1.108.7: a kill at its claim (batch_processed) lost the batch's spend in 1 of 3 runs, "
            "kept it in 2; not a demonstration yet"
        )
    database = services.database_for("litellm_spend_killed")
    monkeypatch.setenv("LITELLM_MASTER_KEY", f"sk-{uuid.uuid4().hex}")
    monkeypatch.setenv("LITELLM_SALT_KEY", f"salt-{uuid.uuid4().hex}")
    monkeypatch.setenv("BATCH_COST_BILLING_LEASE_SECONDS", "5")  # a claim older than this was abandoned
    stack = spend_stack(proxy.build, tmp_path, database, services.mock_url, say)
    with stack:
        user, client = new_user(stack, "spender")
        model = MODELS["gpt"]
        batch = run_batch(client, model, say, prompts=["one", "two"])[2]
        deadline = time.monotonic() + RECORDED_WITHIN
        while (claim := claimed(stack, batch.id)) is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert stack.proxy is not None
        os.killpg(stack.proxy.process.pid, signal.SIGKILL)
        say(f"spend: proxy killed as its poller claimed the batch ({claim})")
        stack.stop()
        stack.start()  # the same state dir, database and mock
        wait_for_records(stack, [user], say)
        time.sleep(2 * POLL_EVERY + WRITTEN_WITHIN)  # every poller has had a whole turn since, and written
        rows = poller_records(stack, user)
        cost = expected_cost(stack, sdk(stack, client.api_key), batch, model)[0]  # its port is new
    assert [spend for spend, _, _ in rows] == [pytest.approx(cost, rel=1e-9)]
