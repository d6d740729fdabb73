"""Listing batches: the caller's own managed batches, newest first and paged, all of them
or by model; the provider route's list by model; a limit out of range."""

from __future__ import annotations

import openai
import pytest

from ..flows import (
    MODELS,
    create_managed_batch,
)

models = pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())


def own_batches_are_listed_newest_first(user_client, query: dict, route=lambda client: client) -> None:
    """Alice's three batches, newest first, paged by limit and after; none of Bob's (the
    list asked on `route`'s form of the client)."""
    users, model = {name: user_client(name) for name in ("alice", "bob")}, MODELS["gpt"]
    created = [create_managed_batch(users["alice"], model).id for _ in range(3)]
    create_managed_batch(users["bob"], model)
    alice, bob = route(users["alice"]), route(users["bob"])
    listed = alice.batches.list(extra_query=query)
    assert [b.id for b in listed.data] == created[::-1]
    assert alice.batches.retrieve(listed.data[0].id).id == created[-1]
    first = alice.batches.list(limit=2, extra_query=query)
    assert ([b.id for b in first.data], first.has_more) == (created[:0:-1], True)
    rest = alice.batches.list(limit=2, after=first.data[-1].id, extra_query=query)
    assert ([b.id for b in rest.data], rest.has_more) == ([created[0]], False)
    assert not {b.id for b in bob.batches.list(extra_query=query).data} & set(created)


@pytest.mark.patch("0011-list-managed-batches.patch")
def test_list_shows_own_managed_batches_newest_first(user_client) -> None:
    own_batches_are_listed_newest_first(user_client, {})


@pytest.mark.patch(
    "0051-list-managed-batches-by-target-model.patch", needs={"1.80.10": ["0011-list-managed-batches.patch"]}
)
def test_list_by_model_shows_own_managed_batches_newest_first(user_client) -> None:
    """Unpatched 1.108.7: 400 "Filtering by 'target_model_names' is not supported when
    using managed batches"."""
    own_batches_are_listed_newest_first(user_client, {"target_model_names": MODELS["gpt"]})


def test_list_limit_out_of_range_is_a_400(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as error:
        client.batches.list(limit=101)
    assert "limit" in error.value.body["message"]


PROVIDER_ROUTES = {"openai": "/openai/v1", "azure": "/azure/v1"}


def on_route(route: str):
    """A user's client on another route form of the same proxy (the provider routes an
    OpenAI or AzureOpenAI client pointed at them uses)."""
    return lambda client: client.with_options(base_url=f"{str(client.base_url).rstrip('/')}{route}")


@pytest.mark.patch("0063-batch-list-on-a-provider-route-lists-managed-batches.patch")
@pytest.mark.parametrize("query", [{}, {"model": MODELS["gpt"]}], ids=["all", "naming a model"])
@pytest.mark.parametrize("route", PROVIDER_ROUTES.values(), ids=PROVIDER_ROUTES.keys())
def test_a_provider_route_lists_own_managed_batches(user_client, route, query) -> None:
    """Unpatched 1.80.10 (and without 0063): /openai/v1/batches answers an empty page, and
    naming a model answers the provider's list under its raw ids, which answer 404 when
    retrieved; 1.108.7: 400 "Filtering by 'provider' is not supported when using managed
    batches"."""
    own_batches_are_listed_newest_first(user_client, query, on_route(route))


@pytest.mark.patch(
    "0063-batch-list-on-a-provider-route-lists-managed-batches.patch",
    needs={"1.108.7": ["0051-list-managed-batches-by-target-model.patch"]},
)
@pytest.mark.parametrize("route", PROVIDER_ROUTES.values(), ids=PROVIDER_ROUTES.keys())
def test_a_provider_route_lists_own_managed_batches_by_model(user_client, route) -> None:
    """The seeds' list by model, on a provider route. Unpatched 1.80.10: 500 "alist_batches()
    got multiple values for keyword argument 'model'"; patched before 0063: the provider's
    raw batches; 1.108.7: 400 naming `provider`."""
    own_batches_are_listed_newest_first(user_client, {"target_model_names": MODELS["gpt"]}, on_route(route))
