"""The API error type and constructors for the error bodies the real services send."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answered to the client as `{"error": {...}}` with an HTTP status."""

    def __init__(self, status: int, error: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(error.get("message"))
        self.status = status
        self.error = error
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": self.error}


def openai_error(
    status: int,
    message: str,
    *,
    type: str = "invalid_request_error",
    param: str | None = None,
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> ApiError:
    return ApiError(status, {"message": message, "type": type, "param": param, "code": code}, headers)


def azure_error(status: int, code: str, message: str) -> ApiError:
    """Azure's own gateway errors carry only `code` and `message`."""
    return ApiError(status, {"code": code, "message": message})


def missing_parameter(name: str) -> ApiError:
    return openai_error(400, f"Missing required parameter: '{name}'.", param=name, code="missing_required_parameter")


def invalid_value(name: str, message: str) -> ApiError:
    return openai_error(400, message, param=name, code="invalid_value")


def not_found(kind: str, object_id: str, param: str) -> ApiError:
    return openai_error(404, f"No such {kind}: '{object_id}'.", param=param)


def invalid_json_body() -> ApiError:
    return openai_error(
        400,
        "We could not parse the JSON body of your request. The body must be a valid JSON object.",
    )


AZURE_ACCESS_DENIED = (
    "Access denied due to invalid subscription key or wrong API endpoint. "
    "Make sure to provide a valid key for an active subscription and use a correct regional API endpoint "
    "for your resource."
)


def azure_unauthorized() -> ApiError:
    return azure_error(401, "401", AZURE_ACCESS_DENIED)


def openai_unauthorized(key: str | None) -> ApiError:
    if not key:
        message = (
            "You didn't provide an API key. You need to provide your API key in an Authorization header "
            "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
        )
    else:
        message = f"Incorrect API key provided: {mask_key(key)}."
    return openai_error(401, message, code="invalid_api_key")


def mask_key(key: str) -> str:
    # Like OpenAI: enough of the key to recognise it, never the whole secret.
    if len(key) <= 8:
        return "*" * len(key)
    return key[:3] + "*" * (len(key) - 7) + key[-4:]
