"""HTTP routes for /files, mounted under every API prefix."""

from __future__ import annotations

import os
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from .errors import invalid_value, missing_parameter, openai_error
from .pagination import cursor_page
from .surfaces import ApiStyle, request_style

PURPOSES = ("batch", "batch_output", "fine-tune", "assistants", "user_data", "evals", "vision")
MAX_LIST_LIMIT = 10_000
CONTENT_CHUNK_BYTES = 1 << 20
# Allowed `expires_after[seconds]`: Azure accepts 14 to 30 days, OpenAI 1 hour to 30 days.
EXPIRY_RANGE = {ApiStyle.AZURE: (1_209_600, 2_592_000), ApiStyle.OPENAI: (3_600, 2_592_000)}

router = APIRouter()


@router.post("/files")
async def create_file(request: Request) -> dict:
    try:
        async with request.form() as form:
            return await _save_upload(request, form)
    except StarletteHTTPException as exc:  # raised by Starlette for malformed multipart bodies
        raise openai_error(400, str(exc.detail)) from None


async def _save_upload(request: Request, form: FormData) -> dict:
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise missing_parameter("file")
    purpose = form.get("purpose")
    if not purpose:
        raise missing_parameter("purpose")
    if purpose not in PURPOSES:
        allowed = ", ".join(f"'{name}'" for name in PURPOSES)
        raise invalid_value("purpose", f"Invalid value for 'purpose': '{purpose}'. Supported values are: {allowed}.")
    expires_after = _expires_after_seconds(form, request_style(request))
    store = request.app.state.mock.files
    scratch = await run_in_threadpool(store.spool_upload, upload.file)
    return store.adopt(scratch, upload.filename or "file", purpose, expires_after).to_api()


@router.get("/files")
async def list_files(
    request: Request,
    purpose: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIST_LIMIT)] = MAX_LIST_LIMIT,
    after: str | None = None,
    order: Literal["asc", "desc"] = "desc",
) -> dict:
    records = request.app.state.mock.files.newest_first(purpose)
    if order == "asc":
        records.reverse()
    return cursor_page(records, limit=limit, after=after, render=lambda record: record.to_api())


@router.get("/files/{file_id}")
async def retrieve_file(request: Request, file_id: str) -> dict:
    return request.app.state.mock.files.require(file_id).to_api()


@router.delete("/files/{file_id}")
async def delete_file(request: Request, file_id: str) -> dict:
    request.app.state.mock.files.delete(file_id)
    return {"id": file_id, "object": "file", "deleted": True}


@router.get("/files/{file_id}/content")
async def file_content(request: Request, file_id: str) -> StreamingResponse:
    record = request.app.state.mock.files.require(file_id)
    # Opened now, streamed from the open file in chunks (never loaded whole): a delete
    # racing the download unlinks the path, not the content being sent (OpenAI serves a
    # download it started).
    handle = record.path.open("rb")
    return StreamingResponse(
        iter(lambda: handle.read(CONTENT_CHUNK_BYTES), b""),
        media_type="application/octet-stream",
        headers={"Content-Length": str(os.fstat(handle.fileno()).st_size)},
        background=BackgroundTask(handle.close),
    )


def _expires_after_seconds(form: FormData, style: ApiStyle) -> int | None:
    anchor = form.get("expires_after[anchor]")
    seconds = form.get("expires_after[seconds]")
    if anchor is None and seconds is None:
        return None
    if anchor != "created_at":
        raise invalid_value(
            "expires_after[anchor]", "Invalid value for 'expires_after[anchor]': expected 'created_at'."
        )
    low, high = EXPIRY_RANGE[style]
    try:
        value = int(str(seconds))
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise invalid_value(
            "expires_after[seconds]",
            f"Invalid value for 'expires_after[seconds]': expected an integer between {low} and {high}.",
        )
    return value
