"""A provider's client error reaches the caller after one try: every verb that calls the
provider × the client errors a provider answers (400, 422), counted at the provider.

The suite's proxy runs LiteLLM's router with its default retries (2); a client error is
the same on every try, so a retry would only send the request again and keep the caller
waiting through the backoff. The provider's fault is set to answer five times; how many
of the five are left says how often the request reached it.
"""

from __future__ import annotations

import httpx
import openai
import pytest

from ..flows import MODELS, PROVIDER_CALLS, batch_lines, create_batch, release, run_batch, sdk, upload_batch_input

TIMES = 5  # the fault answers this many requests
STATUSES = (400, 422)
# The verbs whose provider call goes through LiteLLM's router and its retries on 1.80.10's
# series; the others call the provider directly there (its patches for existing objects).
CREATES = ("files.create", "batches.create")


@pytest.fixture(scope="module")
def finished(proxy, say) -> dict:
    """Per model: (input file, created batch, finished batch) of the master key's."""
    client = sdk(proxy)
    return {model: run_batch(client, model, say, prompts=["one"]) for model in MODELS.values()}


def mock_admin(services, method: str, path: str, **kwargs) -> httpx.Response:
    answer = httpx.request(
        method, f"{services.mock_url}/__mock__{path}", headers={"X-Mock-Admin": "true"}, timeout=10, **kwargs
    )
    answer.raise_for_status()
    return answer


def sent_once(proxy, services, finished, verb: str, status: int) -> None:
    model = list(MODELS.values())[list(PROVIDER_CALLS).index(verb) % 2]  # each status meets both models
    client = sdk(proxy)
    uploaded, created, done = finished[model]
    own_file = upload_batch_input(client, model, batch_lines(model, ["two"]))  # for the delete
    calls = {
        "files.create": lambda: upload_batch_input(client, model, batch_lines(model, ["three"])),
        "files.retrieve": lambda: client.files.retrieve(done.output_file_id),
        "files.content": lambda: client.files.content(done.output_file_id),
        "files.delete": lambda: client.files.delete(own_file.id),
        "batches.create": lambda: create_batch(client, uploaded.id),
        "batches.retrieve": lambda: client.batches.retrieve(created.id),
        "batches.cancel": lambda: client.batches.cancel(created.id),
    }
    method, route = PROVIDER_CALLS[verb]
    message = f"The provider refuses this {verb} ({status})."
    fault = {"route": "^.*" + route, "method": method, "count": TIMES, "status": status, "message": message}
    mock_admin(services, "POST", "/faults", json=fault)
    try:
        if served_from_the_database(proxy, verb):
            calls[verb]()
            answered = None
        else:
            with pytest.raises(openai.APIStatusError) as refused:
                calls[verb]()
            answered = refused.value.status_code
        [left] = [f["remaining"] for f in mock_admin(services, "GET", "/faults").json()["data"]]
    finally:
        mock_admin(services, "DELETE", "/faults")
    if answered is None:
        assert left == TIMES, "served from the stored copy: the provider is not asked"
    else:
        assert (answered, TIMES - left) == (status, 1)


def served_from_the_database(stack, verb: str) -> bool:
    """1.108.7 answers a retrieve of a finished file or batch from its stored copy."""
    return release(stack) == "1.108.7" and verb in ("files.retrieve", "batches.retrieve")


@pytest.mark.patch("0056-router-no-retry-of-client-errors.patch")
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("verb", CREATES)
def test_a_providers_client_error_is_sent_once(proxy, services, finished, verb: str, status: int) -> None:
    """Unpatched 1.80.10: each of these reached the provider three times (the router's two
    retries), and the caller got the error after 2-4 s of backoff (3.4 s for a batch create
    the provider refuses, 0.1 s patched)."""
    sent_once(proxy, services, finished, verb, status)


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("verb", [verb for verb in PROVIDER_CALLS if verb not in CREATES])
def test_a_providers_client_error_about_an_existing_object_is_sent_once(
    proxy, services, finished, verb: str, status: int
) -> None:
    """Unpatched 1.80.10 retried retrieve and cancel too; its series calls the provider
    directly for an existing object, 1.108.7 through a router that retries no client error."""
    sent_once(proxy, services, finished, verb, status)
