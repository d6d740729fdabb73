# LiteLLM 1.80.10's proxy, built like ./dev's venvs: the pinned wheels of
# requirements/proxy.txt, the managed files hook registered (hook-registration/), the
# patches of patches/series applied in order (patched build only) and the Prisma client
# generated for LiteLLM's schema. Each step is the project's own Python code
# (litellm_batch_fixes.nix_support), not a Nix re-implementation.
{
  lib,
  pythonEnv,
  python,
  source,
  series,
  prisma,
  patched,
}:
let
  patchFiles = map (name: "${source}/patches/${name}") series;
  tool = "PYTHONPATH=${source}/src ${python.interpreter} -m litellm_batch_fixes.nix_support";
in
pythonEnv {
  name = "litellm-1.80.10-${if patched then "patched" else "unpatched"}";
  lock = "proxy";
  nativeBuildInputs = [ prisma.nodejs ];
  postInstall = ''
    ${tool} register-hooks "$site" ${source}/hook-registration
    ${lib.optionalString patched ''${tool} apply-patches "$site" ${lib.escapeShellArgs patchFiles}''}
    ${prisma.exports {
      env = prisma.generateEnv;
      keep = false;
    }}
    ${tool} generate-client $out/bin/python "$site/litellm/proxy/schema.prisma"
  '';
  passthru = {
    inherit patched patchFiles series;
  };
  meta = {
    description = "LiteLLM 1.80.10 proxy, ${if patched then "patches/series applied" else "as released"}";
    mainProgram = "python";
  };
}
