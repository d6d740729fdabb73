"""The mock's records in one JSON file of its state directory, rewritten whole on each
change (atomically: a crash leaves the old file or the new one, never half of one)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


class StateFile:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    def load(self) -> dict[str, Any]:
        try:
            return json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}

    def save(self, document: dict[str, Any]) -> None:
        scratch = self.path.with_suffix(".tmp")
        scratch.write_text(json.dumps(document))
        os.replace(scratch, self.path)
