"""The generated client's TypedDicts are created on first use, with the values and module
they would have had: on a small package shaped like the generated one, and on the builds'."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from litellm_batch_fixes.build import prebuilt_python, site_packages
from litellm_batch_fixes.prisma_types import FULL_MODULE, defer_typed_dicts

from ..support import build_python

TYPES = """\
from typing import List, Union
from typing_extensions import Literal, TypedDict

SortOrder = Literal['asc', 'desc']
Serializable = Union[None, bool, List['Serializable']]


class _DatasourceOverrideOptional(TypedDict, total=False):
    env: str


class DatasourceOverride(_DatasourceOverrideOptional):
    url: str


class StringFilter(TypedDict, total=False):
    equals: str


class UserWhereInput(TypedDict, total=False):
    name: 'StringFilter'
    AND: List['UserWhereInput']


_UserWhereUnique_id_Input = TypedDict('_UserWhereUnique_id_Input', {'id': str}, total=True)
UserWhereUniqueInput = _UserWhereUnique_id_Input
UserKeys = Literal['id', 'name']
"""

# Run in a fresh interpreter: what one import of the package creates, then each name.
PROBE = """
import json, sys
import client_like.client
types = sys.modules["client_like.types"]
machinery = {"_threading", "_load_lock", "_all_loaded"}
before = sorted(name for name in vars(types) if not name.startswith("__") and name not in machinery)
dunder_loads = hasattr(types, "__all__") or types._all_loaded
where = types.UserWhereUniqueInput
print(json.dumps({
    "before": before,
    "dunder_loads": dunder_loads,
    "required": sorted(where.__required_keys__),
    "module": types.UserWhereInput.__module__,
    "annotations": sorted(types.UserWhereInput.__annotations__),
    "total": types.UserWhereInput.__total__,
    "inherited": sorted(types.DatasourceOverride.__optional_keys__),
    "kept": types.DatasourceOverride is client_like.client.DatasourceOverride,
    "unknown": hasattr(types, "NoSuchType"),
    "after": sorted(name for name in vars(types) if not name.startswith("__")),
}))
"""


def test_typed_dicts_are_made_when_first_asked_for(tmp_path) -> None:
    package = tmp_path / "client_like"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "types.py").write_text(TYPES)
    (package / "client.py").write_text("from .types import DatasourceOverride, Serializable\nfrom . import types\n")

    assert defer_typed_dicts(package) == 4
    assert defer_typed_dicts(package) == 4  # a second run leaves the rewritten module as it is
    assert (package / f"{FULL_MODULE}.py").read_text() == TYPES
    assert defer_typed_dicts(tmp_path) == 0  # a package with no types module is left as it is

    probe = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True, text=True, check=True)
    seen = json.loads(probe.stdout)
    # What the package imports by name (and its base) is there at once, with every
    # definition that is no TypedDict; the rest is not, and no dunder probe makes it.
    assert seen["before"] == [
        "DatasourceOverride", "List", "Literal", "Serializable", "SortOrder", "TypedDict", "Union",
        "UserKeys", "_DatasourceOverrideOptional",
    ]  # fmt: skip
    assert not seen["dunder_loads"]
    assert seen["required"] == ["id"]
    assert seen["module"] == "client_like.types"
    assert (seen["annotations"], seen["total"]) == (["AND", "name"], False)
    assert seen["inherited"] == ["env"] and seen["kept"] and not seen["unknown"]
    assert {"StringFilter", "UserWhereInput", "UserWhereUniqueInput", "_UserWhereUnique_id_Input"} <= set(seen["after"])


BUILD_PROBE = textwrap.dedent("""
    import sys
    import prisma.client
    types = sys.modules["prisma.types"]
    deferred_at_start = not types._all_loaded
    full = __import__("prisma._types_all", fromlist=["_"])
    missing = [name for name in vars(full) if not name.startswith("__") and not hasattr(types, name)]
    print(deferred_at_start, types._all_loaded, missing)
""")


def test_a_builds_client_defers_its_typed_dicts_and_has_every_name(release_line) -> None:
    build = release_line.build("patched")  # the unpatched build's client is made the same way
    python = build_python(build)
    if not python.exists() and not prebuilt_python(build):
        pytest.skip(f"{build} is not built (./dev setup --litellm {release_line.version})")
    assert (site_packages(python) / "prisma" / f"{FULL_MODULE}.py").is_file()
    probe = subprocess.run([str(python), "-c", BUILD_PROBE], capture_output=True, text=True, check=True)
    assert probe.stdout.split(maxsplit=1) == ["True", "True []\n"]
