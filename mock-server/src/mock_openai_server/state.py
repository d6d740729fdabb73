"""Everything the mock remembers, in one place so it can be reset at once.

With a state directory each change of a file or batch record is saved as it happens, that
record alone (persistence.py), so the next start finds everything as it was.
"""

from __future__ import annotations

from functools import partial

from .batches import BatchService
from .config import Settings
from .faults import FaultRegistry
from .files import FileStore, OnChange
from .model_catalog import ModelCatalog
from .persistence import StateDatabase


class MockState:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.catalog = ModelCatalog(settings.models)
        directory = settings.state_dir
        self.database = StateDatabase(directory / "state.sqlite3") if directory else None
        self.files = FileStore(directory / "files" if directory else None, on_change=self._saver("files"))
        self.batches = BatchService(
            self.files, self.catalog, settings.batch_step_seconds, on_change=self._saver("batches")
        )
        self.faults = FaultRegistry()

    def _saver(self, kind: str) -> OnChange:
        if self.database is None:
            return lambda record_id, row: None
        return partial(self.database.save, kind)

    async def start(self) -> None:
        """With a state directory: what an earlier run left, its running batches resumed."""
        if self.database:
            self.files.restore(self.database.load("files"))
            self.batches.resume(self.database.load("batches"))

    async def reset(self) -> None:
        await self.batches.reset()
        self.batches.step_seconds = self.settings.batch_step_seconds
        self.files.reset()
        self.faults.clear()

    async def close(self) -> None:
        """Stop the batch tasks (a saved batch resumes at the next start); drop a temp dir."""
        await self.batches.stop()
        self.files.close()
        if self.database:
            self.database.close()
