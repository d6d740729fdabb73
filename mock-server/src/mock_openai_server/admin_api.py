"""Test-control routes under /__mock__/, kept apart from every API path.

All but /health require the header `X-Mock-Admin: true`, so an API client can never
reach them by accident.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from .errors import openai_error
from .json_body import read_json

ADMIN_HEADER = "x-mock-admin"


def require_admin_header(request: Request) -> None:
    if request.headers.get(ADMIN_HEADER, "").lower() != "true":
        raise openai_error(403, "Admin routes need the header 'X-Mock-Admin: true'.", code="admin_header_required")


router = APIRouter(prefix="/__mock__")
guarded = APIRouter(prefix="/__mock__", dependencies=[Depends(require_admin_header)])


@router.get("/health")
async def health() -> dict:
    return {"status": "ok"}


@guarded.post("/faults", status_code=201)
async def add_fault(request: Request) -> dict:
    return request.app.state.mock.faults.add(await read_json(request)).to_api()


@guarded.get("/faults")
async def list_faults(request: Request) -> dict:
    return {"object": "list", "data": [fault.to_api() for fault in request.app.state.mock.faults.active()]}


@guarded.delete("/faults")
async def clear_faults(request: Request) -> dict:
    request.app.state.mock.faults.clear()
    return {"cleared": True}


@guarded.post("/reset")
async def reset(request: Request) -> dict:
    await request.app.state.mock.reset()
    return {"reset": True}
