"""HTTP routes for chat completions and the model list."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from .chat import ChatRequest, complete, parse_chat_request, resolve_model, stream_chunks
from .errors import openai_error
from .json_body import read_json
from .surfaces import request_style

completions_router = APIRouter()  # OpenAI and Azure v1: the model is named in the body
deployments_router = APIRouter()  # classic Azure: the deployment is named in the path
models_router = APIRouter()


@completions_router.post("/chat/completions")
async def chat_completions(request: Request) -> Any:
    return await _answer_chat(request, deployment=None)


@deployments_router.post("/deployments/{deployment}/chat/completions")
async def deployment_chat_completions(request: Request, deployment: str) -> Any:
    return await _answer_chat(request, deployment=deployment)


@models_router.get("/models")
async def list_models(request: Request) -> dict:
    catalog = request.app.state.mock.catalog
    return {"object": "list", "data": [catalog.model_object(name) for name in catalog.names]}


@models_router.get("/models/{model_id}")
async def retrieve_model(request: Request, model_id: str) -> dict:
    catalog = request.app.state.mock.catalog
    if model_id not in catalog:
        raise openai_error(404, f"The model '{model_id}' does not exist", param="model", code="model_not_found")
    return catalog.model_object(model_id)


async def _answer_chat(request: Request, deployment: str | None) -> Any:
    catalog = request.app.state.mock.catalog
    body = await read_json(request)
    if not isinstance(body, dict):
        raise openai_error(400, "The request body must be a JSON object.")
    model = resolve_model(catalog, request_style(request), body, deployment)
    chat = parse_chat_request(body, model, catalog)
    if chat.stream:
        return StreamingResponse(_server_sent_events(chat), media_type="text/event-stream")
    return complete(chat)


async def _server_sent_events(chat: ChatRequest) -> AsyncIterator[str]:
    # An async generator: Starlette would iterate a plain one in a worker thread per chunk.
    for chunk in stream_chunks(chat):
        yield f"data: {json.dumps(chunk, separators=(',', ':'))}\n\n"
    yield "data: [DONE]\n\n"
