"""Validation of a batch input file, line by line, as done while a batch is `validating`.

Any error fails the whole batch; errors are reported with 1-based line numbers in
OpenAI's `errors.data` format.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .model_catalog import ModelCatalog

MAX_REPORTED_ERRORS = 100


@dataclass
class InputCheck:
    total: int = 0
    model: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)


def check_batch_input(lines: Iterable[bytes], *, accepted_urls: frozenset[str], catalog: ModelCatalog) -> InputCheck:
    check = InputCheck()
    seen_custom_ids: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue  # blank lines (such as a trailing newline) are not requests
        check.total += 1
        error = _line_error(raw, accepted_urls, catalog, seen_custom_ids, check)
        if error is not None:
            check.errors.append({**error, "line": number})
            if len(check.errors) >= MAX_REPORTED_ERRORS:
                break
    if check.total == 0 and not check.errors:
        check.errors.append(_error("empty_file", "The batch input file is empty.", None) | {"line": None})
    return check


def _line_error(
    raw: bytes,
    accepted_urls: frozenset[str],
    catalog: ModelCatalog,
    seen_custom_ids: set[str],
    check: InputCheck,
) -> dict[str, Any] | None:
    try:
        request = json.loads(raw)
    except ValueError:
        request = None
    if not isinstance(request, dict):
        return _error("invalid_json_line", "This line is not parseable as valid JSON.", None)

    for name in ("custom_id", "method", "url", "body"):
        if name not in request:
            return _error("missing_required_parameter", f"Missing required parameter: '{name}'.", name)
    custom_id = request["custom_id"]
    if not isinstance(custom_id, str):
        return _error("invalid_value", "The custom_id for this request must be a string.", "custom_id")
    if custom_id in seen_custom_ids:
        return _error(
            "duplicate_custom_id",
            "The custom_id for this request is a duplicate of another request. "
            "The custom_id parameter must be unique for each request in a batch.",
            "custom_id",
        )
    seen_custom_ids.add(custom_id)
    if request["method"] != "POST":
        return _error("invalid_method", "The method for this request must be POST.", "method")
    if not isinstance(request["url"], str) or request["url"] not in accepted_urls:
        return _error("invalid_url", "The URL provided for this request does not match the batch endpoint.", "url")
    body = request["body"]
    if not isinstance(body, dict):
        return _error("invalid_value", "The body for this request must be a JSON object.", "body")
    return _model_error(body.get("model"), catalog, check)


def _model_error(model: Any, catalog: ModelCatalog, check: InputCheck) -> dict[str, Any] | None:
    if model is None:
        return _error("missing_required_parameter", "Missing required parameter: 'body.model'.", "body.model")
    if model not in catalog:
        return _error(
            "model_not_found", f"The model `{model}` does not exist or you do not have access to it.", "body.model"
        )
    if check.model is None:
        check.model = model
    elif model != check.model:
        # The real services run one batch on one model / deployment.
        return _error(
            "mixed_models",
            f"All requests in a batch must use the same model; this line uses `{model}` "
            f"but earlier lines use `{check.model}`.",
            "body.model",
        )
    return None


def _error(code: str, message: str, param: str | None) -> dict[str, Any]:
    return {"code": code, "message": message, "param": param}
