"""The docs hold what they say: links resolve, the commands they name exist, the README stays
short, the patch table is current. (The Nix checks' source has no docs: there these skip.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from litellm_batch_fixes import docs
from litellm_batch_fixes.cli import parser
from litellm_batch_fixes.paths import ROOT

DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
DEV_COMMAND = re.compile(r"\./dev ([a-z][a-z-]*)")

pytestmark = pytest.mark.skipif(not (ROOT / "README.md").exists(), reason="the docs are not in this source tree")


def test_the_readme_is_short() -> None:
    assert len((ROOT / "README.md").read_text().splitlines()) <= 200


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(doc: Path) -> None:
    targets = [t for t in LINK.findall(doc.read_text()) if "://" not in t and not t.startswith("mailto:")]
    missing = [t for t in targets if not (doc.parent / t).exists()]
    assert not missing, f"{doc.name} links to {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_dev_command_named_exists(doc: Path) -> None:
    commands = set(parser()._subparsers._group_actions[0].choices)
    named = set(DEV_COMMAND.findall(doc.read_text()))
    assert named <= commands, f"{doc.name} names ./dev {', '.join(sorted(named - commands))}"


def test_the_patch_table_is_current() -> None:
    """docs/patches.md is generated from the patches and their tests: `./dev docs`."""
    assert docs.check(), "docs/patches.md is not current: run ./dev docs"
