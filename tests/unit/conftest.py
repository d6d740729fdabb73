"""Unit-level fixtures: each selected release line, and its unpatched build's files."""

from __future__ import annotations

import pytest

from litellm_batch_fixes.build import ensure_build, site_packages

from ..conftest import selected_lines


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "release_line" in metafunc.fixturenames:
        chosen = selected_lines(metafunc.config)
        metafunc.parametrize("release_line", chosen, ids=[line.version for line in chosen], scope="session")


@pytest.fixture(scope="session")
def pristine_site_packages(release_line):
    """site-packages of the line's unpatched build: LiteLLM exactly as its wheels ship it."""
    return site_packages(ensure_build(release_line.build("unpatched"), log=lambda _: None))
