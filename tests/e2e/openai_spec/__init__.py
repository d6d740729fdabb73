"""The files and batches part of OpenAI's OpenAPI description, vendored by vendor.py."""

from __future__ import annotations

import json
from pathlib import Path

SPEC = json.loads((Path(__file__).parent / "files-and-batches.json").read_text())
