# Prisma for prisma-client-py 0.11.0 (made for Prisma 5.4.2) from an older nixpkgs:
# nixos-23.11 has prisma-engines and the Prisma CLI 5.4.1, built in lockstep and in the
# binary cache. The project's npm bridge (prisma-bridge/) is not used under Nix: its
# package-lock.json names no download URLs, and every nixpkgs npm fetcher needs them.
{
  lib,
  runCommand,
  prismaPkgs,
}:
let
  engines = prismaPkgs.prisma-engines;
  cli = prismaPkgs.nodePackages.prisma;
  # The engine commit each CLI release bundles (its @prisma/engines-version). prisma-client-py
  # refuses to generate with a CLI of another commit than it expects (5.4.2's ac9d7041...)
  # unless PRISMA_EXPECTED_ENGINE_VERSION names it; the build checks the CLI carries it.
  # 5.4.1 -> 5.4.2 changed only a JS driver adapter (prisma-engines#4332), not the native
  # query engine prisma-client-py talks GraphQL to.
  engineHashes = {
    "5.4.1" = "2f302df92bd8945e20ad4595a73def5b96afa54f";
  };
  mismatch = "nix/prisma.nix: prisma-engines ${engines.version} but Prisma CLI ${cli.version}";
  unknown = "nix/prisma.nix: add the engine hash of Prisma ${cli.version} to engineHashes";
  engineHash =
    if engines.version != cli.version then
      throw mismatch
    else
      engineHashes.${cli.version} or (throw unknown);
  runtimeEnv = {
    PRISMA_QUERY_ENGINE_BINARY = "${engines}/bin/query-engine";
    PRISMA_SCHEMA_ENGINE_BINARY = "${engines}/bin/schema-engine";
  };
  # prisma-client-py runs the CLI from <PRISMA_BINARY_CACHE_DIR>/node_modules/prisma.
  cliCache = runCommand "prisma-cli-cache-${cli.version}" { } ''
    mkdir -p $out/node_modules
    ln -s ${cli}/lib/node_modules/prisma $out/node_modules/prisma
    echo '{"name": "prisma-binaries", "private": true}' > $out/package.json
  '';
in
{
  inherit
    engines
    cli
    cliCache
    engineHash
    ;
  inherit (prismaPkgs) nodejs;
  # The engines prisma-client-py runs; litellm_batch_fixes.prisma_engine keeps them when set.
  inherit runtimeEnv;
  # `prisma generate` at build time also runs the CLI; PRISMA_QUERY_ENGINE_LIBRARY and
  # PRISMA_FMT_BINARY are what nixpkgs' own wrapper of that CLI sets.
  generateEnv = runtimeEnv // {
    PRISMA_BINARY_CACHE_DIR = "${cliCache}";
    PRISMA_QUERY_ENGINE_LIBRARY = "${engines}/lib/libquery_engine.node";
    PRISMA_FMT_BINARY = "${engines}/bin/prisma-fmt";
    PRISMA_EXPECTED_ENGINE_VERSION = engineHash;
    PRISMA_VERSION = cli.version;
  };
  # Shell lines `export NAME=value`; with `keep`, a value the caller already set wins.
  exports =
    { env, keep }:
    lib.concatStrings (
      lib.mapAttrsToList (
        name: value:
        if keep then
          "export ${name}=\"\${${name}:-${value}}\"\n"
        else
          "export ${name}=${lib.escapeShellArg value}\n"
      ) env
    );
}
