# `nix run .#proxy`: the same launcher as `./dev proxy` (python -m litellm_batch_fixes
# proxy), told by environment to use one release line's Nix-built builds, the native Prisma
# engines and nixpkgs' PostgreSQL. Arguments are ./dev proxy's (--unpatched, --port,
# --state-dir...); `migrate` as the first one runs ./dev migrate instead (the NixOS
# module's schema step).
{
  lib,
  writeShellApplication,
  postgresql,
  util-linux,
  openssl,
  devEnv,
  source,
  prisma,
  # the line's builds: lineBuilds in default.nix
  builds,
  isDefault,
}:
let
  suffix = lib.optionalString (!isDefault) "-${builds.version}";
  description = "LiteLLM ${builds.version} proxy (patched) on PostgreSQL, like ./dev proxy";
in
writeShellApplication {
  name = "litellm-batch-fixes-proxy${suffix}";
  # pg_ctl on PATH is what litellm_batch_fixes.postgres looks for; runuser when root;
  # openssl: prisma-client-py runs `openssl version` when it starts the query engine (a
  # NixOS service's PATH and the image's have none).
  runtimeInputs = [
    postgresql
    util-linux
    openssl
  ];
  text = ''
    export LITELLM_BATCH_FIXES_ROOT=${source}
    export LITELLM_BATCH_FIXES_LITELLM=${builds.version}
    ${prisma.exports {
      env = builds.env;
      keep = false;
    }}
    ${prisma.exports {
      env = prisma.runtimeEnv;
      keep = true;
    }}
    export PYTHONPATH=${source}/src:${source}/mock-server/src''${PYTHONPATH:+:$PYTHONPATH}
    if [ "''${1:-}" = migrate ]; then
      shift
      exec ${devEnv}/bin/python -m litellm_batch_fixes migrate "$@"
    fi
    exec ${devEnv}/bin/python -m litellm_batch_fixes proxy "$@"
  '';
  meta = {
    inherit description;
    mainProgram = "litellm-batch-fixes-proxy${suffix}";
  };
}
