"""The seeds' known limitations and what the suite found beyond them, each with its patch."""

from __future__ import annotations

import json

import openai
import psycopg
import pytest

from .flows import MODELS, run_batch

models = pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
REFUSED = (openai.PermissionDeniedError, openai.NotFoundError)


@pytest.mark.patch("0006-managed-batch-error-file.patch")
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


@pytest.mark.patch("0007-managed-batch-file-ids-stable.patch")
@models
def test_retrieving_a_batch_again_keeps_its_file_ids_and_rows(client: openai.OpenAI, proxy, model: str, say) -> None:
    _, created, batch = run_batch(client, model, say, bad_max_tokens_at=1)
    again = [client.batches.retrieve(created.id) for _ in range(3)]
    assert {(b.output_file_id, b.error_file_id) for b in again} == {(batch.output_file_id, batch.error_file_id)}
    output_bytes = client.files.content(batch.output_file_id).content
    assert output_bytes, "the stable id must still name the output file"
    with psycopg.connect(proxy.database_url) as conn:
        rows = conn.execute('SELECT flat_model_file_ids FROM "LiteLLM_ManagedFileTable" '
                            "WHERE unified_file_id IN (%s, %s)",
                            (batch.output_file_id, batch.error_file_id)).fetchall()
        provider_ids = [ids[0] for (ids,) in rows]
        counts = [conn.execute('SELECT count(*) FROM "LiteLLM_ManagedFileTable" '
                               "WHERE %s = ANY(flat_model_file_ids)", (pid,)).fetchone()[0]
                  for pid in provider_ids]
    assert len(provider_ids) == 2 and counts == [1, 1], "each provider file must be recorded once"


@pytest.mark.patch("0008-azure-batch-create-endpoint.patch")
def test_azure_batch_create_answers_the_requested_endpoint(client: openai.OpenAI, say) -> None:
    _, created, batch = run_batch(client, MODELS["azure"], say)
    assert created.endpoint == "/v1/chat/completions"
    assert batch.endpoint == "/v1/chat/completions"


@pytest.mark.patch("0009-managed-file-access-retrieve-delete.patch")
@models
def test_another_user_can_neither_retrieve_nor_delete_files(user_client, model: str, say) -> None:
    alice, bob = user_client("alice"), user_client("bob")
    uploaded, _, batch = run_batch(alice, model, say, bad_max_tokens_at=1)
    files = (uploaded.id, batch.output_file_id, batch.error_file_id)
    for file_id in files:
        with pytest.raises(REFUSED):
            bob.files.retrieve(file_id)
        with pytest.raises(REFUSED):
            bob.files.delete(file_id)
    assert [alice.files.retrieve(file_id).id for file_id in files] == list(files)


@models
def test_another_user_can_neither_read_nor_see_batches_and_files(user_client, model: str, say) -> None:
    alice, bob = user_client("alice"), user_client("bob")
    uploaded, created, batch = run_batch(alice, model, say, bad_max_tokens_at=1)
    for file_id in (uploaded.id, batch.output_file_id, batch.error_file_id):
        with pytest.raises(REFUSED) as refused:
            bob.files.content(file_id)
        assert refused.value.body["message"]
    with pytest.raises(REFUSED):
        bob.batches.retrieve(created.id)
    listed = bob.files.list(extra_query={"target_model_names": model})
    assert not {f.id for f in listed.data} & {uploaded.id, batch.output_file_id, batch.error_file_id}
