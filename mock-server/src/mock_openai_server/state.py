"""Everything the mock remembers, in one place so it can be reset (or saved) at once."""

from __future__ import annotations

from .batches import BatchService
from .config import Settings
from .faults import FaultRegistry
from .files import FileStore
from .model_catalog import ModelCatalog
from .persistence import StateFile


class MockState:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.catalog = ModelCatalog(settings.models)
        directory = settings.state_dir
        self._state_file = StateFile(directory / "state.json") if directory else None
        self.files = FileStore(directory / "files" if directory else None, on_change=self.save)
        self.batches = BatchService(self.files, self.catalog, settings.batch_step_seconds, on_change=self.save)
        self.faults = FaultRegistry()

    def save(self) -> None:
        if self._state_file:
            self._state_file.save({"files": self.files.rows(), "batches": self.batches.rows()})

    async def start(self) -> None:
        """With a state directory: what an earlier run left, its running batches resumed."""
        if self._state_file:
            saved = self._state_file.load()
            self.files.restore(saved.get("files", []))
            self.batches.resume(saved.get("batches", []))

    async def reset(self) -> None:
        await self.batches.reset()
        self.batches.step_seconds = self.settings.batch_step_seconds
        self.files.reset()
        self.faults.clear()

    async def close(self) -> None:
        """Stop the batch tasks (a saved batch resumes at the next start); drop a temp dir."""
        await self.batches.stop()
        self.files.close()
