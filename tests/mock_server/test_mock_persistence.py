"""With a state directory a change saves the record that changed and nothing else, so it
costs the same however many records the mock holds (rewriting the whole state on every
change made seeding 2,000 batches take minutes). Counted in rows written, not timed.
The mock runs in this process here; test_mock_restart.py restarts a real one."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from mock_openai_server.batches import BatchRecord
from mock_openai_server.config import Settings
from mock_openai_server.files import FileRecord
from mock_openai_server.state import MockState
from mock_openai_server.surfaces import ApiStyle

from .conftest import chat_line, to_jsonl

RECORDS = 200
INPUT = to_jsonl([chat_line("a", "gpt-4o-mini", "/v1/chat/completions")])


def mock_state(state_dir: Path) -> MockState:
    # Batches wait in their first step: only the test's own changes happen.
    return MockState(Settings.from_env({"MOCK_STATE_DIR": str(state_dir), "MOCK_BATCH_STEP_SECONDS": "3600"}))


def upload(state: MockState) -> FileRecord:
    scratch = state.files.scratch_path()
    scratch.write_bytes(INPUT)
    return state.files.adopt(scratch, "input.jsonl", "batch")


def create_batch(state: MockState, input_file: FileRecord) -> BatchRecord:
    body = {"input_file_id": input_file.id, "endpoint": "/v1/chat/completions", "completion_window": "24h"}
    return state.batches.create(body, ApiStyle.OPENAI)


def test_one_change_writes_one_row_however_many_records_there_are(tmp_path):
    async def scenario() -> None:
        state = mock_state(tmp_path)
        assert state.database is not None
        await state.start()
        inputs = [upload(state) for _ in range(RECORDS)]
        batches = [create_batch(state, input_file) for input_file in inputs]
        assert state.database.changes == 2 * RECORDS

        def rows_written(change) -> int:
            before = state.database.changes
            change()
            return state.database.changes - before

        assert rows_written(lambda: upload(state)) == 1
        assert rows_written(lambda: create_batch(state, inputs[0])) == 1
        assert rows_written(lambda: state.batches.cancel(batches[0].id)) == 1
        assert rows_written(lambda: state.files.delete(inputs[-1].id)) == 1
        saved = {row["id"]: row for row in state.database.load("batches")}
        assert saved[batches[0].id]["status"] == "cancelling"
        await state.close()

    asyncio.run(scenario())


def test_a_restart_finds_each_change_and_a_reset_stays_reset(tmp_path):
    async def first_run() -> tuple[list[str], list[str]]:
        state = mock_state(tmp_path)
        await state.start()
        kept, deleted = upload(state), upload(state)
        batches = [create_batch(state, kept) for _ in range(3)]
        state.files.delete(deleted.id)
        state.batches.cancel(batches[1].id)
        await state.close()
        return [kept.id], [batch.id for batch in batches]

    async def restarted() -> MockState:
        state = mock_state(tmp_path)
        await state.start()
        return state

    async def scenario() -> None:
        file_ids, batch_ids = await first_run()
        state = await restarted()
        assert [record.id for record in state.files.newest_first()] == file_ids
        assert [batch.id for batch in state.batches.newest_first()] == batch_ids[::-1]
        assert state.batches.require(batch_ids[1]).status == "cancelling"
        await state.reset()
        await state.close()
        state = await restarted()
        assert (state.files.newest_first(), state.batches.newest_first()) == ([], [])
        await state.close()

    asyncio.run(scenario())


def test_an_earlier_versions_state_json_is_loaded_once(tmp_path):
    content = tmp_path / "files" / "file-old"
    content.parent.mkdir()
    content.write_bytes(INPUT)
    row = FileRecord("file-old", "input.jsonl", "batch", len(INPUT), 1, None, content).to_row()
    (tmp_path / "state.json").write_text(json.dumps({"files": [row], "batches": []}))

    async def scenario() -> None:
        state = mock_state(tmp_path)
        await state.start()
        assert [record.id for record in state.files.newest_first()] == ["file-old"]
        assert not (tmp_path / "state.json").exists()
        state.files.delete("file-old")
        await state.close()
        state = mock_state(tmp_path)
        await state.start()
        assert state.files.newest_first() == []
        await state.close()

    asyncio.run(scenario())
