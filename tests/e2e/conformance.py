"""What the OpenAI API answers, as JSON Schemas, and a check of every answer the suite's SDK
clients receive from a patched proxy.

The schemas are written from OpenAI's API reference (the File, FileDeleted and Batch
objects, the list pages and the error body): field names, types, which are required and
which may be null. `additionalProperties: false` holds the proxy to "nothing undeclared
added". A difference Azure OpenAI documents is allowed only through AZURE_DIFFERENCES.
"""

from __future__ import annotations

import re

import httpx
from jsonschema import Draft202012Validator


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def strict(required: list[str], **properties: dict) -> dict:
    return {"type": "object", "required": required, "properties": properties, "additionalProperties": False}


STRING, INTEGER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
# Never Python's None written out: a string field that has no value is null.
TEXT = {"type": "string", "not": {"const": "None"}}
TIMESTAMP = nullable(INTEGER)

FILE = strict(
    ["id", "object", "bytes", "created_at", "filename", "purpose", "status"],
    id=STRING,
    object={"const": "file"},
    bytes=INTEGER,
    created_at=INTEGER,
    expires_at=TIMESTAMP,
    filename=STRING,
    purpose={
        "enum": [
            "assistants",
            "assistants_output",
            "batch",
            "batch_output",
            "fine-tune",
            "fine-tune-results",
            "vision",
            "user_data",
            "evals",  # an upload purpose in OpenAI's API description, answered as given
        ]
    },
    status={"enum": ["uploaded", "processed", "error"]},  # deprecated, still answered
    status_details=nullable(STRING),
)
FILE_DELETED = strict(["id", "object", "deleted"], id=STRING, object={"const": "file"}, deleted=BOOLEAN)

BATCH_USAGE = strict(
    ["input_tokens", "input_tokens_details", "output_tokens", "output_tokens_details", "total_tokens"],
    input_tokens=INTEGER,
    input_tokens_details=strict(["cached_tokens"], cached_tokens=INTEGER),
    output_tokens=INTEGER,
    output_tokens_details=strict(["reasoning_tokens"], reasoning_tokens=INTEGER),
    total_tokens=INTEGER,
)
BATCH_ERRORS = strict(
    [],
    object=STRING,
    data={
        "type": "array",
        "items": strict([], code=STRING, message=STRING, param=nullable(STRING), line=nullable(INTEGER)),
    },
)
BATCH = strict(
    ["id", "object", "endpoint", "input_file_id", "completion_window", "status", "created_at"],
    id=STRING,
    object={"const": "batch"},
    endpoint={
        "enum": ["/v1/responses", "/v1/chat/completions", "/v1/embeddings", "/v1/completions", "/v1/moderations"]
    },
    model=nullable(STRING),
    errors=nullable(BATCH_ERRORS),
    input_file_id=STRING,
    completion_window=STRING,
    status={
        "enum": ["validating", "failed", "in_progress", "finalizing", "completed", "expired", "cancelling", "cancelled"]
    },
    output_file_id=nullable(STRING),
    error_file_id=nullable(STRING),
    created_at=INTEGER,
    in_progress_at=TIMESTAMP,
    expires_at=TIMESTAMP,
    finalizing_at=TIMESTAMP,
    completed_at=TIMESTAMP,
    failed_at=TIMESTAMP,
    expired_at=TIMESTAMP,
    cancelling_at=TIMESTAMP,
    cancelled_at=TIMESTAMP,
    request_counts=nullable(strict(["total", "completed", "failed"], total=INTEGER, completed=INTEGER, failed=INTEGER)),
    usage=nullable(BATCH_USAGE),
    metadata=nullable({"type": "object", "additionalProperties": STRING}),
)


def page_of(item: dict) -> dict:
    """A cursor page: `first_id` / `last_id` are ids of `data` (checked in `check`)."""
    return strict(
        ["object", "data", "has_more"],
        object={"const": "list"},
        data={"type": "array", "items": item},
        first_id=nullable(STRING),
        last_id=nullable(STRING),
        has_more=BOOLEAN,
    )


ERROR = strict(
    ["error"],
    error=strict(
        ["message", "type", "param", "code"], message=STRING, type=TEXT, param=nullable(TEXT), code=nullable(TEXT)
    ),
)

# Azure OpenAI's documented differences, by the schema they widen. None is needed today: the
# proxy answers Azure's batches in OpenAI's shape (0007 restores `endpoint`). An entry would
# read e.g. (BATCH, "endpoint", {"enum": ["/chat/completions"]}): Azure names the endpoint
# without /v1 in its create answer (Azure OpenAI batch reference).
AZURE_DIFFERENCES: list[tuple[dict, str, dict]] = []
for schema, field, allowed in AZURE_DIFFERENCES:
    schema["properties"][field] = {"anyOf": [schema["properties"][field], allowed]}

# (method, path pattern) -> schema of a 2xx answer. An id is anything but a slash.
ROUTES = [
    ("POST", r"/v1/files", FILE),
    ("GET", r"/v1/files", page_of(FILE)),
    ("GET", r"/v1/files/[^/]+", FILE),
    ("DELETE", r"/v1/files/[^/]+", FILE_DELETED),
    ("POST", r"/v1/batches", BATCH),
    ("GET", r"/v1/batches", page_of(BATCH)),
    ("GET", r"/v1/batches/[^/]+", BATCH),
    ("POST", r"/v1/batches/[^/]+/cancel", BATCH),
]
# The proxy serves each route with and without /v1, also after a provider (/azure/v1/files).
PREFIX = r"(?:/(?:openai|azure))?(?:/v1)?"
VALIDATORS = [
    (method, re.compile(PREFIX + pattern.removeprefix("/v1") + "/?"), Draft202012Validator(schema))
    for method, pattern, schema in ROUTES
]
ERROR_VALIDATOR = Draft202012Validator(ERROR)
# The database's and its driver's words (Prisma's query engine, PostgreSQL and its SQLSTATEs
# for bad text), which no answer may carry.
DATABASE_TEXT = re.compile(
    r"ConnectorError|PostgresError|query execution|query engine|prisma|invalid byte sequence|PGSQL|22021|22P05",
    re.IGNORECASE,
)


def unsafe(status: int, text: str) -> list[str]:
    """What no answer may be, whatever the request: a 5xx, or one with the database's words."""
    found = [f"{status} {text[:200]}"] if status >= 500 else []
    if DATABASE_TEXT.search(text):
        found.append(f"the database's text reached the client: {text[:200]}")
    return found


def problems(method: str, path: str, status: int, body: object) -> list[str]:
    """Where an answer differs from OpenAI's: [] when it conforms or is not covered."""
    if status >= 400:
        validator = ERROR_VALIDATOR
    else:
        found = [v for m, pattern, v in VALIDATORS if m == method and pattern.fullmatch(path)]
        if not found:
            return []  # file content, chat completions...: not what these schemas describe
        validator = found[0]
    found_problems = [
        f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}" for e in validator.iter_errors(body)
    ]
    if not found_problems and isinstance(body, dict) and body.get("object") == "list" and body.get("data"):
        ids = [item.get("id") for item in body["data"]]
        if (body.get("first_id"), body.get("last_id")) != (ids[0], ids[-1]):
            found_problems.append(
                f"first_id/last_id {body.get('first_id')!r}/{body.get('last_id')!r} "
                "are not the ids of the page's first and last object"
            )
    return found_problems


class NonConformingAnswer(AssertionError):
    pass


def check(response: httpx.Response) -> None:
    """httpx response hook: raise on an answer that is not what the OpenAI API answers."""
    if "application/json" not in response.headers.get("content-type", ""):
        if response.status_code >= 400:
            response.read()
            raise NonConformingAnswer(
                f"{response.request.method} {response.request.url.path}: "
                f"{response.status_code} without a JSON error body: {response.text[:200]}"
            )
        return
    response.read()
    found = problems(response.request.method, response.request.url.path, response.status_code, response.json())
    if found:
        raise NonConformingAnswer(
            f"{response.request.method} {response.request.url.path} answered "
            f"{response.status_code}, unlike the OpenAI API: " + "; ".join(found[:5])
        )
