"""End-to-end fixtures: services from a backend, the real proxy process per build, SDK clients.

Tests marked `@pytest.mark.patch("NNNN-name.patch")` run on every selected build of every
selected release line. Where the line's series carries the patch, they are strict expected
failures on the unpatched build and on the series without that one patch (`--builds
leave-one-out`): the bug must show. Where it doesn't (upstream fixed the bug), they must
pass on the unpatched build too. Other tests run on each line's patched build only.
"""

from __future__ import annotations


import httpx
import openai
import pytest

from litellm_batch_fixes.build import LEAVE_ONE_OUT_PREFIX, leave_one_out_build
from litellm_batch_fixes.paths import DEFAULT_CONFIG
from litellm_batch_fixes.patches import PatchError, read_series
from litellm_batch_fixes.releases import LINES, split_build
from litellm_batch_fixes.stack import Stack

from ..conftest import resolved_backend, selected_builds, selected_lines
from .backends import MOCK_STEP_SECONDS, container_services, local_services
from .flows import new_user

SERIES = {version: {patch.name: patch for patch in read_series(line.series_path)}
          for version, line in LINES.items()}
ALL_PATCHES = {name for series in SERIES.values() for name in series}
BUG_SYMPTOMS = (AssertionError, pytest.fail.Exception, openai.APIError)


def _say(config: pytest.Config):
    reporter = config.pluginmanager.get_plugin("terminalreporter")

    def say(message: str) -> None:
        if reporter:
            reporter.write_line(f"  [e2e] {message}")
    return say


@pytest.fixture(scope="session")
def say(pytestconfig):
    return _say(pytestconfig)


def lacks_patch(build: str, patch_name: str) -> bool:
    """Whether a patch's regression test must fail on a build: its line carries the patch
    and the build leaves it out."""
    line, flavour = split_build(build)
    patch = SERIES[line.version].get(patch_name)
    return patch is not None and flavour in ("unpatched", leave_one_out_build(patch))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "proxy" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("patch")
    if marker and marker.args[0] not in ALL_PATCHES:
        raise pytest.UsageError(f"{metafunc.definition.nodeid} is marked for {marker.args[0]}, "
                                "which no release line's series names")
    builds = []
    for line in selected_lines(metafunc.config):
        for flavour in selected_builds(metafunc.config):
            if flavour == "leave-one-out":
                patch = marker and SERIES[line.version].get(marker.args[0])
                builds += [line.build(leave_one_out_build(patch))] if patch else []
            elif flavour == "patched" or marker:
                builds.append(line.build(flavour))
    metafunc.parametrize("proxy", builds, indirect=True, scope="session")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        marker = item.get_closest_marker("patch")
        callspec = getattr(item, "callspec", None)
        if marker and callspec and lacks_patch(callspec.params.get("proxy"), marker.args[0]):
            # Only the bug's symptom counts: a failed assertion or an API error, never a
            # proxy that did not start.
            item.add_marker(pytest.mark.xfail(
                strict=True, raises=BUG_SYMPTOMS, reason=f"{callspec.params['proxy']} lacks {marker.args[0]}"))


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
                  build=build, port=0,
                  database_url=services.database_for("litellm_" + build.replace(".", "_")),
                  mock_url=services.mock_url, log=lambda m: say(f"{build}: {m}"))
    try:
        stack.start()
    except PatchError as error:
        if not split_build(build)[1].startswith(LEAVE_ONE_OUT_PREFIX):
            raise
        # A later patch is written on top of this one's lines: the series can't leave it out.
        pytest.skip(f"{build} cannot be built: {str(error).splitlines()[0]}")
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
        return new_user(proxy, name)[1]
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
