"""Known models / deployments and their documented completion-token limits."""

from __future__ import annotations

# Documented max output tokens. Deployment names such as "gpt-4o-mini-batch" take the
# limit of the longest model name they start with.
COMPLETION_TOKEN_LIMITS = {
    "gpt-3.5-turbo": 4096,
    "gpt-4": 8192,
    "gpt-4-turbo": 4096,
    "gpt-4o": 16384,
    "gpt-4o-mini": 16384,
    "gpt-4.1": 32768,
    "gpt-4.1-mini": 32768,
    "gpt-4.1-nano": 32768,
}
DEFAULT_COMPLETION_TOKEN_LIMIT = 16384
MODEL_CREATED_AT = 1715367049  # fixed, so /models answers are deterministic


class ModelCatalog:
    def __init__(self, names: tuple[str, ...]):
        self.names = names
        self._known = frozenset(names)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._known

    def completion_token_limit(self, name: str) -> int:
        matches = [model for model in COMPLETION_TOKEN_LIMITS if name == model or name.startswith(model + "-")]
        if not matches:
            return DEFAULT_COMPLETION_TOKEN_LIMIT
        return COMPLETION_TOKEN_LIMITS[max(matches, key=len)]

    def model_object(self, name: str) -> dict:
        return {"id": name, "object": "model", "created": MODEL_CREATED_AT, "owned_by": "system"}
