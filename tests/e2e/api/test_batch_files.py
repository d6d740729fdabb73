"""A batch's files through the proxy: the output and error files retrievable, readable and
deletable under ids that stay the same, a deleted file that stays deleted, an unknown id's
404, and an input file that many finished batches used, deleted."""

from __future__ import annotations

import base64
import json

import openai
import psycopg
import pytest
from openai.types import Batch

from ..conformance import problems
from ..flows import (
    MODELS,
    NEEDS_0021,
    batch_lines,
    create_batch,
    provider_file_id,
    release,
    run_batch,
    upload_batch_input,
    wait_for_batch,
)

models = pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())


@pytest.mark.patch("0001-managed-file-object-optional.patch", needs=NEEDS_0021)
@models
def test_batch_output_file_can_be_deleted(client: openai.OpenAI, model: str, say) -> None:
    """Unpatched: 500 '1 validation error for LiteLLM_ManagedFileTable file_object'."""
    _, _, batch = run_batch(client, model, say)
    deleted = client.files.delete(batch.output_file_id)
    assert (deleted.id, deleted.deleted) == (batch.output_file_id, True)


@pytest.mark.patch("0002-managed-file-delete-returns-confirmation.patch")
@models
def test_delete_answers_file_deleted_with_the_unified_id(client: openai.OpenAI, model: str) -> None:
    uploaded = upload_batch_input(client, model, batch_lines(model, ["Say hello"]))
    deleted = client.files.delete(uploaded.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (uploaded.id, "file", True)


@pytest.mark.patch("0004-managed-file-retrieve-asks-provider.patch")
@models
def test_batch_output_file_metadata_is_retrievable(client: openai.OpenAI, model: str, say) -> None:
    _, _, batch = run_batch(client, model, say)
    output = client.files.retrieve(batch.output_file_id)
    assert output is not None, "the proxy answered null for the output file's metadata"
    assert (output.id, output.purpose) == (batch.output_file_id, "batch_output")
    assert output.bytes == len(client.files.content(batch.output_file_id).content)


@pytest.mark.patch("0005-managed-batch-error-file.patch", needs=NEEDS_0021)
@models
def test_error_file_is_retrievable_readable_and_deletable(client: openai.OpenAI, model: str, say) -> None:
    _, _, batch = run_batch(client, model, say, bad_max_tokens_at=1)
    assert (batch.request_counts.completed, batch.request_counts.failed) == (1, 1)
    error_file = client.files.retrieve(batch.error_file_id)
    assert (error_file.id, error_file.purpose) == (batch.error_file_id, "batch_output")
    [line] = [json.loads(row) for row in client.files.content(batch.error_file_id).text.splitlines()]
    assert line["custom_id"] == "request-1"
    assert line["response"]["status_code"] == 400
    assert line["response"]["body"]["error"]["type"] == "invalid_request_error"
    deleted = client.files.delete(batch.error_file_id)
    assert (deleted.id, deleted.deleted) == (batch.error_file_id, True)
    with pytest.raises(openai.NotFoundError):
        client.files.retrieve(batch.error_file_id)


@pytest.mark.patch("0006-managed-batch-file-ids-stable.patch")
@models
def test_retrieving_a_batch_again_keeps_its_file_ids_and_rows(client: openai.OpenAI, proxy, model: str, say) -> None:
    _, created, batch = run_batch(client, model, say, bad_max_tokens_at=1)
    again = [client.batches.retrieve(created.id) for _ in range(3)]
    assert {(b.output_file_id, b.error_file_id) for b in again} == {(batch.output_file_id, batch.error_file_id)}
    output_bytes = client.files.content(batch.output_file_id).content
    assert output_bytes, "the stable id must still name the output file"
    with psycopg.connect(proxy.database_url) as conn:
        rows = conn.execute(
            'SELECT flat_model_file_ids FROM "LiteLLM_ManagedFileTable" WHERE unified_file_id IN (%s, %s)',
            (batch.output_file_id, batch.error_file_id),
        ).fetchall()
        provider_ids = [ids[0] for (ids,) in rows]
        counts = [
            conn.execute(
                'SELECT count(*) FROM "LiteLLM_ManagedFileTable" WHERE %s = ANY(flat_model_file_ids)', (pid,)
            ).fetchone()[0]
            for pid in provider_ids
        ]
    assert len(provider_ids) == 2 and counts == [1, 1], "each provider file must be recorded once"


def as_the_poller_records(proxy, batch_id: str) -> None:
    """Mark a finished batch billed, as 1.108.7's cost poller (hourly) does: before it, that
    line without 0021 refuses to delete the batch's files."""
    if release(proxy) == "1.108.7":
        with psycopg.connect(proxy.database_url) as conn:
            conn.execute(
                'UPDATE "LiteLLM_ManagedObjectTable" SET batch_processed = true WHERE unified_object_id = %s',
                (batch_id,),
            )


@pytest.mark.patch("0044-deleted-batch-file-stays-deleted.patch")
@models
def test_a_deleted_output_or_error_file_stays_deleted_when_the_batch_is_retrieved(
    proxy, user_client, model: str, say
) -> None:
    """1.80.10 without the patch: the next retrieve of the batch records both deleted files
    again; each then answers 404 "No such file: 'file-...'" naming the provider's id, and
    without 0045 as well every files.list of the user answers that 404 (18 of 24 listings
    over both models; unpatched, deleting the files already fails: 0001, 0005)."""
    client = user_client("deleter")
    uploaded, created, batch = run_batch(client, model, say, prompts=["one", "bad"], bad_max_tokens_at=1)
    deleted_files = (batch.output_file_id, batch.error_file_id)
    as_the_poller_records(proxy, created.id)
    for file_id in deleted_files:
        deleted = client.files.delete(file_id)
        assert (deleted.id, deleted.deleted) == (file_id, True)

    again = [client.get(f"{prefix}/batches/{created.id}", cast_to=Batch) for prefix in ("/v1", "")]
    assert {(b.id, b.output_file_id, b.error_file_id) for b in again} == {(created.id, *deleted_files)}

    listings: dict[str, dict] = {"no filter": {}, "purpose=batch_output": {"purpose": "batch_output"}}
    listings |= {name: {"extra_query": {"target_model_names": name}} for name in MODELS.values()}
    listed = {label: [f.id for f in client.files.list(**query).data] for label, query in listings.items()}
    assert {label: [i for i in ids if i in deleted_files] for label, ids in listed.items()} == dict.fromkeys(
        listings, []
    )
    # (how a model filters is 0027's business: 1.108.7 without it lists every file of the caller's)
    assert (listed["no filter"], listed["purpose=batch_output"], uploaded.id in listed[model]) == (
        [uploaded.id],
        [],
        True,
    )

    for file_id in deleted_files:
        for verb, call in (("retrieve", client.files.retrieve), ("content", client.files.content)):
            with pytest.raises(openai.NotFoundError) as gone:
                call(file_id)
            response = gone.value.response
            assert problems(response.request.method, response.request.url.path, 404, response.json()) == []
            message = gone.value.body["message"]
            assert provider_file_id(file_id) not in message, f"{verb}: {message}"
    with psycopg.connect(proxy.database_url) as conn:
        rows = conn.execute(
            'SELECT count(*) FROM "LiteLLM_ManagedFileTable" WHERE unified_file_id = ANY(%s)', (list(deleted_files),)
        ).fetchone()[0]
    assert rows == 0, "a deleted file was recorded again"


def unknown_managed_file_id() -> str:
    """A well-formed managed file id that no row and no provider file stands behind."""
    raw = (
        "litellm_proxy:application/octet-stream;unified_id,00000000-0000-4000-8000-000000000000;"
        "target_model_names,gpt-4o-mini;llm_output_file_id,file-missing;llm_output_file_model_id,none"
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


# Not a patch test: 0008 and 0040 each make an unknown managed file answer 404, so leaving
# either one out can't show it (0008's other tests show 0008 needed).
def test_unknown_managed_file_is_404_with_an_error_body(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as error:
        client.files.retrieve(unknown_managed_file_id())
    assert "not found" in error.value.body["message"]


@pytest.mark.patch(
    "0037-file-delete-sees-every-referencing-batch.patch",
    needs={**NEEDS_0021, "1.80.10": ["0002-managed-file-delete-returns-confirmation.patch"]},
)
@models
def test_an_input_file_of_many_finished_batches_is_deleted(user_client, model: str, say) -> None:
    """Eleven batches from one input file, all finished, none recorded yet (the poller runs
    hourly). 1.108.7 without the patch (with 0021): 400 "Cannot delete file ... referenced
    by 1 batch(es) still running: ...: completed": the delete looked at the newest 10
    unrecorded batches of the whole proxy, recorded those, and then saw the eleventh. On
    1.108.7 a 200 means every one was recorded first (an unrecorded one blocks the delete)."""
    alice = user_client("alice")
    uploaded = upload_batch_input(alice, model, batch_lines(model, ["Say hello"]))
    created = [create_batch(alice, uploaded.id) for _ in range(11)]
    assert {wait_for_batch(alice, batch.id, say).status for batch in created} == {"completed"}
    deleted = alice.files.delete(uploaded.id)
    assert (deleted.id, deleted.deleted) == (uploaded.id, True)
