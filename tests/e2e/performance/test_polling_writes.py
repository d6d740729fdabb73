"""0033: polling a batch writes its record when the batch changed, and only then. The
record's `updated_at` (Prisma's @updatedAt, set by every write) shows whether a retrieve
wrote; its stored copy (what batches.list answers) shows that the change was written."""

from __future__ import annotations

import json

import psycopg
import pytest

from ..flows import MODELS, batch_lines, create_batch, release, upload_batch_input, wait_for_batch

models = pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())


def record(database_url: str, batch_id: str) -> tuple:
    """(updated_at, the stored copy's status) of a managed batch's record."""
    with psycopg.connect(database_url) as conn:
        [stamp, stored] = conn.execute(
            'SELECT updated_at, file_object FROM "LiteLLM_ManagedObjectTable" WHERE unified_object_id = %s',
            (batch_id,),
        ).fetchone()
    stored = json.loads(stored) if isinstance(stored, str) else stored
    return stamp, stored["status"]


@pytest.mark.patch("0033-managed-batch-retrieve-writes-only-changes.patch")
@models
def test_polling_writes_a_batch_record_when_it_changed_and_only_then(proxy, client, model, say) -> None:
    """Unpatched: the record keeps the state the batch was created in (listing shows it
    "validating" forever); with 0011 alone every retrieve rewrites it, changed or not
    (and looks its input file up again): 4 database round trips a poll where 2 serve."""
    if release(proxy) != "1.80.10":
        pytest.skip("1.108.7 rewrites the record on every poll in its own store code (not ported)")
    batch = create_batch(client, upload_batch_input(client, model, batch_lines(model, ["poll me"])).id)
    finished = wait_for_batch(client, batch.id, say)
    written = record(proxy.database_url, batch.id)
    polled = [client.batches.retrieve(batch.id) for _ in range(3)]
    assert written[1] == finished.status
    assert (record(proxy.database_url, batch.id), {b.input_file_id for b in polled}) == (
        written,
        {finished.input_file_id},
    )
