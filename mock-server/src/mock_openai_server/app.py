"""Assembles the FastAPI application: the same routes under each API prefix, one shared state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from . import admin_api, batches_api, chat_api, files_api
from .config import Settings
from .connections import ConnectionLog, ConnectionLogMiddleware
from .error_handlers import install_error_handlers
from .faults import FaultInjectionMiddleware
from .state import MockState
from .surfaces import AZURE_PREFIX, AZURE_V1_PREFIX, OPENAI_PREFIX, require_api_version, require_credentials

# OpenAI's /v1 and Azure's newer /openai/v1 name the model in the request body.
BODY_MODEL_ROUTERS = (files_api.router, batches_api.router, chat_api.completions_router, chat_api.models_router)
# Classic Azure (/openai?api-version=...) names the deployment in the chat path.
CLASSIC_AZURE_ROUTERS = (files_api.router, batches_api.router, chat_api.deployments_router, chat_api.models_router)


def create_app(settings: Settings | None = None) -> FastAPI:
    state = MockState(settings or Settings.from_env())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await state.start()
        yield
        await state.close()

    # No docs routes: every path outside the API answers like the real services (404).
    app = FastAPI(title="mock-openai-server", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.mock = state
    app.state.connections = ConnectionLog()
    install_error_handlers(app)
    app.add_middleware(FaultInjectionMiddleware, registry=state.faults)
    app.add_middleware(ConnectionLogMiddleware, log=app.state.connections)

    authenticated = [Depends(require_credentials)]
    for prefix in (OPENAI_PREFIX, AZURE_V1_PREFIX):
        for router in BODY_MODEL_ROUTERS:
            app.include_router(router, prefix=prefix, dependencies=authenticated)
    for router in CLASSIC_AZURE_ROUTERS:
        app.include_router(router, prefix=AZURE_PREFIX, dependencies=[*authenticated, Depends(require_api_version)])
    app.include_router(admin_api.router)
    app.include_router(admin_api.guarded)
    return app
