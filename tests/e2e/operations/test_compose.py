"""compose.yaml as an operator runs it: PostgreSQL, two proxy replicas behind HAProxy, the
mock as upstream. Both replicas answer behind the one port, and what one replica made the
other serves: they share all state through PostgreSQL.

Needs a container engine and Docker Compose (`docker compose` or Debian's `docker-compose`);
image names come from the suite's LBF_* variables, so registry-free CI uses its local images.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import openai
import pytest

from litellm_batch_fixes.bench.clients import new_user_key
from litellm_batch_fixes.paths import ROOT
from litellm_batch_fixes.processes import free_port
from litellm_batch_fixes.releases import DEFAULT, LINES, Build

from ...conftest import resolved_backend, selected_lines
from ..backends import MOCK_BASE_IMAGE, POSTGRES_IMAGE
from ..flows import MODELS, batch_lines, create_batch, sdk, upload_batch_input, wait_for_batch

HAPROXY_IMAGE = os.environ.get("LBF_HAPROXY_IMAGE", "haproxy:2.8")
OVERRIDE = ROOT / "tests" / "e2e" / "compose-replica-ports.yaml"
REPLICAS = ("proxy-a", "proxy-b")
UP_WITHIN = 600  # seconds: two image builds on a cold cache, migrations, two proxy starts


def compose_command() -> list[str] | None:
    """Docker Compose v2 (a docker plugin) where present, else v1 (Debian's docker-compose)."""
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    return [shutil.which("docker-compose")] if shutil.which("docker-compose") else None  # type: ignore[list-item]


@dataclass
class Deployment:
    """A running compose project: the load balancer's URL and each replica's own."""

    url: str
    replica_urls: dict[str, str]
    master_key: str
    build: Build = LINES[DEFAULT].build("patched")  # what the suite's flows read

    def replica(self, name: str) -> Deployment:
        return Deployment(self.replica_urls[name], self.replica_urls, self.master_key)


def wait_ready(url: str, deadline: float, what: str) -> None:
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health/readiness", timeout=3).json().get("db") == "connected":
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(2)
    raise AssertionError(f"{what} at {url} not ready within {UP_WITHIN}s")


@pytest.fixture(scope="module")
def deployment(pytestconfig, say) -> Iterator[Deployment]:
    if resolved_backend(pytestconfig) != "containers":
        pytest.skip("compose.yaml needs a container engine (the containers backend)")
    if DEFAULT not in {line.version for line in selected_lines(pytestconfig)}:
        pytest.skip(f"compose.yaml runs the default line, {DEFAULT}, which --litellm leaves out")
    compose = compose_command()
    if compose is None:
        if os.environ.get("CI"):
            pytest.fail("Docker Compose is missing (Debian: apt-get install docker-compose)")
        pytest.skip("Docker Compose is missing (Debian: apt-get install docker-compose)")
    run_id = uuid.uuid4().hex[:8]
    master_key = f"sk-compose-{run_id}"
    env = {
        **os.environ,
        "LITELLM_MASTER_KEY": master_key,
        "LITELLM_SALT_KEY": f"salt-compose-{run_id}",
        "PYTHON_IMAGE": MOCK_BASE_IMAGE,
        "POSTGRES_IMAGE": POSTGRES_IMAGE,
        "HAPROXY_IMAGE": HAPROXY_IMAGE,
        "PROXY_PORT": str(free_port()),
        "PROXY_IMAGE": f"litellm-batch-fixes-proxy-test-{run_id}",
        "MOCK_IMAGE": f"litellm-batch-fixes-mock-test-{run_id}",
    }
    base = [*compose, "--project-name", f"lbf-test-{run_id}", "-f", str(ROOT / "compose.yaml"), "-f", str(OVERRIDE)]

    def run(*args: str) -> str:
        done = subprocess.run([*base, *args], env=env, cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    say(f"compose: up --build (project lbf-test-{run_id}) on {MOCK_BASE_IMAGE}")
    try:
        run("up", "--detach", "--build")
        lb_url = f"http://127.0.0.1:{env['PROXY_PORT']}"
        replica_urls = {name: "http://" + run("port", name, "4000").strip() for name in REPLICAS}
        deadline = time.monotonic() + UP_WITHIN
        for name, url in replica_urls.items():
            wait_ready(url, deadline, name)
        wait_ready(lb_url, deadline, "the load balancer")
        yield Deployment(lb_url, replica_urls, master_key)
    except AssertionError:
        say("compose: logs of the failed start follow")
        print(subprocess.run([*base, "logs", "--tail", "60"], env=env, capture_output=True, text=True).stdout)
        raise
    finally:
        subprocess.run([*base, "down", "--volumes", "--remove-orphans"], env=env, capture_output=True)
        for image in (f"{env['PROXY_IMAGE']}:1.80.10", env["MOCK_IMAGE"]):
            subprocess.run(["docker", "image", "rm", "--no-prune", image], capture_output=True)  # cache stays


def test_both_replicas_answer_behind_the_one_port(deployment: Deployment) -> None:
    """HAProxy puts a replica in rotation once its own readiness check passes (every 2 s),
    so the second may join a moment after the first; every answer meanwhile is good."""
    served_by: set[str | None] = set()
    deadline = time.monotonic() + 30
    while served_by != set(REPLICAS) and time.monotonic() < deadline:
        answer = httpx.get(f"{deployment.url}/health/readiness", timeout=10)
        assert answer.status_code == 200 and answer.json()["db"] == "connected"
        served_by.add(answer.headers.get("x-served-by"))
        time.sleep(0.2)
    assert served_by == set(REPLICAS)


@pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
def test_a_batch_made_through_one_replica_is_served_by_the_other(deployment: Deployment, model: str, say) -> None:
    a, b = (deployment.replica(name) for name in REPLICAS)
    _, key = new_user_key(a.url, a.master_key, "compose")  # a key made on one replica
    on_a, on_b = sdk(a, key), sdk(b, key)

    uploaded = upload_batch_input(on_a, model, batch_lines(model, ["one", "two"]))
    created = create_batch(on_a, uploaded.id)
    batch = wait_for_batch(on_b, created.id, say)
    assert batch.status == "completed" and batch.input_file_id == uploaded.id
    assert on_b.files.retrieve(uploaded.id).id == uploaded.id
    assert len(on_b.files.content(batch.output_file_id).text.splitlines()) == 2
    assert created.id in [listed.id for listed in on_b.batches.list(limit=100).data]

    assert on_b.files.delete(batch.output_file_id).deleted
    with pytest.raises(openai.NotFoundError):
        on_a.files.retrieve(batch.output_file_id)
