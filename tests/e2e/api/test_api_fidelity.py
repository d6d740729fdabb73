"""What the proxy answers is what the OpenAI API answers: one id space, the batch's usage,
errors as the provider gave them and without key material, files listed like OpenAI lists
them. Every answer the suite's SDK clients receive from a patched proxy is also checked
against OpenAI's schemas (conformance.py); `test_every_verb_answers_like_the_openai_api`
walks each verb on purpose, so the check covers all of them in one place.
"""

from __future__ import annotations

import hashlib
import json

import httpx
import openai
import pytest

from ..conformance import problems
from ..flows import MODELS, batch_lines, create_batch, run_batch, upload_batch_input, wait_for_batch
from ..openai_spec import SPEC

models = pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())


def raw_json(call) -> dict:
    """The body as sent, not as the SDK's models read it (they keep unknown fields aside)."""
    return call().http_response.json()


def usage_from_output(content: str) -> dict:
    """A batch's usage in the Batch object's shape, summed from its output lines."""
    prompt = completion = 0
    for line in content.splitlines():
        usage = json.loads(line)["response"]["body"]["usage"]
        prompt, completion = prompt + usage["prompt_tokens"], completion + usage["completion_tokens"]
    return {
        "input_tokens": prompt,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": completion,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": prompt + completion,
    }


@pytest.mark.patch("0023-batch-usage-as-the-provider-reports.patch")
@models
def test_a_batch_answers_its_usage_as_the_provider_reports_it(user_client, model: str, say) -> None:
    """Unpatched 1.80.10: a completed batch answers `usage: null`; 1.108.7: `prompt_tokens: 0`,
    `completion_tokens: 0` and `*_details: null` beside the provider's fields."""
    client = user_client("usage")
    _, created, finished = run_batch(client, model, say, prompts=["one", "two words"])
    expected = usage_from_output(client.files.content(finished.output_file_id).text)
    assert raw_json(lambda: client.batches.with_raw_response.retrieve(created.id))["usage"] == expected
    [listed] = raw_json(lambda: client.batches.with_raw_response.list(limit=1))["data"]
    assert (listed["id"], listed["usage"]) == (created.id, expected)


@pytest.mark.patch(
    "0029-listed-batches-carry-batch-fields-only.patch", needs={"1.80.10": ["0011-list-managed-batches.patch"]}
)
@models
def test_a_listed_batch_carries_only_the_batch_objects_fields(user_client, slow_batches, model: str) -> None:
    """Unpatched 1.108.7: a running batch, once retrieved, is listed with a `model_id` (its
    deployment's id). (1.80.10 without 0011 can't list managed batches at all.)"""
    client = user_client("listed-fields")
    created = create_batch(client, upload_batch_input(client, model, batch_lines(model, ["one"])).id)
    client.batches.retrieve(created.id)
    [listed] = raw_json(lambda: client.batches.with_raw_response.list(limit=1))["data"]
    assert listed["id"] == created.id
    assert set(listed) <= set(openai.types.Batch.model_fields), set(listed) - set(openai.types.Batch.model_fields)
    client.batches.cancel(created.id)


@pytest.mark.patch("0024-batch-input-file-id-stays-managed.patch")
@models
def test_every_answer_names_the_batchs_input_file_by_its_managed_id(user_client, slow_batches, model: str, say) -> None:
    """Unpatched: create answers the managed id, but retrieve, list and cancel the
    provider's raw `file-...` id, which the proxy then refuses (404)."""
    client = user_client("input-id")
    uploaded = upload_batch_input(client, model, batch_lines(model, ["one"]))
    created = create_batch(client, uploaded.id)
    answers = {
        "create": created,
        "retrieve": client.batches.retrieve(created.id),
        "list": client.batches.list(limit=1).data[0],
        "cancel": client.batches.cancel(created.id),
    }
    assert {verb: (batch.id, batch.input_file_id) for verb, batch in answers.items()} == dict.fromkeys(
        answers, (created.id, uploaded.id)
    )
    cancelled = wait_for_batch(client, created.id, say)
    assert (cancelled.status, cancelled.input_file_id) == ("cancelled", uploaded.id)
    assert client.files.retrieve(cancelled.input_file_id).id == uploaded.id


@pytest.mark.patch("0025-auth-errors-without-key-material.patch")
def test_an_authentication_error_carries_no_key_material(proxy) -> None:
    """Unpatched 1.80.10: 401 "... Received API Key = sk-...cdef, Key Hash (Token) =<sha256
    of the key> ..." and a key without "sk-" echoed whole; 1.108.7 shows eight of its
    characters ("Received=azur****6789")."""
    for key in ("sk-unknown-0123456789abcdef", "azure-style-secret-0123456789"):
        answer = httpx.get(f"{proxy.url}/v1/files", headers={"Authorization": f"Bearer {key}"}, timeout=30)
        assert answer.status_code == 401
        for secret in (key, key[-4:], key[:4], hashlib.sha256(key.encode()).hexdigest()):
            assert secret not in answer.text, f"the answer carries {secret!r}: {answer.text[:300]}"


@pytest.mark.patch("0028-error-fields-never-the-string-none.patch")
@pytest.mark.parametrize("path", ["/v1/files", "/v1/batches", "/files", "/openai/v1/batches"])
def test_error_fields_are_never_the_string_none(proxy, path: str) -> None:
    """Unpatched (both lines): the 401 for a key without "sk-" answers `"param": "None"`,
    Python's None written out, which a client checking `error.param is None` misreads."""
    answer = httpx.get(f"{proxy.url}{path}", headers={"Authorization": "Bearer not-a-proxy-key"}, timeout=30)
    assert answer.status_code == 401, answer.text[:300]
    error = answer.json()["error"]
    assert "None" not in (error["type"], error["param"], error["code"]), error


@pytest.mark.patch("0026-uploaded-file-keeps-its-name-and-status.patch")
@models
def test_an_uploaded_file_keeps_its_name_and_the_providers_status(user_client, model: str) -> None:
    """Unpatched: filename "modified_file.jsonl", status "uploaded" (the mock, like OpenAI,
    says "processed")."""
    client = user_client("filename")
    uploaded = client.files.create(
        file=("my_input.jsonl", batch_lines(model, ["one"])), purpose="batch", extra_body={"target_model_names": model}
    )
    assert (uploaded.filename, uploaded.status) == ("my_input.jsonl", "processed")
    retrieved = client.files.retrieve(uploaded.id)
    assert (retrieved.filename, retrieved.status) == ("my_input.jsonl", "processed")


# Every purpose OpenAI's API description allows for an upload (the vendored part of it).
UPLOAD_PURPOSES = SPEC["components"]["schemas"]["CreateFileRequest"]["properties"]["purpose"]["enum"]


def an_upload_keeps_its_purpose(client: openai.OpenAI, purpose: str, model: str) -> None:
    uploaded = client.files.create(
        file=("data.jsonl", batch_lines(model, ["one"])), purpose=purpose, extra_body={"target_model_names": model}
    )
    assert uploaded.purpose == purpose
    assert client.files.retrieve(uploaded.id).purpose == purpose
    assert [f.id for f in client.files.list(purpose=purpose).data] == [uploaded.id]


@pytest.mark.parametrize("purpose", [p for p in UPLOAD_PURPOSES if p != "evals"])  # evals: 0059's test
@models
def test_every_upload_purpose_of_the_api_is_kept_and_listed(user_client, purpose: str, model: str) -> None:
    """An upload with any purpose the API describes answers, retrieves and lists with it."""
    an_upload_keeps_its_purpose(user_client(f"purpose-{purpose}"), purpose, model)


@pytest.mark.patch("0059-files-purpose-evals.patch")
@models
def test_an_upload_for_evals_is_kept_and_listed(user_client, model: str) -> None:
    """Unpatched 1.80.10: 400 "Invalid purpose: evals" (1.108.7 knows it)."""
    an_upload_keeps_its_purpose(user_client("purpose-evals"), "evals", model)


@pytest.mark.patch("0027-list-managed-files-from-the-proxy-records.patch")
def test_files_list_pages_the_callers_managed_files_with_or_without_a_model(user_client, say) -> None:
    """Unpatched: without target_model_names 400 (before 0014: 500); with it, `purpose` is
    ignored, `first_id`/`last_id` are provider ids and `after` pages the provider's list."""
    client, other = user_client("lister"), user_client("someone-else")
    gpt, azure = MODELS["gpt"], MODELS["azure"]
    upload_batch_input(other, gpt, batch_lines(gpt, ["not mine"]))
    first = upload_batch_input(client, gpt, batch_lines(gpt, ["one"]))
    on_azure = upload_batch_input(client, azure, batch_lines(azure, ["two"]))
    _, _, finished = run_batch(client, gpt, say, prompts=["three"])
    batch_input = finished.input_file_id
    newest_first = [finished.output_file_id, batch_input, on_azure.id, first.id]

    everything = client.files.list()
    assert [f.id for f in everything.data] == newest_first
    assert (everything.first_id, everything.last_id, everything.has_more) == (newest_first[0], newest_first[-1], False)
    assert [f.id for f in client.files.list(order="asc").data] == newest_first[::-1]
    assert [f.id for f in client.files.list(purpose="batch").data] == newest_first[1:]
    assert [f.id for f in client.files.list(purpose="batch_output").data] == newest_first[:1]
    assert [f.id for f in client.files.list(extra_query={"target_model_names": azure}).data] == [on_azure.id]
    on_gpt = client.files.list(purpose="batch", extra_query={"target_model_names": gpt})
    assert [f.id for f in on_gpt.data] == [batch_input, first.id]

    paged, after = [], None  # one file a page, following the cursor
    while True:
        page = client.files.list(limit=1, **({"after": after} if after else {}))
        paged += [f.id for f in page.data]
        assert page.first_id == page.last_id == page.data[0].id
        if not page.has_more:
            break
        after = page.last_id
    assert paged == newest_first


@pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
def test_every_verb_answers_like_the_openai_api(proxy, user_client, slow_batches, model: str, say) -> None:
    """Each verb's answer, on both routes, against OpenAI's schemas (conformance.py): on the
    fully patched builds only, which are the product; the marked tests above show each
    patch's part on the others."""
    if not proxy.build.is_patched:
        pytest.skip("conformance is the patched build's promise")
    client = user_client("conformance")
    answers = []

    def keep(label: str, call) -> None:
        try:
            response = call()
            answers.append((label, response.http_response))
        except openai.APIStatusError as error:
            answers.append((label, error.response))

    uploaded = client.files.with_raw_response.create(
        file=("in.jsonl", batch_lines(model, ["one", "two"])), purpose="batch", extra_body={"target_model_names": model}
    ).parse()
    keep(
        "batches.create",
        lambda: client.batches.with_raw_response.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
        ),
    )
    running = answers[-1][1].json()["id"]
    keep("batches.retrieve running", lambda: client.batches.with_raw_response.retrieve(running))
    keep("batches.cancel running", lambda: client.batches.with_raw_response.cancel(running))
    keep("batches.list", lambda: client.batches.with_raw_response.list())
    keep("files.list", lambda: client.files.with_raw_response.list())
    keep("files.retrieve", lambda: client.files.with_raw_response.retrieve(uploaded.id))
    keep(
        "a refusal: cancel a cancelled batch",
        lambda: client.batches.with_raw_response.cancel(wait_for_batch(client, running, say).id),
    )
    keep("an unknown file", lambda: client.files.with_raw_response.retrieve("file-unknown"))
    keep("files.delete", lambda: client.files.with_raw_response.delete(uploaded.id))
    wrong_key = openai.OpenAI(base_url=proxy.url, api_key="not-a-key", max_retries=0)
    keep("a wrong key", lambda: wrong_key.files.with_raw_response.list())
    found = {label: problems(r.request.method, r.request.url.path, r.status_code, r.json()) for label, r in answers}
    assert {label: p for label, p in found.items() if p} == {}
    assert [label for label, r in answers if r.status_code >= 400] == [
        "a refusal: cancel a cancelled batch",
        "an unknown file",
        "a wrong key",
    ]


@pytest.mark.patch("0007-azure-batch-create-endpoint.patch")
def test_azure_batch_create_answers_the_requested_endpoint(client: openai.OpenAI, say) -> None:
    _, created, batch = run_batch(client, MODELS["azure"], say)
    assert created.endpoint == "/v1/chat/completions"
    assert batch.endpoint == "/v1/chat/completions"
