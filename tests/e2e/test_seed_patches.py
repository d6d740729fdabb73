"""One regression test per patch: passes on the patched build, strict xfail on the unpatched one."""

from __future__ import annotations

import openai
import pytest

from .flows import MODELS, NEEDS_0021, batch_lines, provider_route, release, run_batch, upload_batch_input

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


@pytest.mark.patch(
    "0003-list-batches-target-model-names.patch",
    contract={"1.108.7": "the target_model_names filter answers 400 on purpose"},
)
@models
def test_list_provider_batches_by_target_model_names(proxy, client: openai.OpenAI, model: str, say) -> None:
    """Unpatched: 500 "alist_batches() got multiple values for keyword argument 'model'".

    The provider route (/{provider}/v1/batches) is the one that still lists the provider's
    own batches once 0011 answers plain /batches from the managed batches table.
    LiteLLM 1.108.7 refuses the filter on purpose while managed files are on (it would
    list the provider's raw batches of every user): 400 naming the filter (on the provider
    route, `provider`), the contract kept there; list the caller's batches with plain
    batches.list().
    """
    run_batch(client, model, say)
    on_provider = provider_route(client, model)
    if release(proxy) == "1.108.7":
        with pytest.raises(openai.BadRequestError) as refused:
            on_provider.batches.list(extra_query={"target_model_names": model})
        assert refused.value.body["param"] in ("target_model_names", "provider")  # the route's filter
        return
    listed = on_provider.batches.list(extra_query={"target_model_names": model})
    assert listed.data and all(batch.object == "batch" for batch in listed.data)


@pytest.mark.patch("0004-managed-file-retrieve-asks-provider.patch")
@models
def test_batch_output_file_metadata_is_retrievable(client: openai.OpenAI, model: str, say) -> None:
    _, _, batch = run_batch(client, model, say)
    output = client.files.retrieve(batch.output_file_id)
    assert output is not None, "the proxy answered null for the output file's metadata"
    assert (output.id, output.purpose) == (batch.output_file_id, "batch_output")
    assert output.bytes == len(client.files.content(batch.output_file_id).content)
