"""Batch records and their lifecycle.

Each batch is driven by its own asyncio task, one step (MOCK_BATCH_STEP_SECONDS) per
state: validating -> in_progress -> finalizing -> completed. The task writes the state,
so a read always sees the current one and nothing depends on clients polling.
Blocking work (reading and running the input file) happens in worker threads.
With a state directory, every change is saved and a restarted mock resumes each batch
from the state it had, as a real provider's batches outlive its processes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import ids
from .batch_input import check_batch_input
from .batch_runner import RunResult, run_batch
from .errors import invalid_value, missing_parameter, not_found, openai_error
from .files import FileStore, OnChange, discard
from .model_catalog import ModelCatalog
from .surfaces import ApiStyle

log = logging.getLogger(__name__)

CHAT_ENDPOINT = "/v1/chat/completions"
# Azure names the same endpoint with or without the /v1 prefix, in `endpoint` and in line URLs.
AZURE_CHAT_ENDPOINTS = frozenset({"/chat/completions", CHAT_ENDPOINT})
COMPLETION_WINDOW = "24h"
COMPLETION_WINDOW_SECONDS = 24 * 3600
ACTIVE_STATUSES = ("validating", "in_progress", "finalizing")
METADATA_MAX_PAIRS, METADATA_MAX_KEY, METADATA_MAX_VALUE = 16, 64, 512


@dataclass
class BatchRecord:
    id: str
    endpoint: str
    input_file_id: str
    completion_window: str
    metadata: dict[str, str] | None
    created_at: int
    status: str = "validating"
    model: str | None = None
    errors: list[dict[str, Any]] | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    in_progress_at: int | None = None
    finalizing_at: int | None = None
    completed_at: int | None = None
    failed_at: int | None = None
    expired_at: int | None = None
    cancelling_at: int | None = None
    cancelled_at: int | None = None
    request_counts: dict[str, int] = field(default_factory=lambda: {"total": 0, "completed": 0, "failed": 0})
    usage: dict[str, Any] | None = None
    # Not part of the API: the line URLs the endpoint accepts, the private copy of the input
    # and the results waiting to be attached.
    accepted_urls: list[str] = field(default_factory=list)
    input_snapshot: Path | None = None
    result: RunResult | None = None

    def to_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["input_snapshot"] = str(self.input_snapshot) if self.input_snapshot else None
        if self.result is not None:
            row["result"] = {
                key: str(value) if isinstance(value, Path) else value for key, value in asdict(self.result).items()
            }
        return row

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> BatchRecord:
        result = row["result"]
        if result is not None:
            paths = {key: Path(result[key]) if result[key] else None for key in ("output_path", "error_path")}
            result = RunResult(**(result | paths))
        snapshot = Path(row["input_snapshot"]) if row["input_snapshot"] else None
        return cls(**(row | {"result": result, "input_snapshot": snapshot}))

    def to_api(self, endpoint: str | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "batch",
            "endpoint": self.endpoint if endpoint is None else endpoint,
            "model": self.model,
            "errors": {"object": "list", "data": self.errors} if self.errors is not None else None,
            "input_file_id": self.input_file_id,
            "completion_window": self.completion_window,
            "status": self.status,
            "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id,
            "created_at": self.created_at,
            "in_progress_at": self.in_progress_at,
            "expires_at": self.created_at + COMPLETION_WINDOW_SECONDS,
            "finalizing_at": self.finalizing_at,
            "completed_at": self.completed_at,
            "failed_at": self.failed_at,
            "expired_at": self.expired_at,
            "cancelling_at": self.cancelling_at,
            "cancelled_at": self.cancelled_at,
            "request_counts": dict(self.request_counts),
            "usage": self.usage,
            "metadata": self.metadata,
        }


class BatchService:
    def __init__(
        self,
        files: FileStore,
        catalog: ModelCatalog,
        step_seconds: float,
        on_change: OnChange = lambda record_id, row: None,
    ):
        self._files = files
        self._catalog = catalog
        self.step_seconds = step_seconds  # changeable at run time through the admin API
        self._batches: dict[str, BatchRecord] = {}  # insertion order = creation order
        self._tasks: set[asyncio.Task[None]] = set()
        self._changed = on_change

    def resume(self, rows: list[dict[str, Any]]) -> None:
        """Take the batches saved as to_row() made them back and carry on with those still running."""
        for row in rows:
            batch = BatchRecord.from_row(row)
            self._batches[batch.id] = batch
            if batch.status in ACTIVE_STATUSES:
                self._spawn(self._run(batch))
            elif batch.status == "cancelling":
                self._spawn(self._finish_cancel(batch))

    def create(self, body: Any, style: ApiStyle) -> BatchRecord:
        if not isinstance(body, dict):
            raise openai_error(400, "The request body must be a JSON object.")
        for name in ("input_file_id", "endpoint", "completion_window"):
            if body.get(name) is None:
                raise missing_parameter(name)
            if not isinstance(body[name], str):
                raise invalid_value(name, f"Invalid type for '{name}': expected a string.")
        accepted_urls = sorted(_accepted_line_urls(body["endpoint"], style))
        if body["completion_window"] != COMPLETION_WINDOW:
            raise invalid_value(
                "completion_window",
                f"Invalid value: '{body['completion_window']}'. Supported values are: '{COMPLETION_WINDOW}'.",
            )
        metadata = _checked_metadata(body.get("metadata"))
        input_file = self._files.get(body["input_file_id"])
        if input_file is None:
            # OpenAI answers a missing input file with 400, not 404.
            raise openai_error(400, f"No file found with id '{body['input_file_id']}'.", param="input_file_id")
        if input_file.purpose != "batch":
            raise openai_error(
                400,
                f"Invalid file purpose: the input file must have purpose 'batch', not '{input_file.purpose}'.",
                param="input_file_id",
            )
        batch = BatchRecord(
            id=ids.batch_id(),
            endpoint=body["endpoint"],
            input_file_id=input_file.id,
            completion_window=COMPLETION_WINDOW,
            metadata=metadata,
            created_at=int(time.time()),
            accepted_urls=accepted_urls,
            input_snapshot=self._files.snapshot(input_file),
        )
        self._batches[batch.id] = batch
        self._save(batch)
        self._spawn(self._run(batch))
        return batch

    def require(self, batch_id: str) -> BatchRecord:
        batch = self._batches.get(batch_id)
        if batch is None:
            raise not_found("batch", batch_id, "batch_id")
        return batch

    def newest_first(self) -> list[BatchRecord]:
        return list(reversed(self._batches.values()))

    def cancel(self, batch_id: str) -> BatchRecord:
        batch = self.require(batch_id)
        if batch.status == "cancelling":
            return batch  # already on its way; cancelling twice is harmless
        if batch.status not in ACTIVE_STATUSES:
            raise openai_error(400, f"Cannot cancel a batch with status '{batch.status}'.", param="batch_id")
        batch.status, batch.cancelling_at = "cancelling", _now()
        self._save(batch)
        self._spawn(self._finish_cancel(batch))
        return batch

    async def stop(self) -> None:
        """Stop every batch task where it is; the records stay (and are saved as they are)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def reset(self) -> None:
        await self.stop()
        for batch_id in self._batches:
            self._changed(batch_id, None)
        self._batches.clear()

    async def _run(self, batch: BatchRecord) -> None:
        try:
            await self._advance(batch)
        except asyncio.CancelledError:
            raise  # stopped with the mock: the input stays for a restart to resume from
        except Exception as exc:  # a bug here must fail the batch, not leave it stuck
            log.exception("batch %s crashed", batch.id)
            if batch.status in ACTIVE_STATUSES:
                self._fail(batch, [{"code": "server_error", "message": str(exc), "param": None, "line": None}])
        discard(batch.input_snapshot)

    async def _advance(self, batch: BatchRecord) -> None:
        """One step per state, from the state the batch is in (a resumed one may be past some)."""
        snapshot = batch.input_snapshot
        assert snapshot is not None, "a running batch has its input's snapshot"
        if batch.status == "validating":
            await self._sleep_step()
            if batch.status != "validating":
                return
            check = await asyncio.to_thread(self._check_input, snapshot, frozenset(batch.accepted_urls))
            if batch.status != "validating":
                return
            if check.errors:
                self._fail(batch, check.errors)
                return
            batch.model = check.model
            batch.request_counts["total"] = check.total
            self._move(batch, "in_progress")

        if batch.status == "in_progress":
            await self._sleep_step()
            if batch.status != "in_progress":
                return
            result = await asyncio.to_thread(
                run_batch, snapshot, catalog=self._catalog, new_path=self._files.scratch_path
            )
            if batch.status != "in_progress":
                self._keep_for_cancel(batch, result)
                return
            self._record_counts(batch, result)
            self._move(batch, "finalizing")

        if batch.status == "finalizing":
            await self._sleep_step()
            if batch.status != "finalizing":
                return
            self._attach_files(batch)
            self._move(batch, "completed")

    async def _finish_cancel(self, batch: BatchRecord) -> None:
        await self._sleep_step()
        self._attach_files(batch)  # requests finished before the cancel keep their results
        self._move(batch, "cancelled")

    def _move(self, batch: BatchRecord, status: str) -> None:
        """Set the status and its `<status>_at` time, and save."""
        batch.status = status
        setattr(batch, f"{status}_at", _now())
        self._save(batch)

    def _save(self, batch: BatchRecord) -> None:
        self._changed(batch.id, batch.to_row())

    def _check_input(self, path: Path, accepted_urls: frozenset[str]):
        with open(path, "rb") as lines:
            return check_batch_input(lines, accepted_urls=accepted_urls, catalog=self._catalog)

    def _keep_for_cancel(self, batch: BatchRecord, result: RunResult) -> None:
        if batch.status == "cancelling":
            self._record_counts(batch, result)
            self._save(batch)  # so a restart before the cancel ends still attaches them
        else:  # cancelled already: nobody will attach these
            discard(result.output_path)
            discard(result.error_path)

    def _record_counts(self, batch: BatchRecord, result: RunResult) -> None:
        batch.result = result
        batch.request_counts.update(completed=result.completed, failed=result.failed)
        batch.usage = result.usage()

    def _attach_files(self, batch: BatchRecord) -> None:
        result, batch.result = batch.result, None
        if result is None:
            return
        if result.output_path is not None:
            batch.output_file_id = self._files.adopt(result.output_path, f"{batch.id}_output.jsonl", "batch_output").id
        if result.error_path is not None:
            batch.error_file_id = self._files.adopt(result.error_path, f"{batch.id}_error.jsonl", "batch_output").id

    def _fail(self, batch: BatchRecord, errors: list[dict[str, Any]]) -> None:
        batch.errors = errors
        self._move(batch, "failed")

    async def _sleep_step(self) -> None:
        await asyncio.sleep(self.step_seconds)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)  # keep a reference, or the task may be garbage collected
        task.add_done_callback(self._tasks.discard)


def _accepted_line_urls(endpoint: Any, style: ApiStyle) -> frozenset[str]:
    supported = AZURE_CHAT_ENDPOINTS if style is ApiStyle.AZURE else frozenset({CHAT_ENDPOINT})
    if endpoint not in supported:
        allowed = ", ".join(f"'{url}'" for url in sorted(supported))
        raise invalid_value("endpoint", f"Invalid value: '{endpoint}'. Supported values are: {allowed}.")
    return supported


def _checked_metadata(metadata: Any) -> dict[str, str] | None:
    if metadata is None:
        return None
    valid = (
        isinstance(metadata, dict)
        and len(metadata) <= METADATA_MAX_PAIRS
        and all(
            isinstance(key, str)
            and isinstance(value, str)
            and len(key) <= METADATA_MAX_KEY
            and len(value) <= METADATA_MAX_VALUE
            for key, value in metadata.items()
        )
    )
    if not valid:
        raise invalid_value(
            "metadata",
            f"Invalid 'metadata': expected at most {METADATA_MAX_PAIRS} string pairs, keys up to "
            f"{METADATA_MAX_KEY} and values up to {METADATA_MAX_VALUE} characters.",
        )
    return dict(metadata)


def _now() -> int:
    return int(time.time())
