"""Everything the mock remembers, in one place so it can be reset at once."""

from __future__ import annotations

from .batches import BatchService
from .config import Settings
from .faults import FaultRegistry
from .files import FileStore
from .model_catalog import ModelCatalog


class MockState:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.catalog = ModelCatalog(settings.models)
        self.files = FileStore()
        self.batches = BatchService(self.files, self.catalog, settings.batch_step_seconds)
        self.faults = FaultRegistry()

    async def reset(self) -> None:
        await self.batches.reset()
        self.batches.step_seconds = self.settings.batch_step_seconds
        self.files.reset()
        self.faults.clear()

    async def close(self) -> None:
        await self.batches.reset()
        self.files.close()
