"""Nothing is stranded by a restart: managed ids name stable deployments (model_info.id in
litellm-config.yaml), the mock keeps its files and batches in the state dir, and a proxy
restarted on the port it had, while clients still hold connections to it, starts at once."""

from __future__ import annotations

import pytest

from litellm_batch_fixes.paths import DEFAULT_CONFIG
from litellm_batch_fixes.processes import free_port
from litellm_batch_fixes.stack import Stack

from ..flows import MODELS, batch_lines, create_batch, sdk, upload_batch_input, wait_for_batch


@pytest.mark.slow_allowed(seconds=150, why="starts a stack of its own, then its proxy (and mock) again")
@pytest.mark.parametrize("restarted", ["proxy", "proxy-and-mock"])
def test_files_and_batches_made_before_a_restart_are_served_after_it(
    patched_build, services, tmp_path, say, restarted
) -> None:
    """Unpatched config (deployment ids hashed from api_base): 500 "no healthy deployments
    for model=<hash>" after the mock came back on another port."""
    database = services.database_for(f"litellm_restart_{restarted}_{patched_build}".replace(".", "_"))
    port = free_port()

    def stack() -> Stack:
        mock_url = services.mock_url if restarted == "proxy" else None  # None: its own, kept
        return Stack(
            state_dir=tmp_path,
            config=DEFAULT_CONFIG,
            build=patched_build,
            port=port,
            database_url=database,
            mock_url=mock_url,
            log=lambda m: say(f"restart: {m}"),
        )

    made = {}
    with stack() as first:
        client = sdk(first)
        for name, model in MODELS.items():
            done = upload_batch_input(client, model, batch_lines(model, ["one", "two"]))
            finished = wait_for_batch(client, create_batch(client, done.id).id, say)
            pending = create_batch(client, upload_batch_input(client, model, batch_lines(model, ["three"])).id)
            made[name] = (done, finished, pending)
        # the SDK keeps its connections open: the port must still be ours at once after the stop

    with stack() as second:
        assert second.url == first.url
        client = sdk(second)
        for name, (uploaded, finished, pending) in made.items():
            assert client.files.retrieve(uploaded.id).id == uploaded.id
            again = client.batches.retrieve(finished.id)
            assert (again.status, again.output_file_id) == ("completed", finished.output_file_id)
            assert len(client.files.content(finished.output_file_id).text.splitlines()) == 2
            resumed = wait_for_batch(client, pending.id, say)
            assert (resumed.id, resumed.status) == (pending.id, "completed"), name
            assert len(client.files.content(resumed.output_file_id).text.splitlines()) == 1
