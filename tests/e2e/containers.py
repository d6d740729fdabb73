"""testcontainers: PostgreSQL, the mock server and the proxy image as containers, on 127.0.0.1 only."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from testcontainers.community.postgres import PostgresContainer
from testcontainers.core.container import DockerContainer
from testcontainers.core.image import DockerImage
from testcontainers.core.wait_strategies import HttpWaitStrategy

MOCK_PORT = 8090
LOOPBACK_ANY_PORT = ("127.0.0.1", None)


@contextlib.contextmanager
def postgres_container(image: str) -> Iterator[str]:
    """A server URL; testcontainers waits until psql answers inside the container."""
    container = PostgresContainer(image, driver=None)
    # with_bind_ports takes no address; this publishes on loopback with a free port.
    container.ports["5432"] = LOOPBACK_ANY_PORT  # type: ignore[assignment]  # docker-py takes (host, port)
    with container:
        yield container.get_connection_url()


@contextlib.contextmanager
def mock_server_container(root: Path, base_image: str, step_seconds: float) -> Iterator[str]:
    """Build mock-server/Dockerfile on `base_image`, run it, and yield its base URL."""
    tag = f"litellm-batch-fixes-mock:{uuid.uuid4().hex[:8]}"
    with built_image(root, tag, {"BASE_IMAGE": base_image}, "mock-server/Dockerfile") as image:
        container = (
            DockerContainer(str(image))
            .with_env("MOCK_BATCH_STEP_SECONDS", str(step_seconds))
            .with_exposed_ports(MOCK_PORT)
            .waiting_for(HttpWaitStrategy(MOCK_PORT, "/__mock__/health").for_status_code(200))
        )
        container.ports[str(MOCK_PORT)] = LOOPBACK_ANY_PORT  # type: ignore[assignment]  # as above
        with container:
            yield f"http://127.0.0.1:{container.get_exposed_port(MOCK_PORT)}"


@contextlib.contextmanager
def proxy_image(root: Path, base_image: str, litellm: str) -> Iterator[str]:
    """The repository's Dockerfile built for a release line on `base_image`; its tag."""
    tag = f"litellm-batch-fixes-proxy:test-{litellm}-{uuid.uuid4().hex[:8]}"
    with built_image(root, tag, {"BASE_IMAGE": base_image, "LITELLM": litellm}) as image:
        yield image


@contextlib.contextmanager
def built_image(root: Path, tag: str, buildargs: dict[str, str], dockerfile: str = "Dockerfile") -> Iterator[str]:
    """An image built from the repository under a tag of the run's own, which goes again
    afterwards: by tag, not by id, since the same layers may carry a developer's own tags;
    its layers stay as the build cache (as after any `docker build`) for the next build."""
    image = DockerImage(path=str(root), dockerfile_path=dockerfile, tag=tag, buildargs=buildargs, clean_up=False)
    image.build()
    try:
        yield tag
    finally:
        client = image.get_docker_client().client
        client.images.remove(tag, noprune=True)
        client.close()


@contextlib.contextmanager
def host_network_container(image: str, env: dict[str, str], command: list[str]) -> Iterator[DockerContainer]:
    """A container on the host's network, so it reaches the suite's services on 127.0.0.1
    and serves on the loopback address its command names."""
    container = DockerContainer(image).with_kwargs(network_mode="host").with_command(command)
    for name, value in env.items():
        container = container.with_env(name, value)
    with container:
        yield container


def wait_until_healthy(container: DockerContainer, timeout: float) -> None:
    """Until the image's own HEALTHCHECK reports healthy; fails with the container's log."""
    wrapped = container.get_wrapped_container()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        wrapped.reload()
        if wrapped.status == "exited" or wrapped.attrs["State"].get("Health", {}).get("Status") == "healthy":
            break
        time.sleep(1)
    health = wrapped.attrs["State"].get("Health", {}).get("Status")
    if health != "healthy":
        stdout, stderr = container.get_logs()
        log = (stdout + stderr).decode(errors="replace")[-4000:]
        raise AssertionError(f"the proxy container is {wrapped.status}, health {health!r}; its log:\n{log}")
