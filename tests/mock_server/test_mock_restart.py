"""With MOCK_STATE_DIR the mock keeps its files and batches across restarts, and a batch
that was running when it stopped carries on, as a real provider's batches do. Each change
is saved as it happens, so a killed mock (no shutdown at all) loses nothing either."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import httpx
import openai
import pytest

from .conftest import ADMIN_HEADERS, MockServerProcess, make_openai_client, running_mock_server


@contextlib.contextmanager
def first_run(state: str, killed: bool) -> Iterator[str]:
    server = MockServerProcess({"MOCK_STATE_DIR": state})
    try:
        yield server.base_url
    finally:
        if killed:
            server.process.kill()  # our own child, by PID
            server.process.wait(timeout=10)
        server.stop()


@pytest.mark.parametrize("killed", [False, True], ids=["stopped", "killed"])
def test_files_and_batches_outlive_a_restart(tmp_path, upload_jsonl, jsonl_line, wait_for_batch, read_jsonl, killed):
    state = str(tmp_path / "mock-state")
    lines = [jsonl_line(f"req-{i}", "gpt-4o-mini", "/v1/chat/completions", f"q{i}") for i in range(3)]
    with first_run(state, killed) as url:
        client = make_openai_client(url)
        kept = upload_jsonl(client, lines)
        deleted = upload_jsonl(client, lines[:1])
        client.files.delete(deleted.id)
        done = client.batches.create(input_file_id=kept.id, endpoint="/v1/chat/completions", completion_window="24h")
        done = wait_for_batch(client, done.id)
        httpx.post(
            f"{url}/__mock__/settings", json={"batch_step_seconds": 60}, headers=ADMIN_HEADERS, timeout=10
        ).raise_for_status()
        running = client.batches.create(input_file_id=kept.id, endpoint="/v1/chat/completions", completion_window="24h")
        # the mock stops while `running` waits in its first step

    with running_mock_server(MOCK_STATE_DIR=state) as url:
        client = make_openai_client(url)
        assert client.files.retrieve(kept.id).bytes == kept.bytes
        assert client.files.content(kept.id).content == client.files.content(kept.id).content
        with pytest.raises(openai.NotFoundError):
            client.files.retrieve(deleted.id)
        again = client.batches.retrieve(done.id)
        assert (again.status, again.output_file_id) == ("completed", done.output_file_id)
        assert [line["custom_id"] for line in read_jsonl(client, done.output_file_id)] == ["req-0", "req-1", "req-2"]
        resumed = wait_for_batch(client, running.id)
        assert resumed.request_counts.completed == 3
        assert len(read_jsonl(client, resumed.output_file_id)) == 3
        assert [b.id for b in client.batches.list()] == [running.id, done.id]


def test_without_a_state_dir_nothing_is_kept(tmp_path, upload_jsonl, jsonl_line):
    with running_mock_server() as url:
        kept = upload_jsonl(make_openai_client(url), [jsonl_line("a", "gpt-4o-mini", "/v1/chat/completions")])
    with running_mock_server() as url:
        with pytest.raises(openai.NotFoundError):
            make_openai_client(url).files.retrieve(kept.id)
