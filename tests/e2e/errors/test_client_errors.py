"""Every client error over the managed files and batches API answers 4xx with an
OpenAI-shaped body ({"error": {"message", "type", "param", "code"}}), never 5xx (which the
openai SDK retries twice and every dashboard counts as an outage).

Unknown, foreign, forged and raw provider ids answer 404; malformed ids and invalid
parameters 400 naming the parameter; a provider's own 4xx passes through. The table runs
on each line's patched build, both models; the marked tests below prove each patch on
its own. Both lines answer every case alike (docs/upgrading.md).
"""

from __future__ import annotations

import base64
import itertools
import json
import urllib.parse
import uuid
from dataclasses import dataclass
from typing import cast

import httpx
import openai
import psycopg
import pytest

from ..flows import (
    MODELS,
    PROVIDERS,
    batch_lines,
    create_batch,
    deployment,
    new_user,
    run_batch,
    upload_batch_input,
)

models = pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def forged_file_id(model: str) -> str:
    """Shaped like LiteLLM's managed file ids, for a file that was never uploaded."""
    return b64(f"litellm_proxy:application/octet-stream;unified_id,{uuid.uuid4()};target_model_names,{model}")


def forged_batch_id(model: str) -> str:
    """A managed batch id naming the real deployment and a batch it never had."""
    model_id = deployment(model)["model_info"]["id"]
    return b64(f"litellm_proxy;model_id:{model_id};llm_batch_id:batch_{uuid.uuid4().hex}")


@dataclass
class World:
    """Two users' keys and the ids the table's paths name, for one model."""

    proxy_url: str
    keys: dict[str, str]
    ids: dict[str, str]

    def request(
        self, user: str | None, method: str, path: str, headers: dict | None = None, **kwargs
    ) -> httpx.Response:
        auth = {"Authorization": f"Bearer {self.keys[user]}"} if user else {}
        return httpx.request(
            method, self.proxy_url + path.format(**self.ids), headers={**auth, **(headers or {})}, timeout=60, **kwargs
        )


@pytest.fixture(scope="module", params=list(MODELS.values()), ids=list(MODELS))
def world(request, proxy, say) -> World:
    model = request.param
    (_, alice), (_, bob) = new_user(proxy, "alice"), new_user(proxy, "bob")
    keys = {"alice": alice.api_key, "bob": bob.api_key}
    uploaded, created, finished = run_batch(alice, model, say)
    deleted = upload_batch_input(alice, model, batch_lines(model, ["gone"]))
    alice.files.delete(deleted.id)
    bobs_file = upload_batch_input(bob, model, batch_lines(model, ["mine"]))
    bobs_batch = create_batch(bob, bobs_file.id)
    not_batch = alice.files.create(
        file=("notes.jsonl", b'{"a": 1}\n'), purpose="user_data", extra_body={"target_model_names": model}
    )
    with psycopg.connect(proxy.database_url) as conn:  # the provider's own ids behind alice's
        [provider_file] = conn.execute(
            'SELECT flat_model_file_ids[1] FROM "LiteLLM_ManagedFileTable" WHERE unified_file_id = %s', (uploaded.id,)
        ).fetchone()
        [provider_batch] = conn.execute(
            'SELECT model_object_id FROM "LiteLLM_ManagedObjectTable" WHERE unified_object_id = %s', (created.id,)
        ).fetchone()
    ids = {
        "model": model,
        "file": uploaded.id,
        "output": finished.output_file_id,
        "batch": created.id,
        "deleted": deleted.id,
        "bobs_file": bobs_file.id,
        "bobs_batch": bobs_batch.id,
        "user_data_file": not_batch.id,
        "forged_file": forged_file_id(model),
        "forged_batch": forged_batch_id(model),
        "long": "a" * 5000,
        "provider_file": provider_file,
        "provider_batch": provider_batch,
        "batch_line": batch_lines(model, ["a line"]).decode(),
    }
    return World(proxy.url, {**keys, "nobody": "sk-not-a-key"}, ids)


# (what, id, status); then CASES: (id, user, method, path, request options, status, error.param
# or None for any). {names} are filled from World.ids.
FILE_IDS = [
    ("raw provider file id", "file-abc123", 404),
    ("batch-style id", "batch_abc", 404),
    ("garbage", "doesnotexist", 404),
    ("unicode", "fïlé-ü✓", 400),
    ("5,000 characters", "{long}", 400),
    ("spaces", "a b", 400),
    ("forged managed id", "{forged_file}", 404),
    ("another user's file", "{bobs_file}", 404),
    ("deleted file", "{deleted}", 404),
    ("the provider's id of the caller's own file", "{provider_file}", 404),
]
BATCH_IDS = [
    ("raw provider batch id", "batch_abc123", 404),
    ("file-style id", "file-abc", 404),
    ("garbage", "doesnotexist", 404),
    ("unicode", "bätch-✓", 400),
    ("5,000 characters", "{long}", 400),
    ("forged managed id", "{forged_batch}", 404),
    ("another user's batch", "{bobs_batch}", 404),
    ("the provider's id of the caller's own batch", "{provider_batch}", 404),
]
UPLOAD = {"purpose": "batch", "target_model_names": "{model}"}
CREATE = {"input_file_id": "{file}", "endpoint": "/v1/chat/completions", "completion_window": "24h"}


def without(body: dict, name: str) -> dict:
    return {k: v for k, v in body.items() if k != name}


CASES = [
    *[(f"files.retrieve {what}", "alice", "GET", f"/v1/files/{i}", {}, status, None) for what, i, status in FILE_IDS],
    *[
        (f"files.content {what}", "alice", "GET", f"/v1/files/{i}/content", {}, status, None)
        for what, i, status in FILE_IDS
    ],
    *[(f"files.delete {what}", "alice", "DELETE", f"/v1/files/{i}", {}, status, None) for what, i, status in FILE_IDS],
    *[
        (f"batches.retrieve {what}", "alice", "GET", f"/v1/batches/{i}", {}, status, None)
        for what, i, status in BATCH_IDS
    ],
    *[
        (f"batches.cancel {what}", "alice", "POST", f"/v1/batches/{i}/cancel", {}, status, None)
        for what, i, status in BATCH_IDS
    ],
    (
        "batches.cancel a completed batch (the provider's 400)",
        "alice",
        "POST",
        "/v1/batches/{batch}/cancel",
        {},
        400,
        None,
    ),
    *[
        (f"batches.create without {name}", "alice", "POST", "/v1/batches", {"json": without(CREATE, name)}, 400, name)
        for name in CREATE
    ],
    (
        "batches.create input_file_id of the wrong type",
        "alice",
        "POST",
        "/v1/batches",
        {"json": {**CREATE, "input_file_id": 123}},
        400,
        "input_file_id",
    ),
    (
        "batches.create completion_window 1h (the provider's 400)",
        "alice",
        "POST",
        "/v1/batches",
        {"json": {**CREATE, "completion_window": "1h"}},
        400,
        "completion_window",
    ),
    (
        "batches.create an unknown endpoint (the provider's 400)",
        "alice",
        "POST",
        "/v1/batches",
        {"json": {**CREATE, "endpoint": "/v1/nope"}},
        400,
        "endpoint",
    ),
    (
        "batches.create a raw unknown input file",
        "alice",
        "POST",
        "/v1/batches",
        {"json": {**CREATE, "input_file_id": "file-abc123"}},
        404,
        "input_file_id",
    ),
    (
        "batches.create another user's input file",
        "alice",
        "POST",
        "/v1/batches",
        {"json": {**CREATE, "input_file_id": "{bobs_file}"}},
        404,
        "input_file_id",
    ),
    (
        "batches.create a deleted input file",
        "alice",
        "POST",
        "/v1/batches",
        {"json": {**CREATE, "input_file_id": "{deleted}"}},
        404,
        "input_file_id",
    ),
    (
        "batches.create an input file that is not for batches",
        "alice",
        "POST",
        "/v1/batches",
        {"json": {**CREATE, "input_file_id": "{user_data_file}"}},
        400,
        "input_file_id",
    ),
    (
        "batches.create a body that is not JSON",
        "alice",
        "POST",
        "/v1/batches",
        {"content": b"{not json", "headers": {"content-type": "application/json"}},
        400,
        None,
    ),
    ("batches.create an empty body", "alice", "POST", "/v1/batches", {"content": b""}, 400, "input_file_id"),
    (
        "batches.create a body that is a JSON array",
        "alice",
        "POST",
        "/v1/batches",
        {"json": [CREATE]},
        400,
        "request_body",
    ),
    (
        "batches.create metadata that is a string",
        "alice",
        "POST",
        "/v1/batches",
        {"json": {**CREATE, "metadata": "not an object"}},
        400,
        "metadata",
    ),
    (
        "files.create without target_model_names",
        "alice",
        "POST",
        "/v1/files",
        {"data": {"purpose": "batch"}, "files": {"file": ("in.jsonl", "{batch_line}")}},
        400,
        "target_model_names",
    ),
    (
        "files.create with empty target_model_names",
        "alice",
        "POST",
        "/v1/files",
        {"data": {**UPLOAD, "target_model_names": ""}, "files": {"file": ("in.jsonl", "{batch_line}")}},
        400,
        "target_model_names",
    ),
    (
        "files.create an empty file",
        "alice",
        "POST",
        "/v1/files",
        {"data": UPLOAD, "files": {"file": ("in.jsonl", b"")}},
        400,
        "file",
    ),
    (
        "files.create a batch file of blank lines",
        "alice",
        "POST",
        "/v1/files",
        {"data": UPLOAD, "files": {"file": ("in.jsonl", b"\n \n")}},
        400,
        "file",
    ),
    (
        "files.create an unknown purpose",
        "alice",
        "POST",
        "/v1/files",
        {"data": {**UPLOAD, "purpose": "nope"}, "files": {"file": ("in.jsonl", b'{"a": 1}\n')}},
        400,
        "purpose",
    ),
    (
        "files.create for an unknown model",
        "alice",
        "POST",
        "/v1/files",
        {"data": {**UPLOAD, "target_model_names": "nope"}, "files": {"file": ("in.jsonl", b'{"a": 1}\n')}},
        400,
        None,
    ),
    (
        "files.create without a purpose",
        "alice",
        "POST",
        "/v1/files",
        {"data": {"target_model_names": "{model}"}, "files": {"file": ("in.jsonl", b'{"a": 1}\n')}},
        400,
        "purpose",
    ),
    ("files.create without a file", "alice", "POST", "/v1/files", {"data": UPLOAD}, 400, "file"),
    (
        "files.create as JSON instead of multipart",
        "alice",
        "POST",
        "/v1/files",
        {"json": {"purpose": "batch", "file": "abc"}},
        400,
        None,
    ),
    ("files.list after an unknown file", "alice", "GET", "/v1/files", {"params": {"after": "file-nope"}}, 400, "after"),
    (
        "files.list for an unknown model",
        "alice",
        "GET",
        "/v1/files",
        {"params": {"target_model_names": "nope"}},
        400,
        "target_model_names",
    ),
    *[
        (
            f"files.list {name}={value}",
            "alice",
            "GET",
            "/v1/files",
            {"params": {"target_model_names": "{model}", name: value}},
            400,
            name,
        )
        for name, value in (
            ("limit", "0"),
            ("limit", "abc"),
            ("limit", "100000"),
            ("order", "sideways"),
            ("purpose", "nope"),
        )
    ],
    *[
        (f"batches.list limit={value}", "alice", "GET", "/v1/batches", {"params": {"limit": value}}, 400, "limit")
        for value in ("0", "101", "abc")
    ],
    ("files.list without a key", None, "GET", "/v1/files", {"params": {"target_model_names": "{model}"}}, 401, None),
    ("batches.list with a wrong key", "nobody", "GET", "/v1/batches", {}, 401, None),
]


# On 1.80.10 these answers come from its own patches (0055 is 1.108.7's).
NEEDS_0055_1_80_10 = ["0013-unknown-and-foreign-ids-answer-404.patch", "0014-files-batches-request-validation.patch"]


def formatted(options: dict, ids: dict) -> dict:
    """Request options with {placeholders} in their strings filled in."""

    def fill(value):
        if isinstance(value, str):
            return value.format(**ids)
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(fill(v) for v in value)
        return value

    return {name: fill(value) for name, value in options.items()}


@pytest.mark.parametrize("case,user,method,path,options,status,param", CASES, ids=[c[0] for c in CASES])
def test_client_error_answers_4xx_with_an_openai_error_body(
    world, case, user, method, path, options, status, param
) -> None:
    answer = world.request(user, method, path, **formatted(options, world.ids))
    error = (
        answer.json().get("error") if answer.headers.get("content-type", "").startswith("application/json") else None
    )
    assert (answer.status_code, type(error)) == (status, dict), f"{answer.status_code} {answer.text[:300]}"
    assert {"message", "type", "param", "code"} <= set(error) and error["message"], error
    if param:
        assert error["param"] == param, error


def error_of(call) -> openai.APIStatusError:
    with pytest.raises(openai.APIStatusError) as raised:
        call()
    return raised.value


@pytest.mark.patch("0012-proxy-errors-keep-their-status.patch")
@models
def test_a_providers_client_error_keeps_its_status(client: openai.OpenAI, model: str, say) -> None:
    """Unpatched 1.80.10: 500 "Internal Server Error, Error code: 400 - {...}", retried by the
    SDK; 1.108.7: 400 "Error code: 400 - Cannot cancel ..." typed internal_server_error."""
    _, created, _ = run_batch(client, model, say, prompts=["one"])
    refused = error_of(lambda: client.batches.cancel(created.id))
    assert (refused.status_code, refused.body["message"], refused.body["type"]) == (
        400,
        "Cannot cancel a batch with status 'completed'.",
        "invalid_request_error",
    )  # the provider's own
    uploaded = upload_batch_input(client, model, batch_lines(model, ["two"]))
    refused = error_of(
        lambda: client.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="1h"
        )
    )
    assert (refused.status_code, refused.body["param"]) == (400, "completion_window")


@pytest.mark.patch(
    "0013-unknown-and-foreign-ids-answer-404.patch", needs={"1.108.7": ["0053-other-callers-objects-answer-404.patch"]}
)
@pytest.mark.cools_down
@models
def test_unknown_raw_and_foreign_ids_answer_404(proxy, client: openai.OpenAI, user_client, model: str) -> None:
    """Unpatched: 500 "The api_key client option must be set" for raw and unknown ids,
    500 "list index out of range" cancelling a forged batch id, and another user's input
    file accepted for a batch. Unpatched 1.108.7 refuses another user's file with 403,
    which confirms the id exists (0053)."""
    for call in (
        lambda: client.files.retrieve("file-abc123"),
        lambda: client.files.content("doesnotexist"),
        lambda: client.batches.retrieve("batch_abc123"),
        lambda: client.batches.cancel(forged_batch_id(model)),
    ):
        assert error_of(call).status_code == 404
    owner, other = user_client("owner"), user_client("other")
    theirs = upload_batch_input(owner, model, batch_lines(model, ["mine"]))
    refused = error_of(lambda: create_batch(other, theirs.id))
    assert refused.status_code == 404, refused


@pytest.mark.patch(
    "0055-refused-batch-input-and-list-model-name-their-parameter.patch",
    needs={"1.80.10": NEEDS_0055_1_80_10},
)
@models
def test_a_refused_batch_input_and_an_unknown_list_model_name_their_parameter(user_client, model: str) -> None:
    """Unpatched 1.108.7: batches.create with another caller's or a deleted input file
    answers 404 with param null; files.list for an unknown model 400 with param null."""
    owner, other = user_client("owner"), user_client("other")
    theirs = upload_batch_input(owner, model, batch_lines(model, ["theirs"]))
    deleted = upload_batch_input(other, model, batch_lines(model, ["gone"]))
    other.files.delete(deleted.id)
    for file_id in (theirs.id, deleted.id):
        refused = error_of(lambda: create_batch(other, file_id))  # noqa: B023 (called at once)
        assert (refused.status_code, refused.body["param"]) == (404, "input_file_id"), refused
    unknown = error_of(lambda: other.files.list(extra_query={"target_model_names": "no-such-model"}))
    assert (unknown.status_code, unknown.body["param"]) == (400, "target_model_names"), unknown


@pytest.mark.patch(
    "0054-files-list-order-asc-or-desc.patch", needs={"1.80.10": ["0014-files-batches-request-validation.patch"]}
)
@models
def test_files_list_takes_order_asc_or_desc(proxy, user_client, model: str) -> None:
    """Unpatched 1.108.7: order=sideways answers 200, newest first (OpenAI's API: asc or desc)."""
    key = user_client("order").api_key
    for order, expected in (("asc", (200, None)), ("desc", (200, None)), ("sideways", (400, "order"))):
        answer = httpx.get(
            f"{proxy.url}/v1/files",
            params={"target_model_names": model, "order": order},
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        param = answer.json().get("error", {}).get("param")
        assert (answer.status_code, param) == expected, (order, answer.text[:300])


MALFORMED_IDS = {
    "spaces": "file abc",
    "unicode": "fïlé-ü✓",
    "5,000 characters": "a" * 5000,
    "slash-dot": "a.b",
    "a question mark": "file-a?b",
    "a hash": "file-a#b",
}
NEEDS_0068 = "0068-route-of-a-path-with-question-mark-or-hash.patch"  # 1.80.10: '?' and '#' in a path
# verb -> (method, path under the route form, the id's parameter)
ID_VERBS = {
    "files.retrieve": ("GET", "/files/{}", "file_id"),
    "files.content": ("GET", "/files/{}/content", "file_id"),
    "files.delete": ("DELETE", "/files/{}", "file_id"),
    "batches.retrieve": ("GET", "/batches/{}", "batch_id"),
    "batches.cancel": ("POST", "/batches/{}/cancel", "batch_id"),
}


@pytest.mark.patch(
    "0057-malformed-ids-answer-400.patch",
    needs={"1.80.10": ["0013-unknown-and-foreign-ids-answer-404.patch", NEEDS_0068]},
)
@pytest.mark.parametrize("verb", ID_VERBS)
def test_a_malformed_id_answers_400_naming_it(proxy, user_client, verb: str) -> None:
    """Unpatched 1.108.7: each went to the provider, which answered 404 "No such file"; an id
    no provider issues is a malformed value, as on 1.80.10. Both route forms, a virtual key."""
    key = user_client("malformed").api_key
    method, path, param = ID_VERBS[verb]
    seen = {}
    for (what, bad), prefix in itertools.product(MALFORMED_IDS.items(), ("/v1", "")):
        answer = httpx.request(
            method,
            proxy.url + prefix + path.format(urllib.parse.quote(bad, safe="")),
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        error = answer.json().get("error", {})
        seen[what, prefix] = (answer.status_code, error.get("param"), error.get("type"))
    assert seen == {key: (400, param, "invalid_request_error") for key in seen}


@pytest.mark.patch(
    NEEDS_0068,
    needs={
        "1.80.10": ["0013-unknown-and-foreign-ids-answer-404.patch"],
        "1.108.7": ["0057-malformed-ids-answer-400.patch"],
    },
)
@pytest.mark.parametrize("verb", ID_VERBS)
def test_an_id_with_a_question_mark_or_hash_answers_400_not_401(proxy, user_client, verb: str) -> None:
    """Unpatched 1.80.10 (0013 alone): 401 "Authentication Error, Only proxy admin can be
    used to generate, delete, update info for new keys/users/teams. Route=/v1/files/"."""
    key = user_client("asker").api_key
    method, path, param = ID_VERBS[verb]
    seen = {}
    for bad, prefix in itertools.product(("file-a?b", "file-a#b", "?"), ("/v1", "")):
        answer = httpx.request(
            method,
            proxy.url + prefix + path.format(urllib.parse.quote(bad, safe="")),
            headers={"Authorization": f"Bearer {key}"},
        )
        seen[bad, prefix] = answer.status_code
    assert seen == dict.fromkeys(seen, 400)


@pytest.mark.patch(
    "0061-raw-provider-ids-answer-404.patch",
    needs={
        "1.80.10": [
            "0013-unknown-and-foreign-ids-answer-404.patch",
            "0036-provider-routes-raw-ids-answer-4xx.patch",
            NEEDS_0068,
        ]
    },
)
@pytest.mark.parametrize("verb", ID_VERBS)
def test_a_malformed_id_on_a_provider_route_answers_400_naming_it(proxy, user_client, verb: str) -> None:
    """Unpatched 1.108.7 (and with 0057 alone): on /openai/v1 and /azure/v1 each went to the
    provider, which answered 404, where /v1 answers 400 naming the id's parameter."""
    key = user_client("malformed").api_key
    method, path, param = ID_VERBS[verb]
    seen = {}
    for (what, bad), prefix in itertools.product(MALFORMED_IDS.items(), ("/openai/v1", "/azure/v1")):
        answer = httpx.request(
            method,
            proxy.url + prefix + path.format(urllib.parse.quote(bad, safe="")),
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        error = answer.json().get("error", {}) if "json" in answer.headers.get("content-type", "") else {}
        seen[what, prefix] = (answer.status_code, error.get("param"))
    assert seen == {key: (400, param) for key in seen}


@pytest.mark.parametrize("bad", MALFORMED_IDS.values(), ids=MALFORMED_IDS.keys())
def test_a_batch_create_naming_a_malformed_input_file_answers_400_naming_it(proxy, user_client, bad: str) -> None:
    """Both lines, as released too; 0061 once made 1.108.7 answer 404 here (a malformed id
    judged as a raw one): the differential run of generated requests found it."""
    body = {"input_file_id": bad, "endpoint": "/v1/chat/completions", "completion_window": "24h"}
    answer = httpx.post(
        f"{proxy.url}/v1/batches", json=body, headers={"Authorization": f"Bearer {user_client('bad').api_key}"}
    )
    assert (answer.status_code, answer.json().get("error", {}).get("param")) == (400, "input_file_id"), answer.text


GOOD_LINE = {"custom_id": "a", "method": "POST", "url": "/v1/chat/completions", "body": {"messages": []}}
# what is wrong -> (file name, content, the error's param)
MALFORMED_BATCH_FILES = {
    "a .txt file": ("input.txt", json.dumps(GOOD_LINE) + "\n", "file"),
    "no extension": ("input", json.dumps(GOOD_LINE) + "\n", "file"),
    "a line that is no JSON": ("input.jsonl", "hello\n", "file"),
    "a second line that is no JSON": ("input.jsonl", json.dumps(GOOD_LINE) + "\n{oops\n", "file"),
    "a JSON array line": ("input.jsonl", "[1, 2]\n", "file"),
    **{
        f"a line without {key}": ("input.jsonl", json.dumps({k: v for k, v in GOOD_LINE.items() if k != key}), key)
        for key in GOOD_LINE
    },
}


@pytest.mark.patch("0064-batch-input-file-checked-at-upload.patch")
@pytest.mark.parametrize("what", MALFORMED_BATCH_FILES)
@models
def test_a_batch_input_file_that_is_no_json_lines_answers_400_at_upload(proxy, user_client, model, what) -> None:
    """Unpatched 1.80.10: each was accepted (200) and sent to the provider, where the batch
    made from it would fail; 1.108.7 answers 400 naming `file` or the missing key."""
    name, content, param = MALFORMED_BATCH_FILES[what]
    client = user_client("uploader")
    with pytest.raises(openai.BadRequestError) as refused:
        client.files.create(file=(name, content.encode()), purpose="batch", extra_body={"target_model_names": model})
    assert refused.value.body["param"] == param
    assert not client.files.list(extra_query={"target_model_names": model}).data, "a refused file is not kept"


def cursors_answer(proxy, user_client, listing: str) -> None:
    key = user_client("pager").api_key
    asked = {
        after: httpx.get(
            f"{proxy.url}/v1/{listing}", params={"after": after}, headers={"Authorization": f"Bearer {key}"}
        )
        for after in ("file-abc123", "batch_abc123", "")
    }
    seen = {after: (a.status_code, a.json().get("error", {}).get("param")) for after, a in asked.items()}
    assert seen == {"file-abc123": (400, "after"), "batch_abc123": (400, "after"), "": (200, None)}


@pytest.mark.patch(
    "0067-empty-upload-answers-400.patch", needs={"1.80.10": ["0014-files-batches-request-validation.patch"]}
)
@pytest.mark.parametrize("purpose", ["assistants", "vision", "user_data", "fine-tune"])
def test_an_empty_upload_answers_400_whatever_its_purpose(user_client, purpose) -> None:
    """Unpatched 1.108.7: accepted (200) and sent to the provider for any purpose but batch."""
    with pytest.raises(openai.BadRequestError) as refused:
        user_client("empty").files.create(
            file=("empty.jsonl", b""), purpose=purpose, extra_body={"target_model_names": MODELS["gpt"]}
        )
    assert refused.value.body["param"] == "file"


@pytest.mark.patch("0065-list-cursors-answer-alike.patch")
def test_an_unknown_batch_cursor_answers_400_and_an_empty_one_lists_the_first_page(proxy, user_client) -> None:
    """Unpatched 1.80.10: batches.list(after=<unknown>) answered an empty page, as if no
    batch followed; 1.108.7: its 400 named no parameter."""
    cursors_answer(proxy, user_client, "batches")


def test_an_unknown_file_cursor_answers_400_and_an_empty_one_lists_the_first_page(proxy, user_client) -> None:
    """1.80.10 answered files.list(after="") 400 before 0065 (1.108.7 as released lists)."""
    cursors_answer(proxy, user_client, "files")


@pytest.mark.patch("0014-files-batches-request-validation.patch")
@models
def test_malformed_requests_answer_400_naming_the_parameter(client: openai.OpenAI, model: str) -> None:
    """Unpatched: 500 "acreate_batch() missing 1 required positional argument", 500
    "files_settings is not set", and an empty upload accepted."""
    refused = error_of(
        lambda: client.post(
            "/v1/batches", cast_to=object, body={"endpoint": "/v1/chat/completions", "completion_window": "24h"}
        )
    )
    assert (refused.status_code, refused.body["param"]) == (400, "input_file_id")
    refused = error_of(
        lambda: client.files.create(file=("in.jsonl", b""), purpose="batch", extra_body={"target_model_names": model})
    )
    assert (refused.status_code, refused.body["param"]) == (400, "file")
    refused = error_of(lambda: client.files.create(file=("in.jsonl", batch_lines(model, ["x"])), purpose="batch"))
    assert (refused.status_code, refused.body["param"]) == (400, "target_model_names")


@models
def test_listing_files_includes_a_batchs_output_file(client: openai.OpenAI, model: str, say) -> None:
    """Naming the provider (the custom-llm-provider header) lists the caller's managed files,
    the batch's output file included (0066). 1.80.10 as released answered 500
    "OpenAIFileObject() argument after ** must be a mapping, not NoneType" there, from the
    provider's list; 0015 mended that list until 0066 stopped asking the provider for it."""
    _, _, batch = run_batch(client, model, say, prompts=["one"])
    by_provider = client.with_options(default_headers={"custom-llm-provider": PROVIDERS[model]})
    listed = by_provider.files.list(extra_query={"target_model_names": model})
    assert batch.output_file_id in [f.id for f in listed.data]


@pytest.mark.patch("0018-request-validation-errors-answer-400.patch")
def test_a_request_fastapi_cant_parse_answers_400_with_an_openai_error(proxy) -> None:
    """Unpatched: 422 {"detail": [{"type": "missing", "loc": ["body", "purpose"], ...}]}."""
    headers = {"Authorization": f"Bearer {proxy.master_key}"}
    answer = httpx.post(
        f"{proxy.url}/v1/files",
        headers=headers,
        timeout=30,
        data={"target_model_names": MODELS["gpt"]},
        files={"file": ("in.jsonl", b"{}\n")},
    )
    assert (answer.status_code, answer.json().get("error", {}).get("param")) == (400, "purpose")
    answer = httpx.get(f"{proxy.url}/v1/batches", params={"limit": "abc"}, headers=headers, timeout=30)
    assert (answer.status_code, answer.json().get("error", {}).get("param")) == (400, "limit")


@pytest.mark.patch("0019-missing-object-no-cooldown.patch")
@pytest.mark.cools_down
def test_a_batch_the_provider_lost_does_not_take_the_model_offline(proxy, user_client) -> None:
    """Unpatched: after the provider's 404 every caller of the model gets 429 "No
    deployments available for selected model, Try again in 5 seconds"."""
    client = user_client("lost")
    model = MODELS["gpt"]
    kept = upload_batch_input(client, model, batch_lines(model, ["one"]))
    created = create_batch(client, kept.id)
    lost = forged_batch_id(model)  # names a provider batch that doesn't exist
    with psycopg.connect(proxy.database_url) as conn:  # the caller's batch, gone at the provider
        conn.execute(
            'UPDATE "LiteLLM_ManagedObjectTable" SET unified_object_id = %s, model_object_id = %s '
            "WHERE unified_object_id = %s",
            (lost, f"batch_gone_{uuid.uuid4().hex}", created.id),
        )
    with pytest.raises(openai.NotFoundError):
        client.batches.retrieve(lost)
    assert upload_batch_input(client, model, batch_lines(model, ["still served"])).id


@pytest.mark.patch("0020-request-body-must-be-an-object.patch")
def test_a_body_that_is_no_json_object_answers_400_not_401(client: openai.OpenAI) -> None:
    """Unpatched: 401 "Authentication Error, 'list' object has no attribute 'get'"."""
    refused = error_of(lambda: client.post("/v1/batches", cast_to=object, body=[{"input_file_id": "x"}]))
    assert (refused.status_code, cast(dict, refused.body).get("param")) == (400, "request_body")
    refused = error_of(lambda: client.post("/v1/batches", cast_to=object, body={"metadata": "text"}))
    assert (refused.status_code, cast(dict, refused.body).get("param")) == (400, "metadata")
