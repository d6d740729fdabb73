"""One stack per state directory: a second one is refused at once and touches nothing."""

from __future__ import annotations

import pytest

from litellm_batch_fixes.paths import DEFAULT_CONFIG
from litellm_batch_fixes.processes import StartupError
from litellm_batch_fixes.stack import Stack
from litellm_batch_fixes.state_lock import lock_state_dir


def test_a_held_state_directory_refuses_a_second_lock_naming_the_holder(tmp_path) -> None:
    first = lock_state_dir(tmp_path)
    first.describe("http://127.0.0.1:4000")
    with pytest.raises(StartupError, match=r"in use by another stack \(pid \d+, http://127.0.0.1:4000\).*--state-dir"):
        lock_state_dir(tmp_path)
    first.stop()
    lock_state_dir(tmp_path).stop()  # free again once its holder stopped


def test_a_second_stack_on_a_state_directory_stops_before_it_starts_anything(tmp_path) -> None:
    held = lock_state_dir(tmp_path)
    second = Stack(state_dir=tmp_path, config=DEFAULT_CONFIG, port=0, log=lambda _: None)
    with pytest.raises(StartupError, match="--state-dir"):
        second.start()
    assert second.services == [] and not (tmp_path / "postgres").exists()
    with pytest.raises(StartupError):  # the first stack's lock is still held
        lock_state_dir(tmp_path)
    held.stop()
