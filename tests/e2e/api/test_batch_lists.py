"""Listing batches: the caller's own managed batches, newest first and paged, all of them
or by model; the provider route's list by model; a limit out of range."""

from __future__ import annotations

import openai
import pytest

from ..flows import (
    MODELS,
    create_managed_batch,
    provider_route,
    release,
    run_batch,
)

models = pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())


def own_batches_are_listed_newest_first(user_client, query: dict) -> None:
    """Alice's three batches, newest first, paged by limit and after; none of Bob's."""
    alice, bob = user_client("alice"), user_client("bob")
    model = MODELS["gpt"]
    created = [create_managed_batch(alice, model).id for _ in range(3)]
    create_managed_batch(bob, model)
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


@pytest.mark.patch(
    "0003-list-batches-target-model-names.patch",
    contract={"1.108.7": "the target_model_names filter answers 400 on purpose"},
)
@models
def test_list_provider_batches_by_target_model_names(proxy, client: openai.OpenAI, model: str, say) -> None:
    """Unpatched: 500 "alist_batches() got multiple values for keyword argument 'model'".

    The provider route (/{provider}/v1/batches) is the one that still lists the provider's
    own batches once 0011 answers plain /batches from the managed batches table.
    LiteLLM 1.108.7 refuses the filter on purpose while managed files are on (it would
    list the provider's raw batches of every user): 400 naming the filter (on the provider
    route, `provider`), the contract kept there; list the caller's batches with plain
    batches.list().
    """
    run_batch(client, model, say)
    on_provider = provider_route(client, model)
    if release(proxy) == "1.108.7":
        with pytest.raises(openai.BadRequestError) as refused:
            on_provider.batches.list(extra_query={"target_model_names": model})
        assert refused.value.body["param"] in ("target_model_names", "provider")  # the route's filter
        return
    listed = on_provider.batches.list(extra_query={"target_model_names": model})
    assert listed.data and all(batch.object == "batch" for batch in listed.data)
