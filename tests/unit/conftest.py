"""Unit-level fixtures: the pristine LiteLLM files of each selected line's unpatched build."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pytest

from litellm_batch_fixes.build import ensure_build, site_packages
from litellm_batch_fixes.releases import ReleaseLine

from ..conftest import selected_lines


@dataclass(frozen=True)
class LineUnderTest:
    line: ReleaseLine

    @property
    def version(self) -> str:
        return self.line.version

    @cached_property
    def pristine_site_packages(self):
        """site-packages of the line's unpatched build: LiteLLM exactly as its wheels ship it."""
        return site_packages(ensure_build(self.line.build("unpatched"), log=lambda _: None))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "release_line" in metafunc.fixturenames:
        chosen = selected_lines(metafunc.config)
        metafunc.parametrize("release_line", [LineUnderTest(line) for line in chosen],
                             ids=[line.version for line in chosen], scope="session")


@pytest.fixture(scope="session")
def pristine_site_packages(release_line):
    return release_line.pristine_site_packages
