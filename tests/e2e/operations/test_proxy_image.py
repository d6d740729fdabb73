"""The proxy image (the repository's Dockerfile) passes the lifecycle test on every selected
release line: built on the suite's Python base image, run with only what an operator gives
it (DATABASE_URL, the keys, the mock's URL), healthy by its own HEALTHCHECK."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from litellm_batch_fixes.paths import ROOT
from litellm_batch_fixes.processes import free_port
from litellm_batch_fixes.releases import Build

from ...conftest import resolved_backend
from ..api import test_managed_batch_lifecycle as lifecycle
from ..backends import MOCK_BASE_IMAGE
from ..flows import MODELS, sdk

STARTS_WITHIN = 180  # seconds: migrations on an empty database, then the proxy's start


@dataclass
class ImageProxy:
    """What the suite's flows need of a running proxy."""

    build: Build
    url: str
    master_key: str
    image: str
    container_id: str


@pytest.fixture(scope="module")
def image_proxy(pytestconfig, patched_build, services, say) -> Iterator[ImageProxy]:
    if resolved_backend(pytestconfig) != "containers":
        pytest.skip("the proxy image needs a container engine (the containers backend)")
    from ..containers import host_network_container, proxy_image, wait_until_healthy

    version = patched_build.line.version
    say(f"proxy image: building the Dockerfile for {version} on {MOCK_BASE_IMAGE}")
    with proxy_image(ROOT, MOCK_BASE_IMAGE, version) as image:
        port, master_key = free_port(), "sk-image-test"
        env = {
            "DATABASE_URL": services.database_for(f"litellm_image_{version.replace('.', '_')}"),
            "LITELLM_MASTER_KEY": master_key,
            "LITELLM_SALT_KEY": "salt-image-test",
            "MOCK_SERVER_URL": services.mock_url,
        }
        with host_network_container(image, env, ["--host", "127.0.0.1", "--port", str(port)]) as container:
            wait_until_healthy(container, STARTS_WITHIN)
            url = f"http://127.0.0.1:{port}"
            yield ImageProxy(patched_build, url, master_key, image, container.get_wrapped_container().id)


@pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
def test_the_proxy_image_passes_the_lifecycle_test(image_proxy: ImageProxy, model: str, say) -> None:
    lifecycle.test_e2e_managed_batch(image_proxy, sdk(image_proxy), model, say)


def refused(image: str, env: dict[str, str]) -> tuple[int, str]:
    """(exit status, output) of the image run with only `env`; fails if it keeps running."""
    import docker

    client = docker.from_env()
    try:
        output = client.containers.run(
            image,
            ["--host", "127.0.0.1", "--port", str(free_port())],  # were it to start anyway
            remove=True,
            stderr=True,
            network_mode="host",
            environment=env,
        )
    except docker.errors.ContainerError as error:
        return error.exit_status, (error.stderr or b"").decode(errors="replace")
    finally:
        client.close()
    pytest.fail(f"the image ran and exited 0: {output[-400:]!r}")


def test_the_proxy_image_refuses_to_start_without_a_database_url(image_proxy: ImageProxy) -> None:
    """Its entrypoint asks for DATABASE_URL rather than start an empty embedded database."""
    status, output = refused(image_proxy.image, {})
    assert status == 2 and "DATABASE_URL is not set" in output


def test_the_proxy_image_names_the_mock_it_lacks(image_proxy: ImageProxy, services) -> None:
    """The default config's models are on the mock server, which the image doesn't carry:
    without MOCK_SERVER_URL it says so rather than fail somewhere inside."""
    env = {"DATABASE_URL": services.database_for("litellm_image_no_mock"), "LITELLM_MASTER_KEY": "sk-x"}
    status, output = refused(image_proxy.image, env)
    assert status == 1 and "uses the mock server" in output and "MOCK_SERVER_URL" in output


def test_the_proxy_image_stops_cleanly_when_docker_stops_it(image_proxy: ImageProxy) -> None:
    """`docker stop` (SIGTERM to the launcher, PID 1) stops the proxy and its Prisma engine
    and exits 0 before Docker's SIGKILL. Runs last: the container is stopped afterwards."""
    import docker

    client = docker.from_env()
    try:
        container = client.containers.get(image_proxy.container_id)
        container.stop(timeout=30)  # then SIGKILL, which would exit 137
        container.reload()
        assert container.attrs["State"]["ExitCode"] == 0, container.logs()[-2000:]
        assert b"stopping" in container.logs()[-2000:]
    finally:
        client.close()
