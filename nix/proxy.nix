# `nix run .#proxy`: the same launcher as `./dev proxy` (python -m litellm_batch_fixes
# proxy), told by environment to use the Nix-built builds, the native Prisma engines and
# nixpkgs' PostgreSQL. Arguments are ./dev proxy's (--unpatched, --port, --state-dir...);
# `migrate` as the first one runs ./dev migrate instead (the NixOS module's schema step).
{
  writeShellApplication,
  postgresql,
  util-linux,
  devEnv,
  litellm,
  litellmUnpatched,
  source,
  prisma,
}:
writeShellApplication {
  name = "litellm-batch-fixes-proxy";
  # pg_ctl on PATH is what litellm_batch_fixes.postgres looks for; runuser when root.
  runtimeInputs = [
    postgresql
    util-linux
  ];
  text = ''
    export LITELLM_BATCH_FIXES_ROOT=${source}
    export LITELLM_BATCH_FIXES_PATCHED_PYTHON=${litellm}/bin/python
    export LITELLM_BATCH_FIXES_UNPATCHED_PYTHON=${litellmUnpatched}/bin/python
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
    description = "LiteLLM proxy (patched) on PostgreSQL with the mock upstream, like ./dev proxy";
    mainProgram = "litellm-batch-fixes-proxy";
  };
}
