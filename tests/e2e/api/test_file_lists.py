"""Listing files: every route form answers the caller's managed files, with the same
checks of its parameters (the provider routes an OpenAI or AzureOpenAI client pointed at
them uses included)."""

from __future__ import annotations

import httpx
import pytest

from ..flows import MODELS, batch_lines, upload_batch_input

PROVIDER_ROUTES = {"openai": "/openai/v1", "azure": "/azure/v1"}
GPT = MODELS["gpt"]
# queries whose page must be /v1's, and queries that must be refused as /v1 refuses them
LISTED: tuple[dict[str, str], ...] = (
    {},
    {"target_model_names": GPT},
    {"purpose": "batch"},
    {"model": GPT},
    {"order": "asc", "limit": "1"},
)
REFUSED = (
    ({"purpose": "p"}, "purpose"),
    ({"after": "file-abc123"}, "after"),
    ({"after": "file-abc123", "target_model_names": GPT}, "after"),
    ({"after": "fïlé"}, "after"),
)


@pytest.mark.patch("0066-files-list-on-every-route-lists-managed-files.patch")
@pytest.mark.parametrize("route", PROVIDER_ROUTES.values(), ids=PROVIDER_ROUTES.keys())
def test_files_list_on_a_provider_route_is_the_managed_listing(proxy, user_client, route) -> None:
    """Unpatched 1.108.7 (and without 0066): on a provider route without a model, an unknown
    purpose or cursor answered an empty page (the provider's list); 1.80.10 did so with a
    model named, and listed the provider's files for `model`."""
    alice = user_client("lister")
    for model in MODELS.values():
        upload_batch_input(alice, model, batch_lines(model, ["listed"]))
    with httpx.Client(base_url=proxy.url, headers={"Authorization": f"Bearer {alice.api_key}"}, timeout=30) as http:

        def answer(prefix: str, query: dict) -> tuple[int, object]:
            got = http.get(f"{prefix}/files", params=query)
            body = got.json() if "json" in got.headers.get("content-type", "") else {}
            if got.status_code >= 400:
                return got.status_code, (body.get("error") or {}).get("param")
            return got.status_code, [item.get("id") for item in body.get("data", [])]

        listed = {str(query): (answer(route, query), answer("/v1", query)) for query in LISTED}
        refused = {str(query): (answer(route, query), (400, param)) for query, param in REFUSED}
    assert {q: on_route for q, (on_route, _) in listed.items()} == {q: on_v1 for q, (_, on_v1) in listed.items()}
    assert all(status == 200 and ids for (status, ids), _ in listed.values()), listed
    assert {q: got for q, (got, _) in refused.items()} == {q: want for q, (_, want) in refused.items()}
