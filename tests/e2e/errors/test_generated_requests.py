"""Requests generated from OpenAI's published API description: never a 5xx, never a hang,
every error in OpenAI's error body, every success in the object's shape.

schemathesis turns each files and batches operation of `openai_spec/files-and-batches.json`
(vendored from OpenAI's OpenAPI description, see `openai_spec/vendor.py`) into a hypothesis
strategy: valid requests (positive) and requests that break the description (negative).
The proxy's managed-files extension, `target_model_names`, is added to the description the
way the proxy documents it. Hypothesis also draws who asks (a virtual key or the master
key), the route form (`/v1/...`, `/...`, `/openai/v1/...`, `/azure/v1/...`), and whether
an id in the request is replaced by a real one: the caller's own file or batch, or another
principal's, so deletes, cancels and batch creates reach real objects, not only 404s.

Bounded and seeded: `--fuzz-examples` examples per operation and mode (CI's default is
small; `./dev fuzz --examples N` runs longer), `--fuzz-seed` picks the sequence.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from .. import conformance
from ..flows import MODELS, batch_lines, create_batch, new_user, sdk, upload_batch_input
from ..openai_spec import SPEC

ROUTE_FORMS = ("/v1", "", "/openai/v1", "/azure/v1")
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
TIMEOUT = 30  # seconds: an answer later than this is a hang


def with_managed_files_extension(spec: dict) -> dict:
    """The description plus the proxy's documented extension: `target_model_names` on
    upload (which models' providers get the file) and on the two listings."""
    spec = copy.deepcopy(spec)
    names = {"type": "string", "enum": list(MODELS.values())}
    spec["components"]["schemas"]["CreateFileRequest"]["properties"]["target_model_names"] = names
    for path in ("/files", "/batches"):
        spec["paths"][path]["get"].setdefault("parameters", []).append(
            {"in": "query", "name": "target_model_names", "required": False, "schema": names}
        )
    return spec


SCHEMA = schemathesis.openapi.from_dict(with_managed_files_extension(SPEC))
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@dataclass(frozen=True)
class World:
    """Who may ask, and the real ids a generated request may carry instead of its own."""

    keys: tuple[str, ...]
    files: tuple[str, ...]
    batches: tuple[str, ...]


def make_world(stack) -> World:
    """A new user's and the master key's files and batches, one of each per model, in an
    order that is the same on every stack."""
    _, user = new_user(stack, "generated")
    files, batches = [], []
    for client in (user, sdk(stack)):
        for model in MODELS.values():
            uploaded = upload_batch_input(client, model, batch_lines(model, ["hi"]))
            files.append(uploaded.id)
            batches.append(create_batch(client, uploaded.id).id)
    return World(keys=(user.api_key, stack.master_key), files=tuple(files), batches=tuple(batches))


@pytest.fixture(scope="module")
def world(proxy) -> World:
    return make_world(proxy)


def with_real_ids(case, world: World, pick: int) -> None:
    """Put the pick's real object into the id fields the case carries (in place)."""
    for name in ("file_id", "batch_id"):
        if name in (case.path_parameters or {}):
            pool = world.files if name == "file_id" else world.batches
            case.path_parameters[name] = pool[pick % len(pool)]
    if isinstance(case.body, dict) and "input_file_id" in case.body:
        case.body["input_file_id"] = world.files[pick % len(world.files)]


def generation_settings(pytestconfig):
    """Seeded and bounded: every example is sent once; findings are collected, not shrunk."""
    return lambda test: seed(pytestconfig.getoption("fuzz_seed"))(
        settings(
            max_examples=pytestconfig.getoption("fuzz_examples"),
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )(test)
    )


def judge(method: str, path: str, answer: requests.Response) -> list[str]:
    where = f"{method} {path[:80]}"
    found = [f"{where}: {problem}" for problem in conformance.unsafe(answer.status_code, answer.text)]
    if "application/json" in answer.headers.get("content-type", ""):
        body = answer.json()
    elif answer.status_code >= 400:
        body = answer.text
    else:
        return found  # file content
    found += [
        f"{where}: {answer.status_code} {p}" for p in conformance.problems(method, path, answer.status_code, body)
    ]
    return found


@pytest.mark.slow_allowed(seconds=300, why="generated requests: 9 operations × 2 modes × --fuzz-examples")
@pytest.mark.parametrize("operation", OPERATIONS, ids=[f"{o.method.upper()} {o.path}" for o in OPERATIONS])
def test_generated_requests_answer_as_the_api_promises(proxy, world, operation, pytestconfig, say) -> None:
    found: list[str] = []
    statuses: Counter[int] = Counter()
    with requests.Session() as session:
        for mode in MODES:

            @generation_settings(pytestconfig)
            @given(
                drawn=st.tuples(st.just(mode), operation.as_strategy(generation_mode=mode)),
                key=st.sampled_from(world.keys),
                route=st.sampled_from(ROUTE_FORMS),
                real=st.one_of(st.none(), st.integers(min_value=0, max_value=1_000)),
            )
            def send(drawn, key, route, real) -> None:
                mode, case = drawn
                if real is not None:
                    with_real_ids(case, world, real)
                try:
                    answer = case.call(
                        base_url=proxy.url + route,
                        session=session,
                        headers={"Authorization": f"Bearer {key}"},
                        timeout=TIMEOUT,
                    )
                except requests.RequestException as error:
                    found.append(
                        f"{case.method} {case.formatted_path} ({mode.value}): no answer ({type(error).__name__})"
                    )
                    return
                path = urlsplit(answer.request.url).path
                statuses[answer.status_code] += 1
                problems = judge(case.method.upper(), path, answer)
                if problems:  # with the request, to send again by hand
                    found.extend(
                        f"{problem} ({mode.value})\n    {case.as_curl_command()[:400]}" for problem in problems
                    )

            send()
    name = f"{operation.method.upper()} {operation.path}"
    say(f"generated {name}: {statuses.total()} requests, statuses {dict(sorted(statuses.items()))}")
    assert not found, f"{len(found)} of {statuses.total()} answers:\n" + "\n".join(found[:30])
