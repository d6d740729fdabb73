"""Listing many managed batches: pages in order, on an index (0030). The rows are written
in bulk (litellm_batch_fixes.bench.seed, which `./dev bench` uses too); how long a listing
takes is the benchmark's business, not a test's."""

from __future__ import annotations

import base64

import psycopg
import pytest

from litellm_batch_fixes.bench.seed import seed_batches

from .flows import MODELS, deployment, new_user, release

MODEL_IDS = {name: deployment(name)["model_info"]["id"] for name in MODELS.values()}
# Over KEYSET_CHUNK (100) rows per model, so a filtered page reads on in chunks.
SEEDED = 230


def walk(list_page, limit: int) -> tuple[list[str], list[bool]]:
    """Every id the listing pages through, and each page's has_more."""
    ids, more, after = [], [], None
    while True:
        page = list_page(limit=limit, **({"after": after} if after else {}))
        ids += [batch.id for batch in page.data]
        more.append(page.has_more)
        if not page.has_more:
            return ids, more
        after = page.data[-1].id


def index_columns(database_url: str, table: str) -> list[str]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", (table,)).fetchall()
    return [row[0].split("(", 1)[1].rstrip(")").replace('"', "") for row in rows]


@pytest.mark.patch("0030-managed-lists-keyset-paging.patch")
def test_files_and_batches_lists_page_on_an_index_of_the_callers_rows(proxy) -> None:
    """Unpatched: no index covers a caller's rows in creation order, and 0011/0027 read
    every row of the caller's for each page (10 ms with 20 batches, ~1 s with 10,000)."""
    if release(proxy) != "1.80.10":
        pytest.skip("newer lines page with their own index ((team_id, created_at) in 1.108.7)")
    assert (
        "created_by, created_at, unified_file_id" in index_columns(proxy.database_url, "LiteLLM_ManagedFileTable"),
        "created_by, created_at, id" in index_columns(proxy.database_url, "LiteLLM_ManagedObjectTable"),
    ) == (True, True)


def test_many_batches_page_through_newest_first_each_once(proxy) -> None:
    user_id, client = new_user(proxy, "pager")
    seeded = seed_batches(proxy.database_url, user_id, SEEDED, list(MODEL_IDS.values()))
    ids, more = walk(client.batches.list, limit=100)
    assert (ids, more) == (seeded, [True, True, False])
    assert client.batches.list(limit=5, after=seeded[9]).data[0].id == seeded[10]


def test_a_model_s_batches_page_through_among_the_others(proxy) -> None:
    if release(proxy) != "1.80.10":
        pytest.skip("1.108.7 refuses target_model_names on managed batches (on purpose)")
    user_id, client = new_user(proxy, "pager")
    seeded = seed_batches(proxy.database_url, user_id, SEEDED, list(MODEL_IDS.values()))
    gpt = MODEL_IDS[MODELS["gpt"]]
    wanted = [batch_id for batch_id in seeded if f"model_id:{gpt};" in _decoded(batch_id)]
    ids, more = walk(
        lambda **kw: client.batches.list(extra_query={"target_model_names": MODELS["gpt"]}, **kw), limit=50
    )
    assert (ids, more) == (wanted, [True, True, False])


def _decoded(managed_id: str) -> str:
    return base64.urlsafe_b64decode(managed_id + "=" * (-len(managed_id) % 4)).decode()
