"""Make prisma-client-py use prisma-bridge instead of Prisma's native engines.

prisma-client-py 0.11.0 drives Prisma's native query-engine binary over HTTP and
runs the Prisma CLI (installed with npm into a cache directory on first use) for
`prisma generate`. Native engines cannot be downloaded here, so prisma-bridge
(repo_root/prisma-bridge) provides `bin/query-engine`, serving the binary's HTTP
API on Prisma's wasm engine, and the CLI pinned in its package-lock.json. This
module installs the bridge, says which environment points prisma-client-py at
it, and generates the client for a venv.
"""

from __future__ import annotations

import hashlib
import os
import py_compile
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from . import prisma_types
from .errors import BatchFixesError

# Nix installs the bridge outside the source tree and says where by environment.
BRIDGE_DIR: Path = Path(
    os.environ.get("LITELLM_BATCH_FIXES_PRISMA_BRIDGE") or Path(__file__).resolve().parents[2] / "prisma-bridge"
)

# prisma-client-py 0.11.0 generates only with the CLI of this engine commit (Prisma 5.4.2)
# unless PRISMA_EXPECTED_ENGINE_VERSION names another (its _config.py).
DEFAULT_ENGINE_HASH = "ac9d7041ed77bcc8a8dbd2ab6616b39013829574"
# The CLI bundles @prisma/engines-version's package.json: `enginesVersion: "<commit>"`.
CLI_ENGINE_HASH = re.compile(r'enginesVersion: "([0-9a-f]{40})"')

# A generator's binaryTargets list, one line or several.
BINARY_TARGETS = re.compile(r"^[ \t]*binaryTargets[ \t]*=[ \t]*\[[^\]]*\][ \t]*\n", re.MULTILINE)

INSTALL_STAMP_NAME = ".litellm-batch-fixes-npm-ci"
GENERATE_STAMP_NAME = ".litellm-batch-fixes-prisma-client"


class PrismaBridgeError(BatchFixesError):
    """The bridge could not be installed or the Prisma client not generated."""


def query_engine_path() -> Path:
    return BRIDGE_DIR / "bin" / "query-engine"


def schema_engine_path() -> Path:
    return BRIDGE_DIR / "bin" / "schema-engine"


def _sha256(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _lockfile_hash() -> str:
    return _sha256((BRIDGE_DIR / "package-lock.json").read_bytes())


def ensure_bridge_installed() -> None:
    """Run `npm ci` in BRIDGE_DIR unless node_modules matches package-lock.json."""
    node_modules = BRIDGE_DIR / "node_modules"
    stamp = node_modules / INSTALL_STAMP_NAME
    wanted = _lockfile_hash()
    if stamp.is_file() and stamp.read_text() == wanted:
        return
    if node_modules.is_dir() and not os.access(BRIDGE_DIR, os.W_OK):
        return  # installed read-only (Nix store): whoever built it ran npm ci
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        raise PrismaBridgeError(
            f"{' and '.join(missing)} not found on PATH: prisma-bridge needs Node.js; "
            "install Debian's nodejs and npm (apt-get install nodejs npm)"
        )
    # --ignore-scripts: @prisma/engines' postinstall would download native engines
    # from Prisma's servers, which is impossible here and not needed by the bridge.
    proc = subprocess.run(
        ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
        cwd=BRIDGE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise PrismaBridgeError(f"npm ci in {BRIDGE_DIR} failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")
    stamp.write_text(wanted)


def engine_env() -> dict[str, str]:
    """Environment that makes prisma-client-py (generate and runtime) use the bridge.

    Variables the caller's environment already sets are left out, so e.g. a
    PRISMA_QUERY_ENGINE_BINARY pointing at a native engine keeps winning.
    """
    wanted = {
        # prisma-client-py runs the Prisma CLI from <cache dir>/node_modules/prisma,
        # i.e. the CLI version locked in the bridge's package-lock.json.
        "PRISMA_BINARY_CACHE_DIR": str(BRIDGE_DIR),
        "PRISMA_QUERY_ENGINE_BINARY": str(query_engine_path()),
        "PRISMA_SCHEMA_ENGINE_BINARY": str(schema_engine_path()),
        # The stand-in engines have no checksum files next to them.
        "PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING": "1",
        # The CLI's update check and telemetry would go to the internet.
        "PRISMA_HIDE_UPDATE_MESSAGE": "1",
        "CHECKPOINT_DISABLE": "1",
    }
    return {name: value for name, value in wanted.items() if not os.environ.get(name)}


def _generated_client_missing(venv: Path) -> bool:
    """True if the venv's prisma package exists but holds no generated client."""
    packages = list(venv.glob("lib/python3*/site-packages/prisma/__init__.py"))
    return bool(packages) and not any((p.parent / "client.py").is_file() for p in packages)


def generate_client(python: Path, schema: Path, donors: Sequence[Path] = ()) -> None:
    """Run `prisma generate` for the venv of `python`, offline, through the bridge.

    Skipped when the venv's stamp says the client was generated from this schema
    with this bridge; a reinstalled prisma package (no client.py) regenerates.
    A venv among `donors` (same prisma-client-py) whose client came from the same schema
    and bridge lends its client instead: a copy takes a fraction of a second where
    `prisma generate` takes ~5 s, and the suite makes a build per patch.
    """
    python, schema = Path(python), Path(schema)
    if not schema.is_file():
        raise PrismaBridgeError(f"Prisma schema not found: {schema}")
    venv = python.parent.parent
    stamp = venv / GENERATE_STAMP_NAME
    wanted = _sha256(
        native_only(schema.read_text()).encode(),
        _lockfile_hash().encode(),
        str(query_engine_path()).encode(),
        Path(prisma_types.__file__).read_bytes(),  # how the generated client is rewritten
    )
    if stamp.is_file() and stamp.read_text() == wanted and not _generated_client_missing(venv):
        return

    donor = next((d for d in donors if _stamp_of(d) == wanted and not _generated_client_missing(d)), None)
    if donor:
        _copy_client(donor, venv)
    else:
        ensure_bridge_installed()
        run_generate(python, schema)
    stamp.write_text(wanted)


def _stamp_of(venv: Path) -> str | None:
    stamp = venv / GENERATE_STAMP_NAME
    return stamp.read_text() if stamp.is_file() else None


def _copy_client(donor: Path, venv: Path) -> None:
    """The generated prisma package of venv `donor` into `venv`. It names its venv's schema
    file in one place (client.py's SCHEMA_PATH), which is made to name this venv's."""
    [source] = donor.glob("lib/python3*/site-packages/prisma")
    target = venv / source.relative_to(donor)
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, symlinks=True)
    client = target / "client.py"
    client.write_text(client.read_text().replace(str(donor) + os.sep, str(venv) + os.sep))
    py_compile.compile(str(client), doraise=True)


def cli_engine_hashes(cache_dir: Path) -> set[str]:
    """The engine commits the Prisma CLI in `cache_dir`/node_modules/prisma was built with."""
    bundle = cache_dir / "node_modules" / "prisma" / "build" / "index.js"
    try:
        return set(CLI_ENGINE_HASH.findall(bundle.read_text(errors="replace")))
    except FileNotFoundError:
        raise PrismaBridgeError(
            f"no Prisma CLI at {bundle.parent.parent}: PRISMA_BINARY_CACHE_DIR must hold node_modules/prisma"
        ) from None


def check_cli_engine(env: dict[str, str]) -> str:
    """The CLI `prisma generate` will run must carry the engine hash prisma-client-py expects.

    Otherwise the generator stops with "expected Prisma version ... but got ..." deep in the
    CLI's output; here the mismatch is named with both hashes and the variable to set.
    """
    expected = env.get("PRISMA_EXPECTED_ENGINE_VERSION") or DEFAULT_ENGINE_HASH
    found = cli_engine_hashes(Path(env["PRISMA_BINARY_CACHE_DIR"]))
    if found != {expected}:
        raise PrismaBridgeError(
            f"the Prisma CLI in {env['PRISMA_BINARY_CACHE_DIR']} was built for engine "
            f"{', '.join(sorted(found)) or '(none found)'}, but prisma-client-py expects {expected}: "
            "use the CLI of that engine, or set PRISMA_EXPECTED_ENGINE_VERSION to the CLI's hash"
        )
    return expected


def run_generate(python: Path, schema: Path) -> None:
    """`prisma generate` for the venv of `python` with the engines engine_env() names."""
    env = {**os.environ, **engine_env()}
    check_cli_engine(env)
    # The CLI finds the generator (`prisma-client-py`) on PATH.
    env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"
    with tempfile.TemporaryDirectory(prefix="lbf-schema-") as scratch:
        native = Path(scratch) / schema.name
        native.write_text(native_only(schema.read_text()))
        proc = subprocess.run(
            [str(python), "-m", "prisma", "generate", f"--schema={native}"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode != 0 or _generated_client_missing(python.parent.parent):
        raise PrismaBridgeError(
            f"prisma generate --schema={schema} with {python} failed (exit {proc.returncode}):\n"
            f"{proc.stdout}{proc.stderr}"
        )
    for package in python.parent.parent.glob("lib/python3*/site-packages/prisma"):
        # client.py names the schema it came from (SCHEMA_PATH), not the scratch copy
        client = package / "client.py"
        client.write_text(client.read_text().replace(repr(str(native)), repr(str(schema))))
        py_compile.compile(str(client), doraise=True)
        prisma_types.defer_typed_dicts(package)


def native_only(schema: str) -> str:
    """The schema without its generator's binaryTargets: the engine is ours (the bridge, or
    Nix's native one), and for a client generated for several targets prisma-client-py 0.11.0
    runs each baked engine path with --version at every start, before it looks at
    PRISMA_QUERY_ENGINE_BINARY (engine/utils.py ensure); an engine path that can't run there
    (moved, or not executable) then fails the start though the variable names a good one."""
    return BINARY_TARGETS.sub("", schema)
