import os
import pathlib
import subprocess
import time

import httpx
import psycopg
from testcontainers.community.postgres import PostgresContainer
from testcontainers.core.container import DockerContainer
from testcontainers.core.image import DockerImage
from testcontainers.core.wait_strategies import HttpWaitStrategy

HERE = pathlib.Path(__file__).parent


def _bindings(container, port):
    c = container.get_wrapped_container()
    c.reload()
    return c.attrs["NetworkSettings"]["Ports"][f"{port}/tcp"]


def test_postgres_on_loopback():
    t0 = time.monotonic()
    pg = PostgresContainer(os.environ["LBF_POSTGRES_IMAGE"], driver=None)
    pg.ports["5432"] = ("127.0.0.1", None)  # publish on 127.0.0.1, random port
    with pg:
        started = time.monotonic() - t0
        host = pg.get_container_host_ip()
        port = pg.get_exposed_port(5432)
        b = _bindings(pg, 5432)
        print("pg started in", round(started, 2), "s; host", host, "port", port, "bindings", b)
        assert host == "127.0.0.1"
        assert all(x["HostIp"] == "127.0.0.1" for x in b), b
        url = pg.get_connection_url()
        print("url", url)
        with psycopg.connect(url) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
            assert conn.execute("select current_user, current_database()").fetchone() == ("test", "test")
            print(conn.execute("select version()").fetchone()[0])
        with psycopg.connect(host="127.0.0.1", port=port, user="test", password="wrong", dbname="test", connect_timeout=5) as _:
            raise AssertionError("wrong password accepted")


def test_postgres_wrong_password_rejected():
    with PostgresContainer(os.environ["LBF_POSTGRES_IMAGE"], driver=None) as pg:
        port = pg.get_exposed_port(5432)
        b = _bindings(pg, 5432)
        print("default bindings (daemon --ip):", b)
        assert all(x["HostIp"] == "127.0.0.1" for x in b), b
        try:
            psycopg.connect(host="127.0.0.1", port=port, user="test", password="wrong", dbname="test", connect_timeout=5)
        except psycopg.OperationalError as e:
            assert "password authentication failed" in str(e)
        else:
            raise AssertionError("wrong password accepted")


def test_http_server_image():
    t0 = time.monotonic()
    with DockerImage(
        path=HERE / "mock",
        tag="lbf-smoke-http:latest",
        buildargs={"BASE_IMAGE": os.environ["LBF_MOCK_BASE_IMAGE"]},
    ) as image:
        print("image built in", round(time.monotonic() - t0, 1), "s")
        t1 = time.monotonic()
        c = (
            DockerContainer(str(image))
            .with_bind_ports(8000)  # placeholder, replaced below
            .waiting_for(HttpWaitStrategy(8000, "/index.txt").for_status_code(200))
        )
        c.ports["8000"] = ("127.0.0.1", None)
        with c:
            print("container ready in", round(time.monotonic() - t1, 2), "s")
            port = c.get_exposed_port(8000)
            assert all(x["HostIp"] == "127.0.0.1" for x in _bindings(c, 8000))
            r = httpx.get(f"http://127.0.0.1:{port}/index.txt", timeout=5)
            assert r.status_code == 200 and r.text.strip() == "hello-from-container"
            out = c.exec(["/opt/venv/bin/python", "-c", "import fastapi, uvicorn; print(fastapi.__version__)"])
            print("fastapi in image:", out.output.decode().strip())
            assert out.exit_code == 0
