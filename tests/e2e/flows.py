"""Steps of the managed batch flow, written once for every test that walks it."""

from __future__ import annotations

import base64
import io
import json
import time
from collections.abc import Callable

import httpx
import openai
import yaml
from openai.types import Batch, FileObject

from litellm_batch_fixes.bench.clients import new_user_key
from litellm_batch_fixes.paths import DEFAULT_CONFIG

from . import conformance

# Test ids -> proxy model names (litellm-config.yaml): the OpenAI and the Azure route.
MODELS = {"gpt": "gpt-4o-mini", "azure": "azure-gpt-4o-mini-batch"}
# A flow that deletes a finished batch's files right away needs 0021 on 1.108.7 (which
# otherwise refuses until its cost poller has run); for the `needs` of a patch marker.
NEEDS_0021 = {"1.108.7": ["0021-finished-batch-files-deletable.patch"]}
TERMINAL = {"completed", "failed", "cancelled", "expired"}
# Each verb that calls the provider -> (method, its route at the provider as a regex): where
# a fault injected at the mock meets it.
PROVIDER_CALLS = {
    "files.create": ("POST", r"/files$"),
    "files.retrieve": ("GET", r"/files/[^/]+$"),
    "files.content": ("GET", r"/files/[^/]+/content$"),
    "files.delete": ("DELETE", r"/files/[^/]+$"),
    "batches.create": ("POST", r"/batches$"),
    "batches.retrieve": ("GET", r"/batches/[^/]+$"),
    "batches.cancel": ("POST", r"/batches/[^/]+/cancel$"),
}


def inject_fault(mock_url: str, verb: str, **fault) -> dict:
    """The next provider calls of `verb` (OpenAI's and Azure's routes alike) meet `fault`
    at the mock: a "status" to answer, "delay_seconds", "count" (calls; the mock's default
    one), "retry_after_seconds", or "hold_after_bytes" (see release_fault). The fault as
    the mock took it."""
    method, route = PROVIDER_CALLS[verb]
    return (
        httpx.post(
            f"{mock_url}/__mock__/faults",
            headers={"X-Mock-Admin": "true"},
            timeout=10,
            json={"route": "^.*" + route, "method": method, **fault},
        )
        .raise_for_status()
        .json()
    )


def release_fault(mock_url: str, fault_id: str) -> str:
    """Let a body held by a hold_after_bytes fault go on; how its hold ended: "released"
    (its body not all sent yet), "timed out" (its hold_seconds passed first), "sent whole"
    (the body ended before the hold) or "no" (no request met it)."""
    answer = httpx.post(f"{mock_url}/__mock__/faults/{fault_id}/release", headers={"X-Mock-Admin": "true"}, timeout=10)
    return answer.raise_for_status().json()["held"]


def clear_faults(mock_url: str) -> None:
    httpx.delete(f"{mock_url}/__mock__/faults", headers={"X-Mock-Admin": "true"}, timeout=10).raise_for_status()


def release(stack) -> str:
    """The LiteLLM release line (version) a stack runs."""
    return stack.build.line.version


def sdk(stack, api_key: str | None = None, timeout: float = 60) -> openai.OpenAI:
    """The official SDK on the stack's proxy (the master key unless another is given). On a
    fully patched build every answer it receives must be what the OpenAI API answers
    (conformance.py); other builds are what the patch tests compare against."""
    hooks = {"response": [conformance.check]} if stack.build.is_patched else {}
    return openai.OpenAI(
        base_url=stack.url,
        api_key=api_key or stack.master_key,
        max_retries=0,
        timeout=timeout,
        http_client=httpx.Client(event_hooks=hooks, timeout=timeout),
    )


def new_user(stack, name: str = "user") -> tuple[str, openai.OpenAI]:
    """A new user (`name` and a unique suffix) and the official SDK on a virtual key of
    theirs, made with the stack's master key."""
    user_id, key = new_user_key(stack.url, stack.master_key, name)
    return user_id, sdk(stack, key)


def admin(stack, method: str, path: str, **kwargs) -> dict:
    """A management call (`/key/info`, `/team/new`, ...) with the stack's master key: its JSON."""
    answer = httpx.request(
        method, f"{stack.url}{path}", headers={"Authorization": f"Bearer {stack.master_key}"}, timeout=30, **kwargs
    )
    answer.raise_for_status()
    return answer.json()


def deployment(model: str) -> dict:
    """The model's deployment in litellm-config.yaml."""
    [found] = [d for d in yaml.safe_load(DEFAULT_CONFIG.read_text())["model_list"] if d["model_name"] == model]
    return found


PROVIDERS = {MODELS["gpt"]: "openai", MODELS["azure"]: "azure"}


def provider_route(client: openai.OpenAI, model: str) -> openai.OpenAI:
    """The same client on the model's provider route (/openai/v1, /azure/v1), where the
    proxy still lists the provider's own batches."""
    return client.with_options(base_url=f"{str(client.base_url).rstrip('/')}/{PROVIDERS[model]}/v1")


def provider_file_id(managed_file_id: str) -> str:
    """The provider's id of a batch output or error file, from its managed id (a build
    that answers the provider's id, as unpatched 1.80.10 does, gives it as it is)."""
    if managed_file_id.startswith("file-"):
        return managed_file_id
    decoded = base64.urlsafe_b64decode(managed_file_id + "=" * (-len(managed_file_id) % 4)).decode()
    return decoded.split("llm_output_file_id,")[1].split(";")[0]


def batch_lines(model: str, prompts: list[str], bad_max_tokens_at: int | None = None) -> bytes:
    """A JSONL batch input; the line at `bad_max_tokens_at` asks for more tokens than allowed."""
    lines = []
    for index, prompt in enumerate(prompts):
        body: dict[str, object] = {"model": model, "messages": [{"role": "user", "content": prompt}]}
        if index == bad_max_tokens_at:
            body["max_tokens"] = 10_000_000
        lines.append(
            json.dumps({"custom_id": f"request-{index}", "method": "POST", "url": "/v1/chat/completions", "body": body})
        )
    return ("\n".join(lines) + "\n").encode()


def upload_batch_input(client: openai.OpenAI, model: str, content: bytes) -> FileObject:
    return client.files.create(
        file=("batch_input.jsonl", io.BytesIO(content)), purpose="batch", extra_body={"target_model_names": model}
    )


def create_batch(client: openai.OpenAI, input_file_id: str) -> Batch:
    return client.batches.create(input_file_id=input_file_id, endpoint="/v1/chat/completions", completion_window="24h")


def create_managed_batch(client: openai.OpenAI, model: str) -> Batch:
    """A batch of one line of `model`, its input uploaded first."""
    uploaded = upload_batch_input(client, model, batch_lines(model, ["Say hello"]))
    return create_batch(client, uploaded.id)


def wait_for_batch(client: openai.OpenAI, batch_id: str, say: Callable[[str], None], timeout: float = 60) -> Batch:
    """Poll until the batch is terminal, reporting each status change; fail on the deadline."""
    deadline = time.monotonic() + timeout
    seen = None
    while True:
        batch = client.batches.retrieve(batch_id)
        if batch.status != seen:
            say(f"batch status: {batch.status}")
            seen = batch.status
        if batch.status in TERMINAL:
            return batch
        if time.monotonic() > deadline:
            raise AssertionError(f"batch {batch_id} still {batch.status} after {timeout:.0f}s")
        time.sleep(0.2)


def run_batch(
    client: openai.OpenAI,
    model: str,
    say: Callable[[str], None],
    prompts: list[str] | None = None,
    bad_max_tokens_at: int | None = None,
) -> tuple[FileObject, Batch, Batch]:
    """Upload, create and wait: (input file, created batch, finished batch)."""
    prompts = prompts or ["Say hello", "Name a colour"]
    uploaded = upload_batch_input(client, model, batch_lines(model, prompts, bad_max_tokens_at))
    created = create_batch(client, uploaded.id)
    return uploaded, created, wait_for_batch(client, created.id, say)
