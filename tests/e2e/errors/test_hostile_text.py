"""Every string a request carries × hostile text: never a 5xx, never the database's words.

The model: each CARRIER puts a text into one place a files, batches or chat request can
carry one (a path id, a query parameter's name or value, a form field, an uploaded file's
name, a JSON field, a metadata key or value, a batch line's custom_id); each HOSTILE text
is one kind of text a database, a URL or a parser may choke on. Every pair is sent once;
the route form (`/v1/...`, `/...`), the key (a virtual key, the master key) and the model
(OpenAI, Azure) alternate at their own pace, so each carrier meets every combination. The
judge is the same for all: no 5xx, an error answers OpenAI's error body, no answer shows
the database's text; text the database can't store (NUL, an unpaired surrogate) is
refused with 4xx.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import pytest

from .. import conformance
from ..flows import MODELS, batch_lines, new_user, release, sdk, upload_batch_input

# Text PostgreSQL can't store (U+0000) or UTF-8 can't encode (an unpaired surrogate).
UNSTORABLE = {"nul": "a\x00b", "nul alone": "\x00", "high surrogate": "x\ud800y", "low surrogate": "\udc00"}
HOSTILE = {
    **UNSTORABLE,
    "5,000 characters": "x" * 5000,
    "SQL": '\'; DROP TABLE "LiteLLM_ManagedFileTable"; --',
    "CR LF": "a\r\nb",
    "unicode": "ü😀\u202eé",
    "path traversal": "../../etc/passwd",
    "percent signs": "%00%ff%",
    "JSON in a string": '{"$ne": null}',
}


def in_url(text: str) -> str:
    """The text percent-encoded as UTF-8 (an unpaired surrogate as the bytes it would be)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def in_form(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def multipart(fields: dict[str, bytes], filename: bytes, content: bytes) -> dict:
    """A multipart body written out byte for byte, so the file name carries the text as
    is (httpx would write a NUL in it as %00)."""
    boundary = b"hostile-text-boundary"
    parts = [
        b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (boundary, name.encode(), value)
        for name, value in fields.items()
    ]
    parts.append(
        b'--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
        b"Content-Type: application/jsonl\r\n\r\n%s\r\n--%s--\r\n" % (boundary, filename, content, boundary)
    )
    return {
        "content": b"".join(parts),
        "headers": {"content-type": f"multipart/form-data; boundary={boundary.decode()}"},
    }


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # after the route prefix: /files, /batches/x
    options: dict


@dataclass
class Context:
    """What the carriers build on: the model and an input file the caller owns."""

    model: str
    input_file: str


# Each carrier: (name, how it puts `text` into a request). Path and query text travels
# percent-encoded; form and JSON text as UTF-8 / JSON escapes.
Carrier = Callable[[Context, str], Request]


def managed_looking_id(text: str) -> str:
    """An id shaped like LiteLLM's managed file ids whose unified id is the text."""
    plain = f"litellm_proxy:application/octet-stream;unified_id,{text};target_model_names,gpt-4o-mini"
    return base64.urlsafe_b64encode(plain.encode("utf-8", "surrogatepass")).decode().rstrip("=")


def upload(context: Context, fields: dict[str, bytes], filename: bytes = b"input.jsonl", content: bytes = b""):
    form = {"purpose": b"batch", "target_model_names": context.model.encode(), **fields}
    return Request("POST", "/files", multipart(form, filename, content or batch_lines(context.model, ["hi"])))


def create(context: Context, **fields) -> Request:
    body = {
        "input_file_id": context.input_file,
        "endpoint": "/v1/chat/completions",
        "completion_window": "24h",
        **fields,
    }
    return Request("POST", "/batches", {"content": json.dumps(body), "headers": {"content-type": "application/json"}})


def chat(context: Context, **fields) -> Request:
    body = {"model": context.model, "messages": [{"role": "user", "content": "hi"}], **fields}
    return Request(
        "POST", "/chat/completions", {"content": json.dumps(body), "headers": {"content-type": "application/json"}}
    )


def line_with_custom_id(context: Context, text: str) -> bytes:
    body = {"model": context.model, "messages": [{"role": "user", "content": "hi"}]}
    return (
        json.dumps({"custom_id": text, "method": "POST", "url": "/v1/chat/completions", "body": body}) + "\n"
    ).encode()


CARRIERS: dict[str, Carrier] = {
    "files.retrieve id": lambda c, t: Request("GET", f"/files/{in_url(t)}", {}),
    "files.content id": lambda c, t: Request("GET", f"/files/{in_url(t)}/content", {}),
    "files.delete id": lambda c, t: Request("DELETE", f"/files/{in_url(t)}", {}),
    "files.retrieve managed-looking id": lambda c, t: Request("GET", f"/files/{managed_looking_id(t)}", {}),
    "batches.retrieve id": lambda c, t: Request("GET", f"/batches/{in_url(t)}", {}),
    "batches.cancel id": lambda c, t: Request("POST", f"/batches/{in_url(t)}/cancel", {}),
    "files.list after": lambda c, t: Request("GET", f"/files?target_model_names={c.model}&after={in_url(t)}", {}),
    "files.list after, no model": lambda c, t: Request("GET", f"/files?after={in_url(t)}", {}),
    "files.list purpose": lambda c, t: Request("GET", f"/files?target_model_names={c.model}&purpose={in_url(t)}", {}),
    "files.list order": lambda c, t: Request("GET", f"/files?target_model_names={c.model}&order={in_url(t)}", {}),
    "files.list target_model_names": lambda c, t: Request("GET", f"/files?target_model_names={in_url(t)}", {}),
    "files.list a parameter's name": lambda c, t: Request(
        "GET", f"/files?target_model_names={c.model}&{in_url(t)}=1", {}
    ),
    "batches.list after": lambda c, t: Request("GET", f"/batches?after={in_url(t)}", {}),
    "batches.list limit": lambda c, t: Request("GET", f"/batches?limit={in_url(t)}", {}),
    "batches.list target_model_names": lambda c, t: Request("GET", f"/batches?target_model_names={in_url(t)}", {}),
    "upload purpose": lambda c, t: upload(c, {"purpose": in_form(t)}),
    "upload target_model_names": lambda c, t: upload(c, {"target_model_names": in_form(t)}),
    "upload a field's value": lambda c, t: upload(c, {"custom_llm_provider": in_form(t)}),
    "upload file name": lambda c, t: upload(c, {}, filename=in_form(t.replace('"', "'"))),
    "upload a batch line's custom_id": lambda c, t: upload(c, {}, content=line_with_custom_id(c, t)),
    "batches.create input_file_id": lambda c, t: create(c, input_file_id=t),
    "batches.create endpoint": lambda c, t: create(c, endpoint=t),
    "batches.create completion_window": lambda c, t: create(c, completion_window=t),
    "batches.create metadata value": lambda c, t: create(c, metadata={"note": t}),
    "batches.create metadata key": lambda c, t: create(c, metadata={t: "v"}),
    "batches.create an unknown field": lambda c, t: create(c, extra_field=t),
    "chat model": lambda c, t: chat(c, model=t),
    "chat message": lambda c, t: chat(c, messages=[{"role": "user", "content": t}]),
    "chat user": lambda c, t: chat(c, user=t),
    "chat metadata value": lambda c, t: chat(c, metadata={"tag": t}),
}
# Text that only reaches the provider, never a query: the proxy may pass it on.
NOT_STORED = {"upload a batch line's custom_id", "chat message"}
# Where a surrogate arrives as one: JSON's \ud800 escape. A URL's or a form's bytes of one
# are invalid UTF-8, which the server decodes as U+FFFD.
JSON_CARRIED = {name for name in CARRIERS if name.startswith(("batches.create", "chat"))}
PREFIXES = ("/v1", "")


def error_problems(line: str, path: str, status: int, body: object) -> list[str]:
    """Where an error answer differs from OpenAI's error body. LiteLLM 1.108.7 answers a
    chat request's error with `provider_specific_fields` beside OpenAI's four fields (the
    error's structured detail, here {"error": <its message>}): its own contract for chat,
    which its files and batches answers don't share."""
    if line == "1.108.7" and path.endswith("/chat/completions") and isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            body = {**body, "error": {k: v for k, v in error.items() if k != "provider_specific_fields"}}
    return conformance.problems("POST", path, status, body)


def judge(line: str, carrier: str, hostile: str, request: Request, prefix: str, answer: httpx.Response) -> list[str]:
    where = f"{carrier} × {hostile} ({request.method} {prefix}{request.path.split('?')[0][:60]})"
    found = [f"{where}: {problem}" for problem in conformance.unsafe(answer.status_code, answer.text)]
    if answer.status_code >= 400:
        try:
            body = answer.json()
        except ValueError:
            body = answer.text
        found += [f"{where}: {answer.status_code} {p}" for p in error_problems(line, request.path, 400, body)]
    arrives_as_is = hostile.startswith("nul") or carrier in JSON_CARRIED
    if hostile in UNSTORABLE and arrives_as_is and carrier not in NOT_STORED and answer.status_code < 400:
        found.append(f"{where}: {answer.status_code}: text the database can't store was accepted")
    return found


@pytest.mark.patch("0041-text-the-database-cannot-store-answers-400.patch")
@pytest.mark.slow_allowed(seconds=150, why="every carrier × every hostile text: about 330 requests")
def test_every_string_a_request_carries_survives_hostile_text(proxy, request, say) -> None:
    """Unpatched (1.80.10): files.list?after=%00, batches.list?after=%00, batches.create with
    a NUL in a metadata key or value, among others, answered 500 with PostgreSQL's
    `invalid byte sequence for encoding "UTF8": 0x00`."""
    _, user = new_user(proxy, "hostile")
    keys = (user.api_key, proxy.master_key)
    inputs = {  # an input file each caller owns, for each model
        (client.api_key, model): upload_batch_input(client, model, batch_lines(model, ["hi"])).id
        for client in (user, sdk(proxy))
        for model in MODELS.values()
    }
    # On a build that must fail (it lacks the patch), the first finding is enough.
    expected_to_fail = request.node.get_closest_marker("xfail") is not None
    found: list[str] = []
    sent = 0
    statuses: dict[int, int] = {}
    for index, (carrier, hostile) in enumerate(itertools.product(CARRIERS, HOSTILE)):
        # the key, the route form and the model each alternate at their own pace, so
        # every carrier meets each of them and each pairing of them
        key, prefix = keys[index % 2], PREFIXES[index // 2 % 2]
        model = list(MODELS.values())[index // 4 % 2]
        hostile_request = CARRIERS[carrier](Context(model, inputs[key, model]), HOSTILE[hostile])
        options = dict(hostile_request.options)
        headers = {"Authorization": f"Bearer {key}", **options.pop("headers", {})}
        try:
            answer = httpx.request(
                hostile_request.method,
                f"{proxy.url}{prefix}{hostile_request.path}",
                headers=headers,
                timeout=60,
                **options,
            )
        except httpx.HTTPError as error:
            found.append(f"{carrier} × {hostile}: no answer ({type(error).__name__}: {error})")
            continue
        sent += 1
        statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
        found += judge(release(proxy), carrier, hostile, hostile_request, prefix, answer)
        if found and expected_to_fail:
            break
    say(f"hostile text: {sent} requests, statuses {dict(sorted(statuses.items()))}")
    for key in keys:  # every listing still answers
        for path in [*(f"/v1/files?target_model_names={m}" for m in MODELS.values()), "/v1/batches"]:
            answer = httpx.get(f"{proxy.url}{path}", headers={"Authorization": f"Bearer {key}"}, timeout=60)
            if answer.status_code != 200:
                found.append(f"afterwards GET {path}: {answer.status_code} {answer.text[:160]}")
    assert not found, f"{len(found)} of {sent} answers:\n" + "\n".join(found[:40])


def master(proxy) -> dict:
    return {"Authorization": f"Bearer {proxy.master_key}"}


@pytest.mark.patch("0042-database-errors-answer-without-its-text.patch")
def test_a_url_no_route_serves_answers_openais_unknown_url(proxy) -> None:
    """Unpatched: FastAPI's 404 {"detail": "Not Found"}, which no OpenAI client parses (a
    line break in a path id is one way to miss every route)."""
    for path in ("/v1/files/a%0D%0Ab", "/v1/files/a%0Ab/content", "/v1/no-such-endpoint", "/no/such/thing"):
        answer = httpx.get(proxy.url + path, headers=master(proxy), timeout=30)
        assert answer.status_code == 404, f"GET {path}: {answer.status_code} {answer.text[:200]}"
        assert conformance.problems("GET", path, 404, answer.json()) == [], f"GET {path}: {answer.text[:200]}"
        assert answer.json()["error"]["code"] == "unknown_url", f"GET {path}: {answer.text[:200]}"


@pytest.mark.patch(
    "0043-model-name-with-braces-answers-400.patch",
    contract={"1.108.7": "a chat error carries provider_specific_fields beside OpenAI's four fields"},
)
@pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
def test_a_model_name_with_braces_answers_400(proxy, model) -> None:
    """Unpatched (1.80.10): 500 "Internal Server Error, '"a"'": the router's message for an
    unknown model ran the name through str.format(). LiteLLM 1.108.7 builds the message
    without str.format(); its chat 400 carries `provider_specific_fields` (error_problems)."""
    named = '{"a": 1}'
    answers = {
        "upload": httpx.post(
            f"{proxy.url}/v1/files",
            headers=master(proxy),
            data={"purpose": "batch", "target_model_names": named},
            files={"file": ("input.jsonl", batch_lines(model, ["hi"]))},
            timeout=60,
        ),
        "chat": httpx.post(
            f"{proxy.url}/v1/chat/completions",
            headers=master(proxy),
            json={"model": named, "messages": [{"role": "user", "content": "hi"}]},
            timeout=60,
        ),
    }
    for what, answer in answers.items():
        assert answer.status_code == 400, f"{what}: {answer.status_code} {answer.text[:200]}"
        problems = error_problems(release(proxy), answer.request.url.path, 400, answer.json())
        assert problems == [], f"{what}: {answer.text[:200]}"
