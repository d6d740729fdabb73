"""Every .nix file parses; flake.lock pins exactly the inputs flake.nix names."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from litellm_batch_fixes.paths import ROOT

from .conftest import run_nix

NIX_FILES = sorted([ROOT / "flake.nix", *(ROOT / "nix").rglob("*.nix"), *(ROOT / "tests/nix").rglob("*.nix")])


def test_the_flake_has_nix_files() -> None:
    assert {"flake.nix", "default.nix", "litellm.nix", "series.nix"} <= {p.name for p in NIX_FILES}


@pytest.mark.parametrize("path", NIX_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_nix_file_parses(path, nix_env) -> None:
    result = run_nix(["nix-instantiate", "--parse", str(path)], nix_env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", NIX_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_nix_file_layout(path) -> None:
    """What nixfmt would also insist on; nixfmt itself runs in `nix flake check`."""
    text = path.read_text()
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert [n for n, line in enumerate(text.splitlines(), 1) if line != line.rstrip() or "\t" in line] == []


def test_flake_lock_pins_the_inputs_of_flake_nix(tmp_path, nix_env) -> None:
    """Nix itself (offline) accepts flake.lock for flake.nix without updating it."""
    for name in ("flake.nix", "flake.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    result = run_nix(["nix", "flake", "metadata", "--json", "--offline", "--no-update-lock-file",
                      "--store", str(tmp_path / "store"), f"path:{tmp_path}"], nix_env)
    assert result.returncode == 0, result.stderr
    nodes = json.loads(result.stdout)["locks"]["nodes"]
    assert sorted(nodes["root"]["inputs"]) == ["nixpkgs", "nixpkgs-prisma"]
    urls = dict(re.findall(r'^\s*([\w-]+)\.url = "github:NixOS/nixpkgs/([0-9a-f]{40})";',
                           (ROOT / "flake.nix").read_text(), re.M))
    assert set(urls) == {"nixpkgs", "nixpkgs-prisma"}
    for name, rev in urls.items():
        locked = nodes[name]["locked"]
        assert (locked["owner"], locked["repo"], locked["rev"]) == ("NixOS", "nixpkgs", rev)
        assert re.fullmatch(r"sha256-[A-Za-z0-9+/]{43}=", locked["narHash"])
