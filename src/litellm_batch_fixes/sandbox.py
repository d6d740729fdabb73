"""The build sandbox imitation of `./dev sandbox-rehearsal` (sandbox_rehearsal.py says what
runs in it): a scratch directory with the read-only source copy, a PATH of stdenv-like tools,
the sandbox's /etc/passwd, the engine stand-ins; `Sandbox.run` runs a builder script in a
fresh mount and network namespace as uid 1000 with `env -i`. Needs root.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .paths import ROOT, VENVS_DIR
from .prisma_engine import BRIDGE_DIR

SYSTEM = "x86_64-linux"
BUILDER_UID, BUILDER_GID = 1000, 100  # nixbld and its group in the sandbox
# The sandbox's own /etc/passwd and /etc/group (what initdb looks its user up in).
PASSWD = "root:x:0:0:Nix build user:/build:/noshell\nnixbld:x:1000:100:Nix build user:/build:/noshell\n"
PASSWD += "nobody:x:65534:65534:Nobody:/:/noshell\n"
GROUP = "root:x:0:\nnixbld:!:100:\nnogroup:x:65534:\n"
# Debian packages that hold what stdenv puts on a build's PATH (coreutils, findutils, ...).
STDENV_TOOLS = ["coreutils", "findutils", "diffutils", "sed", "grep", "mawk", "tar", "gzip", "bzip2", "xz-utils"]
STDENV_TOOLS += ["make", "bash", "patch", "dash"]
Log = Callable[[str], None]


@dataclass
class Rehearsal:
    """One check's command and what it stands for."""

    check: str
    script: str
    note: str = ""
    env: dict[str, str] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)  # stub store paths whose bin/ joins PATH


def copy(names: list[str], to: Path) -> None:
    for name in names:
        target = to / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target, follow_symlinks=False)


@dataclass
class Sandbox:
    """A scratch directory with the read-only source copy, a PATH of stdenv-like tools and
    the engine stand-ins; `run` runs one script in the namespaces."""

    work: Path
    files: list[str]  # the source's (nix/source.nix)
    nix_file_names: list[str]  # checks.formatting's
    log: Log = print
    keep: bool = False  # each builder's directory (its logs) stays, and is named

    @property
    def source(self) -> Path:
        return self.work / "source"

    @property
    def tools(self) -> Path:
        return self.work / "tools"

    @property
    def engines(self) -> Path:
        return self.work / "engines"

    @property
    def nix_files(self) -> Path:
        return self.work / "nix-files"

    def prepare(self) -> None:
        self.work.chmod(0o755)
        copy(self.files, self.source)
        # checks.formatting's own file set (nix/checks/formatting.nix): every .nix file
        # outside dot directories and node_modules; beside the source, which its stand-in runs.
        copy(sorted({*self.files, *self.nix_file_names}), self.nix_files)
        (self.work / "etc").mkdir()
        (self.work / "etc" / "passwd").write_text(PASSWD)
        (self.work / "etc" / "group").write_text(GROUP)
        self.tools.mkdir()
        listed = subprocess.run(["dpkg", "-L", *STDENV_TOOLS], capture_output=True, text=True, check=False)
        for listed_path in sorted(set(listed.stdout.split())):
            if re.fullmatch(r"/(usr/)?s?bin/[^/]+", listed_path) and os.access(listed_path, os.X_OK):
                link = self.tools / Path(listed_path).name
                if not link.exists():
                    link.symlink_to(listed_path)
        # /usr/bin/env is masked in the sandbox (it has none); stdenv's coreutils has env.
        (self.tools / "env").unlink(missing_ok=True)
        shutil.copy2("/usr/bin/env", self.tools / "env")
        # What Nix would patchShebangs: the bridge's #!/usr/bin/env node, run by node's path.
        (self.engines / "bin").mkdir(parents=True)
        for engine in ("query-engine", "schema-engine"):
            wrapper = self.engines / "bin" / engine
            wrapper.write_text(f'#!/bin/sh\nexec {shutil.which("node")} {BRIDGE_DIR / "bin" / engine} "$@"\n')
            wrapper.chmod(0o755)
        for path in [self.work, *self.work.rglob("*")]:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode & ~0o222)

    def input_bin(self, store_path: str) -> str:
        """The local bin/ directory standing in for a check input's (nativeBuildInputs,
        runtimeInputs): Debian's PostgreSQL, or a directory of the Debian tool alone."""
        name = store_path.rsplit("-stub-", 1)[-1].split("-", 1)[-1]
        if name == "postgresql":
            return str(sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1])
        tools = {"openssl": ["openssl"], "util-linux": ["runuser", "setpriv"]}
        if name not in tools:
            raise RuntimeError(f"no local stand-in for the input {name}: add it to Sandbox.input_bin")
        directory = self.work / "inputs" / name
        if not directory.is_dir():
            directory.mkdir(parents=True)
            for tool in tools[name]:
                (directory / tool).symlink_to(shutil.which(tool) or f"/usr/bin/{tool}")
        return str(directory)

    def environment(self, name: str, build: Path, out: Path, inputs: list[str]) -> dict[str, str]:
        """What a derivation's builder sees (nix's defaults and the derivation's own)."""
        return {
            "PATH": ":".join([*(self.input_bin(i) for i in inputs), str(self.tools)]),
            "HOME": "/homeless-shelter",
            "NIX_BUILD_TOP": str(build),
            "TMPDIR": str(build),
            "TEMPDIR": str(build),
            "TMP": str(build),
            "TEMP": str(build),
            "PWD": str(build),
            "NIX_BUILD_CORES": str(os.cpu_count() or 1),
            "NIX_STORE": "/nix/store",
            "name": f"litellm-batch-fixes-check-{name}",
            "system": SYSTEM,
            "out": str(out),
            # for the stand-in scripts only
            "source": str(self.source),
            "nix_files": str(self.nix_files),
            "python": str(VENVS_DIR / "dev" / "bin" / "python"),
        }

    def namespace_setup(self) -> str:
        """Root's part, inside `unshare -m -n`: loopback up; the checkouts hidden but for
        the venvs and the bridge (read-only); /usr/bin/env and git unusable."""
        kept = [VENVS_DIR.resolve(), BRIDGE_DIR.resolve()]
        # what the builds' .pth names (register-hooks), as a Nix build names its store copy
        hooks = VENVS_DIR.resolve().parent / "hook-registration"
        kept += [hooks] if hooks.is_dir() else []
        hidden = {ROOT.resolve(), *(k.parent for k in kept)}
        # The venvs' interpreter must be reachable for the builder, as the store is: a
        # directory above it that others can't enter (pyenv's /root) is replaced by one
        # holding only the way to it.
        interpreter = (VENVS_DIR / "dev" / "bin" / "python").resolve()
        for above in reversed(interpreter.parents):
            if above != Path("/") and not above.stat().st_mode & 0o001:
                kept.append(interpreter.parents[len(interpreter.parents) - len(above.parts) - 1])
                hidden.add(above)
                break
        lines = ["set -eu", "ip link set lo up"]
        for n, keep in enumerate(kept):
            lines += [f"mkdir -p {self.work}/.keep{n}", f"mount --bind {keep} {self.work}/.keep{n}"]
        lines += [f"mount -t tmpfs -o mode=755 tmpfs {h}" for h in sorted(hidden)]
        for n, keep in enumerate(kept):
            lines += [
                f"mkdir -p {keep}",
                f"mount --move {self.work}/.keep{n} {keep}",
                f"mount -o remount,bind,ro {keep}",
            ]
        lines += [f"mount -o remount,ro {h}" for h in sorted(hidden)]
        lines += [f"mount --bind -o ro {d} {d}" for d in (self.source, self.nix_files)]
        lines += [f"mount --bind {self.work}/etc/{name} /etc/{name}" for name in ("passwd", "group")]
        for tool in ("/usr/bin/env", shutil.which("git") or ""):
            if tool:
                lines.append(f"mount --bind /dev/null {tool}")
        return "\n".join(lines)

    def run(self, rehearsal: Rehearsal) -> int:
        build = Path(tempfile.mkdtemp(prefix=f"lbf-sandbox-{rehearsal.check}-"))
        os.chown(build, BUILDER_UID, BUILDER_GID)
        out = build / "out"
        script = build / ".builder.sh"
        script.write_text(rehearsal.script)
        env = {**self.environment(rehearsal.check, build, out, rehearsal.inputs), **rehearsal.env}
        builder = [
            "setpriv",
            f"--reuid={BUILDER_UID}",
            f"--regid={BUILDER_GID}",
            "--clear-groups",
            str(self.tools / "env"),
            "-i",
            *(f"{k}={v}" for k, v in env.items()),
            str(self.tools / "bash"),
            "-eu",
            "-o",
            "pipefail",
            str(script),
            *rehearsal.args,
        ]
        inner = self.namespace_setup() + "\ncd " + str(build) + "\nexec " + shlex.join(builder)
        try:
            result = subprocess.run(["unshare", "-m", "-n", "--propagation", "private", "bash", "-c", inner])
            if result.returncode == 0 and not rehearsal.args and not out.exists():
                self.log(f"{rehearsal.check}: the script ended without making $out")
                return 1
            return result.returncode
        finally:
            if self.keep:
                self.log(f"{rehearsal.check}: its builder's directory is kept at {build}")
            else:
                shutil.rmtree(build, ignore_errors=True)
