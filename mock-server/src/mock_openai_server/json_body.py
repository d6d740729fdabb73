"""Reading JSON request bodies with OpenAI's error for unparseable ones."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from .errors import invalid_json_body


async def read_json(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:  # includes UnicodeDecodeError
        raise invalid_json_body() from None
