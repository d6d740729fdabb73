"""nix/source.nix's filter (nix/source-filter.nix), evaluated: what the Nix builds and checks
see of the project. The sandbox rehearsal copies exactly this list (tests/nix/source-files.nix)."""

from __future__ import annotations

from .conftest import evaluate

TRACKED = [
    "dev",
    ".ci/run",
    "flake.nix",
    "nix/source.nix",
    "prisma-bridge/package.json",
    "pyproject.toml",
    "src/litellm_batch_fixes/cli.py",
    "src/litellm_batch_fixes/__pycache__/cli.cpython-311.pyc",
    "tests/unit/test_lint.py",
    "mock-server/src/mock_openai_server/app.py",
    "mock-server/node_modules/x/index.js",
    "patches/1.80.10/series",
]


def test_the_source_holds_the_python_side_and_leaves_out_dev_ci_nix_and_caches(tmp_path, nix_env) -> None:
    listing = tmp_path / "tracked.txt"
    listing.write_text("\n".join(TRACKED) + "\n")
    kept = evaluate("tests/nix/source-files.nix", nix_env, "--argstr", "list", str(listing))
    assert kept == [
        "pyproject.toml",
        "src/litellm_batch_fixes/cli.py",
        "tests/unit/test_lint.py",
        "mock-server/src/mock_openai_server/app.py",
        "patches/1.80.10/series",
    ]
