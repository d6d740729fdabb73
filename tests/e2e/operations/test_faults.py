"""Faults upstream and in the database: the caller gets a clean error, fast, and nothing
is half-written or lost.

The proxy here is a process of its own (and for the database test has its own embedded
PostgreSQL), so what the faults do to it touches no other test; faults are injected into
the suite's mock for one call at a time and cleared at once. Its config is the
project's with these test settings: a 3 s upstream timeout, no retries inside LiteLLM
(neither its router's nor the SDK's: each fault reaches the caller on the first try; with
LiteLLM's retries the caller still gets the same error, only seconds later) and no router cooldowns
(LiteLLM would otherwise answer 429 "No deployments available" for a while after a
deployment failed, which is its policy, not a fault's answer).
"""

from __future__ import annotations

import time
from pathlib import Path

import openai
import psycopg
import pytest
import yaml

from litellm_batch_fixes.paths import DEFAULT_CONFIG
from litellm_batch_fixes.postgres import EmbeddedPostgres
from litellm_batch_fixes.releases import Build
from litellm_batch_fixes.stack import Stack

from ..flows import (
    MODELS,
    PROVIDER_CALLS,
    batch_lines,
    clear_faults,
    create_batch,
    inject_fault,
    release,
    run_batch,
    sdk,
    upload_batch_input,
)

UPSTREAM_TIMEOUT = 3
ANSWER_WITHIN = 20  # seconds: no fault may make the caller wait longer
FAULTS = {
    "500": {"status": 500},
    "503": {"status": 503},
    "429": {"status": 429},
    "timeout": {"delay_seconds": UPSTREAM_TIMEOUT + 3},
}
EXPECTED = {"500": 500, "503": 503, "429": 429, "timeout": 504}


def fault_config(directory: Path) -> Path:
    config = yaml.safe_load(DEFAULT_CONFIG.read_text())
    for deployment in config["model_list"]:
        deployment["litellm_params"].update(timeout=UPSTREAM_TIMEOUT, max_retries=0)
    config["router_settings"] = {"disable_cooldowns": True, "num_retries": 0}
    path = directory / "litellm-config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def own_stack(build: Build, directory: Path, say, database_url: str | None, mock_url: str | None = None) -> Stack:
    return Stack(
        state_dir=directory,
        config=fault_config(directory),
        build=build,
        port=0,
        database_url=database_url,
        mock_url=mock_url,
        log=lambda m: say(f"faults: {m}"),
    )


def embedded_postgres(stack: Stack) -> EmbeddedPostgres:
    """The stack's own PostgreSQL (an `own_stack` with no database URL starts one)."""
    [postgres] = [service for service in stack.services if isinstance(service, EmbeddedPostgres)]
    return postgres


@pytest.fixture(scope="module")
def faulty(patched_build, services, tmp_path_factory, say):
    database = services.database_for(f"litellm_faults_{patched_build}".replace(".", "_"))
    with own_stack(patched_build, tmp_path_factory.mktemp("faults"), say, database, services.mock_url) as stack:
        yield stack


@pytest.fixture(scope="module")
def faulty_client(faulty) -> openai.OpenAI:
    return sdk(faulty)


@pytest.fixture(scope="module")
def finished_batches(faulty_client, say) -> dict:
    """Per model: (input file, created batch, completed batch), read by the cases."""
    return {model: run_batch(faulty_client, model, say, prompts=["one"]) for model in MODELS.values()}


def inject(stack: Stack, verb: str, fault: str) -> None:
    inject_fault(stack.mock_url, verb, count=20, **FAULTS[fault])


def clear(stack: Stack) -> None:
    clear_faults(stack.mock_url)


def rows(stack: Stack) -> tuple[int, int]:
    with psycopg.connect(stack.database_url) as conn:
        return tuple(
            conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in ("LiteLLM_ManagedFileTable", "LiteLLM_ManagedObjectTable")
        )


def served_from_the_database(stack: Stack, verb: str, fault: str) -> bool:
    """LiteLLM 1.108.7 answers a retrieve of a finished batch or file from its stored copy
    when the provider fails or times out: the caller sees no fault."""
    return release(stack) == "1.108.7" and verb in ("files.retrieve", "batches.retrieve")


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("verb", PROVIDER_CALLS)
@pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
def test_an_upstream_fault_gives_a_clean_error_and_writes_nothing(
    faulty, faulty_client, finished_batches, model, verb, fault
) -> None:
    client = faulty_client
    uploaded, created, finished = finished_batches[model]
    if verb == "files.delete":  # its own file: nothing else may depend on what it deletes
        uploaded = upload_batch_input(client, model, batch_lines(model, ["two"]))
    calls = {
        "files.create": lambda: upload_batch_input(client, model, batch_lines(model, ["three"])),
        "files.retrieve": lambda: client.files.retrieve(finished.output_file_id),  # asks the provider
        "files.content": lambda: client.files.content(finished.output_file_id),
        "files.delete": lambda: client.files.delete(uploaded.id),
        "batches.create": lambda: create_batch(client, uploaded.id),
        "batches.retrieve": lambda: client.batches.retrieve(created.id),
        "batches.cancel": lambda: client.batches.cancel(created.id),  # the fault answers first
    }
    before = rows(faulty)
    inject(faulty, verb, fault)
    started = time.monotonic()
    try:
        if served_from_the_database(faulty, verb, fault):
            assert calls[verb]().id
        else:
            with pytest.raises(openai.APIStatusError) as failed:
                calls[verb]()
            assert failed.value.status_code == EXPECTED[fault], failed.value.body
            assert isinstance(failed.value.body, dict) and failed.value.body.get("message")
    finally:
        clear(faulty)
    assert time.monotonic() - started < ANSWER_WITHIN
    assert rows(faulty) == before, "a failed call must leave no half-written row"
    # nothing lost: what the failed call touched is still there and still works
    assert client.files.retrieve(uploaded.id).id == uploaded.id
    assert client.batches.retrieve(created.id).output_file_id == finished.output_file_id


@pytest.mark.slow_allowed(seconds=120, why="starts a stack with its own PostgreSQL, stops and starts it")
def test_a_database_outage_fails_fast_and_the_proxy_serves_again_once_it_is_back(patched_build, state_dir, say) -> None:
    """The proxy's own embedded PostgreSQL is stopped under it and started again (through
    the Prisma bridge; native engines can't be had here)."""
    with own_stack(patched_build, state_dir, say, database_url=None) as stack:
        client = sdk(stack, timeout=30)
        model = MODELS["gpt"]
        uploaded, created, _ = run_batch(client, model, say, prompts=["one"])
        postgres = embedded_postgres(stack)
        postgres.stop()
        say("faults: PostgreSQL stopped under the proxy")
        for call in (
            lambda: client.files.retrieve(uploaded.id),
            lambda: client.batches.retrieve(created.id),
            lambda: upload_batch_input(client, model, batch_lines(model, ["during"])),
        ):
            started = time.monotonic()
            with pytest.raises(openai.APIStatusError) as failed:
                call()
            took = time.monotonic() - started
            say(f"faults: during the outage {failed.value.status_code} in {took:.1f}s")
            assert took < ANSWER_WITHIN
            assert failed.value.status_code >= 500 and isinstance(failed.value.body, dict)
        postgres.start()
        back = time.monotonic()
        while True:
            try:
                assert client.batches.retrieve(created.id).id == created.id
                break
            except (openai.APIStatusError, openai.APIConnectionError):
                assert time.monotonic() - back < 10, "not serving 10 s after PostgreSQL came back"
                time.sleep(0.2)
        say(f"faults: serving again {time.monotonic() - back:.1f}s after PostgreSQL came back")
        assert client.files.retrieve(uploaded.id).id == uploaded.id
        again = upload_batch_input(client, model, batch_lines(model, ["after"]))
        assert client.files.retrieve(again.id).id == again.id


@pytest.mark.patch(
    "0022-provider-timeout-answers-504.patch", needs={"1.80.10": ["0012-proxy-errors-keep-their-status.patch"]}
)
@pytest.mark.slow_allowed(seconds=120, why="starts a stack of its own and waits out a provider timeout")
def test_a_provider_timeout_answers_504(proxy, services, tmp_path, say) -> None:
    """Unpatched (1.108.7, and 1.80.10 without 0012): 500 "Request timed out.", which the
    SDK retries as the proxy's own failure. Files and batches map errors apart: both."""
    database = services.database_for(f"litellm_timeout_{proxy.build}".replace(".", "_"))
    with own_stack(proxy.build, tmp_path, say, database, services.mock_url) as stack:
        client = sdk(stack)
        model = MODELS["gpt"]
        uploaded = upload_batch_input(client, model, batch_lines(model, ["one"]))
        for verb, call in (
            ("files.create", lambda: upload_batch_input(client, model, batch_lines(model, ["two"]))),
            ("batches.create", lambda: create_batch(client, uploaded.id)),
        ):
            inject(stack, verb, "timeout")
            try:
                with pytest.raises(openai.APIStatusError) as failed:
                    call()
            finally:
                clear(stack)
            assert failed.value.status_code == 504, (verb, failed.value.body)
