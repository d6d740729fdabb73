"""Helpers only the tests use: a build's Python, a database URL's sibling, a scratch cluster's directory."""

from __future__ import annotations

import tempfile
import urllib.parse
from pathlib import Path

from litellm_batch_fixes.build import prebuilt_python
from litellm_batch_fixes.paths import VENVS_DIR
from litellm_batch_fixes.releases import Build


def build_python(build: Build) -> Path:
    """The Python of a build: a prebuilt one the environment names (Nix), else ./dev's venv."""
    return prebuilt_python(build) or VENVS_DIR / build.name / "bin" / "python"


def with_database(url: str, name: str) -> str:
    """`url` naming database `name` instead (the rest, a ?host= socket directory too, kept)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def scratch_data_dir() -> Path:
    """A fresh directory for a throwaway cluster that PostgreSQL's service user can reach."""
    parent = Path(tempfile.mkdtemp(prefix="litellm-batch-fixes-pg-"))
    parent.chmod(0o711)
    return parent / "data"
