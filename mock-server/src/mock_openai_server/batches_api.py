"""HTTP routes for /batches, mounted under every API prefix."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from .json_body import read_json
from .pagination import cursor_page
from .surfaces import ApiStyle, request_style

router = APIRouter()


@router.post("/batches")
async def create_batch(request: Request) -> dict:
    mock = request.app.state.mock
    style = request_style(request)
    batch = mock.batches.create(await read_json(request), style)
    # Azure answers the create call with an empty `endpoint`; retrieve and list show the real one.
    quirk = style is ApiStyle.AZURE and mock.settings.azure_empty_create_endpoint
    return batch.to_api(endpoint="" if quirk else None)


@router.get("/batches")
async def list_batches(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    after: str | None = None,
) -> dict:
    batches = request.app.state.mock.batches.newest_first()
    return cursor_page(batches, limit=limit, after=after, render=lambda batch: batch.to_api())


@router.get("/batches/{batch_id}")
async def retrieve_batch(request: Request, batch_id: str) -> dict:
    return request.app.state.mock.batches.require(batch_id).to_api()


@router.post("/batches/{batch_id}/cancel")
async def cancel_batch(request: Request, batch_id: str) -> dict:
    return request.app.state.mock.batches.cancel(batch_id).to_api()
