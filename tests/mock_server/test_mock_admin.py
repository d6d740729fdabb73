"""The /__mock__ admin routes: fault injection, reset, run-time settings, and env configuration."""

from __future__ import annotations

import io
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import openai
import pytest

ADMIN = {"X-Mock-Admin": "true"}
OPENAI_AUTH = {"Authorization": "Bearer sk-mock-openai-key"}


def add_fault(http: httpx.Client, **fault) -> dict:
    response = http.post("/__mock__/faults", headers=ADMIN, json=fault)
    assert response.status_code == 201, response.text
    return response.json()


def test_fault_fails_the_next_n_matching_requests(http):
    add_fault(http, route="/v1/models", count=2, status=503)

    failures = [http.get("/v1/models", headers=OPENAI_AUTH) for _ in range(2)]
    recovered = http.get("/v1/models", headers=OPENAI_AUTH)

    assert [f.status_code for f in failures] == [503, 503]
    assert failures[0].json()["error"]["type"] == "server_error"
    assert recovered.status_code == 200
    assert http.get("/__mock__/faults", headers=ADMIN).json()["data"] == []


def test_concurrent_requests_consume_a_fault_exactly_count_times(base_url, http):
    add_fault(http, route="/v1/models", count=5, status=500)

    def fetch(_: int) -> int:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            return client.get("/v1/models", headers=OPENAI_AUTH).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(fetch, range(20)))

    assert sorted(statuses) == [200] * 15 + [500] * 5


def test_rate_limit_fault_has_retry_after_and_the_sdk_recovers(http, base_url):
    add_fault(http, route="/v1/models", status=429, retry_after_seconds=0.05)
    limited = http.get("/v1/models", headers=OPENAI_AUTH)
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "1"
    assert limited.json()["error"]["code"] == "rate_limit_exceeded"

    add_fault(http, route="/v1/models", status=429, retry_after_seconds=0.05)
    client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="sk-mock-openai-key", max_retries=1)
    assert client.models.list().data[0].id == "gpt-4o-mini"  # the retry got through


def test_fault_matches_method_and_regex(http):
    add_fault(http, route=r"^/openai/files/[^/]+/content$", method="get", status=500)
    azure = {"api-key": "mock-azure-key"}
    version = {"api-version": "2024-10-21"}
    uploaded = http.post(
        "/openai/files", params=version, headers=azure, files={"file": ("a.txt", b"abc")}, data={"purpose": "user_data"}
    ).json()

    assert http.get(f"/openai/files/{uploaded['id']}", params=version, headers=azure).status_code == 200
    assert http.get(f"/openai/files/{uploaded['id']}/content", params=version, headers=azure).status_code == 500
    assert http.get(f"/openai/files/{uploaded['id']}/content", params=version, headers=azure).content == b"abc"


def test_delay_fault_slows_a_request_without_failing_it(http):
    add_fault(http, route="/v1/models", delay_seconds=0.3)

    started = time.monotonic()
    response = http.get("/v1/models", headers=OPENAI_AUTH)

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_a_hold_fault_sends_the_first_bytes_then_holds_the_rest_until_released(http, base_url):
    content = bytes(range(256)) * 12_000  # 3 MB: more than one of the mock's chunks
    uploaded = http.post(
        "/v1/files", headers=OPENAI_AUTH, files={"file": ("a.bin", content)}, data={"purpose": "user_data"}
    ).json()
    fault = add_fault(http, route=f"/v1/files/{uploaded['id']}/content", hold_after_bytes=1000)
    with httpx.Client(base_url=base_url, timeout=60) as client:
        with client.stream("GET", f"/v1/files/{uploaded['id']}/content", headers=OPENAI_AUTH) as download:
            chunks = download.iter_raw()
            first = next(chunks)
            released = http.post(f"/__mock__/faults/{fault['id']}/release", headers=ADMIN).json()
            rest = b"".join(chunks)
    assert first == content[:1000]  # all that came before the release
    assert released["held"] == "released"
    assert first + rest == content


def test_a_release_before_the_hold_lets_the_body_go_on_and_a_body_shorter_than_the_hold_is_sent_whole(http, base_url):
    content = bytes(range(256)) * 12_000
    uploaded = http.post(
        "/v1/files", headers=OPENAI_AUTH, files={"file": ("a.bin", content)}, data={"purpose": "user_data"}
    ).json()
    early = add_fault(http, route=f"/v1/files/{uploaded['id']}/content", hold_after_bytes=len(content) - 1)
    with httpx.Client(base_url=base_url, timeout=60) as client:
        with client.stream("GET", f"/v1/files/{uploaded['id']}/content", headers=OPENAI_AUTH) as download:
            chunks = download.iter_raw()
            first = next(chunks)
            released = http.post(f"/__mock__/faults/{early['id']}/release", headers=ADMIN).json()
            assert first + b"".join(chunks) == content
    assert released["held"] == "released"  # sending or holding, its body was not all sent

    whole = add_fault(http, route=f"/v1/files/{uploaded['id']}/content", hold_after_bytes=len(content))
    assert http.get(f"/v1/files/{uploaded['id']}/content", headers=OPENAI_AUTH).content == content
    assert http.post(f"/__mock__/faults/{whole['id']}/release", headers=ADMIN).json()["held"] == "sent whole"


def test_a_hold_fault_lets_go_by_itself_after_hold_seconds(http):
    uploaded = http.post(
        "/v1/files", headers=OPENAI_AUTH, files={"file": ("a.bin", b"x" * 5000)}, data={"purpose": "user_data"}
    ).json()
    fault = add_fault(http, route=f"/v1/files/{uploaded['id']}/content", hold_after_bytes=10, hold_seconds=0.2)
    assert http.get(f"/v1/files/{uploaded['id']}/content", headers=OPENAI_AUTH).content == b"x" * 5000
    assert http.post(f"/__mock__/faults/{fault['id']}/release", headers=ADMIN).json()["held"] == "timed out"
    assert http.post(f"/__mock__/faults/{fault['id']}/release", headers=ADMIN).status_code == 404


def test_admin_routes_need_the_admin_header_except_health(http):
    assert http.get("/__mock__/health").json() == {"status": "ok"}
    for method, path in (("POST", "/__mock__/reset"), ("POST", "/__mock__/faults"), ("GET", "/__mock__/faults")):
        response = http.request(method, path)
        assert response.status_code == 403, path
        assert set(response.json()) == {"error"}


def test_bad_fault_specs_are_rejected(http):
    for spec in (
        {},
        {"route": "/v1", "status": 200},
        {"route": "/v1"},
        {"route": "^(", "status": 500},
        {"route": "/v1", "hold_after_bytes": -1},
        {"route": "/v1", "hold_after_bytes": 10, "status": 500},
    ):
        response = http.post("/__mock__/faults", headers=ADMIN, json=spec)
        assert response.status_code == 400, spec


def test_reset_forgets_files_batches_and_faults(http, openai_client):
    openai_client.files.create(file=("a.txt", io.BytesIO(b"x")), purpose="user_data")
    add_fault(http, route="/v1/batches", status=500, count=5)

    assert http.post("/__mock__/reset", headers=ADMIN).status_code == 200

    assert list(openai_client.files.list()) == []
    assert list(openai_client.batches.list()) == []  # would be a 500 if the fault survived


def test_environment_configures_keys_models_and_the_azure_quirk(start_mock_server, upload_jsonl, jsonl_line):
    env = {"MOCK_API_KEYS": "k-one", "MOCK_MODELS": "tiny-model", "MOCK_AZURE_EMPTY_CREATE_ENDPOINT": "false"}
    with start_mock_server(**env) as url:
        azure = openai.AzureOpenAI(azure_endpoint=url, api_version="2025-03-01-preview", api_key="k-one", max_retries=0)
        assert [m.id for m in azure.models.list()] == ["tiny-model"]
        input_file = upload_jsonl(azure, [jsonl_line("a", "tiny-model", "/chat/completions")])

        created = azure.batches.create(
            input_file_id=input_file.id, endpoint="/chat/completions", completion_window="24h"
        )

        assert created.endpoint == "/chat/completions"
        rejected = httpx.get(f"{url}/v1/models", headers={"Authorization": "Bearer sk-mock-openai-key"})
        assert rejected.status_code == 401


@pytest.mark.parametrize("step", [-1, "fast", 10_000])
def test_settings_reject_bad_step(http, step):
    response = http.post("/__mock__/settings", headers=ADMIN, json={"batch_step_seconds": step})
    assert response.status_code == 400


def test_the_connection_log_tells_a_kept_connection_from_new_ones(base_url, http):
    http.delete("/__mock__/connections", headers=ADMIN).raise_for_status()
    with httpx.Client(base_url=base_url, timeout=30) as kept:
        for _ in range(3):
            kept.get("/v1/models", headers=OPENAI_AUTH)
    for _ in range(2):
        with httpx.Client(base_url=base_url, timeout=30) as fresh:
            fresh.get("/v1/models", headers=OPENAI_AUTH)
    http.get("/__mock__/health")  # admin routes are not counted
    assert http.get("/__mock__/connections", headers=ADMIN).json() == {"connections": 3, "requests": 5}
    assert http.get("/__mock__/connections").status_code == 403
