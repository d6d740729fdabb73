"""The mock's chat completion logic, shared by the chat endpoint and batch execution.

Replies are deterministic: "Mock reply to: <last user message>". Tokens are counted as
words and punctuation marks, so usage numbers are real, stable and easy to predict.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from . import ids
from .errors import azure_error, invalid_value, missing_parameter, openai_error
from .model_catalog import ModelCatalog
from .surfaces import ApiStyle

ROLES = ("system", "assistant", "user", "function", "tool", "developer")
REPLY_PREFIX = "Mock reply to: "
QUOTED_PROMPT_CHARS = 200
MAX_CHOICES = 128
SYSTEM_FINGERPRINT = "fp_mock"
# Per-message overhead, like the chat format's role/separator tokens.
TOKENS_PER_MESSAGE = 3
TOKENS_REPLY_PRIMING = 3

_TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class ChatRequest:
    model: str
    messages: list[dict[str, Any]]
    max_tokens: int | None
    choices: int
    stream: bool
    include_usage: bool


@dataclass(frozen=True)
class Reply:
    text: str
    finish_reason: str


def count_tokens(text: str) -> int:
    return len(_TOKEN.findall(text))


def resolve_model(catalog: ModelCatalog, style: ApiStyle, body: dict[str, Any], deployment: str | None) -> str:
    """The model a request runs on: the Azure deployment in the path, else the body's `model`."""
    name = deployment if deployment is not None else body.get("model")
    if name is None:
        raise missing_parameter("model")
    if not isinstance(name, str):
        raise invalid_value("model", "Invalid type for 'model': expected a string.")
    if name not in catalog:
        if style is ApiStyle.AZURE:
            raise azure_error(
                404,
                "DeploymentNotFound",
                "The API deployment for this resource does not exist. If you created the deployment "
                "within the last 5 minutes, please wait a moment and try again.",
            )
        raise openai_error(
            404,
            f"The model `{name}` does not exist or you do not have access to it.",
            code="model_not_found",
        )
    return name


def parse_chat_request(body: Any, model: str, catalog: ModelCatalog) -> ChatRequest:
    """Validate a chat body the way the real endpoint does; raise its 400 errors."""
    if not isinstance(body, dict):
        raise openai_error(400, "The request body must be a JSON object.")
    messages = _check_messages(body.get("messages"))
    max_tokens = _check_max_tokens(body, catalog.completion_token_limit(model))
    choices = body.get("n", 1)
    if choices is None:
        choices = 1
    if not _is_int(choices) or not 1 <= choices <= MAX_CHOICES:
        raise invalid_value("n", f"Invalid value for 'n': expected an integer between 1 and {MAX_CHOICES}.")
    stream = body.get("stream") is True
    options = body.get("stream_options") or {}
    if options and not stream:
        raise invalid_value(
            "stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled."
        )
    include_usage = isinstance(options, dict) and options.get("include_usage") is True
    return ChatRequest(model, messages, max_tokens, choices, stream, include_usage)


def complete(request: ChatRequest) -> dict[str, Any]:
    """A whole `chat.completion` object."""
    reply = make_reply(request)
    choice: dict[str, Any] = {
        "message": {"role": "assistant", "content": reply.text, "refusal": None, "annotations": []},
        "logprobs": None,
        "finish_reason": reply.finish_reason,
    }
    return {
        "id": ids.chat_completion_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.model,
        "choices": [{"index": index, **choice} for index in range(request.choices)],
        "usage": usage(request, reply),
        "service_tier": "default",
        "system_fingerprint": SYSTEM_FINGERPRINT,
    }


def stream_chunks(request: ChatRequest) -> Iterator[dict[str, Any]]:
    """`chat.completion.chunk` objects: role, one chunk per token, finish, optional usage."""
    reply = make_reply(request)
    completion_id = ids.chat_completion_id()
    created = int(time.time())
    extra = {"usage": None} if request.include_usage else {}

    def chunk(choices: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": request.model,
            "service_tier": "default",
            "system_fingerprint": SYSTEM_FINGERPRINT,
            "choices": choices,
            **extra,
        }

    def each_choice(delta: dict[str, Any], finish_reason: str | None = None) -> list[dict[str, Any]]:
        return [
            {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            for index in range(request.choices)
        ]

    yield chunk(each_choice({"role": "assistant", "content": "", "refusal": None}))
    for piece in _stream_pieces(reply.text):
        yield chunk(each_choice({"content": piece}))
    yield chunk(each_choice({}, reply.finish_reason))
    if request.include_usage:
        yield {**chunk([]), "usage": usage(request, reply)}


def make_reply(request: ChatRequest) -> Reply:
    text = REPLY_PREFIX + _truncate(_last_user_text(request.messages), QUOTED_PROMPT_CHARS)
    limit = request.max_tokens
    tokens = list(_TOKEN.finditer(text))
    if limit is not None and len(tokens) > limit:
        return Reply(text[: tokens[limit - 1].end()], "length")
    return Reply(text, "stop")


def usage(request: ChatRequest, reply: Reply) -> dict[str, Any]:
    prompt = TOKENS_REPLY_PRIMING + sum(
        TOKENS_PER_MESSAGE + count_tokens(_message_text(message)) for message in request.messages
    )
    completion = count_tokens(reply.text) * request.choices
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def _check_messages(messages: Any) -> list[dict[str, Any]]:
    if messages is None:
        raise missing_parameter("messages")
    if not isinstance(messages, list):
        raise invalid_value("messages", "Invalid type for 'messages': expected an array of objects.")
    if not messages:
        raise invalid_value("messages", "Invalid 'messages': empty array. Expected an array with minimum length 1.")
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        if not isinstance(message, dict):
            raise invalid_value(where, f"Invalid type for '{where}': expected an object.")
        role = message.get("role")
        if role is None:
            raise missing_parameter(f"{where}.role")
        if role not in ROLES:
            supported = ", ".join(f"'{name}'" for name in ROLES)
            raise invalid_value(f"{where}.role", f"Invalid value: '{role}'. Supported values are: {supported}.")
        content = message.get("content")
        if content is None and role not in ("assistant", "function"):
            raise missing_parameter(f"{where}.content")
        if content is not None and not isinstance(content, (str, list)):
            raise invalid_value(f"{where}.content", f"Invalid type for '{where}.content': expected a string or array.")
    return messages


def _check_max_tokens(body: dict[str, Any], limit: int) -> int | None:
    chosen = None
    for name in ("max_tokens", "max_completion_tokens"):
        value = body.get(name)
        if value is None:
            continue
        if not _is_int(value) or value < 1:
            raise invalid_value(name, f"Invalid '{name}': integer below minimum value. Expected a value >= 1.")
        if value > limit:
            raise invalid_value(
                name,
                f"{name} is too large: {value}. This model supports at most {limit} completion tokens, "
                f"whereas you provided {value}.",
            )
        chosen = value if chosen is None else min(chosen, value)
    return chosen


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _last_user_text(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return _message_text(message)
    return ""


def _message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            part["text"] for part in content if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


def _truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _stream_pieces(text: str) -> Iterator[str]:
    # Split before each whitespace run so the pieces concatenate back to the exact text.
    start = 0
    for match in re.finditer(r"\s+", text):
        if match.start() > start:
            yield text[start : match.start()]
            start = match.start()
    if start < len(text):
        yield text[start:]
