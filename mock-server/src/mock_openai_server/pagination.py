"""OpenAI's cursor pages: `data`, `first_id`, `last_id`, `has_more`, continued with `after`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

Record = TypeVar("Record")


def cursor_page(
    records: Sequence[Record],
    *,
    limit: int,
    after: str | None,
    render: Callable[[Record], dict[str, Any]],
) -> dict[str, Any]:
    """One page of already ordered records (each with an `id`).

    An unknown `after` cursor yields an empty page rather than restarting from the top.
    """
    start = 0
    if after is not None:
        ids = [record.id for record in records]  # type: ignore[attr-defined]
        start = ids.index(after) + 1 if after in ids else len(records)
    page = [render(record) for record in records[start : start + limit]]
    return {
        "object": "list",
        "data": page,
        "first_id": page[0]["id"] if page else None,
        "last_id": page[-1]["id"] if page else None,
        "has_more": start + limit < len(records),
    }
