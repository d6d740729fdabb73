"""The official SDK on both sides of a comparison: the proxy (managed ids, a proxy model
name) and the mock directly (the provider's ids, its own model or deployment name)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import httpx
import openai

from ..mock import AZURE_KEY, OPENAI_KEY

AZURE_API_VERSION = "2025-03-01-preview"  # litellm-config.yaml's


@dataclass(frozen=True)
class Route:
    """One model of litellm-config.yaml, seen through the proxy and directly."""

    model: str  # the proxy's model name
    upstream_model: str  # what the mock is asked for directly
    model_id: str  # the deployment id inside managed ids

    def line(self, index: int, model: str, padding: int = 0) -> bytes:
        body = {"model": model, "messages": [{"role": "user", "content": f"Say hello {index}" + "." * padding}]}
        return (
            json.dumps({"custom_id": f"request-{index}", "method": "POST", "url": "/v1/chat/completions", "body": body})
            + "\n"
        ).encode()


ROUTES = (
    Route("gpt-4o-mini", "gpt-4o-mini", "gpt-4o-mini-openai"),
    Route("azure-gpt-4o-mini-batch", "gpt-4o-mini-batch", "gpt-4o-mini-batch-azure"),
)


def proxy_client(url: str, key: str, timeout: float = 600) -> openai.OpenAI:
    return openai.OpenAI(base_url=url, api_key=key, max_retries=0, timeout=timeout)


def direct_client(route: Route, mock_url: str, timeout: float = 600) -> openai.OpenAI:
    if route.model.startswith("azure"):
        return openai.AzureOpenAI(
            azure_endpoint=mock_url, api_key=AZURE_KEY, api_version=AZURE_API_VERSION, max_retries=0, timeout=timeout
        )
    return openai.OpenAI(base_url=f"{mock_url}/v1", api_key=OPENAI_KEY, max_retries=0, timeout=timeout)


def new_user_key(proxy_url: str, master_key: str, name: str = "user") -> tuple[str, str]:
    """A new user (`name` and a unique suffix) and a virtual key of theirs, made with the
    master key."""
    user_id = f"{name}-{uuid.uuid4().hex[:8]}"
    answer = httpx.post(
        f"{proxy_url}/key/generate",
        json={"user_id": user_id},
        headers={"Authorization": f"Bearer {master_key}"},
        timeout=30,
    )
    answer.raise_for_status()
    return user_id, answer.json()["key"]


def upload_kwargs(route: Route, through_proxy: bool) -> dict:
    """files.create's extra arguments: the proxy needs to know which deployment gets it."""
    return {"extra_body": {"target_model_names": route.model}} if through_proxy else {}
