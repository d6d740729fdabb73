"""batches.list(limit=20) with more and more of the caller's batches behind the page.
The batches are written to the database in bulk (seed.py), as the hook records them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .clients import ROUTES, new_user_key, proxy_client
from .report import table
from .seed import seed_batches
from .stats import summary_ms, timed

if TYPE_CHECKING:
    from .sections import Bench

SIZES = (20, 200, 2_000, 10_000)


def measure(
    proxy_url: str, master_key: str, database_url: str, requests: int, log, sizes: tuple[int, ...] = SIZES
) -> list[dict]:
    user_id, key = new_user_key(proxy_url, master_key, "bench")
    client = proxy_client(proxy_url, key)
    rows, seeded = [], 0
    for size in sizes:
        seed_batches(database_url, user_id, size - seeded, [r.model_id for r in ROUTES], start=seeded)
        seeded = size
        page = client.batches.list(limit=20)  # warm-up, and a check that the page is the caller's
        if len(page.data) != min(20, size):
            raise RuntimeError(f"batches.list answered {len(page.data)} batches with {size} seeded")
        took = summary_ms([timed(lambda: client.batches.list(limit=20)) for _ in range(requests)])
        rows.append({"batches": size, **took})
        log(f"  {size:>6} batches: p50 {took['p50_ms']:7.1f} ms  p95 {took['p95_ms']:7.1f} ms")
    for row in rows:
        row["ratio_to_smallest"] = round(row["p50_ms"] / rows[0]["p50_ms"], 2)
    return rows


def bench(b: Bench) -> dict:
    on = b.running
    sizes = SIZES[:2] if b.options.quick else SIZES
    return {"listing": measure(on.url, on.master_key, on.database_url, b.options.requests, b.log, sizes)}


def render(results: dict) -> list[str]:
    if "listing" not in results:
        return []
    return [
        "",
        "batches.list(limit=20) by the caller's number of batches",
        table(
            ["batches", "p50 ms", "p95 ms", "x the smallest"],
            [[r["batches"], r["p50_ms"], r["p95_ms"], r["ratio_to_smallest"]] for r in results["listing"]],
        ),
    ]
