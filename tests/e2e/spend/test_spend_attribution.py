"""Batch spend is charged to whoever created the batch: every counter their budgets read
(the key's, the user's, the team's) grows by the batch's recorded cost, once, and a
budget the batch spend exhausted refuses the next upload, batch create and chat.

The principals are the kinds of key an operator hands out: a user's key, a key of a user
in a team, a team's key without a user (a service key) and a key with neither, whose
spend lands on the key only. Users are made with `/user/new` (or added to their team):
LiteLLM keeps a user's spend and budget only for a user it has a row for, and
`/key/generate` with an unknown `user_id` makes none.

The recorded cost is the sum of the key's `aretrieve_batch` rows in the spend logs (the
poller's row, and any retrieve that charged), and it must equal the cost computed from the
output files (`cost_of`), so a retrieve that charged again shows as a difference. All
batches are made up front and waited for once; the poller runs every few seconds here.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import openai
import psycopg
import pytest
from openai.types import Batch

from litellm_batch_fixes.stack import Stack

from ..flows import (
    MODELS,
    admin,
    batch_lines,
    create_batch,
    run_batch,
    sdk,
    upload_batch_input,
    wait_for_batch,
)
from .test_batch_spend import RECORDED_WITHIN, WRITTEN_WITHIN, cost_of, spend_stack

PATCH = "0035-batch-spend-reaches-key-user-team.patch"
BUDGET = 1e-7  # dollars: below any one batch's cost here (a 2-line batch costs ~3e-6)
# LiteLLM's budget error, 400 on both lines (1.108.7 as released: 422, 0062).
BUDGET_EXCEEDED = (400, "budget_exceeded")


@dataclass
class Principal:
    """A key of one kind, who owns it, and the batches it ran."""

    kind: str
    key: str
    user_id: str | None = None
    team_id: str | None = None
    batches: list[tuple[str, Batch]] = field(default_factory=list)  # (model, finished batch)
    spare_input: str = ""  # an input file uploaded before the budget ran out

    @property
    def token(self) -> str:
        """The key as LiteLLM stores it (its SHA-256), as the spend logs name it."""
        return hashlib.sha256(self.key.encode()).hexdigest()


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def make_principal(stack: Stack, kind: str, max_budget: float | None = None, budget_on: str = "key") -> Principal:
    """A key of `kind` ("user", "team member", "service key", "bare key"); `max_budget` on
    the key, its user or its team (`budget_on`)."""
    budget = {"max_budget": max_budget} if max_budget is not None else {}
    user_id = unique("spender") if kind in ("user", "team member") else None
    team_id = unique("team") if kind in ("team member", "service key") else None
    if team_id:
        admin(stack, "POST", "/team/new", json={"team_id": team_id, **(budget if budget_on == "team" else {})})
    if user_id:
        admin(stack, "POST", "/user/new", json={"user_id": user_id, **(budget if budget_on == "user" else {})})
    if user_id and team_id:
        admin(
            stack, "POST", "/team/member_add", json={"team_id": team_id, "member": {"role": "user", "user_id": user_id}}
        )
    owner = {name: value for name, value in (("user_id", user_id), ("team_id", team_id)) if value}
    key = admin(stack, "POST", "/key/generate", json={**owner, **(budget if budget_on == "key" else {})})["key"]
    return Principal(kind, key, user_id, team_id)


def recorded(stack: Stack, principal: Principal) -> float:
    """The sum of the key's batch spend rows."""
    with psycopg.connect(stack.database_url) as conn:
        [(spend,)] = conn.execute(
            'SELECT coalesce(sum(spend), 0) FROM "LiteLLM_SpendLogs" '
            "WHERE api_key = %s AND call_type = 'aretrieve_batch'",
            (principal.token,),
        ).fetchall()
    return spend


def counters(stack: Stack, principal: Principal) -> dict[str, float]:
    """What an operator reads: the key's, user's and team's spend, and the spend logs' sum."""
    found = {"key": admin(stack, "GET", "/key/info", params={"key": principal.key})["info"]["spend"]}
    if principal.user_id:
        found["user"] = (
            admin(stack, "GET", "/user/info", params={"user_id": principal.user_id})["user_info"] or {}
        ).get("spend")
    if principal.team_id:
        found["team"] = admin(stack, "GET", "/team/info", params={"team_id": principal.team_id})["team_info"]["spend"]
    logs = admin(stack, "GET", "/spend/logs", params={"api_key": principal.token})
    found["spend logs"] = sum(row["spend"] for row in logs if row["call_type"] == "aretrieve_batch")
    return found


def settled(check: Callable[[], bool], within: float) -> bool:
    """Whether `check` holds by the deadline; the tests then assert what they found (a
    build that never gets there fails there, with its numbers)."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(1)
    return True


@pytest.fixture(scope="module")
def attributing(proxy, services, tmp_path_factory, say):
    """A proxy of the build under test whose poller runs every few seconds."""
    database = services.database_for(f"litellm_attribution_{proxy.build.name.replace('-', '_').replace('.', '_')}")
    with spend_stack(proxy.build, tmp_path_factory.mktemp("attribution"), database, services.mock_url, say) as stack:
        yield stack


PRINCIPALS = ("user", "team member", "service key", "bare key")
BUDGETS = {"key": "bare key", "user": "user", "team": "service key"}  # budget on -> the kind of key


def output_text(stack: Stack, client: openai.OpenAI, file_id: str) -> str:
    """The output file as its owner reads it. The poller may bill a budget holder's batch
    before the owner gets to read it (it runs every few seconds here), and the owner is then
    refused: the master key, an admin, reads it instead."""
    try:
        return client.files.content(file_id).text
    except openai.APIStatusError as refused:
        if refused.type != "budget_exceeded":
            raise
        return sdk(stack).files.content(file_id).text


def finished(stack: Stack, client: openai.OpenAI, model: str, say) -> Batch:
    """A 2-line batch of the client's, run to its end. A budget holder may be refused while
    it polls (the poller billed the batch the moment it completed): the master key, an
    admin, sees it finish instead."""
    batch = create_batch(client, upload_batch_input(client, model, batch_lines(model, ["one", "two"])).id)
    try:
        return wait_for_batch(client, batch.id, say)
    except openai.APIStatusError as refused:
        if refused.type != "budget_exceeded":
            raise
        return wait_for_batch(sdk(stack), batch.id, say)


@pytest.fixture(scope="module")
def billed(attributing, say) -> dict[str, tuple[Principal, float]]:
    """Each principal's batch, billed by the poller and (but for a budget's holder, which
    is refused by then) retrieved again afterwards, with a write cycle for anything counted
    twice to arrive: {name: (principal, expected cost of its batches)}."""
    made: dict[str, Principal] = {kind: make_principal(attributing, kind) for kind in PRINCIPALS}
    for budget_on, kind in BUDGETS.items():
        made[f"{budget_on} budget"] = make_principal(attributing, kind, max_budget=BUDGET, budget_on=budget_on)
    expected: dict[str, float] = {}
    model = MODELS["gpt"]  # attribution is the same for every model (test_batch_spend prices both)
    for name, principal in made.items():
        client = sdk(attributing, principal.key)
        if name not in PRINCIPALS:  # while its budget lasts
            principal.spare_input = upload_batch_input(client, model, batch_lines(model, ["x"])).id
        batch = finished(attributing, client, model, say)
        principal.batches.append((model, batch))
        expected[name] = cost_of(attributing, output_text(attributing, client, batch.output_file_id), model)[0]
    every_batch_recorded = settled(
        lambda: all(recorded(attributing, p) >= expected[name] * (1 - 1e-9) for name, p in made.items()),
        RECORDED_WITHIN,
    )
    say(f"attribution: every batch recorded: {every_batch_recorded}")
    for kind in PRINCIPALS:  # clients seeing the finished batch after it was billed
        client = sdk(attributing, made[kind].key)
        for _, batch in made[kind].batches:
            for _ in range(3):
                client.batches.retrieve(batch.id)
    settled(
        lambda: all(
            all(value == pytest.approx(expected[name], rel=1e-9) for value in counters(attributing, p).values())
            for name, p in made.items()
        ),
        WRITTEN_WITHIN * 2,
    )
    time.sleep(WRITTEN_WITHIN)  # a write cycle for anything counted twice to arrive
    return {name: (principal, expected[name]) for name, principal in made.items()}


def charged_to(stack: Stack, principal: Principal) -> set[tuple[str | None, str | None]]:
    """(user, team) of the key's rows that charged something, as `/spend/logs` lists them."""
    rows = admin(stack, "GET", "/spend/logs", params={"api_key": principal.token})
    return {(row["user"] or None, row["team_id"] or None) for row in rows if row["spend"] > 0}


def expected_counters(principal: Principal, spend: float) -> dict[str, object]:
    names = ["key", *(["user"] if principal.user_id else []), *(["team"] if principal.team_id else []), "spend logs"]
    return dict.fromkeys(names, pytest.approx(spend, rel=1e-9))


@pytest.mark.parametrize("kind", ["user", "team member", "service key"])
def test_batch_spend_reaches_every_counter_of_its_creator(attributing, billed, kind) -> None:
    """The key's, the user's (where the key has one) and the team's (where it has one)
    spend and `/spend/logs` each show the batch's cost once, and its row names the user
    and team. Unpatched 1.80.10: the row has no key, so no counter grows (its 0035)."""
    principal, expected = billed[kind]
    spend = recorded(attributing, principal)
    assert spend == pytest.approx(expected, rel=1e-9) and spend > 0
    assert counters(attributing, principal) == expected_counters(principal, spend)
    assert charged_to(attributing, principal) == {(principal.user_id, principal.team_id)}


@pytest.mark.patch(PATCH)
def test_a_key_without_user_or_team_alone_is_charged_for_its_batch(attributing, billed) -> None:
    """The key's spend and `/spend/logs` show the batch's cost once; the row names no user
    (the key's own chat completions name none either). Unpatched 1.108.7: the row's user
    is "key:<the key's hashed token>", a user that does not exist. Unpatched 1.80.10: the
    row has no key, and the key's spend stays $0."""
    principal, expected = billed["bare key"]
    spend = recorded(attributing, principal)
    assert spend == pytest.approx(expected, rel=1e-9) and spend > 0
    assert counters(attributing, principal) == expected_counters(principal, spend)
    assert charged_to(attributing, principal) == {(None, None)}


def refusal(call: Callable[[], object]) -> tuple[int, str | None] | str:
    try:
        call()
    except openai.APIStatusError as error:
        return error.status_code, error.type
    return "allowed"


@pytest.mark.parametrize("budget_on", BUDGETS)
def test_a_budget_the_batch_spend_exhausted_refuses_the_next_request(attributing, billed, budget_on) -> None:
    """The key's, user's or team's max_budget is below one batch's cost: once the batch is
    billed, its next upload, batch create and chat completion are refused with LiteLLM's
    budget error. Measured on 1.108.7 without the patch: ..."""
    principal, _ = billed[f"{budget_on} budget"]
    client = sdk(attributing, principal.key)
    model = MODELS["gpt"]
    answers = {
        "upload": refusal(lambda: upload_batch_input(client, model, batch_lines(model, ["over budget"]))),
        "batch create": refusal(
            lambda: client.batches.create(
                input_file_id=principal.spare_input, endpoint="/v1/chat/completions", completion_window="24h"
            )
        ),
        "chat": refusal(
            lambda: client.chat.completions.create(model=model, messages=[{"role": "user", "content": "more"}])
        ),
    }
    assert answers == dict.fromkeys(answers, BUDGET_EXCEEDED)


@pytest.mark.patch("0062-budget-exceeded-answers-400.patch")
def test_a_key_over_its_budget_is_refused_with_400_on_every_verb(proxy) -> None:
    """Unpatched 1.108.7: 422 (UnprocessableEntityError in the SDK) where 1.80.10 answers
    400 (BadRequestError), so a client's `except` for one line misses the other's."""
    key = admin(proxy, "POST", "/key/generate", json={"max_budget": 1e-9, "spend": 1.0})["key"]
    client = sdk(proxy, key)
    model = MODELS["gpt"]
    answers = {
        "chat": refusal(
            lambda: client.chat.completions.create(model=model, messages=[{"role": "user", "content": "x"}])
        ),
        "files.create": refusal(lambda: upload_batch_input(client, model, batch_lines(model, ["over budget"]))),
        "files.list": refusal(lambda: client.files.list()),
        "batches.list": refusal(lambda: client.batches.list()),
    }
    assert answers == dict.fromkeys(answers, BUDGET_EXCEEDED)


def file_rows(stack: Stack, principal: Principal) -> list[tuple[str, float]]:
    """(call type, spend) of the key's files API rows."""
    with psycopg.connect(stack.database_url) as conn:
        return conn.execute(
            'SELECT call_type, spend FROM "LiteLLM_SpendLogs" WHERE api_key = %s AND call_type LIKE %s',
            (principal.token, "%file%"),
        ).fetchall()


@pytest.mark.patch("0038-file-operations-are-not-billed.patch")
def test_uploading_and_reading_files_costs_nothing(attributing, say) -> None:
    """Unpatched 1.80.10: reading a batch's output file charges the key (an afile_content
    row of $0.00000045 for two lines of gpt-4o-mini, priced as if it were a prompt)."""
    principal = make_principal(attributing, "user")
    client = sdk(attributing, principal.key)
    model = MODELS["gpt"]
    batch = run_batch(client, model, say, prompts=["one", "two"])[2]
    client.files.retrieve(batch.output_file_id)
    client.files.content(batch.output_file_id)
    read = settled(lambda: {"acreate_file", "afile_content"} <= {t for t, _ in file_rows(attributing, principal)}, 30)
    assert read, f"the upload and the read were not logged within 30 s: {file_rows(attributing, principal)}"
    assert {(call_type, spend) for call_type, spend in file_rows(attributing, principal) if spend} == set()
