"""Batches API over HTTP with the official SDK: lifecycle, failures, cancel and pagination."""

from __future__ import annotations

import openai
import pytest

DAY = 24 * 3600


def test_batch_runs_to_completion(surface, upload_jsonl, jsonl_line, wait_for_batch, read_jsonl):
    client = surface.client
    lines = [jsonl_line(f"req-{i}", surface.model, surface.endpoint, f"question {i}") for i in range(3)]
    input_file = upload_jsonl(client, lines)

    created = client.batches.create(
        input_file_id=input_file.id,
        endpoint=surface.endpoint,
        completion_window="24h",
        metadata={"suite": "mock"},
    )

    assert created.id.startswith("batch_")
    assert created.object == "batch"
    assert created.status == "validating"
    # Azure's quirk: the create answer has an empty endpoint; retrieve and list have the real one.
    assert created.endpoint == ("" if surface.name.startswith("azure") else surface.endpoint)
    assert created.expires_at == created.created_at + DAY
    assert created.metadata == {"suite": "mock"}

    done = wait_for_batch(client, created.id)
    assert done.endpoint == surface.endpoint
    assert done.created_at <= done.in_progress_at <= done.finalizing_at <= done.completed_at
    assert (done.failed_at, done.cancelled_at, done.errors, done.error_file_id) == (None, None, None, None)
    assert (done.request_counts.total, done.request_counts.completed, done.request_counts.failed) == (3, 3, 0)
    assert done.model == surface.model
    assert [b.id for b in client.batches.list()] == [created.id]
    assert client.batches.list().data[0].endpoint == surface.endpoint

    output_file = client.files.retrieve(done.output_file_id)
    assert output_file.purpose == "batch_output"
    assert output_file.filename == f"{done.id}_output.jsonl"
    results = read_jsonl(client, done.output_file_id)
    assert [r["custom_id"] for r in results] == ["req-0", "req-1", "req-2"]
    for index, result in enumerate(results):
        assert result["id"].startswith("batch_req_")
        assert result["error"] is None
        assert result["response"]["status_code"] == 200
        body = result["response"]["body"]
        assert body["object"] == "chat.completion"
        assert body["model"] == surface.model
        assert body["choices"][0]["message"]["content"] == f"Mock reply to: question {index}"


def test_lines_the_chat_endpoint_rejects_go_to_the_error_file(
    classic_surface, upload_jsonl, jsonl_line, wait_for_batch, read_jsonl
):
    client, model, url = classic_surface.client, classic_surface.model, classic_surface.endpoint
    no_messages = jsonl_line("no-messages", model, url)
    del no_messages["body"]["messages"]
    bad_role = jsonl_line("bad-role", model, url)
    bad_role["body"]["messages"][0]["role"] = "robot"
    lines = [
        jsonl_line("ok", model, url),
        jsonl_line("too-long", model, url, max_tokens=100_000),
        no_messages,
        bad_role,
    ]
    batch = client.batches.create(input_file_id=upload_jsonl(client, lines).id, endpoint=url, completion_window="24h")

    done = wait_for_batch(client, batch.id)

    assert done.status == "completed"
    assert (done.request_counts.total, done.request_counts.completed, done.request_counts.failed) == (4, 1, 3)
    assert [r["custom_id"] for r in read_jsonl(client, done.output_file_id)] == ["ok"]
    error_file = client.files.retrieve(done.error_file_id)
    assert (error_file.purpose, error_file.filename) == ("batch_output", f"{done.id}_error.jsonl")
    failures = {r["custom_id"]: r for r in read_jsonl(client, done.error_file_id)}
    assert set(failures) == {"too-long", "no-messages", "bad-role"}
    expected_params = {"too-long": "max_tokens", "no-messages": "messages", "bad-role": "messages[0].role"}
    for custom_id, failure in failures.items():
        assert failure["error"] is None  # OpenAI reports execution failures in `response`
        assert failure["response"]["status_code"] == 400
        error = failure["response"]["body"]["error"]
        assert error["type"] == "invalid_request_error"
        assert error["param"] == expected_params[custom_id]
    assert "at most 16384 completion tokens" in failures["too-long"]["response"]["body"]["error"]["message"]


def test_batch_with_only_failing_lines_has_no_output_file(openai_client, upload_jsonl, jsonl_line, wait_for_batch):
    line = jsonl_line("too-long", "gpt-4o-mini", "/v1/chat/completions", max_tokens=20_000)
    batch = openai_client.batches.create(
        input_file_id=upload_jsonl(openai_client, [line]).id, endpoint="/v1/chat/completions", completion_window="24h"
    )

    done = wait_for_batch(openai_client, batch.id)

    assert (done.request_counts.total, done.request_counts.completed, done.request_counts.failed) == (1, 0, 1)
    assert done.output_file_id is None
    assert done.error_file_id is not None


def test_invalid_input_file_fails_the_batch_with_line_numbers(openai_client, upload_jsonl, jsonl_line, wait_for_batch):
    url, model = "/v1/chat/completions", "gpt-4o-mini"
    wrong_method = {**jsonl_line("c", model, url), "method": "GET"}
    lines = [
        jsonl_line("a", model, url),
        b"{not json",
        jsonl_line("a", model, url),
        wrong_method,
        jsonl_line("d", model, "/v1/embeddings"),
    ]
    batch = openai_client.batches.create(
        input_file_id=upload_jsonl(openai_client, lines).id, endpoint=url, completion_window="24h"
    )

    failed = wait_for_batch(openai_client, batch.id, ("failed", "completed"))

    assert failed.status == "failed"
    assert failed.failed_at is not None and failed.in_progress_at is None
    assert failed.errors.object == "list"
    assert [(e.line, e.code) for e in failed.errors.data] == [
        (2, "invalid_json_line"),
        (3, "duplicate_custom_id"),
        (4, "invalid_method"),
        (5, "invalid_url"),
    ]
    assert (failed.output_file_id, failed.error_file_id) == (None, None)


@pytest.mark.parametrize(
    ("models", "code", "line"),
    [(["gpt-4o-mini", "gpt-4o"], "mixed_models", 2), (["gpt-4o-mini", "no-such-model"], "model_not_found", 2)],
)
def test_one_known_model_per_batch(openai_client, upload_jsonl, jsonl_line, wait_for_batch, models, code, line):
    url = "/v1/chat/completions"
    lines = [jsonl_line(f"r{i}", model, url) for i, model in enumerate(models)]
    batch = openai_client.batches.create(
        input_file_id=upload_jsonl(openai_client, lines).id, endpoint=url, completion_window="24h"
    )

    failed = wait_for_batch(openai_client, batch.id, ("failed", "completed"))

    assert failed.status == "failed"
    assert [(e.line, e.code, e.param) for e in failed.errors.data] == [(line, code, "body.model")]


def test_azure_accepts_line_urls_with_and_without_v1(azure_client, upload_jsonl, jsonl_line, wait_for_batch):
    model = "gpt-4o-mini-batch"
    lines = [jsonl_line("short", model, "/chat/completions"), jsonl_line("long", model, "/v1/chat/completions")]
    batch = azure_client.batches.create(
        input_file_id=upload_jsonl(azure_client, lines).id, endpoint="/v1/chat/completions", completion_window="24h"
    )

    done = wait_for_batch(azure_client, batch.id, ("failed", "completed"))

    assert done.status == "completed", done.errors
    assert done.request_counts.completed == 2


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"input_file_id": "file-missing"}, "input_file_id"),
        ({"input_file_id": "USER_DATA_FILE"}, "input_file_id"),
        ({"endpoint": "/v1/embeddings"}, "endpoint"),
        ({"completion_window": "48h"}, "completion_window"),
    ],
)
def test_create_rejects_bad_requests_with_400(openai_client, upload_jsonl, jsonl_line, change, param):
    batch_file = upload_jsonl(openai_client, [jsonl_line("a", "gpt-4o-mini", "/v1/chat/completions")])
    user_file = upload_jsonl(openai_client, [{"x": 1}], purpose="user_data")
    request = {"input_file_id": batch_file.id, "endpoint": "/v1/chat/completions", "completion_window": "24h"}
    request.update(change)
    if request["input_file_id"] == "USER_DATA_FILE":
        request["input_file_id"] = user_file.id

    with pytest.raises(openai.BadRequestError) as error:
        openai_client.batches.create(**request)

    assert error.value.body["param"] == param
    assert error.value.body["type"] == "invalid_request_error"
    assert list(openai_client.batches.list()) == []


def test_cancel_goes_through_cancelling_to_cancelled(classic_surface, http, upload_jsonl, jsonl_line, wait_for_batch):
    # Slow steps leave ample time to cancel while the batch is still validating.
    slow = http.post("/__mock__/settings", headers={"X-Mock-Admin": "true"}, json={"batch_step_seconds": 1.0})
    assert slow.status_code == 200, slow.text
    client = classic_surface.client
    line = jsonl_line("a", classic_surface.model, classic_surface.endpoint)
    batch = client.batches.create(
        input_file_id=upload_jsonl(client, [line]).id, endpoint=classic_surface.endpoint, completion_window="24h"
    )

    cancelling = client.batches.cancel(batch.id)
    assert cancelling.status == "cancelling"
    assert cancelling.cancelling_at is not None

    cancelled = wait_for_batch(client, batch.id, ("cancelled", "completed"))
    assert cancelled.status == "cancelled"
    assert cancelled.cancelled_at >= cancelled.cancelling_at
    assert cancelled.completed_at is None

    with pytest.raises(openai.BadRequestError) as error:
        client.batches.cancel(batch.id)
    assert "cancelled" in error.value.body["message"]


def test_cancelling_a_completed_batch_is_rejected(openai_client, upload_jsonl, jsonl_line, wait_for_batch):
    line = jsonl_line("a", "gpt-4o-mini", "/v1/chat/completions")
    batch = openai_client.batches.create(
        input_file_id=upload_jsonl(openai_client, [line]).id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    wait_for_batch(openai_client, batch.id)

    with pytest.raises(openai.BadRequestError):
        openai_client.batches.cancel(batch.id)
    assert openai_client.batches.retrieve(batch.id).status == "completed"


def test_batches_list_paginates_newest_first(classic_surface, upload_jsonl, jsonl_line):
    client = classic_surface.client
    input_file = upload_jsonl(client, [jsonl_line("a", classic_surface.model, classic_surface.endpoint)])
    created = [
        client.batches.create(
            input_file_id=input_file.id, endpoint=classic_surface.endpoint, completion_window="24h"
        ).id
        for _ in range(5)
    ]
    newest_first = list(reversed(created))

    page = client.batches.list(limit=2)
    assert [b.id for b in page.data] == newest_first[:2]
    assert (page.first_id, page.last_id, page.has_more) == (newest_first[0], newest_first[1], True)
    exact = client.batches.list(limit=3, after=newest_first[1])
    assert [b.id for b in exact.data] == newest_first[2:]
    assert exact.has_more is False  # nothing beyond this page, even though it is full
    assert [b.id for b in client.batches.list(limit=2)] == newest_first  # SDK auto-paging

    for bad_limit in (0, 101):
        with pytest.raises(openai.BadRequestError) as error:
            client.batches.list(limit=bad_limit)
        assert error.value.body["param"] == "limit"


def test_unknown_batch_is_404(classic_surface):
    with pytest.raises(openai.NotFoundError) as error:
        classic_surface.client.batches.retrieve("batch_missing")
    assert "batch_missing" in error.value.body["message"]


def test_deleting_the_input_file_does_not_disturb_a_running_batch(
    openai_client, upload_jsonl, jsonl_line, wait_for_batch
):
    input_file = upload_jsonl(openai_client, [jsonl_line("a", "gpt-4o-mini", "/v1/chat/completions")])
    batch = openai_client.batches.create(
        input_file_id=input_file.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    openai_client.files.delete(input_file.id)

    done = wait_for_batch(openai_client, batch.id, ("completed", "failed"))

    assert done.status == "completed"
    assert done.request_counts.completed == 1


def test_odd_json_types_are_reported_not_crashed_on(openai_client, http, upload_jsonl, wait_for_batch):
    url = "/v1/chat/completions"
    lines = [
        {"custom_id": "a", "method": "POST", "url": [url], "body": {"model": "gpt-4o-mini", "messages": []}},
        {"custom_id": "b", "method": "POST", "url": url, "body": {"model": ["gpt-4o-mini"], "messages": []}},
    ]
    batch = openai_client.batches.create(
        input_file_id=upload_jsonl(openai_client, lines).id, endpoint=url, completion_window="24h"
    )
    failed = wait_for_batch(openai_client, batch.id, ("failed", "completed"))
    assert [(e.line, e.code) for e in failed.errors.data] == [(1, "invalid_url"), (2, "model_not_found")]

    response = http.post(
        "/v1/batches",
        headers={"Authorization": "Bearer sk-mock-openai-key"},
        json={"input_file_id": ["file-x"], "endpoint": url, "completion_window": "24h"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "input_file_id"


def test_cancel_while_finalizing_keeps_finished_results(openai_client, http, upload_jsonl, jsonl_line, wait_for_batch):
    # Half-second steps leave time to cancel once the requests have run.
    slow = http.post("/__mock__/settings", headers={"X-Mock-Admin": "true"}, json={"batch_step_seconds": 0.5})
    assert slow.status_code == 200, slow.text
    url = "/v1/chat/completions"
    lines = [jsonl_line("a", "gpt-4o-mini", url), jsonl_line("b", "gpt-4o-mini", url)]
    batch = openai_client.batches.create(
        input_file_id=upload_jsonl(openai_client, lines).id, endpoint=url, completion_window="24h"
    )
    wait_for_batch(openai_client, batch.id, ("finalizing",))

    openai_client.batches.cancel(batch.id)
    cancelled = wait_for_batch(openai_client, batch.id, ("cancelled", "completed"))

    assert cancelled.status == "cancelled"
    assert (cancelled.request_counts.completed, cancelled.request_counts.failed) == (2, 0)
    assert cancelled.output_file_id is not None
    assert cancelled.completed_at is None
