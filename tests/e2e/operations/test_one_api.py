"""One API across the release lines: the same generated requests, sent to patched 1.80.10
and to patched 1.108.7 side by side, get the same status and the same error `param`.

`errors/test_generated_requests.py` draws requests from OpenAI's description of the files
and batches operations and judges each answer on one build alone; a difference between the
lines passes there as long as both answers are well formed. Here each drawn request (who
asks, the route form, whether it names a real object) goes to both lines, each with a world
of its own made the same way, and the two answers are compared. The worlds' batches are
finished first, so no answer depends on how far a batch has run. Its first run found 55
differences in 720 requests (0061's malformed ids, 0064, 0065).
"""

from __future__ import annotations

import contextlib
import copy

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from litellm_batch_fixes.paths import DEFAULT_CONFIG
from litellm_batch_fixes.releases import LINES
from litellm_batch_fixes.stack import Stack

from ..conftest import BOTH_LINES
from ..errors.test_generated_requests import (
    MODES,
    OPERATIONS,
    ROUTE_FORMS,
    TIMEOUT,
    generation_settings,
    make_world,
    with_real_ids,
)
from ..flows import sdk, wait_for_batch


@pytest.fixture(scope="module")
def lines(both_lines, services, tmp_path_factory, say):
    """Both patched lines, each on a database of its own, the shared mock upstream; and
    each one's world, its batches finished. (Asks for `both_lines` first: a session
    without both skips before two stacks start.)"""
    with contextlib.ExitStack() as running:
        started = {}
        for version in BOTH_LINES:
            stack = running.enter_context(
                Stack(
                    state_dir=tmp_path_factory.mktemp(f"one-api-{version}"),
                    config=DEFAULT_CONFIG,
                    build=LINES[version].build("patched"),
                    port=0,
                    database_url=services.database_for(f"litellm_one_api_{version.replace('.', '_')}"),
                    mock_url=services.mock_url,
                    log=lambda message, version=version: say(f"one API {version}: {message}"),
                )
            )
            world = make_world(stack)
            for batch in world.batches:
                wait_for_batch(sdk(stack), batch, say)
            started[version] = (stack, world)
        yield started


def answer_of(response: requests.Response) -> tuple[int, str | None]:
    """What a client branches on: the status and, for an error, the parameter it names."""
    error = None
    if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
        error = response.json().get("error")
    return response.status_code, error.get("param") if isinstance(error, dict) else None


@pytest.mark.slow_allowed(seconds=240, why="two stacks, then every generated request twice")
@pytest.mark.parametrize("operation", OPERATIONS, ids=[f"{o.method.upper()} {o.path}" for o in OPERATIONS])
def test_both_lines_answer_a_generated_request_alike(lines, operation, pytestconfig, say) -> None:
    differences: list[str] = []
    sent = 0
    with requests.Session() as session:
        for mode in MODES:

            @generation_settings(pytestconfig)
            @given(
                drawn=st.tuples(st.just(mode), operation.as_strategy(generation_mode=mode)),
                who=st.sampled_from((0, 1)),  # the user's key or the master key
                route=st.sampled_from(ROUTE_FORMS),
                real=st.one_of(st.none(), st.integers(min_value=0, max_value=1_000)),
            )
            def send(drawn, who, route, real) -> None:
                nonlocal sent
                mode, case = drawn
                drawn_ids = (dict(case.path_parameters or {}), copy.deepcopy(case.body))
                answers: dict[str, tuple[int | str, str | None]] = {}
                for version, (stack, world) in lines.items():
                    if real is not None:  # this line's objects in place of the drawn ids
                        case.path_parameters = dict(drawn_ids[0]) if case.path_parameters is not None else None
                        case.body = copy.deepcopy(drawn_ids[1])
                        with_real_ids(case, world, real)
                    try:
                        response = case.call(
                            base_url=stack.url + route,
                            session=session,
                            headers={"Authorization": f"Bearer {world.keys[who]}"},
                            timeout=TIMEOUT,
                        )
                        answers[version] = answer_of(response)
                    except requests.RequestException as error:
                        answers[version] = (type(error).__name__, None)
                sent += 1
                if len(set(answers.values())) > 1:
                    differences.append(f"{answers} ({mode.value}, {route or '/'})\n    {case.as_curl_command()[:400]}")

            send()
    say(f"one API {operation.method.upper()} {operation.path}: {sent} requests to each line, {len(differences)} differ")
    assert not differences, f"{len(differences)} of {sent} answered differently:\n" + "\n".join(differences[:20])
