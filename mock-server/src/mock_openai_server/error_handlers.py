"""Exception handlers so every error body is `{"error": {...}}`, never FastAPI's `{"detail": ...}`."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .errors import ApiError, azure_error, openai_error
from .surfaces import ApiStyle, request_style

log = logging.getLogger(__name__)


def install_error_handlers(app: FastAPI) -> None:
    # Starlette types a handler as taking any Exception; each of these gets only its own kind.
    app.add_exception_handler(ApiError, _api_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_exception)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected_error)


def error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers)


async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    return error_response(exc)


async def _http_exception(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    # Reached for unknown routes (404) and wrong methods (405).
    if request_style(request) is ApiStyle.AZURE:
        error = azure_error(exc.status_code, str(exc.status_code), "Resource not found")
    else:
        error = openai_error(exc.status_code, f"Invalid URL ({request.method} {request.url.path})")
    error.headers = dict(exc.headers or {})
    return error_response(error)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {}
    param = str(first.get("loc", ["", "request"])[-1])
    message = f"Invalid value for '{param}': {first.get('msg', 'invalid request')}."
    return error_response(openai_error(400, message, param=param, code="invalid_value"))


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(
        openai_error(500, "The server had an error while processing your request.", type="server_error")
    )
