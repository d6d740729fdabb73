"""Settings read from environment variables (see README for the full list)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_API_KEYS = "sk-mock-openai-key,mock-azure-key"
DEFAULT_MODELS = "gpt-4o-mini,gpt-4o,gpt-4o-mini-batch"
DEFAULT_BATCH_STEP_SECONDS = 0.5


@dataclass(frozen=True)
class Settings:
    api_keys: frozenset[str]
    models: tuple[str, ...]
    batch_step_seconds: float
    azure_empty_create_endpoint: bool
    # Where files, batches and their records are kept across restarts; None: memory and a temp dir.
    state_dir: Path | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        step = float(env.get("MOCK_BATCH_STEP_SECONDS", DEFAULT_BATCH_STEP_SECONDS))
        if step < 0:
            raise ValueError("MOCK_BATCH_STEP_SECONDS must be >= 0")
        return cls(
            api_keys=frozenset(_split_list(env.get("MOCK_API_KEYS", DEFAULT_API_KEYS))),
            models=tuple(_split_list(env.get("MOCK_MODELS", DEFAULT_MODELS))),
            batch_step_seconds=step,
            azure_empty_create_endpoint=_parse_bool(env.get("MOCK_AZURE_EMPTY_CREATE_ENDPOINT", "true")),
            state_dir=Path(env["MOCK_STATE_DIR"]) if env.get("MOCK_STATE_DIR") else None,
        )


def _split_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"not a boolean: {raw!r}")
