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
  flavour = if patched then "patched" else "unpatched";
  tool = "PYTHONPATH=${source}/src ${python.interpreter} -m litellm_batch_fixes.nix_support";
  applyPatches = "${tool} apply-patches \"$site\" ${lib.escapeShellArgs patchFiles}";
in
pythonEnv {
  name = "litellm-1.80.10-${flavour}";
  lock = "proxy";
  nativeBuildInputs = [ prisma.nodejs ];
  postInstall = ''
    ${tool} register-hooks "$site" ${source}/hook-registration
    ${lib.optionalString patched applyPatches}
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
    description = "LiteLLM 1.80.10 proxy, ${flavour}";
    mainProgram = "python";
  };
}
