"""Listing many managed batches: pages in order, on an index (0030). The rows are written
in bulk (litellm_batch_fixes.bench.seed, which `./dev bench` uses too); how long a listing
takes is the benchmark's business, not a test's. A file the provider no longer has never
fails a files listing (0045)."""

from __future__ import annotations

import base64

import httpx
import psycopg
import pytest

from litellm_batch_fixes.bench.seed import seed_batches
from litellm_batch_fixes.mock import OPENAI_KEY

from ..flows import MODELS, deployment, new_user, provider_file_id, release, run_batch

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


@pytest.mark.patch(
    "0051-list-managed-batches-by-target-model.patch", needs={"1.80.10": ["0011-list-managed-batches.patch"]}
)
def test_a_model_s_batches_page_through_among_the_others(proxy) -> None:
    """Unpatched 1.108.7: 400 "Filtering by 'target_model_names' is not supported when using
    managed batches". (1.80.10 without 0011 lists the provider's batches, not the caller's.)"""
    user_id, client = new_user(proxy, "pager")
    seeded = seed_batches(proxy.database_url, user_id, SEEDED, list(MODEL_IDS.values()))
    gpt = MODEL_IDS[MODELS["gpt"]]
    wanted = [batch_id for batch_id in seeded if f"model_id:{gpt};" in _decoded(batch_id)]
    ids, more = walk(
        lambda **kw: client.batches.list(extra_query={"target_model_names": MODELS["gpt"]}, **kw), limit=50
    )
    assert (ids, more) == (wanted, [True, True, False])


@pytest.mark.patch("0052-batch-list-limit-from-1.patch", needs={"1.80.10": ["0011-list-managed-batches.patch"]})
def test_batches_list_takes_a_limit_from_1_to_100(proxy) -> None:
    """Unpatched 1.108.7: limit=0 answers 200 with an empty page; OpenAI's API takes 1 to 100."""
    _, client = new_user(proxy, "limit")
    for limit in (0, 1, 100, 101):
        answer = httpx.get(
            f"{proxy.url}/v1/batches", params={"limit": limit}, headers={"Authorization": f"Bearer {client.api_key}"}
        )
        expected = (200, None) if 1 <= limit <= 100 else (400, "limit")
        assert (answer.status_code, answer.json().get("error", {}).get("param")) == expected, (limit, answer.text)


@pytest.mark.patch("0045-files-list-skips-files-the-provider-lost.patch")
@pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
def test_a_file_the_provider_lost_never_fails_the_files_listing(proxy, user_client, model: str, say) -> None:
    """1.80.10 without the patch: once the provider no longer has one of the caller's batch
    output or error files (deleted or expired there), every files.list of theirs answers
    404 "No such file: 'file-...'" naming that file's provider id. (1.108.7 lists the
    files from their records, the lost one among them.)"""
    client = user_client("lister")
    uploaded, _, batch = run_batch(client, model, say, prompts=["one", "bad"], bad_max_tokens_at=1)
    lost = batch.error_file_id
    gone = httpx.delete(
        f"{proxy.mock_url}/v1/files/{provider_file_id(lost)}",
        headers={"Authorization": f"Bearer {OPENAI_KEY}"},
        timeout=30,
    )
    assert gone.status_code == 200, gone.text

    listings: dict[str, dict] = {"no filter": {}, "purpose=batch_output": {"purpose": "batch_output"}}
    listings |= {name: {"extra_query": {"target_model_names": name}} for name in MODELS.values()}
    newest_first = [batch.output_file_id, uploaded.id]

    def kept(ids: list[str]) -> list[str]:  # left out, or listed as recorded (1.108.7)
        return [file_id for file_id in ids if file_id != lost]

    listed = {label: kept([f.id for f in client.files.list(**query).data]) for label, query in listings.items()}
    paged = {
        label: kept(walk_files(lambda query=query, **kw: client.files.list(**query, **kw), limit=1))
        for label, query in listings.items()
    }
    for answers in (listed, paged):
        assert (answers["no filter"], answers["purpose=batch_output"]) == (newest_first, newest_first[:1])
        # (how a model filters is 0027's business: 1.108.7 without it lists every file of the caller's)
        assert set(newest_first) <= set(answers[model])


def walk_files(list_page, limit: int) -> list[str]:
    """Every file id a files listing pages through, following its cursor."""
    ids, after = [], None
    while True:
        page = list_page(limit=limit, **({"after": after} if after else {}))
        ids += [f.id for f in page.data]
        if not page.has_more:
            return ids
        after = page.last_id


def _decoded(managed_id: str) -> str:
    return base64.urlsafe_b64decode(managed_id + "=" * (-len(managed_id) % 4)).decode()
