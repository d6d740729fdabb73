"""One regression test per patch: passes on the patched build, strict xfail on the unpatched one."""

from __future__ import annotations

import base64

import openai
import pytest

from .flows import MODELS, batch_lines, run_batch, upload_batch_input

models = pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())


@pytest.mark.patch("0001-managed-file-object-optional.patch")
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


@pytest.mark.patch("0003-list-batches-target-model-names.patch")
@models
def test_list_batches_by_target_model_names(client: openai.OpenAI, model: str, say) -> None:
    run_batch(client, model, say)
    listed = client.batches.list(extra_query={"target_model_names": model})
    assert listed.data and all(batch.object == "batch" for batch in listed.data)


@pytest.mark.patch("0004-managed-file-retrieve-asks-provider.patch")
@models
def test_batch_output_file_metadata_is_retrievable(client: openai.OpenAI, model: str, say) -> None:
    _, _, batch = run_batch(client, model, say)
    output = client.files.retrieve(batch.output_file_id)
    assert (output.id, output.purpose) == (batch.output_file_id, "batch_output")
    assert output.bytes == len(client.files.content(batch.output_file_id).content)


def unknown_managed_file_id() -> str:
    """A well-formed managed file id that no row and no provider file stands behind."""
    raw = ("litellm_proxy:application/octet-stream;unified_id,00000000-0000-4000-8000-000000000000;"
           "target_model_names,gpt-4o-mini;llm_output_file_id,file-missing;llm_output_file_model_id,none")
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.patch("0005-managed-file-not-found-is-404.patch")
def test_unknown_managed_file_is_404_with_an_error_body(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as error:
        client.files.retrieve(unknown_managed_file_id())
    assert "not found" in error.value.body["message"]
