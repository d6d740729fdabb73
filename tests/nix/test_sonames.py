"""The shared libraries the locked wheels need under Nix, and who provides each.

autoPatchelf (nix/python-env.nix) fails a build on a soname no build input provides. The
wheels are the same on every machine, so the installed patched build here shows what the
Nix build of x86_64-linux needs; other systems are downloaded (opt-in, needs PyPI).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from litellm_batch_fixes import nix_support, sonames
from litellm_batch_fixes.releases import FLAVOURS, LINES, Build

from ..conftest import selected_lines
from ..support import build_python


def test_reads_the_needed_libraries_of_a_real_program() -> None:
    program = Path(shutil.which("ls") or "/bin/ls").resolve()
    assert "libc.so.6" in (sonames.needed_sonames(program.read_bytes()) or [])
    assert sonames.needed_sonames(b"#!/bin/sh\n") is None


def test_a_library_with_no_known_provider_is_reported() -> None:
    """An ELF needing libsndfile.so.1 (not shipped, not in the build inputs) is the risk."""
    report = sonames.Report(
        external={"_soundfile.so": ["libc.so.6", "libsndfile.so.1"], "ok.so": ["libstdc++.so.6", "libz.so.1"]}
    )
    assert report.unresolved() == {"_soundfile.so": ["libsndfile.so.1"]}
    assert report.by_provider() == {
        "glibc (stdenv)": {"libc.so.6"},
        "NOT FOUND": {"libsndfile.so.1"},
        "stdenv.cc.cc.lib": {"libstdc++.so.6"},
        "zlib": {"libz.so.1"},
    }


def test_a_library_shipped_in_the_tree_is_not_external(tmp_path) -> None:
    elf = Path(sys.executable).resolve().read_bytes()
    needs = sonames.needed_sonames(elf)
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "python").write_bytes(elf)
    for name in needs:  # ship every library it needs beside it
        (tmp_path / name).write_bytes(elf)
    assert needs and sonames.scan(tmp_path).external["bin/python"] == []


@pytest.mark.parametrize("build", [line.build(f) for line in LINES.values() for f in FLAVOURS] + ["dev"], ids=str)
def test_every_library_the_installed_wheels_need_has_a_nix_provider(build: Build | str, request) -> None:
    """Each line's two proxy builds, and the venv running this test (requirements/dev.txt)."""
    if isinstance(build, Build) and build.line not in selected_lines(request.config):
        pytest.skip(f"{build}'s line is not selected (--litellm)")
    venv = build_python(build).parent.parent if isinstance(build, Build) else Path(sys.prefix)
    report = sonames.scan(venv)
    assert len(report.external) > 20  # pydantic-core, orjson, tokenizers, psycopg, polars...
    assert report.unresolved() == {}
    assert set(report.by_provider()) <= {"glibc (stdenv)", "stdenv.cc.cc.lib", "zlib"}


@pytest.mark.skipif(
    not os.environ.get("LBF_NIX_WHEELS_ONLINE"),
    reason="downloads the aarch64 wheels from PyPI; set LBF_NIX_WHEELS_ONLINE=1",
)
@pytest.mark.parametrize("lock", nix_support.LOCKS)
def test_the_aarch64_wheels_need_only_provided_libraries(lock, tmp_path) -> None:
    tree = nix_support.unpack_wheels(lock, "aarch64-linux", tmp_path)
    assert sonames.scan(tree).unresolved() == {}
