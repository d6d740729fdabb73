"""Upgrading a deployment from the 1.80.10 line to 1.108.7 on the same database, keys and
upstream (docs/upgrading.md): what was made before is served after."""

from __future__ import annotations

import pytest

from litellm_batch_fixes.paths import DEFAULT_CONFIG
from litellm_batch_fixes.releases import LINES
from litellm_batch_fixes.stack import Stack

from ...conftest import selected_lines
from ..flows import MODELS, batch_lines, create_batch, new_user, run_batch, sdk, upload_batch_input, wait_for_batch

FROM, TO = "1.80.10", "1.108.7"


@pytest.fixture
def both_lines(pytestconfig) -> None:
    if {FROM, TO} - {line.version for line in selected_lines(pytestconfig)}:
        pytest.skip(f"needs both release lines: --litellm {FROM},{TO} (or all)")


@pytest.mark.slow_allowed(seconds=150, why="starts a 1.80.10 stack, then a 1.108.7 one on its database")
def test_files_and_batches_made_on_1_80_10_are_served_by_1_108_7(both_lines, services, tmp_path, say) -> None:
    database = services.database_for("litellm_upgrade")

    def stack(line: str) -> Stack:
        return Stack(
            state_dir=tmp_path,
            config=DEFAULT_CONFIG,
            build=LINES[line].build("patched"),
            port=0,
            database_url=database,
            mock_url=services.mock_url,
            log=lambda m: say(f"upgrade {line}: {m}"),
        )

    made = {}
    with stack(FROM) as old:
        _, client = new_user(old, "upgrader")
        key = client.api_key
        for model in MODELS.values():
            uploaded, _, done = run_batch(client, model, say, prompts=["one", "bad"], bad_max_tokens_at=1)
            output = client.files.content(done.output_file_id).text
            pending = create_batch(client, upload_batch_input(client, model, batch_lines(model, ["later"])).id)
            made[model] = (uploaded, done, output, pending)

    with stack(TO) as new:
        client = sdk(new, key)
        for model, (uploaded, done, output, pending) in made.items():
            assert client.files.retrieve(uploaded.id).id == uploaded.id
            again = client.batches.retrieve(done.id)
            assert again.status == "completed"
            # the ids 1.80.10 handed out still read the same files
            assert client.files.content(done.output_file_id).text == output
            assert client.files.content(done.error_file_id).text
            if again.output_file_id != done.output_file_id:
                say(
                    f"{model}: {TO} names the output file {again.output_file_id[:24]}..., "
                    f"{FROM} named it {done.output_file_id[:24]}..."
                )
                assert client.files.content(again.output_file_id).text == output
            finished = wait_for_batch(client, pending.id, say)
            assert finished.status == "completed" and client.files.content(finished.output_file_id).text
            listed = [b.id for b in client.batches.list(limit=100).data]
            assert {done.id, pending.id} <= set(listed), model
