"""LiteLLM-schema scenarios for prisma-client-py through prisma-bridge.

Run by test_prisma_client.py with the proxy venv's python (which has the
generated client) and DATABASE_URL set; prints one JSON object mapping each
scenario to what it observed, or to {"error": ...} if it raised.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import sys
import time
import traceback
from collections.abc import Callable

from prisma import Json, Prisma, errors

SCENARIOS: dict[str, Callable] = {}


def scenario(fn):
    SCENARIOS[fn.__name__] = fn
    return fn


async def expect_error(awaitable, error_type):
    try:
        await awaitable
    except error_type as exc:
        return type(exc).__name__
    except Exception as exc:  # noqa: BLE001 - reported to the test
        return f"unexpected {type(exc).__name__}: {exc}"
    return "no error"


@scenario
async def value_types(db: Prisma):
    reset = datetime.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.timezone.utc)
    budget = await db.litellm_budgettable.create(
        data={
            "budget_id": "vt-budget",
            "created_by": "t",
            "updated_by": "t",
            "max_budget": 10.5,
            "tpm_limit": 9007199254740993,
            "model_max_budget": Json({"gpt": {"max": 1}}),
            "budget_reset_at": reset,
        }
    )
    token = await db.litellm_verificationtoken.create(
        data={
            "token": "vt-token",
            "models": ["a", "b"],
            "metadata": json.dumps({"team": "x"}),
            "budget_id": "vt-budget",
        }
    )
    return {
        "tpm_limit": budget.tpm_limit,
        "model_max_budget": budget.model_max_budget,
        "budget_reset_at": budget.budget_reset_at.isoformat(),
        "models": token.models,
        "metadata": token.metadata,
    }


@scenario
async def reads(db: Prisma):
    await db.litellm_verificationtoken.create_many(
        data=[
            {
                "token": f"rd-{i}",
                "key_alias": f"alias-{i % 2}",
                "spend": float(i),
                "models": ["m1"] if i % 2 else ["m2", "m3"],
            }
            for i in range(4)
        ]
    )
    where = {"token": {"startswith": "rd-"}}
    page = await db.litellm_verificationtoken.find_many(where=where, order={"spend": "desc"}, take=2, skip=1)
    first = await db.litellm_verificationtoken.find_first(where={**where, "spend": {"gte": 2}}, order={"spend": "asc"})
    has = await db.litellm_verificationtoken.find_many(where={**where, "models": {"has": "m1"}}, order={"token": "asc"})
    has_some = await db.litellm_verificationtoken.find_many(
        where={**where, "models": {"hasSome": ["m3", "zz"]}}, order={"token": "asc"}
    )
    distinct = await db.litellm_verificationtoken.find_many(
        where=where, distinct=["key_alias"], order={"key_alias": "asc"}
    )
    cursor = await db.litellm_verificationtoken.find_many(
        where=where, cursor={"token": "rd-1"}, skip=1, order={"token": "asc"}
    )
    groups = await db.litellm_verificationtoken.group_by(
        ["key_alias"], where=where, sum={"spend": True}, count=True, order={"key_alias": "asc"}
    )
    return {
        "page": [t.token for t in page],
        "first": first.token if first else None,
        "has": [t.token for t in has],
        "has_some": [t.token for t in has_some],
        "distinct": [t.key_alias for t in distinct],
        "cursor": [t.token for t in cursor],
        "count": await db.litellm_verificationtoken.count(where=where),
        "groups": groups,
        "missing": await db.litellm_verificationtoken.find_unique(where={"token": "rd-none"}),
    }


@scenario
async def relations(db: Prisma):
    await db.litellm_budgettable.create(
        data={"budget_id": "rel-budget", "created_by": "t", "updated_by": "t", "max_budget": 3}
    )
    await db.litellm_verificationtoken.create(data={"token": "rel-token", "budget_id": "rel-budget"})
    token = await db.litellm_verificationtoken.find_unique(
        where={"token": "rel-token"}, include={"litellm_budget_table": True}
    )
    org = await db.litellm_organizationtable.create(
        data={
            "organization_alias": "rel-org",
            "created_by": "t",
            "updated_by": "t",
            "litellm_budget_table": {"connect": {"budget_id": "rel-budget"}},
        },
        include={"litellm_budget_table": True},
    )
    return {
        "included_budget": token.litellm_budget_table.max_budget,
        "connected_budget": org.litellm_budget_table.budget_id,
    }


@scenario
async def writes(db: Prisma):
    await db.litellm_verificationtoken.create(data={"token": "wr-1", "spend": 1.0})
    updated = await db.litellm_verificationtoken.update(
        where={"token": "wr-1"}, data={"spend": {"increment": 2.5}, "metadata": Json({"v": 2})}
    )
    upserted = await db.litellm_verificationtoken.upsert(
        where={"token": "wr-2"},
        data={"create": {"token": "wr-2", "key_alias": "new"}, "update": {"key_alias": "updated"}},
    )
    upserted_again = await db.litellm_verificationtoken.upsert(
        where={"token": "wr-2"},
        data={"create": {"token": "wr-2", "key_alias": "new"}, "update": {"key_alias": "updated"}},
    )
    return {
        "spend": updated.spend,
        "metadata": updated.metadata,
        "upsert": [upserted.key_alias, upserted_again.key_alias],
        "update_many": await db.litellm_verificationtoken.update_many(
            where={"token": {"in": ["wr-1", "wr-2"]}}, data={"blocked": True}
        ),
        "create_many_skip": await db.litellm_verificationtoken.create_many(
            data=[{"token": "wr-1"}, {"token": "wr-3"}], skip_duplicates=True
        ),
        "update_missing": await db.litellm_verificationtoken.update(where={"token": "wr-none"}, data={"spend": 1}),
        "delete": (await db.litellm_verificationtoken.delete(where={"token": "wr-3"})).token,
        "delete_missing": await db.litellm_verificationtoken.delete(where={"token": "wr-3"}),
        "delete_many": await db.litellm_verificationtoken.delete_many(where={"token": {"startswith": "wr-"}}),
    }


@scenario
async def spend_log_like_litellm(db: Prisma):
    # LiteLLM writes spend logs with create_many and json.dumps'ed Json fields.
    row = {
        "request_id": "sl-1",
        "call_type": "acompletion",
        "api_key": "hashed",
        "spend": 0.25,
        "total_tokens": 30,
        "prompt_tokens": 10,
        "completion_tokens": 20,
        "startTime": datetime.datetime.now(datetime.timezone.utc),
        "endTime": datetime.datetime.now(datetime.timezone.utc),
        "model": "fake",
        "metadata": json.dumps({"user_api_key": "hashed", "tags": ["a"]}),
        "request_tags": json.dumps(["a"]),
        "messages": json.dumps([]),
        "response": json.dumps({}),
    }
    count = await db.litellm_spendlogs.create_many(data=[row], skip_duplicates=True)
    stored = await db.litellm_spendlogs.find_unique(where={"request_id": "sl-1"})
    return {"count": count, "metadata": stored.metadata, "request_tags": stored.request_tags}


@scenario
async def raw_queries(db: Prisma):
    await db.litellm_verificationtoken.create(
        data={"token": "raw-1", "spend": 1.5, "models": ["x"], "metadata": json.dumps({"r": 1})}
    )
    rows = await db.query_raw(
        "SELECT token, spend, models, metadata, created_at, 9007199254740993::bigint AS big "
        'FROM "LiteLLM_VerificationToken" WHERE token = $1',
        "raw-1",
    )
    tables = await db.query_raw(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_name = 'LiteLLM_VerificationToken'"
    )
    changed = await db.execute_raw(
        'UPDATE "LiteLLM_VerificationToken" SET spend = spend + $1 WHERE token = $2', 1, "raw-1"
    )
    first = await db.query_first('SELECT spend FROM "LiteLLM_VerificationToken" WHERE token = $1', "raw-1")
    row = rows[0]
    return {
        "row": {**row, "created_at": type(row["created_at"]).__name__},
        "tables": tables,
        "changed": changed,
        "spend_after": first["spend"],
    }


@scenario
async def error_mapping(db: Prisma):
    await db.litellm_budgettable.create(data={"budget_id": "err-budget", "created_by": "t", "updated_by": "t"})
    return {
        "unique": await expect_error(
            db.litellm_budgettable.create(data={"budget_id": "err-budget", "created_by": "t", "updated_by": "t"}),
            errors.UniqueViolationError,
        ),
        "not_found": await expect_error(
            db.litellm_budgettable.find_unique_or_raise(where={"budget_id": "err-none"}), errors.RecordNotFoundError
        ),
        "foreign_key": await expect_error(
            db.litellm_verificationtoken.create(data={"token": "err-fk", "budget_id": "err-none"}),
            errors.ForeignKeyViolationError,
        ),
        "raw": await expect_error(db.query_raw('SELECT * FROM "NoSuchTable"'), errors.RawQueryError),
    }


@scenario
async def transactions(db: Prisma):
    async with db.tx() as tx:
        await tx.litellm_budgettable.create(data={"budget_id": "tx-commit", "created_by": "t", "updated_by": "t"})
        inside = await tx.litellm_budgettable.find_unique(where={"budget_id": "tx-commit"})
        outside = await db.litellm_budgettable.find_unique(where={"budget_id": "tx-commit"})
    try:
        async with db.tx() as tx:
            await tx.litellm_budgettable.create(data={"budget_id": "tx-rollback", "created_by": "t", "updated_by": "t"})
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    async with db.batch_() as batch:
        batch.litellm_budgettable.create(data={"budget_id": "batch-1", "created_by": "t", "updated_by": "t"})
        batch.litellm_budgettable.update(where={"budget_id": "batch-1"}, data={"max_budget": 4})
    batch_failed = await expect_error(_failing_batch(db), errors.UniqueViolationError)
    return {
        "visible_inside": inside is not None,
        "visible_outside_before_commit": outside is not None,
        "committed": await db.litellm_budgettable.find_unique(where={"budget_id": "tx-commit"}) is not None,
        "rolled_back": await db.litellm_budgettable.find_unique(where={"budget_id": "tx-rollback"}) is None,
        "batch_max_budget": (await db.litellm_budgettable.find_unique(where={"budget_id": "batch-1"})).max_budget,
        "failed_batch": batch_failed,
        "failed_batch_left_nothing": await db.litellm_budgettable.find_unique(where={"budget_id": "batch-2"}) is None,
    }


async def _failing_batch(db: Prisma):
    async with db.batch_() as batch:
        batch.litellm_budgettable.create(data={"budget_id": "batch-2", "created_by": "t", "updated_by": "t"})
        batch.litellm_budgettable.create(data={"budget_id": "batch-1", "created_by": "t", "updated_by": "t"})


@scenario
async def timing(db: Prisma):
    await db.litellm_budgettable.create(data={"budget_id": "timing", "created_by": "t", "updated_by": "t"})
    started = time.monotonic()
    for _ in range(200):
        await db.litellm_budgettable.find_unique(where={"budget_id": "timing"})
    return {"find_unique_200_s": round(time.monotonic() - started, 3)}


async def main() -> None:
    report: dict[str, object] = {}
    db = Prisma()
    started = time.monotonic()
    await db.connect()
    report["connect_s"] = round(time.monotonic() - started, 3)
    for name, fn in SCENARIOS.items():
        try:
            report[name] = await fn(db)
        except Exception as exc:  # noqa: BLE001 - reported to the test
            report[name] = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
    await db.disconnect()
    json.dump(report, sys.stdout, default=str)


if __name__ == "__main__":
    asyncio.run(main())
