"""End-to-end fixtures: services from a backend, the real proxy process per build, SDK clients.

Tests marked `@pytest.mark.patch("NNNN-name.patch")` run on every selected build; on the
unpatched build they are strict expected failures (the bug must show). Other tests run
on the patched build only.
"""

from __future__ import annotations

import uuid

import httpx
import openai
import pytest

from litellm_batch_fixes.paths import DEFAULT_CONFIG, PATCHES_DIR
from litellm_batch_fixes.patches import read_series
from litellm_batch_fixes.processes import free_port
from litellm_batch_fixes.stack import Stack

from ..conftest import resolved_backend, selected_builds
from .backends import MOCK_STEP_SECONDS, container_services, local_services


def _say(config: pytest.Config):
    reporter = config.pluginmanager.get_plugin("terminalreporter")

    def say(message: str) -> None:
        if reporter:
            reporter.write_line(f"  [e2e] {message}")
    return say


@pytest.fixture(scope="session")
def say(pytestconfig):
    return _say(pytestconfig)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "proxy" not in metafunc.fixturenames:
        return
    builds = selected_builds(metafunc.config)
    if not metafunc.definition.get_closest_marker("patch"):
        builds = [b for b in builds if b == "patched"]
    metafunc.parametrize("proxy", builds, indirect=True, scope="session")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    series = {p.name for p in read_series(PATCHES_DIR)}
    for item in items:
        marker = item.get_closest_marker("patch")
        if marker is None:
            continue
        if marker.args[0] not in series:
            raise pytest.UsageError(f"{item.nodeid} is marked for {marker.args[0]}, not in patches/series")
        callspec = getattr(item, "callspec", None)
        if callspec and callspec.params.get("proxy") == "unpatched":
            item.add_marker(pytest.mark.xfail(
                strict=True, reason=f"the unpatched build has the bug {marker.args[0]} fixes"))


@pytest.fixture(scope="session")
def services(pytestconfig, tmp_path_factory, say):
    backend = resolved_backend(pytestconfig)
    if backend == "containers":
        context = container_services(say)
    else:
        context = local_services(tmp_path_factory.mktemp("services"), say)
    with context as started:
        yield started


@pytest.fixture(scope="session")
def proxy(request, services, tmp_path_factory, say):
    build = request.param
    stack = Stack(state_dir=tmp_path_factory.mktemp(f"proxy-{build}"), config=DEFAULT_CONFIG,
                  build=build, port=free_port(), database_url=services.database_for(f"litellm_{build}"),
                  mock_url=services.mock_url, log=lambda m: say(f"{build}: {m}"))
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def client(proxy) -> openai.OpenAI:
    """The official openai SDK pointed at the proxy, as the master key."""
    return openai.OpenAI(base_url=proxy.url, api_key=proxy.master_key, max_retries=0, timeout=60)


@pytest.fixture
def user_client(proxy):
    """Make an SDK client for a virtual key of a new user (a unique user id per call)."""
    def make(name: str) -> openai.OpenAI:
        user_id = f"{name}-{uuid.uuid4().hex[:8]}"
        answer = httpx.post(f"{proxy.url}/key/generate", json={"user_id": user_id},
                            headers={"Authorization": f"Bearer {proxy.master_key}"}, timeout=30)
        answer.raise_for_status()
        return openai.OpenAI(base_url=proxy.url, api_key=answer.json()["key"], max_retries=0, timeout=60)
    return make


@pytest.fixture
def slow_batches(services):
    """Batches at the mock take seconds per step for this test, so they can be cancelled."""
    def set_step(seconds: float) -> None:
        httpx.post(f"{services.mock_url}/__mock__/settings", json={"batch_step_seconds": seconds},
                   headers={"X-Mock-Admin": "true"}, timeout=10).raise_for_status()
    set_step(3.0)
    try:
        yield
    finally:
        set_step(MOCK_STEP_SECONDS)
