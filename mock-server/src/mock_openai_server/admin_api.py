"""Test-control routes under /__mock__/, kept apart from every API path.

All but /health require the header `X-Mock-Admin: true`, so an API client can never
reach them by accident.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from .errors import invalid_value, openai_error
from .json_body import read_json

ADMIN_HEADER = "x-mock-admin"
MAX_STEP_SECONDS = 3600


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


@guarded.post("/faults/{fault_id}/release")
async def release_fault(request: Request, fault_id: str) -> dict:
    """Let a body held by a hold_after_bytes fault go on. `held` in the answer: "released"
    if it was holding, or still sending the bytes before the hold (it then never holds:
    either way its body had not all been sent), "timed out" if its hold_seconds had passed
    first, "no" if no request had met it."""
    fault = request.app.state.mock.faults.release(fault_id)
    if fault is None:
        raise openai_error(404, f"No hold fault {fault_id!r} to release.", code="fault_not_found")
    return fault.to_api()


@guarded.get("/faults")
async def list_faults(request: Request) -> dict:
    return {"object": "list", "data": [fault.to_api() for fault in request.app.state.mock.faults.active()]}


@guarded.delete("/faults")
async def clear_faults(request: Request) -> dict:
    request.app.state.mock.faults.clear()
    return {"cleared": True}


@guarded.post("/settings")
async def change_settings(request: Request) -> dict:
    """Run-time knobs, restored to the environment's values by /reset."""
    body = await read_json(request)
    step = body.get("batch_step_seconds") if isinstance(body, dict) else None
    if isinstance(step, bool) or not isinstance(step, (int, float)) or not 0 <= step <= MAX_STEP_SECONDS:
        raise invalid_value(
            "batch_step_seconds", f"'batch_step_seconds' must be a number from 0 to {MAX_STEP_SECONDS}."
        )
    request.app.state.mock.batches.step_seconds = float(step)
    return {"batch_step_seconds": float(step)}


@guarded.post("/reset")
async def reset(request: Request) -> dict:
    await request.app.state.mock.reset()
    return {"reset": True}


@guarded.get("/connections")
async def connections(request: Request) -> dict:
    """How many connections API requests came on (since start or the last DELETE)."""
    return request.app.state.connections.to_api()


@guarded.delete("/connections")
async def clear_connections(request: Request) -> dict:
    request.app.state.connections.clear()
    return {"cleared": True}
