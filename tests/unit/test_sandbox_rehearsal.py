"""The sandbox rehearsal's translation of a check's script to local stand-ins, without
namespaces (running it needs root: CI's `./dev sandbox-rehearsal` stage does)."""

from __future__ import annotations

from pathlib import Path

import pytest

from litellm_batch_fixes import sandbox_rehearsal
from litellm_batch_fixes.paths import ROOT, VENVS_DIR
from litellm_batch_fixes.sandbox import Sandbox
from litellm_batch_fixes.sandbox_rehearsal import RehearsalError, is_formatted, localize, rehearsals

STUB = "/nix/store/00000000000000000000000000000000-stub"
SOURCE = "/nix/store/d9snvr8pj1r9jx38i57y0jfj5abr8vpw-litellm-batch-fixes-source"


def test_store_paths_become_the_local_stand_ins() -> None:
    script = (
        f"export X='{STUB}-main-litellm-1.80.10-patched/bin/python'\n"
        f"export E={STUB}-prisma-prisma-engines/bin/query-engine\n"
        f"cd {SOURCE}\n{STUB}-main-litellm-batch-fixes-dev-python/bin/python -m pytest\n"
    )
    places = {
        "litellm-1.80.10-patched": Path("/v/patched"),
        "prisma-engines": Path("/e"),
        "litellm-batch-fixes-dev-python": Path("/v/dev"),
    }
    assert localize(script, places, Path("/src")) == (
        "export X='/v/patched/bin/python'\nexport E=/e/bin/query-engine\ncd /src\n/v/dev/bin/python -m pytest\n"
    )


def test_a_package_without_a_stand_in_is_named() -> None:
    with pytest.raises(RehearsalError, match="no local stand-in for nodejs"):
        localize(f"{STUB}-main-nodejs/bin/node x", {}, Path("/src"))


def test_every_line_and_flavour_has_a_stand_in() -> None:
    places = sandbox_rehearsal.stand_ins(Path("/e"))
    for line in sandbox_rehearsal.LINES.values():
        assert {f"litellm-{line.version}-patched", f"litellm-{line.version}-unpatched"} <= set(places)


def test_a_check_the_rehearsal_does_not_know_stops_it() -> None:
    """A new flake check must get its rehearsal (or say why none) before CI passes."""
    flake: dict = {
        "checks": {name: {"script": ""} for name in ("series", "unit", "e2e", "formatting", "nixos-vm", "new")}
    }
    flake["proxy"] = {"text": ""}
    with pytest.raises(RehearsalError, match="'new'"):
        rehearsals(flake, "")


@pytest.mark.parametrize(
    ("name", "formatted"),
    [("nix/source.nix", True), ("flake.nix", True), (".github/x.nix", False), ("a/node_modules/b.nix", False)],
)
def test_the_formatting_stand_in_sees_the_files_nixfmt_would(name, formatted) -> None:
    assert is_formatted(name) is formatted


@pytest.mark.needs_checkout("reads ./dev setup's venvs, which the Nix source has not")
def test_the_namespace_hides_the_checkout_and_masks_env_and_git(tmp_path) -> None:
    setup = Sandbox(tmp_path, [], []).namespace_setup().splitlines()
    assert "ip link set lo up" in setup
    assert f"mount -t tmpfs -o mode=755 tmpfs {ROOT.resolve()}" in setup  # no ./dev, .git, .ci
    assert f"mount -o remount,bind,ro {VENVS_DIR.resolve()}" in setup  # the builds, read-only
    assert "mount --bind /dev/null /usr/bin/env" in setup
    assert f"mount --bind {tmp_path}/etc/passwd /etc/passwd" in setup  # nixbld is uid 1000
