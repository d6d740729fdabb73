# A check that runs part of the project's own pytest suite inside the build sandbox,
# against the Nix builds: the same tests as ./dev test, local-process backend
# (PostgreSQL from nixpkgs, the mock server as a process), no network.
{
  lib,
  runCommand,
  postgresql,
  devEnv,
  litellm,
  litellmUnpatched,
  mockServer,
  prisma,
  source,
}:
{
  name,
  pytestArgs,
  description,
}:
runCommand "litellm-batch-fixes-check-${name}"
  {
    nativeBuildInputs = [ postgresql ];
    meta.description = description;
  }
  ''
    export HOME=$TMPDIR PYTHONDONTWRITEBYTECODE=1
    export LITELLM_BATCH_FIXES_PATCHED_PYTHON=${litellm}/bin/python
    export LITELLM_BATCH_FIXES_UNPATCHED_PYTHON=${litellmUnpatched}/bin/python
    export MOCK_SERVER_PYTHON=${mockServer}/bin/python
    ${prisma.exports {
      env = prisma.runtimeEnv;
      keep = false;
    }}
    export PYTHONPATH=${source}/src:${source}/mock-server/src
    cd ${source}
    ${devEnv}/bin/python -m pytest -p no:cacheprovider -ra ${lib.escapeShellArgs pytestArgs}
    touch $out
  ''
