"""Database statements per operation, counted by PostgreSQL itself (pg_stat_statements),
so the figure is the same whichever Prisma engine (the bridge or a native one) sends them."""

from __future__ import annotations

import os
import statistics
from typing import TYPE_CHECKING

import psycopg

from .clients import ROUTES, proxy_client
from .latency import OPERATIONS, Side
from .report import table

if TYPE_CHECKING:
    from .sections import Bench

# The embedded PostgreSQL's settings that make the count possible.
POSTGRES_SETTINGS = {"shared_preload_libraries": "pg_stat_statements", "pg_stat_statements.track": "all"}
COUNT = (
    "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements "
    "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND query NOT ILIKE '%pg_stat_statements%'"
)


def engine() -> str:
    """Which Prisma engine the proxy talks through: the launcher keeps a native engine
    named by PRISMA_QUERY_ENGINE_BINARY (Nix), else it uses the bridge."""
    return "native" if os.environ.get("PRISMA_QUERY_ENGINE_BINARY") else "bridge"


def measure(proxy_url: str, master_key: str, database_url: str, requests: int, log) -> list[dict]:
    """The median count over `requests` runs of each operation (a background write of the
    proxy's may land in one run; the median ignores it)."""
    rows = []
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        for route in ROUTES:
            side = Side(proxy_client(proxy_url, master_key), route, through_proxy=True)
            for name in OPERATIONS:
                counts = []
                for _ in range(requests):
                    if name == "files.delete" and not side.created:
                        side.created.append(side.upload())
                    conn.execute("SELECT pg_stat_statements_reset()")
                    side.operation(name)()
                    counted = conn.execute(COUNT).fetchone()
                    counts.append(int(counted[0]) if counted else 0)
                rows.append(
                    {
                        "model": route.model,
                        "operation": name,
                        "engine": engine(),
                        "statements": statistics.median(counts),
                        "min": min(counts),
                        "max": max(counts),
                    }
                )
                log(f"  {route.model:<24} {name:<17} {rows[-1]['statements']:>4} statements")
    return rows


def bench(b: Bench) -> dict:
    on = b.running
    return {"round_trips": measure(on.url, on.master_key, on.database_url, min(b.options.requests, 9), b.log)}


def render(results: dict) -> list[str]:
    if "round_trips" not in results:
        return []
    return [
        "",
        "Database statements per operation (pg_stat_statements, median)",
        table(
            ["model", "operation", "engine", "statements", "min-max"],
            [
                [r["model"], r["operation"], r["engine"], r["statements"], f"{r['min']}-{r['max']}"]
                for r in results["round_trips"]
            ],
        ),
    ]
