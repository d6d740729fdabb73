"""0032: the proxy keeps its connections to an OpenAI provider for files and batches calls,
as it does for chat and for Azure. The mock counts the connections requests arrive on."""

from __future__ import annotations

import httpx
import pytest

from ..flows import MODELS, batch_lines, upload_batch_input

ADMIN = {"X-Mock-Admin": "true"}
CALLS = 8


def connections(mock_url: str, clear: bool = False) -> int:
    if clear:
        httpx.delete(f"{mock_url}/__mock__/connections", headers=ADMIN, timeout=10).raise_for_status()
        return 0
    answer = httpx.get(f"{mock_url}/__mock__/connections", headers=ADMIN, timeout=10)
    answer.raise_for_status()
    return answer.json()["connections"]


@pytest.mark.patch("0032-openai-files-batches-client-reused.patch")
def test_openai_files_and_batches_calls_reuse_their_connections(proxy, client, services) -> None:
    """Unpatched: every files or batches call on an OpenAI deployment builds a new SDK
    client (a new SSL context and connection pool): 8 retrieves, 8 new connections, and
    20-40 ms added to each call."""
    model = MODELS["gpt"]
    uploaded = upload_batch_input(client, model, batch_lines(model, ["hello"]))
    batch = client.batches.create(input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h")
    connections(services.mock_url, clear=True)
    for _ in range(CALLS):
        client.batches.retrieve(batch.id)
        client.files.content(uploaded.id).read()
    opened = connections(services.mock_url)
    assert opened <= 2, f"{2 * CALLS} calls opened {opened} connections to the provider"
