"""What only the owner of a file or batch may do (retrieve, read, delete, see it listed,
cancel it): another user is refused, and the owner's cancel answers the managed id."""

from __future__ import annotations

import openai
import pytest

from ..flows import (
    MODELS,
    create_managed_batch,
    run_batch,
    wait_for_batch,
)

models = pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
REFUSED = (openai.PermissionDeniedError, openai.NotFoundError)


@pytest.mark.patch("0008-managed-file-access-retrieve-delete.patch")
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


@pytest.mark.patch("0009-batch-cancel-route-for-virtual-keys.patch")
def test_a_user_can_cancel_their_own_batch(user_client, slow_batches, say) -> None:
    alice = user_client("alice")
    created = create_managed_batch(alice, MODELS["azure"])
    cancelling = alice.batches.cancel(created.id)
    assert cancelling.status in ("cancelling", "cancelled")
    assert wait_for_batch(alice, created.id, say).status == "cancelled"


@pytest.mark.patch("0010-managed-batch-cancel-owner-only.patch")
@models
def test_only_the_owner_cancels_and_gets_the_managed_id(user_client, slow_batches, model: str, say) -> None:
    alice, bob = user_client("alice"), user_client("bob")
    created = create_managed_batch(alice, model)
    with pytest.raises(REFUSED):
        bob.batches.cancel(created.id)
    assert alice.batches.retrieve(created.id).status not in ("cancelling", "cancelled")
    assert alice.batches.cancel(created.id).id == created.id


@pytest.mark.patch(
    "0060-another-callers-batch-404-names-batch-id.patch",
    needs={"1.80.10": ["0010-managed-batch-cancel-owner-only.patch", "0013-unknown-and-foreign-ids-answer-404.patch"]},
)
@models
def test_another_users_batch_answers_404_naming_batch_id(user_client, model: str, say) -> None:
    """Retrieve and cancel alike, as for an unknown batch id. Unpatched 1.108.7: 403 without
    a param (0053 alone: 404 without a param), so the two patched lines answered differently."""
    alice, bob = user_client("alice"), user_client("bob")
    _, created, _ = run_batch(alice, model, say, prompts=["one"])
    for call in (lambda: bob.batches.retrieve(created.id), lambda: bob.batches.cancel(created.id)):
        with pytest.raises(openai.NotFoundError) as refused:
            call()
        assert refused.value.body["param"] == "batch_id", refused.value.body
