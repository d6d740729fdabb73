"""Raw provider ids on every route form: never a 5xx, never a dropped connection, never
another user's object.

A managed id embeds the provider's own id (file-..., batch_...), and the proxy's records
hold it, so a caller can know another user's raw ids. The table asks every route form
(/files, /v1, the provider routes /openai/v1 and /azure/v1, and /openai, /azure without
/v1, which is where an AzureOpenAI client pointed at the proxy goes) with every verb for
raw ids of three kinds: another user's, the caller's own, unknown. Each answer is below
500 and, as an error, an OpenAI error body with nothing of the provider's or the
database's internals; another user's id is never served. Both lines answer 404 for all
three kinds, before any provider call: the managed id is the way in (1.80.10: 0013, 0036;
1.108.7, which served the caller's own raw id: 0053, 0061).
"""

from __future__ import annotations

import time

import httpx
import psycopg
import pytest

from ..flows import (
    MODELS,
    batch_lines,
    create_batch,
    new_user,
    provider_file_id,
    run_batch,
    upload_batch_input,
)

ROUTE_FORMS = ("", "/v1", "/openai/v1", "/azure/v1", "/openai", "/azure")
# (verb, method, path under the route form, the id kind it takes)
ID_VERBS = (
    ("files.retrieve", "GET", "/files/{id}", "file"),
    ("files.content", "GET", "/files/{id}/content", "file"),
    ("files.delete", "DELETE", "/files/{id}", "file"),
    ("batches.retrieve", "GET", "/batches/{id}", "batch"),
    ("batches.cancel", "POST", "/batches/{id}/cancel", "batch"),
)
# id kind -> which ids of the world: (owner, object); the owner None is an unknown id
ID_KINDS = {
    "file": {
        "another user's input file": ("bob", "input"),
        "another user's output file": ("bob", "output"),
        "the caller's own input file": ("alice", "input"),
        "an unknown file": (None, "file-abc123"),
    },
    "batch": {
        "another user's batch": ("bob", "batch"),
        "the caller's own batch": ("alice", "batch"),
        "an unknown batch": (None, "batch_abc123"),
    },
}
LISTS = (("files.list", "/files"), ("batches.list", "/batches"))
INTERNALS = ("Traceback", "prisma", "ConnectorError", "api_key client option", "Missing credentials", "OPENAI_API_KEY")

CELLS = [
    (f"{verb} {what} on {form or '/'}", form, method, path, owner, which)
    for form in ROUTE_FORMS
    for verb, method, path, kind in ID_VERBS
    for what, (owner, which) in ID_KINDS[kind].items()
]
LIST_CELLS = [
    (f"{verb} {'for a model ' if by_model else ''}on {form or '/'}", form, path, by_model)
    for form in ROUTE_FORMS
    for verb, path in LISTS
    for by_model in (False, True)
]


class World:
    """Alice (the caller) and Bob, a finished batch each on one model, and the provider's
    raw ids behind their managed ids, read from the proxy's records."""

    def __init__(self, proxy, model: str, say) -> None:
        self.url, self.model = proxy.url, model
        users = {name: new_user(proxy, name)[1] for name in ("alice", "bob")}
        self.keys = {name: client.api_key for name, client in users.items()}
        self.managed: dict[str, dict[str, str]] = {}
        for name, client in users.items():
            uploaded, created, finished = run_batch(client, model, say, prompts=[f"{name}'s"])
            self.managed[name] = {"input": uploaded.id, "batch": created.id, "output": str(finished.output_file_id)}
        with psycopg.connect(proxy.database_url) as conn:
            self.raw = {
                name: {
                    "input": self._file(conn, ids["input"]),
                    "output": self._file(conn, ids["output"]),
                    "batch": conn.execute(
                        'SELECT model_object_id FROM "LiteLLM_ManagedObjectTable" WHERE unified_object_id = %s',
                        (ids["batch"],),
                    ).fetchone()[0],
                }
                for name, ids in self.managed.items()
            }
        # One pooled connection, as the SDK keeps: a server that closes it after an answer
        # shows here as "connection reset" on the next request.
        self.http = httpx.Client(
            base_url=self.url, timeout=60, headers={"Authorization": f"Bearer {self.keys['alice']}"}
        )

    @staticmethod
    def _file(conn, managed_id: str) -> str:
        return conn.execute(
            'SELECT flat_model_file_ids[1] FROM "LiteLLM_ManagedFileTable" WHERE unified_file_id = %s', (managed_id,)
        ).fetchone()[0]

    def raw_id(self, owner: str | None, which: str) -> str:
        return self.raw[owner][which] if owner else which

    def others_ids(self) -> set[str]:
        return {*self.raw["bob"].values(), *self.managed["bob"].values()}


@pytest.fixture(scope="module", params=list(MODELS.values()), ids=list(MODELS))
def world(request, proxy, say) -> World:
    made = World(proxy, request.param, say)
    yield made
    made.http.close()


def assert_well_answered(answer: httpx.Response) -> None:
    """Below 500; an error is an OpenAI error body without internals."""
    assert answer.status_code < 500, f"{answer.status_code} {answer.text[:300]}"
    assert not any(text in answer.text for text in INTERNALS), answer.text[:300]
    if answer.status_code >= 400:
        error = answer.json().get("error") if "json" in answer.headers.get("content-type", "") else None
        assert isinstance(error, dict) and {"message", "type", "param", "code"} <= set(error), answer.text[:300]


@pytest.mark.parametrize("case,form,method,path,owner,which", CELLS, ids=[c[0] for c in CELLS])
def test_a_raw_id_on_any_route_form_answers_4xx_or_the_callers_own(
    world: World, case, form, method, path, owner, which
) -> None:
    answer = world.http.request(method, form + path.format(id=world.raw_id(owner, which)))
    assert_well_answered(answer)
    if owner == "bob":
        assert answer.status_code >= 400, f"another user's object served: {answer.text[:300]}"


@pytest.mark.parametrize("case,form,path,by_model", LIST_CELLS, ids=[c[0] for c in LIST_CELLS])
def test_a_list_on_any_route_form_holds_only_the_callers_objects(world: World, case, form, path, by_model) -> None:
    answer = world.http.get(form + path, params={"target_model_names": world.model} if by_model else {})
    assert_well_answered(answer)
    if answer.status_code < 400:
        listed = {str(item.get("id")) for item in answer.json().get("data", [])}
        assert not listed & world.others_ids(), f"another user's objects listed: {listed & world.others_ids()}"


@pytest.mark.patch(
    "0061-raw-provider-ids-answer-404.patch",
    needs={
        "1.80.10": ["0013-unknown-and-foreign-ids-answer-404.patch", "0036-provider-routes-raw-ids-answer-4xx.patch"]
    },
)
def test_the_callers_own_raw_ids_answer_404_on_every_route_form(world: World) -> None:
    """Unpatched 1.108.7: the provider's id behind the caller's own file or batch is served
    on every route form (retrieve 200, content, delete 200, cancel the provider's 400), and
    batches.create takes the caller's own raw input file."""
    own = world.raw["alice"]
    asked = {
        f"{verb} {which} on {form or '/'}": answered(world.http, method, form + path.format(id=own[which]))
        for form in ROUTE_FORMS
        for verb, method, path, kind in ID_VERBS
        for which in (("input", "output") if kind == "file" else ("batch",))
    }
    body = {"input_file_id": own["input"], "endpoint": "/v1/chat/completions", "completion_window": "24h"}
    asked |= {
        f"batches.create on {path} {extra}": answered(world.http, "POST", path, json={**body, **extra})
        for path, extra in RAW_INPUT_CREATES
    }
    served = {what: answer for what, answer in asked.items() if answer[0] != 404}
    assert not served, f"{len(served)} of {len(asked)} not 404: {served}"


def test_the_other_users_objects_are_intact_after_the_table(world: World) -> None:
    """Runs after the table (pytest keeps file order): Bob still has all his objects."""
    bob = httpx.Client(base_url=world.url, timeout=60, headers={"Authorization": f"Bearer {world.keys['bob']}"})
    with bob:
        for kind in ("input", "output"):
            assert bob.get(f"/v1/files/{world.managed['bob'][kind]}").status_code == 200
            assert bob.get(f"/v1/files/{world.managed['bob'][kind]}/content").content
        assert bob.get(f"/v1/batches/{world.managed['bob']['batch']}").json()["status"] == "completed"


@pytest.mark.patch("0036-provider-routes-raw-ids-answer-4xx.patch")
def test_provider_routes_answer_raw_ids_without_a_5xx(proxy, say) -> None:
    """Unpatched 1.80.10: GET /openai/v1/files/{raw} answers a plain-text "Internal Server
    Error" and the connection is closed after it (the next request on it: "connection
    reset by peer"); /openai/v1/batches/{raw} answers 500 "The api_key client option must
    be set"; batches.list on /openai/v1 with target_model_names lists every user's
    batches. Unpatched 1.108.7: /openai/files/{raw} answers 500 "Internal server error"."""
    model = MODELS["gpt"]
    (_, owner), (_, other) = new_user(proxy, "owner"), new_user(proxy, "other")
    theirs = upload_batch_input(owner, model, batch_lines(model, ["theirs"]))
    batch = create_batch(owner, theirs.id)
    raw_batch = recorded_raw_batch(proxy, batch.id)
    http = httpx.Client(base_url=proxy.url, timeout=60, headers={"Authorization": f"Bearer {other.api_key}"})
    with http:
        answers = [
            answered(http, method, path)
            for method, path in (
                ("GET", "/openai/v1/files/file-abc123"),
                ("GET", f"/openai/v1/batches/{raw_batch}"),
                ("GET", "/openai/files/file-abc123"),
                ("DELETE", "/azure/v1/files/file-abc123"),
                ("POST", f"/azure/v1/batches/{raw_batch}/cancel"),
                ("GET", "/openai/v1/files/file-abc123/content"),
            )
        ]
        try:
            listed = http.get("/openai/v1/batches", params={"target_model_names": model})
        except httpx.TransportError as dropped:  # the bug's symptom too: the connection went
            pytest.fail(f"batches.list on /openai/v1: the connection was dropped ({dropped!r})")
    expected = [404, 404, 404, 404, 404, 404]
    assert [status for status, _ in answers] == expected, answers
    assert listed.status_code >= 400 or raw_batch not in listed.text, listed.text[:300]


def recorded_raw_batch(proxy, managed_id: str, timeout: float = 10) -> str:
    """The provider's id behind a managed batch id, once its row is written (unpatched
    1.80.10 writes it after the create's answer)."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(proxy.database_url, autocommit=True) as conn:
        while True:
            row = conn.execute(
                'SELECT model_object_id FROM "LiteLLM_ManagedObjectTable" WHERE unified_object_id = %s', (managed_id,)
            ).fetchone()
            if row:
                return row[0]
            if time.monotonic() > deadline:
                raise AssertionError(f"no record of batch {managed_id} after {timeout:.0f}s")
            time.sleep(0.2)


def answered(http: httpx.Client, method: str, path: str, **options) -> tuple[int | str, str]:
    """(status, body) or ("dropped", the error): a status only with an OpenAI error body."""
    try:
        answer = http.request(method, path, **options)
    except httpx.TransportError as dropped:
        return "dropped", repr(dropped)
    error = answer.json().get("error") if "json" in answer.headers.get("content-type", "") else None
    return (
        answer.status_code if isinstance(error, dict) else f"{answer.status_code} without an error body"
    ), answer.text[:120]


# batches.create with another user's raw input file: every way a create names a model or
# a provider (the body's model or custom_llm_provider, a provider route).
RAW_INPUT_CREATES: tuple[tuple[str, dict[str, str]], ...] = (
    ("/v1/batches", {"model": MODELS["gpt"]}),
    ("/v1/batches", {"custom_llm_provider": "openai"}),
    ("/v1/batches", {}),
    ("/openai/v1/batches", {}),
    ("/azure/v1/batches", {}),
    ("/openai/v1/batches", {"model": MODELS["gpt"]}),
    ("/azure/batches", {"custom_llm_provider": "azure"}),
)


@pytest.mark.patch(
    "0046-batch-create-raw-input-file-checked.patch",
    needs={"1.108.7": ["0053-other-callers-objects-answer-404.patch"]},
)
def test_batch_create_never_takes_another_users_raw_input_file(proxy) -> None:
    """Unpatched (both lines): with "model" in the body the batch is created on the other
    user's file with the deployment's credentials. Unpatched 1.80.10 also answers 500 "The
    api_key client option must be set" / "Missing credentials" on the provider routes and
    with custom_llm_provider; 1.108.7 creates the batch there too."""
    model = MODELS["gpt"]
    (_, owner), (_, other) = new_user(proxy, "owner"), new_user(proxy, "other")
    theirs = upload_batch_input(owner, model, batch_lines(model, ["theirs"]))
    raw_file = provider_file_id(theirs.id)
    refused = 404
    body = {"input_file_id": raw_file, "endpoint": "/v1/chat/completions", "completion_window": "24h"}
    with httpx.Client(base_url=proxy.url, timeout=60, headers={"Authorization": f"Bearer {other.api_key}"}) as http:
        answers = {
            f"{path} {extra}": answered(http, "POST", path, json={**body, **extra}) for path, extra in RAW_INPUT_CREATES
        }
    # /azure/batches without /v1 is the pass-through's, unconfigured here: 404 (0036)
    expected = {f"{p} {extra}": 404 if p == "/azure/batches" else refused for p, extra in RAW_INPUT_CREATES}
    wrong = {what: answer for what, answer in answers.items() if answer[0] != expected[what]}
    assert not wrong, f"expected {refused} (404 on /azure/batches): {wrong}"


@pytest.mark.patch("0047-refused-request-with-null-metadata-answers-4xx.patch")
@pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
def test_a_refused_create_with_null_metadata_answers_its_4xx(proxy, model) -> None:
    """Unpatched 1.108.7: another user's input file with "metadata": null (which the API
    allows) answered 500 "'NoneType' object has no attribute 'update'" instead of its 4xx."""
    (_, owner), (_, other) = new_user(proxy, "owner"), new_user(proxy, "other")
    theirs = upload_batch_input(owner, model, batch_lines(model, ["theirs"]))
    body = {
        "input_file_id": theirs.id,
        "endpoint": "/v1/chat/completions",
        "completion_window": "24h",
        "metadata": None,
    }
    try:
        answer = httpx.post(
            f"{proxy.url}/v1/batches", json=body, headers={"Authorization": f"Bearer {other.api_key}"}, timeout=60
        )
    except httpx.TransportError as dropped:
        pytest.fail(f"no answer: {dropped!r}")
    assert answer.status_code < 500, f"{answer.status_code} {answer.text[:300]}"
