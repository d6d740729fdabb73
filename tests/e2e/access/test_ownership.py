"""Who reaches whose managed files and batches: every kind of key × every verb × every kind
of object × both models, each cell's answer derived from the ownership model
(principals.py, docs/identity.md).

Owners (a user alone, a team's key without a user, a user of that team, a key with
neither user nor team, the master key) each make one finished batch per model with one
failing line, so it has an input, an output and an error file. Every principal then
retrieves, downloads, lists, cancels, uses and deletes each of them, on `/v1/...` and
`/...` alike: a principal the model lets in gets the object; any other gets 404, as for an
unknown id, with an OpenAI error body, and the object is unchanged. Never a 5xx.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import openai
import pytest

from .. import conformance
from ..flows import MODELS, TERMINAL, batch_lines, create_batch, new_user, release, run_batch, sdk, upload_batch_input
from ..principals import Principal, make_keys, principals, run_id

models = pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
OWNERS = ("user a", "team a key", "team a's user", "key with neither", "admin")
ROUTES = ("/v1", "")  # with and without the version prefix, alternately
# Another principal's object: ours answers 404 (it doesn't confirm the id exists);
# 404 on every line, as for an unknown id (1.108.7: 0053).
REFUSED = {404}


@dataclass
class Objects:
    """One owner's objects for one model: managed ids and the output file's bytes."""

    input: str
    output: str
    error: str
    batch: str
    output_bytes: bytes


@dataclass
class World:
    proxy_url: str
    release: str
    who: dict[str, Principal]
    keys: dict[str, str]
    objects: dict[tuple[str, str], Objects]  # (owner, model) -> objects

    http: httpx.Client  # answers go through the OpenAI conformance check

    def request(self, principal: str, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.keys[principal]}"}
        return self.http.request(method, self.proxy_url + path, headers=headers, **kwargs)


@pytest.fixture(scope="module")
def world(proxy, say) -> Iterator[World]:
    who = {p.name: p for p in principals(run_id())}
    keys = make_keys(proxy.url, proxy.master_key, list(who.values()))
    objects = {}
    for owner, model in itertools.product(OWNERS, MODELS.values()):
        client = sdk(proxy, keys[owner])
        uploaded, _, batch = run_batch(client, model, say, prompts=["one", "bad"], bad_max_tokens_at=1)
        assert batch.output_file_id and batch.error_file_id, batch
        objects[owner, model] = Objects(
            uploaded.id,
            batch.output_file_id,
            batch.error_file_id,
            batch.id,
            client.files.content(batch.output_file_id).content,
        )
    with httpx.Client(event_hooks={"response": [conformance.check]}, timeout=60) as http:
        yield World(proxy.url, release(proxy), who, keys, objects, http)


def cells(world: World, model: str):
    """(principal, owner, may it, route prefix) for every principal and owner."""
    pairs = itertools.product(world.who.values(), OWNERS)
    for index, (principal, owner) in enumerate(pairs):
        yield principal.name, owner, principal.reaches(world.who[owner]), ROUTES[index % len(ROUTES)]


def refused(world: World, answer: httpx.Response) -> bool:
    return answer.status_code in REFUSED and "error" in answer.json()


FILE_KINDS = ("input", "output", "error")


@models
@pytest.mark.parametrize("kind", FILE_KINDS)
def test_a_file_is_retrieved_and_read_only_by_whom_the_model_lets_in(world: World, model: str, kind: str) -> None:
    wrong = []
    for principal, owner, may, route in cells(world, model):
        file_id = getattr(world.objects[owner, model], kind)
        meta = world.request(principal, "GET", f"{route}/files/{file_id}")
        content = world.request(principal, "GET", f"{route}/files/{file_id}/content")
        if may:
            good = meta.status_code == 200 and meta.json()["id"] == file_id and content.status_code == 200
            if good and kind == "output":
                good = content.content == world.objects[owner, model].output_bytes
        else:
            good = refused(world, meta) and refused(world, content)
        if not good:
            wrong.append(
                f"{principal} on {owner}'s {kind} file ({route or '/'}): {meta.status_code}/{content.status_code}"
            )
    assert not wrong, "\n".join(wrong)


@models
def test_a_batch_is_retrieved_and_cancelled_only_by_whom_the_model_lets_in(world: World, model: str) -> None:
    wrong = []
    for principal, owner, may, route in cells(world, model):
        batch_id = world.objects[owner, model].batch
        got = world.request(principal, "GET", f"{route}/batches/{batch_id}")
        cancel = world.request(principal, "POST", f"{route}/batches/{batch_id}/cancel")
        if may:  # reaches the provider, which can't cancel a completed batch
            good = got.status_code == 200 and got.json()["id"] == batch_id and cancel.status_code == 400
            good = good and got.json()["output_file_id"] == world.objects[owner, model].output
        else:
            good = refused(world, got) and refused(world, cancel)
        if not good:
            wrong.append(f"{principal} on {owner}'s batch ({route or '/'}): {got.status_code}/{cancel.status_code}")
    assert not wrong, "\n".join(wrong)


def listed_ids(world: World, principal: str, path: str, params: dict) -> set[str]:
    """Every id a principal's listing shows, page by page."""
    found: set[str] = set()
    after = None
    for _ in range(1000):
        answer = world.request(
            principal, "GET", path, params={**params, "limit": 100, **({"after": after} if after else {})}
        )
        assert answer.status_code == 200, f"{principal} {path}: {answer.status_code} {answer.text[:300]}"
        page = answer.json()
        found |= {item["id"] for item in page["data"]}
        if not page["has_more"] or not page["data"]:
            return found
        after = page["data"][-1]["id"]
    raise AssertionError(f"{path} for {principal}: more than 1,000 pages")


@models
def test_listings_show_exactly_the_objects_the_model_lets_in(world: World, model: str) -> None:
    wrong = []
    for principal in world.who:
        files = listed_ids(world, principal, "/v1/files", {"target_model_names": model})
        batches = listed_ids(world, principal, "/v1/batches", {})
        for owner in OWNERS:
            may = world.who[principal].reaches(world.who[owner])
            objects = world.objects[owner, model]
            for kind, object_id, shown in (
                *((kind, getattr(objects, kind), files) for kind in FILE_KINDS),
                ("batch", objects.batch, batches),
            ):
                if (object_id in shown) != may:
                    wrong.append(f"{principal}'s listing {'lacks' if may else 'shows'} {owner}'s {kind}")
    assert not wrong, "\n".join(wrong)


@models
def test_a_batch_and_a_chat_use_an_input_file_only_whom_the_model_lets_in(world: World, model: str) -> None:
    """The batches made here finish before the test ends: a running batch holds its
    input file (1.108.7 refuses to delete it), and the delete test comes next."""
    wrong, made = [], []
    for principal, owner, may, route in cells(world, model):
        file_id = world.objects[owner, model].input
        batch = world.request(
            principal,
            "POST",
            f"{route}/batches",
            json={"input_file_id": file_id, "endpoint": "/v1/chat/completions", "completion_window": "24h"},
        )
        chat = world.request(
            principal,
            "POST",
            f"{route}/chat/completions",
            json={
                "model": model,
                "messages": [{"role": "user", "content": [{"type": "file", "file": {"file_id": file_id}}]}],
            },
        )
        if may:
            good = batch.status_code == 200 and chat.status_code < 500 and chat.status_code not in (403, 404)
            if batch.status_code == 200:
                made.append((principal, batch.json()["id"]))
        else:
            good = refused(world, batch) and refused(world, chat)
        if not good:
            wrong.append(
                f"{principal} using {owner}'s input file ({route or '/'}): "
                f"batch {batch.status_code}, chat {chat.status_code}"
            )
    for principal, batch_id in made:
        finished(world, principal, batch_id)
    assert not wrong, "\n".join(wrong)


def finished(world: World, principal: str, batch_id: str, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while world.request(principal, "GET", f"/v1/batches/{batch_id}").json()["status"] not in TERMINAL:
        assert time.monotonic() < deadline, f"{principal}'s batch {batch_id} still running after {within:.0f}s"
        time.sleep(0.2)


@models
def test_a_file_is_deleted_only_by_whom_the_model_lets_in(world: World, model: str) -> None:
    """Last in the module: it deletes. Each refused principal tries first and the file
    stays; then one principal the model lets in (not the owner where there is one)
    deletes it, and it is gone for the owner too."""
    wrong = []
    for owner, kind in itertools.product(OWNERS, FILE_KINDS):
        file_id = getattr(world.objects[owner, model], kind)
        allowed = [p for p in world.who if world.who[p].reaches(world.who[owner])]
        for index, principal in enumerate(p for p in world.who if p not in allowed):
            answer = world.request(principal, "DELETE", f"{ROUTES[index % 2]}/files/{file_id}")
            if not refused(world, answer):
                wrong.append(f"{principal} deleting {owner}'s {kind} file: {answer.status_code}")
        if world.request(owner, "GET", f"/v1/files/{file_id}").status_code != 200:
            wrong.append(f"{owner}'s {kind} file is gone after refused deletes")
            continue
        deleter = next((p for p in allowed if p not in (owner, "admin")), owner)
        answer = world.request(deleter, "DELETE", f"/v1/files/{file_id}")
        if answer.status_code != 200 or answer.json().get("deleted") is not True:
            wrong.append(f"{deleter} deleting {owner}'s {kind} file: {answer.status_code} {answer.text[:800]}")
        elif world.request(owner, "GET", f"/v1/files/{file_id}").status_code != 404:
            wrong.append(f"{owner}'s {kind} file still answers after {deleter} deleted it")
    assert not wrong, "\n".join(wrong)


def reached(call) -> bool:
    """Whether a call got the object (False: refused as unknown or forbidden)."""
    try:
        call()
    except (openai.NotFoundError, openai.PermissionDeniedError):
        return False
    return True


@pytest.mark.patch("0034-managed-objects-owned-by-key-user-or-team.patch")
@models
def test_keys_without_a_user_reach_only_their_own_and_their_teams_objects(proxy, model: str) -> None:
    """Unpatched 1.80.10: team b's key and a key with neither user nor team retrieve team
    a's file and batch (the check compares user ids, and None == None)."""
    who = principals(run_id())
    keys = make_keys(proxy.url, proxy.master_key, who)
    team_a = sdk(proxy, keys["team a key"])
    uploaded = upload_batch_input(team_a, model, batch_lines(model, ["one"]))
    created = create_batch(team_a, uploaded.id)
    seen = {}
    for name in ("team b key", "key with neither", "team a second key"):
        other = sdk(proxy, keys[name])
        seen[name] = (
            reached(lambda other=other: other.files.retrieve(uploaded.id)),
            reached(lambda other=other: other.batches.retrieve(created.id)),
        )
    assert seen == {"team b key": (False, False), "key with neither": (False, False), "team a second key": (True, True)}


@pytest.mark.patch(
    "0053-other-callers-objects-answer-404.patch",
    needs={
        "1.80.10": [
            "0008-managed-file-access-retrieve-delete.patch",
            "0010-managed-batch-cancel-owner-only.patch",
            "0013-unknown-and-foreign-ids-answer-404.patch",
        ]
    },
)
@models
def test_another_callers_objects_answer_as_unknown_ids_do(proxy, model: str) -> None:
    """Unpatched 1.108.7: 403 "User <id> does not have access to the file <id>", which tells
    a prober the id is real (an unknown id answers 404)."""
    (_, owner), (_, other) = new_user(proxy, "owner"), new_user(proxy, "prober")
    uploaded = upload_batch_input(owner, model, batch_lines(model, ["one"]))
    created = create_batch(owner, uploaded.id)
    calls = {
        "files.retrieve": lambda: other.files.retrieve(uploaded.id),
        "files.content": lambda: other.files.content(uploaded.id),
        "files.delete": lambda: other.files.delete(uploaded.id),
        "batches.retrieve": lambda: other.batches.retrieve(created.id),
        "batches.cancel": lambda: other.batches.cancel(created.id),
        "batches.create": lambda: create_batch(other, uploaded.id),
    }
    statuses = {}
    for verb, call in calls.items():
        try:
            call()
            statuses[verb] = 200
        except openai.APIStatusError as refused:
            statuses[verb] = refused.status_code
    assert statuses == dict.fromkeys(calls, 404)
    assert owner.files.retrieve(uploaded.id).id == uploaded.id
