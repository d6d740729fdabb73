"""Load and scale-out: concurrent flows from two users over both models, and two proxy
instances on one database, as operators run them behind a load balancer."""

from __future__ import annotations

import itertools
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from litellm_batch_fixes.stack import Stack

from ..flows import MODELS, batch_lines, create_batch, sdk, upload_batch_input, wait_for_batch

FLOWS = 50
WORKERS = 10
UNIQUE_VIOLATIONS = ("Unique constraint", "P2002", "duplicate key value")


def count_rows(database_url: str, table: str, column: str, ids: list[str]) -> dict[str, int]:
    with psycopg.connect(database_url) as conn:
        found = conn.execute(
            f'SELECT {column}, count(*) FROM "{table}" WHERE {column} = ANY(%s) GROUP BY {column}', (ids,)
        ).fetchall()
    return {**dict.fromkeys(ids, 0), **dict(found)}


def test_concurrent_flows_all_succeed_and_each_row_is_written_once(proxy, user_client, say) -> None:
    clients = [user_client("load-a"), user_client("load-b")]
    plan = list(itertools.islice(itertools.cycle(itertools.product(clients, MODELS.values())), FLOWS))

    def flow(client_and_model):
        client, model = client_and_model
        uploaded = upload_batch_input(client, model, batch_lines(model, ["one", "two"]))
        created = create_batch(client, uploaded.id)
        assert client.batches.retrieve(created.id).id == created.id
        return uploaded.id, created.id

    started = time.monotonic()
    with ThreadPoolExecutor(WORKERS) as pool:
        done = list(pool.map(flow, plan))
    say(f"load: {FLOWS} flows, {WORKERS} at a time, in {time.monotonic() - started:.1f}s")
    files, batches = [f for f, _ in done], [b for _, b in done]
    assert len(set(files)) == len(set(batches)) == FLOWS
    assert set(count_rows(proxy.database_url, "LiteLLM_ManagedFileTable", "unified_file_id", files).values()) == {1}
    assert set(count_rows(proxy.database_url, "LiteLLM_ManagedObjectTable", "unified_object_id", batches).values()) == {
        1
    }
    log = proxy.proxy.log_path.read_text(errors="replace")
    assert [v for v in UNIQUE_VIOLATIONS if v in log] == []


@pytest.fixture
def second_instance(proxy, services, tmp_path, monkeypatch, say):
    """Another proxy process on the first one's database, mock and keys."""
    monkeypatch.setenv("LITELLM_MASTER_KEY", proxy.master_key)
    monkeypatch.setenv("LITELLM_SALT_KEY", (proxy.state_dir / "salt-key").read_text().strip())
    with Stack(
        state_dir=tmp_path,
        config=proxy.config,
        build=proxy.build,
        port=0,
        database_url=proxy.database_url,
        mock_url=services.mock_url,
        log=lambda m: say(f"second instance: {m}"),
    ) as stack:
        yield stack


@pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
def test_two_instances_on_one_database_serve_each_others_files_and_batches(
    proxy, second_instance, user_client, model, say
) -> None:
    first = user_client("scale-out")
    second = sdk(second_instance, first.api_key)
    uploaded = upload_batch_input(first, model, batch_lines(model, ["one", "two"]))
    created = create_batch(second, uploaded.id)
    finished = wait_for_batch(first, created.id, say)
    assert finished.status == "completed"
    assert len(second.files.content(finished.output_file_id).text.splitlines()) == 2
    assert [b.id for b in second.batches.list(limit=1)] == [created.id]
    assert first.files.retrieve(finished.output_file_id).id == second.files.retrieve(finished.output_file_id).id
