"""End-to-end fixtures: services from a backend, the real proxy process per build, SDK clients.

Tests marked `@pytest.mark.patch("NNNN-name.patch")` run on every selected build of every
selected release line. Where the line's series carries the patch, they are strict expected
failures on the unpatched build and on the series without that one patch (`--builds
leave-one-out`): the bug must show. Where it doesn't (upstream fixed the bug), they must
pass on the unpatched build too. Other tests run on each line's patched build only.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import httpx
import openai
import pytest

from litellm_batch_fixes.patches import PatchError, read_series
from litellm_batch_fixes.paths import DEFAULT_CONFIG
from litellm_batch_fixes.releases import LINES, Build
from litellm_batch_fixes.stack import Stack

from ..conftest import resolved_backend, selected_builds, selected_lines
from .backends import MOCK_STEP_SECONDS, container_services, local_services
from .flows import new_user, sdk

SERIES = {version: {patch.name: patch for patch in read_series(line.series_path)} for version, line in LINES.items()}
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


@pytest.fixture(scope="session", autouse=True)
def exact_schedule():
    """Every proxy the tests start runs LiteLLM's batch cost poller and spend writes at
    exactly their set interval, without its random 0-30 s and 0-5 s on top
    (`proxy.EXACT_SCHEDULE`), so a wait for the poller is its interval, not half a minute
    more. LBF_EXACT_SCHEDULE=0 keeps LiteLLM's offsets."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LBF_EXACT_SCHEDULE", os.environ.get("LBF_EXACT_SCHEDULE", "1"))
        yield


def lacks_patch(build: Build, patch_name: str) -> bool:
    """Whether a build's line carries the patch and the build leaves it out."""
    patch = SERIES.get(build.line.version, {}).get(patch_name)
    return patch is not None and (build.is_unpatched or build == build.line.without(patch))


def must_fail(build: Build, marker: pytest.Mark) -> bool:
    """Whether a patch's regression test must fail on a build: the build lacks the patch,
    or lacks one the test's flow also needs on that line (`needs={"1.108.7": [...]}`:
    e.g. 1.108.7 refuses to delete a finished batch's files without 0021)."""
    return any(lacks_patch(build, name) for name in [marker.args[0], *needed(build, marker)])


def needed(build: Build, marker: pytest.Mark) -> list[str]:
    return marker.kwargs.get("needs", {}).get(build.line.version, [])


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # The parameters are Builds, their names the ids: test_x[patched], test_x[1.108.7-without-0053-gpt].
    if "patched_build" in metafunc.fixturenames:  # tests that start stacks of their own
        patched = [line.build("patched") for line in selected_lines(metafunc.config)]
        metafunc.parametrize("patched_build", patched, ids=str, scope="session")
    if "proxy" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("patch")
    if marker and marker.args[0] not in ALL_PATCHES:
        raise pytest.UsageError(
            f"{metafunc.definition.nodeid} is marked for {marker.args[0]}, which no release line's series names"
        )
    builds = []
    for line in selected_lines(metafunc.config):
        for flavour in selected_builds(metafunc.config):
            if line.series_path is None and flavour != "unpatched":
                continue  # a release check-release resolved runs as released only
            if flavour == "leave-one-out":
                patch = marker and SERIES.get(line.version, {}).get(marker.args[0])
                builds += [line.without(patch)] if patch else []
            elif flavour == "fixed-upstream":
                # The unpatched build, for the tests that must pass there: whether the
                # tests of the line's own patches fail on its release is for `unpatched`.
                unpatched = line.build("unpatched")
                builds += [unpatched] if marker and not must_fail(unpatched, marker) else []
            elif flavour == "patched" or marker:
                builds.append(line.build(flavour))
    metafunc.parametrize("proxy", builds, ids=str, indirect=True, scope="session")


PATCH_OF: dict[str, tuple[pytest.Mark, Build]] = {}  # test id -> (its patch marker, its build)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        marker = item.get_closest_marker("patch")
        callspec = getattr(item, "callspec", None)
        if marker and callspec and "proxy" in callspec.params:
            PATCH_OF[item.nodeid] = (marker, callspec.params["proxy"])
        # No build at all (a patch of another line than the ones selected): pytest skips it.
        if (
            marker
            and callspec
            and isinstance(callspec.params.get("proxy"), Build)
            and must_fail(callspec.params["proxy"], marker)
        ):
            # Only the bug's symptom counts: a failed assertion or an API error, never a
            # proxy that did not start.
            build = callspec.params["proxy"]
            lacking = [name for name in [marker.args[0], *needed(build, marker)] if lacks_patch(build, name)]
            item.add_marker(
                pytest.mark.xfail(strict=True, raises=BUG_SYMPTOMS, reason=f"{build} lacks {', '.join(lacking)}")
            )


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """With $LBF_PATCH_REPORT set (check-release), one JSON line per patch test's outcome."""
    path = os.environ.get("LBF_PATCH_REPORT")
    marked = PATCH_OF.get(report.nodeid)
    if not path or not marked or (report.when != "call" and report.passed):
        return
    marker, build = marked
    outcome = "xfailed" if hasattr(report, "wasxfail") else report.outcome
    blocked_by = [name for name in needed(build, marker) if lacks_patch(build, name)]
    contract = marker.kwargs.get("contract", {}).get(build.line.version)
    with open(path, "a") as out:
        out.write(
            json.dumps(
                {
                    "patch": marker.args[0],
                    "test": report.nodeid,
                    "when": report.when,
                    "outcome": outcome,
                    "blocked_by": blocked_by,
                    "contract": contract,
                }
            )
            + "\n"
        )


COOLDOWN_SECONDS = 6  # LiteLLM cools a deployment down for 5 s


@pytest.fixture(autouse=True)
def outlast_a_cooldown(request):
    """A test marked `cools_down` makes the provider answer 404; on a build without 0019
    that cools the model's deployment down, and the next test would meet 429 "No
    deployments available". It waits the cooldown out after such a test."""
    yield
    callspec = getattr(request.node, "callspec", None)
    build = callspec.params.get("proxy") if callspec else None
    if (
        request.node.get_closest_marker("cools_down")
        and build
        and lacks_patch(build, "0019-missing-object-no-cooldown.patch")
    ):
        time.sleep(COOLDOWN_SECONDS)


BOTH_LINES = ("1.80.10", "1.108.7")  # the lines a test comparing them needs


@pytest.fixture(scope="session")
def both_lines(pytestconfig) -> None:
    """Skip unless both release lines were asked for (--litellm all)."""
    if set(BOTH_LINES) - {line.version for line in selected_lines(pytestconfig)}:
        pytest.skip(f"needs both release lines: --litellm {','.join(BOTH_LINES)} (or all)")


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
    stack = Stack(
        state_dir=tmp_path_factory.mktemp(f"proxy-{build}"),
        config=DEFAULT_CONFIG,
        build=build,
        port=0,
        database_url=services.database_for("litellm_" + build.name.replace(".", "_")),
        mock_url=services.mock_url,
        log=lambda m: say(f"{build}: {m}"),
    )
    try:
        stack.start()
    except PatchError as error:
        if not build.is_leave_one_out:
            raise
        # A later patch is written on top of this one's lines: the series can't leave it out.
        pytest.skip(f"{build} cannot be built: {str(error).splitlines()[0]}")
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def state_dir():
    """A state dir whose embedded PostgreSQL the postgres user can reach (when run as root)."""
    directory = Path(tempfile.mkdtemp(prefix="lbf-state-"))
    directory.chmod(0o711)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def client(proxy) -> openai.OpenAI:
    """The official openai SDK pointed at the proxy, as the master key."""
    return sdk(proxy)


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
        httpx.post(
            f"{services.mock_url}/__mock__/settings",
            json={"batch_step_seconds": seconds},
            headers={"X-Mock-Admin": "true"},
            timeout=10,
        ).raise_for_status()

    set_step(3.0)
    try:
        yield
    finally:
        set_step(MOCK_STEP_SECONDS)
