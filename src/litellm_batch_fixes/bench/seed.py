"""Rows for the listing benchmark and tests: a caller's managed batches, written in bulk
(COPY) as the managed files hook records them, instead of through thousands of creates."""

from __future__ import annotations

import base64
import json
import time
import uuid

import psycopg

COLUMNS = (
    "id",
    "unified_object_id",
    "model_object_id",
    "file_object",
    "file_purpose",
    "status",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
)


def managed_batch_id(model_id: str, provider_batch_id: str) -> str:
    """The managed id LiteLLM gives a batch (its hook's get_unified_batch_id)."""
    raw = f"litellm_proxy;model_id:{model_id};llm_batch_id:{provider_batch_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def batch_object(batch_id: str, created_at: int) -> dict:
    """A completed Batch as the hook stores it."""
    return {
        "id": batch_id,
        "object": "batch",
        "endpoint": "/v1/chat/completions",
        "errors": None,
        "input_file_id": "file-seeded",
        "completion_window": "24h",
        "status": "completed",
        "output_file_id": None,
        "error_file_id": None,
        "created_at": created_at,
        "in_progress_at": created_at,
        "expires_at": created_at + 86400,
        "finalizing_at": created_at,
        "completed_at": created_at,
        "failed_at": None,
        "expired_at": None,
        "cancelling_at": None,
        "cancelled_at": None,
        "request_counts": {"total": 1, "completed": 1, "failed": 0},
        "metadata": None,
    }


def seed_batches(database_url: str, user_id: str, count: int, model_ids: list[str], start: int = 0) -> list[str]:
    """`count` batches of `user_id`, numbered from `start`, one second apart (a higher
    number is newer), round-robin over `model_ids`; returns their managed ids, newest first."""
    now = int(time.time())
    ids = []
    with psycopg.connect(database_url) as conn, conn.cursor() as cursor:
        columns = ", ".join(f'"{c}"' for c in COLUMNS)
        with cursor.copy(f'COPY "LiteLLM_ManagedObjectTable" ({columns}) FROM STDIN') as copy:
            for number in range(start, start + count):
                created = now - 10 * 86400 + number
                provider_id = f"batch_seed_{uuid.uuid4().hex}"
                batch_id = managed_batch_id(model_ids[number % len(model_ids)], provider_id)
                stamp = time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(created))
                copy.write_row(
                    (
                        str(uuid.uuid4()),
                        batch_id,
                        provider_id,
                        json.dumps(batch_object(batch_id, created)),
                        "batch",
                        "completed",
                        stamp,
                        user_id,
                        stamp,
                        user_id,
                    )
                )
                ids.append(batch_id)
    return ids[::-1]
