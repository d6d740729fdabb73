"""0070: a finished batch is answered from the proxy's stored copy, as 1.108.7 answers it: a
client polling it costs no provider round trip. Counted at the mock (the API requests it
received), not timed; `./dev bench` reports batches.retrieve's added latency."""

from __future__ import annotations

import httpx
import pytest

from ..flows import MODELS, new_user, provider_route, run_batch

ADMIN = {"X-Mock-Admin": "true"}

models = pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())


def provider_requests(mock_url: str, clear: bool = False) -> int:
    if clear:
        httpx.delete(f"{mock_url}/__mock__/connections", headers=ADMIN, timeout=10).raise_for_status()
    answer = httpx.get(f"{mock_url}/__mock__/connections", headers=ADMIN, timeout=10)
    answer.raise_for_status()
    return answer.json()["requests"]


@pytest.mark.patch("0070-finished-batch-from-its-stored-copy.patch")
@models
def test_a_finished_batch_is_answered_without_asking_the_provider(proxy, model, say) -> None:
    _, client = new_user(proxy, "poller")
    _, created, finished = run_batch(client, model, say, prompts=["one", "two"])
    provider_requests(proxy.mock_url, clear=True)
    answers = [c.batches.retrieve(created.id) for c in (client, provider_route(client, model)) for _ in range(3)]
    assert provider_requests(proxy.mock_url) == 0
    assert [a.model_dump() for a in answers] == [finished.model_dump()] * len(answers)
