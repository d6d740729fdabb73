"""Concurrent requests on one file or batch, as retrying clients and parallel cleanup jobs
send them: whatever wins, no request answers 5xx. Of concurrent deletes exactly one
reports `deleted: true` and the others answer 404 with OpenAI's error body; reads racing
a delete answer the file or 404; cancels racing each other leave the batch cancelling or
cancelled; batch creates racing the delete of their input file either create a batch
that is then served or answer a 4xx.

Each race runs ROUNDS times with AT_ONCE requests released together (threads behind one
barrier, plain httpx so every status and body is seen as sent).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from litellm_batch_fixes.bench.clients import new_user_key

from ..conformance import problems
from ..flows import MODELS, batch_lines, sdk, upload_batch_input

ROUNDS = 10
AT_ONCE = 12
models = pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())


class Racer:
    """One user's virtual key on the proxy: uploads through the SDK, races through httpx."""

    def __init__(self, proxy, name: str) -> None:
        _, key = new_user_key(proxy.url, proxy.master_key, name)
        self.sdk = sdk(proxy, key)
        self.http = httpx.Client(base_url=proxy.url, headers={"Authorization": f"Bearer {key}"}, timeout=60)
        self.checks_conformance = proxy.build.is_patched

    def upload(self, model: str) -> str:
        return upload_batch_input(self.sdk, model, batch_lines(model, ["race"])).id

    def delete(self, file_id: str) -> Callable[[], httpx.Response]:
        return lambda: self.http.delete(f"/v1/files/{file_id}")

    def retrieve(self, file_id: str) -> Callable[[], httpx.Response]:
        return lambda: self.http.get(f"/v1/files/{file_id}")

    def content(self, file_id: str) -> Callable[[], httpx.Response]:
        return lambda: self.http.get(f"/v1/files/{file_id}/content")

    def create_batch(self, file_id: str) -> Callable[[], httpx.Response]:
        body = {"input_file_id": file_id, "endpoint": "/v1/chat/completions", "completion_window": "24h"}
        return lambda: self.http.post("/v1/batches", json=body)

    def cancel(self, batch_id: str) -> Callable[[], httpx.Response]:
        return lambda: self.http.post(f"/v1/batches/{batch_id}/cancel")

    def at_once(self, calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
        """Run the calls together, released by one barrier; their answers in order, each
        checked: no 5xx, an error is OpenAI's `{"error": {...}}`, and on the patched build
        every JSON answer is what the OpenAI API answers (conformance.py)."""
        barrier = threading.Barrier(len(calls))

        def run(call: Callable[[], httpx.Response]) -> httpx.Response:
            barrier.wait()
            return call()

        with ThreadPoolExecutor(len(calls)) as pool:
            answers = list(pool.map(run, calls))
        for answer in answers:
            where = f"{answer.request.method} {answer.request.url.path}"
            assert answer.status_code < 500, f"{where}: {answer.status_code} {answer.text[:300]}"
            if answer.status_code >= 400:
                body = answer.json()
                assert isinstance(body, dict) and isinstance(body.get("error"), dict), f"{where}: {answer.text[:300]}"
            is_json = "application/json" in answer.headers.get("content-type", "")
            if self.checks_conformance and is_json:
                found = problems(answer.request.method, answer.request.url.path, answer.status_code, answer.json())
                assert not found, f"{where} {answer.status_code}: {found[:3]}"
        return answers


@pytest.fixture
def racer(proxy) -> Iterator[Racer]:
    racer = Racer(proxy, "race")
    try:
        yield racer
    finally:
        racer.http.close()


def deleted(answer: httpx.Response) -> bool:
    return answer.status_code == 200 and answer.json().get("deleted") is True


def twelve_deletes(racer: Racer, model: str) -> list[tuple[int, Counter]]:
    """Per round: how many deletes reported `deleted: true`, and the statuses of the rest."""
    outcomes = []
    for _ in range(ROUNDS):
        file_id = racer.upload(model)
        answers = racer.at_once([racer.delete(file_id)] * AT_ONCE)
        outcomes.append((sum(map(deleted, answers)), Counter(a.status_code for a in answers if not deleted(a))))
    return outcomes


@pytest.mark.patch("0040-concurrent-requests-on-one-file.patch")
@pytest.mark.slow_allowed(seconds=120, why="ten rounds of twelve deletes at once, each settling the owner's batches")
@models
def test_concurrent_deletes_of_one_file_delete_it_once_and_answer_the_rest_404(racer, model: str) -> None:
    """Unpatched (both lines): of twelve concurrent deletes one answers `deleted: true`,
    eight 404 and three 500 `LiteLLM Managed File object with id=… not found` (2-5 over
    runs). (Unpatched 1.80.10 also answers the stored FileObject, without `deleted: true`,
    where 0002 is missing.)"""
    assert twelve_deletes(racer, model) == [(1, Counter({404: AT_ONCE - 1}))] * ROUNDS


@models
def test_reads_racing_a_delete_answer_the_file_or_404(racer, model: str) -> None:
    for _ in range(ROUNDS):
        file_id = racer.upload(model)
        calls = [racer.delete(file_id)] + [racer.retrieve(file_id), racer.content(file_id)] * ((AT_ONCE - 1) // 2)
        deletion, *reads = racer.at_once(calls)
        assert deleted(deletion), deletion.text
        assert {a.status_code for a in reads} <= {200, 404}, [(a.status_code, a.text[:200]) for a in reads]
        after = racer.at_once([racer.retrieve(file_id), racer.content(file_id), racer.delete(file_id)])
        assert [a.status_code for a in after] == [404, 404, 404]


@pytest.mark.slow_allowed(seconds=120, why="each of its ten rounds may create eleven batches, then reads each back")
@models
def test_batch_creates_racing_the_delete_of_their_input_file_never_fail_the_server(racer, model: str) -> None:
    for _ in range(ROUNDS):
        file_id = racer.upload(model)
        deletion, *creates = racer.at_once([racer.delete(file_id)] + [racer.create_batch(file_id)] * (AT_ONCE - 1))
        # 1.108.7 refuses (400) to delete a file a running batch still needs
        assert deleted(deletion) or deletion.status_code == 400, deletion.text
        created = [a.json()["id"] for a in creates if a.status_code == 200]
        for batch_id in created:  # every batch a caller was told about is served
            assert racer.http.get(f"/v1/batches/{batch_id}").status_code == 200


@models
def test_concurrent_cancels_of_one_batch_leave_it_cancelling_or_cancelled(racer, model: str, slow_batches) -> None:
    for _ in range(ROUNDS):
        batch = racer.create_batch(racer.upload(model))()
        assert batch.status_code == 200, batch.text
        batch_id = batch.json()["id"]
        answers = racer.at_once([racer.cancel(batch_id)] * AT_ONCE)
        statuses = {a.json()["status"] for a in answers if a.status_code == 200}
        assert statuses and statuses <= {"cancelling", "cancelled"}, [(a.status_code, a.text[:200]) for a in answers]
        after = racer.http.get(f"/v1/batches/{batch_id}")
        assert (after.status_code, after.json()["status"] in {"cancelling", "cancelled"}) == (200, True)
