"""Upgrading a deployment from the 1.80.10 line to 1.108.7 on the same database, keys and
upstream (docs/upgrading.md): what was made before is served after, and one client script
gets the same answers from both."""

from __future__ import annotations

from collections.abc import Callable

import openai
import pytest

from litellm_batch_fixes.paths import DEFAULT_CONFIG
from litellm_batch_fixes.releases import LINES
from litellm_batch_fixes.stack import Stack

from ..conftest import BOTH_LINES
from ..flows import (
    MODELS,
    batch_lines,
    create_batch,
    new_user,
    provider_route,
    run_batch,
    sdk,
    upload_batch_input,
    wait_for_batch,
)

Answer = tuple  # (step, HTTP status, the body's shape: its fields, or the error's parameter)


def shape(call: Callable[[], object]) -> tuple[int, object]:
    """What a client sees of an answer, apart from ids, times and wording: the status, and
    the body's fields (a list's, and its items') or an error's parameter."""
    try:
        raw = call()
    except openai.APIStatusError as error:
        body = error.body if isinstance(error.body, dict) else {}
        return error.status_code, ("error", body.get("param"))
    body = raw.http_response.json()  # type: ignore[attr-defined]
    items = body.get("data") if isinstance(body.get("data"), list) else None
    return raw.http_response.status_code, (sorted(body), sorted({k for item in items or [] for k in item}))  # type: ignore[attr-defined]


def client_script(client: openai.OpenAI, other: openai.OpenAI, model: str, say) -> list[Answer]:
    """The seeds' flow (upload, batch, poll, output, list by model, delete) and a client's
    usual mistakes, as an SDK user writes them; every answer's shape, in order."""
    raw, others = client.with_raw_response, other.with_raw_response
    answers: list[Answer] = []

    def step(name: str, call: Callable[[], object]) -> None:
        answers.append((name, *shape(call)))

    uploaded = upload_batch_input(client, model, batch_lines(model, ["one", "bad"], bad_max_tokens_at=1))
    step("files.retrieve", lambda: raw.files.retrieve(uploaded.id))
    batch = create_batch(client, uploaded.id)
    done = wait_for_batch(client, batch.id, say)
    answers.append(("the batch ends", done.status, bool(done.output_file_id), bool(done.error_file_id)))
    step("batches.retrieve", lambda: raw.batches.retrieve(batch.id))
    step("files.content of the output", lambda: raw.files.content(str(done.output_file_id)))
    step("files.content of the errors", lambda: raw.files.content(str(done.error_file_id)))
    step("batches.list", lambda: raw.batches.list(limit=5))
    step("batches.list by model", lambda: raw.batches.list(limit=5, extra_query={"target_model_names": model}))
    step("files.list", lambda: raw.files.list(purpose="batch", limit=5))
    step("files.list by model", lambda: raw.files.list(extra_query={"target_model_names": model}))
    on_provider = provider_route(client, model).with_raw_response  # where an AzureOpenAI client goes
    step("batches.list on the provider route", lambda: on_provider.batches.list(limit=5))
    step(
        "batches.list by model on the provider route",
        lambda: on_provider.batches.list(limit=5, extra_query={"target_model_names": model}),
    )
    step("files.list on the provider route", lambda: on_provider.files.list(limit=5))
    step("another user's file", lambda: others.files.retrieve(uploaded.id))
    step("another user's batch", lambda: others.batches.retrieve(batch.id))
    step("another user's delete", lambda: others.files.delete(uploaded.id))
    step("a malformed file id", lambda: raw.files.retrieve("not a file id"))
    step("a malformed batch id", lambda: raw.batches.retrieve("not a batch id"))
    step("batches.list limit 0", lambda: raw.batches.list(limit=0))
    step("files.list order sideways", lambda: raw.files.list(order="sideways"))
    step("files.create purpose nope", lambda: raw.files.create(file=("x.jsonl", b"{}\n"), purpose="nope"))
    step("batches.cancel when completed", lambda: raw.batches.cancel(batch.id))
    step("files.delete of the output", lambda: raw.files.delete(str(done.output_file_id)))
    step("files.retrieve of the deleted", lambda: raw.files.retrieve(str(done.output_file_id)))
    return answers


FROM, TO = BOTH_LINES


@pytest.mark.slow_allowed(seconds=150, why="starts a 1.80.10 stack, then a 1.108.7 one on its database")
def test_files_and_batches_made_on_1_80_10_are_served_by_1_108_7(both_lines, services, tmp_path, say) -> None:
    database = services.database_for("litellm_upgrade")

    def stack(line: str) -> Stack:
        return Stack(
            state_dir=tmp_path,
            config=DEFAULT_CONFIG,
            build=LINES[line].build("patched"),
            port=0,
            database_url=database,
            mock_url=services.mock_url,
            log=lambda m: say(f"upgrade {line}: {m}"),
        )

    made = {}
    with stack(FROM) as old:
        _, client = new_user(old, "upgrader")
        key = client.api_key
        for model in MODELS.values():
            uploaded, _, done = run_batch(client, model, say, prompts=["one", "bad"], bad_max_tokens_at=1)
            output = client.files.content(done.output_file_id).text
            pending = create_batch(client, upload_batch_input(client, model, batch_lines(model, ["later"])).id)
            made[model] = (uploaded, done, output, pending)
        before = {model: client_script(*two_users(old), model, say) for model in MODELS.values()}

    with stack(TO) as new:
        client = sdk(new, key)
        for model, (uploaded, done, output, pending) in made.items():
            assert client.files.retrieve(uploaded.id).id == uploaded.id
            again = client.batches.retrieve(done.id)
            assert again.status == "completed"
            # the ids 1.80.10 handed out still read the same files
            assert client.files.content(done.output_file_id).text == output
            assert client.files.content(done.error_file_id).text
            if again.output_file_id != done.output_file_id:
                say(
                    f"{model}: {TO} names the output file {again.output_file_id[:24]}..., "
                    f"{FROM} named it {done.output_file_id[:24]}..."
                )
                assert client.files.content(again.output_file_id).text == output
            finished = wait_for_batch(client, pending.id, say)
            assert finished.status == "completed" and client.files.content(finished.output_file_id).text
            listed = [b.id for b in client.batches.list(limit=100).data]
            assert {done.id, pending.id} <= set(listed), model
        after = {model: client_script(*two_users(new), model, say) for model in MODELS.values()}

    # The same script, unchanged, got the same answers from both lines.
    differences = {
        model: [(a, b) for a, b in zip(before[model], after[model], strict=True) if a != b] for model in MODELS.values()
    }
    assert not any(differences.values()), f"{FROM} answered, then {TO}: {differences}"
    say(f"upgrade: the client script's {len(before[MODELS['gpt']])} answers per model are the same on both lines")


def two_users(stack: Stack) -> tuple[openai.OpenAI, openai.OpenAI]:
    return new_user(stack, "scripted")[1], new_user(stack, "someone-else")[1]
