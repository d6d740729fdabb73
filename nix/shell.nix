# `nix develop`: the project's Python (requirements/dev.txt) with the work tree's code,
# the Nix-built patched and unpatched LiteLLM, PostgreSQL, Node.js (for prisma-bridge's
# own tests), patch and nixfmt.
{
  mkShell,
  postgresql,
  nodejs,
  gnupatch,
  nixfmt,
  devEnv,
  # every line's LITELLM_BATCH_FIXES_*_PYTHON (default.nix)
  buildsEnv,
  prisma,
}:
mkShell {
  packages = [
    devEnv
    postgresql
    nodejs
    gnupatch
    nixfmt
  ];
  shellHook = ''
    ${prisma.exports {
      env = buildsEnv;
      keep = false;
    }}
    ${prisma.exports {
      env = prisma.runtimeEnv;
      keep = true;
    }}
    export PYTHONPATH=$PWD/src:$PWD/mock-server/src''${PYTHONPATH:+:$PYTHONPATH}
    cat <<'EOF'
    litellm-batch-fixes: Python 3.11 (requirements/dev.txt), the Nix-built LiteLLM builds,
    PostgreSQL and Node.js. Run from the repository root:
      python -m litellm_batch_fixes proxy            the patched proxy on 127.0.0.1:4000 (./dev proxy)
      python -m litellm_batch_fixes proxy --unpatched
      python -m pytest tests --backend local         the suite on both builds (./dev test)
      nix flake check                                the same checks in the build sandbox
    EOF
  '';
}
