"""Seed 000's end-to-end flow through the proxy with the official openai SDK, per model."""

from __future__ import annotations

import json

import openai
import pytest

from ..flows import MODELS, run_batch


@pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
def test_e2e_managed_batch(proxy, client: openai.OpenAI, model: str, say) -> None:
    say(f"[{model}] creating batch input file, batch, and waiting for completion")
    uploaded, created, batch = run_batch(client, model, say)
    assert uploaded.purpose == "batch" and uploaded.bytes > 0
    assert client.files.retrieve(uploaded.id).id == uploaded.id
    assert batch.id == created.id
    assert batch.status == "completed", batch
    assert batch.request_counts.completed == 2 and batch.request_counts.failed == 0

    say(f"[{model}] retrieving batch output file metadata")
    output = client.files.retrieve(batch.output_file_id)
    assert output.id == batch.output_file_id
    assert output.bytes > 0

    say(f"[{model}] fetching batch output file content")
    lines = [json.loads(line) for line in client.files.content(batch.output_file_id).text.splitlines()]
    assert sorted(line["custom_id"] for line in lines) == ["request-0", "request-1"]
    assert all(line["response"]["status_code"] == 200 for line in lines)

    say(f"[{model}] listing batches, of all models and of this one")
    for listed in (client.batches.list(), client.batches.list(extra_query={"target_model_names": model})):
        assert batch.id in [b.id for b in listed.data], "the batch is not listed"

    say(f"[{model}] deleting input and output files")
    for file_id in (uploaded.id, batch.output_file_id):
        deleted = client.files.delete(file_id)
        assert (deleted.id, deleted.deleted) == (file_id, True)
        with pytest.raises((openai.NotFoundError, openai.PermissionDeniedError)):
            client.files.retrieve(file_id)
