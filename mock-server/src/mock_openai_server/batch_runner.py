"""Execution of a validated batch input file through the mock's chat logic.

Like OpenAI, a request the chat endpoint rejects is not a batch error: it goes to the
error file as `{"response": {"status_code": 400, "request_id": ..., "body": {"error": ...}}, "error": null}`,
and successes go to the output file. Each file is only created when it gets a line.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from . import ids
from .chat import complete, parse_chat_request
from .errors import ApiError
from .model_catalog import ModelCatalog


@dataclass
class RunResult:
    completed: int = 0
    failed: int = 0
    output_path: Path | None = None
    error_path: Path | None = None
    input_tokens: int = 0
    output_tokens: int = 0

    def usage(self) -> dict[str, Any]:
        return {
            "input_tokens": self.input_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": self.output_tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": self.input_tokens + self.output_tokens,
        }


class _LazyWriter:
    """Creates its file on the first line only, so empty outputs leave no file behind."""

    def __init__(self, new_path: Callable[[], Path]):
        self._new_path = new_path
        self.path: Path | None = None
        self._handle: IO[bytes] | None = None

    def write(self, line: dict[str, Any]) -> None:
        if self._handle is None:
            self.path = self._new_path()
            self._handle = open(self.path, "wb")  # noqa: SIM115 - closed by close(), in run_batch's finally
        self._handle.write(json.dumps(line, separators=(",", ":")).encode() + b"\n")

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


def run_batch(input_path: Path, *, catalog: ModelCatalog, new_path: Callable[[], Path]) -> RunResult:
    """Blocking: run in a worker thread. The input must have passed check_batch_input."""
    result = RunResult()
    outputs, errors = _LazyWriter(new_path), _LazyWriter(new_path)
    try:
        with open(input_path, "rb") as lines:
            for raw in lines:
                if raw.strip():
                    _run_line(json.loads(raw), catalog, result, outputs, errors)
    finally:
        outputs.close()
        errors.close()
    result.output_path, result.error_path = outputs.path, errors.path
    return result


def _run_line(
    request: dict[str, Any], catalog: ModelCatalog, result: RunResult, outputs: _LazyWriter, errors: _LazyWriter
) -> None:
    body = request["body"]
    try:
        completion = complete(parse_chat_request(body, body["model"], catalog))
    except ApiError as error:
        result.failed += 1
        errors.write(_result_line(request["custom_id"], error.status, error.body()))
        return
    result.completed += 1
    result.input_tokens += completion["usage"]["prompt_tokens"]
    result.output_tokens += completion["usage"]["completion_tokens"]
    outputs.write(_result_line(request["custom_id"], 200, completion))


def _result_line(custom_id: str, status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": ids.batch_request_id(),
        "custom_id": custom_id,
        "response": {"status_code": status, "request_id": ids.request_id(), "body": body},
        "error": None,
    }
