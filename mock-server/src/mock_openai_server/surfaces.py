"""The two API styles (OpenAI under /v1, Azure under /openai) and their request guards."""

from __future__ import annotations

import enum

from fastapi import Request

from .errors import azure_error, azure_unauthorized, openai_unauthorized

OPENAI_PREFIX = "/v1"
AZURE_PREFIX = "/openai"
AZURE_V1_PREFIX = "/openai/v1"


class ApiStyle(enum.Enum):
    OPENAI = "openai"
    AZURE = "azure"


def style_for_path(path: str) -> ApiStyle:
    if path == AZURE_PREFIX or path.startswith(AZURE_PREFIX + "/"):
        return ApiStyle.AZURE
    return ApiStyle.OPENAI


def request_style(request: Request) -> ApiStyle:
    return style_for_path(request.url.path)


def require_credentials(request: Request) -> None:
    """Route dependency: OpenAI takes `Authorization: Bearer`, Azure takes `api-key` or Bearer."""
    keys = request.app.state.mock.settings.api_keys
    key = _bearer_token(request.headers.get("authorization"))
    if request_style(request) is ApiStyle.AZURE:
        key = request.headers.get("api-key") or key
        if key not in keys:
            raise azure_unauthorized()
    elif key not in keys:
        raise openai_unauthorized(key)


def require_api_version(request: Request) -> None:
    """Route dependency for the classic Azure surface, where `api-version` is mandatory."""
    if not request.query_params.get("api-version"):
        raise azure_error(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )


def _bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None
