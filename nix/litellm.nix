# One release line's LiteLLM proxy (requirements/lines.json), built like ./dev's venvs: the
# pinned wheels of requirements/<lock>.txt, the managed files hook registered
# (hook-registration/), the patches of the line's series applied in order (patched build
# only), the Prisma client generated for LiteLLM's schema, and all of it byte-compiled.
# Each step is the project's own Python code (litellm_batch_fixes.nix_support), not a Nix
# re-implementation.
{
  lib,
  pythonEnv,
  python,
  source,
  prisma,
  # { version; lock; series = [ patch paths relative to patches/ ]; }
  line,
  patched,
}:
let
  inherit (line) version series;
  patchFiles = map (name: "${source}/patches/${name}") series;
  flavour = if patched then "patched" else "unpatched";
  tool = "PYTHONPATH=${source}/src ${python.interpreter} -m litellm_batch_fixes.nix_support";
  applyPatches = "${tool} apply-patches \"$site\" ${lib.escapeShellArgs patchFiles}";
in
pythonEnv {
  name = "litellm-${version}-${flavour}";
  inherit (line) lock;
  nativeBuildInputs = [ prisma.nodejs ];
  postInstall = ''
    ${tool} register-hooks "$site" ${source}/hook-registration
    ${lib.optionalString patched applyPatches}
    ${prisma.exports {
      env = prisma.generateEnv;
      keep = false;
    }}
    ${tool} generate-client $out/bin/python "$site/litellm/proxy/schema.prisma"
    ${tool} compile-bytecode $out/bin/python "$site"
  '';
  passthru = {
    inherit
      patched
      patchFiles
      series
      version
      ;
  };
  meta = {
    description = "LiteLLM ${version} proxy, ${flavour}";
    mainProgram = "python";
  };
}
