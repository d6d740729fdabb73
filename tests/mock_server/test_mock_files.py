"""Files API over HTTP with the official SDK, on every API surface."""

from __future__ import annotations

import hashlib
import io
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import openai
import pytest

# The documented default keys.
OPENAI_KEY = "sk-mock-openai-key"
AZURE_KEY = "mock-azure-key"


def test_upload_retrieve_content_and_delete(surface):
    content = b'{"a": 1}\n' + bytes(range(256)) + b"\n\xe2\x82\xac\n"
    before = int(time.time())

    created = surface.client.files.create(file=("data.jsonl", io.BytesIO(content)), purpose="user_data")

    assert created.id.startswith("file-")
    assert created.object == "file"
    assert created.bytes == len(content)
    assert created.filename == "data.jsonl"
    assert created.purpose == "user_data"
    assert created.status == "processed"
    assert created.status_details is None
    assert created.expires_at is None
    assert before <= created.created_at <= int(time.time())
    assert surface.client.files.retrieve(created.id) == created
    assert surface.client.files.content(created.id).content == content

    deleted = surface.client.files.delete(created.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (created.id, "file", True)
    with pytest.raises(openai.NotFoundError):
        surface.client.files.retrieve(created.id)


def test_unknown_file_is_404_with_error_body(http):
    headers = {"Authorization": f"Bearer {OPENAI_KEY}"}
    for method, path in (
        ("GET", "/v1/files/file-missing"),
        ("GET", "/v1/files/file-missing/content"),
        ("DELETE", "/v1/files/file-missing"),
    ):
        response = http.request(method, path, headers=headers)
        assert response.status_code == 404, (method, path)
        body = response.json()
        assert set(body) == {"error"}, body
        assert "file-missing" in body["error"]["message"]
        assert body["error"]["type"] == "invalid_request_error"


def test_expires_after_follows_each_service(openai_client, azure_client):
    fourteen_days = 14 * 24 * 3600

    kept = azure_client.files.create(
        file=("a.jsonl", io.BytesIO(b"{}\n")),
        purpose="batch",
        expires_after={"anchor": "created_at", "seconds": fourteen_days},
    )
    assert kept.expires_at == kept.created_at + fourteen_days

    with pytest.raises(openai.BadRequestError) as too_short_for_azure:
        azure_client.files.create(
            file=("a.jsonl", io.BytesIO(b"{}\n")),
            purpose="batch",
            expires_after={"anchor": "created_at", "seconds": 3600},
        )
    assert too_short_for_azure.value.body["param"] == "expires_after[seconds]"

    one_hour = openai_client.files.create(
        file=("a.jsonl", io.BytesIO(b"{}\n")), purpose="batch", expires_after={"anchor": "created_at", "seconds": 3600}
    )
    assert one_hour.expires_at == one_hour.created_at + 3600

    with pytest.raises(openai.BadRequestError) as bad_anchor:
        openai_client.files.create(
            file=("a.jsonl", io.BytesIO(b"{}\n")),
            purpose="batch",
            expires_after={"anchor": "last_active_at", "seconds": fourteen_days},
        )
    assert bad_anchor.value.body["param"] == "expires_after[anchor]"


def test_unknown_purpose_is_rejected(classic_surface):
    with pytest.raises(openai.BadRequestError) as error:
        classic_surface.client.files.create(file=("a.txt", io.BytesIO(b"x")), purpose="homework")
    assert error.value.status_code == 400
    assert error.value.body["param"] == "purpose"


def test_missing_file_part_is_rejected(http):
    response = http.post("/v1/files", headers={"Authorization": f"Bearer {OPENAI_KEY}"}, data={"purpose": "batch"})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "file"


def test_files_list_paginates_newest_first(classic_surface):
    client = classic_surface.client
    uploaded = [client.files.create(file=(f"f{i}.txt", io.BytesIO(b"x")), purpose="user_data").id for i in range(5)]
    other = client.files.create(file=("b.jsonl", io.BytesIO(b"{}\n")), purpose="batch").id
    newest_first = list(reversed(uploaded))

    first = client.files.list(purpose="user_data", limit=2)
    assert [f.id for f in first.data] == newest_first[:2]
    assert first.has_more is True
    assert (first.first_id, first.last_id) == (newest_first[0], newest_first[1])

    last = client.files.list(purpose="user_data", limit=3, after=newest_first[1])
    assert [f.id for f in last.data] == newest_first[2:]
    assert last.has_more is False

    assert [f.id for f in client.files.list(purpose="user_data", limit=2)] == newest_first  # SDK auto-paging
    assert [f.id for f in client.files.list(purpose="user_data", order="asc")] == uploaded
    assert [f.id for f in client.files.list(limit=1)] == [other, *newest_first]


def test_large_upload_is_exact_and_fast(http):
    size = 100 * 1024 * 1024
    block = hashlib.sha256(b"mock").digest() * 4096  # 128 KiB of varied bytes
    content = block * (size // len(block))
    headers = {"Authorization": f"Bearer {OPENAI_KEY}"}
    started = time.monotonic()

    response = http.post(
        "/v1/files", headers=headers, files={"file": ("big.jsonl", content)}, data={"purpose": "batch"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["bytes"] == size

    digest = hashlib.sha256()
    with http.stream("GET", f"/v1/files/{response.json()['id']}/content", headers=headers) as download:
        assert download.status_code == 200
        for chunk in download.iter_bytes():
            digest.update(chunk)
    assert digest.hexdigest() == hashlib.sha256(content).hexdigest()
    # Linear work takes a few seconds at most; quadratic copying of 100 MB would take minutes.
    assert time.monotonic() - started < 20


def test_both_documented_keys_work_on_both_styles(base_url):
    for key in (OPENAI_KEY, AZURE_KEY):
        assert httpx.get(f"{base_url}/v1/files", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        azure = httpx.get(f"{base_url}/openai/files", params={"api-version": "2024-10-21"}, headers={"api-key": key})
        assert azure.status_code == 200


def test_concurrent_uploads_are_all_kept(base_url):
    headers = {"Authorization": f"Bearer {OPENAI_KEY}"}

    def upload(index: int) -> dict:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            response = client.post(
                "/v1/files",
                headers=headers,
                files={"file": (f"{index}.txt", b"x" * index)},
                data={"purpose": "user_data"},
            )
            assert response.status_code == 200, response.text
            return response.json()

    with ThreadPoolExecutor(max_workers=8) as pool:
        uploaded = list(pool.map(upload, range(1, 41)))

    assert len({f["id"] for f in uploaded}) == 40
    assert [f["bytes"] for f in uploaded] == list(range(1, 41))
    listed = httpx.get(f"{base_url}/v1/files", headers=headers).json()
    assert {f["id"] for f in listed["data"]} == {f["id"] for f in uploaded}
