"""Chat completions (plain and streaming) and the model list, through the official SDK."""

from __future__ import annotations

import openai
import pytest

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there, world!"}]
EXPECTED_REPLY = "Mock reply to: Hello there, world!"
# Tokens are words and punctuation marks: 3 priming + (3 + 3) for the system message
# + (3 + 5) for the user message; the reply has 9.
EXPECTED_USAGE = (17, 9, 26)


def test_chat_reply_is_deterministic_with_real_usage(surface):
    first = surface.client.chat.completions.create(model=surface.model, messages=MESSAGES)
    second = surface.client.chat.completions.create(model=surface.model, messages=MESSAGES)

    assert first.id.startswith("chatcmpl-") and first.id != second.id
    assert first.object == "chat.completion"
    assert first.model == surface.model
    assert first.choices[0].message.role == "assistant"
    assert first.choices[0].message.content == second.choices[0].message.content == EXPECTED_REPLY
    assert first.choices[0].finish_reason == "stop"
    usage = first.usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == EXPECTED_USAGE


def test_max_tokens_cuts_the_reply(openai_client):
    reply = openai_client.chat.completions.create(model="gpt-4o", messages=MESSAGES, max_tokens=2)

    assert reply.choices[0].message.content == "Mock reply"
    assert reply.choices[0].finish_reason == "length"
    assert reply.usage.completion_tokens == 2


def test_streaming_sends_chunks_then_usage(surface):
    stream = surface.client.chat.completions.create(
        model=surface.model, messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)

    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    assert len({chunk.id for chunk in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text == EXPECTED_REPLY
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == []
    usage = chunks[-1].usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == EXPECTED_USAGE


def test_stream_is_server_sent_events_ending_with_done(http):
    response = http.post(
        "/v1/chat/completions",
        headers={"Authorization": "Bearer sk-mock-openai-key"},
        json={"model": "gpt-4o-mini", "messages": MESSAGES, "stream": True},
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [line for line in response.text.split("\n") if line]
    assert all(event.startswith("data: ") for event in events)
    assert events[-1] == "data: [DONE]"
    assert '"usage"' not in response.text  # only with stream_options.include_usage


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"messages": openai.omit}, "messages"),
        ({"messages": [{"role": "robot", "content": "hi"}]}, "messages[0].role"),
        ({"max_tokens": 16385}, "max_tokens"),
        ({"max_completion_tokens": 0}, "max_completion_tokens"),
    ],
)
def test_invalid_chat_bodies_get_openai_400s(openai_client, change, param):
    request = {"model": "gpt-4o-mini", "messages": MESSAGES, **change}

    with pytest.raises(openai.BadRequestError) as error:
        openai_client.chat.completions.create(**request)

    assert error.value.body["type"] == "invalid_request_error"
    assert error.value.body["param"] == param


def test_unknown_model_and_deployment_are_404(openai_client, azure_client):
    with pytest.raises(openai.NotFoundError) as openai_error:
        openai_client.chat.completions.create(model="gpt-9", messages=MESSAGES)
    assert openai_error.value.body["code"] == "model_not_found"

    with pytest.raises(openai.NotFoundError) as azure_error:
        azure_client.chat.completions.create(model="no-such-deployment", messages=MESSAGES)
    assert azure_error.value.body["code"] == "DeploymentNotFound"


def test_models_lists_the_configured_models(surface):
    assert [model.id for model in surface.client.models.list()] == ["gpt-4o-mini", "gpt-4o", "gpt-4o-mini-batch"]
