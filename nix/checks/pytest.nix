# A check that runs part of the project's own pytest suite inside the build sandbox,
# against the Nix builds: the same tests as ./dev test, local-process backend
# (PostgreSQL from nixpkgs, the mock server as a process), no network.
{
  lib,
  runCommand,
  postgresql,
  openssl,
  devEnv,
  # every line's LITELLM_BATCH_FIXES_*_PYTHON (default.nix)
  buildsEnv,
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
    # openssl: prisma-client-py runs `openssl version` to name its platform when it starts
    # the query engine (prisma/binaries/platform.py), even with PRISMA_QUERY_ENGINE_BINARY set.
    nativeBuildInputs = [
      postgresql
      (lib.getBin openssl)
    ];
    meta = {
      inherit description;
      platforms = lib.platforms.linux;
    };
  }
  ''
    # PostgreSQL, the mock and the proxy listen on 127.0.0.1: the Linux build sandbox gives
    # each build a private loopback; elsewhere say so instead of failing obscurely.
    ${devEnv}/bin/python -c 'import socket; socket.create_server(("127.0.0.1", 0)).close()' || {
      echo "checks.${name} needs a loopback interface in the build sandbox (Linux sandbox)" >&2
      exit 1
    }
    export HOME=$TMPDIR PYTHONDONTWRITEBYTECODE=1
    ${prisma.exports {
      env = buildsEnv;
      keep = false;
    }}
    export MOCK_SERVER_PYTHON=${mockServer}/bin/python
    ${prisma.exports {
      env = prisma.runtimeEnv;
      keep = false;
    }}
    export PYTHONPATH=${source}/src:${source}/mock-server/src
    cd ${source}
    # Tests marked needs_checkout run ./dev or git, which this source has not (pyproject.toml).
    ${devEnv}/bin/python -m pytest -p no:cacheprovider -ra -m 'not needs_checkout' \
      ${lib.escapeShellArgs pytestArgs}
    touch $out
  ''
