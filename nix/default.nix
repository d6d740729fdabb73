# Everything the flake offers on one system, composed from the files beside this one.
{
  pkgs,
  prismaPkgs,
}:
let
  inherit (pkgs) lib;
  # requirements/*.txt were locked for CPython 3.11.
  python = pkgs.python311;
  source = import ./source.nix { inherit lib; };
  readSeries = import ./series.nix { inherit lib; };
  # requirements/lines.json: the LiteLLM release lines, as ./dev knows them.
  releases = lib.importJSON ../requirements/lines.json;
  lineOf =
    version:
    releases.lines.${version}
    // {
      inherit version;
      series = readSeries releases.lines.${version}.series;
    };
  attrVersion = builtins.replaceStrings [ "." ] [ "_" ];
  prisma = import ./prisma.nix {
    inherit lib prismaPkgs;
    inherit (pkgs) runCommand;
  };
  wheelhouse = import ./wheelhouse.nix {
    inherit lib;
    inherit (pkgs) fetchPypi linkFarm;
    inherit (pkgs.stdenv.hostPlatform) system;
  };
  pythonEnv = import ./python-env.nix {
    inherit python wheelhouse source;
    # pip of nixpkgs' default Python: python311Packages.pip may not be in the binary cache
    # (building it builds its docs); pip installs into another Python with --python.
    inherit (pkgs.python3Packages) pip;
    inherit (pkgs) stdenv autoPatchelfHook zlib;
  };
  litellmBuild =
    version: patched:
    import ./litellm.nix {
      inherit
        lib
        pythonEnv
        python
        source
        prisma
        patched
        ;
      line = lineOf version;
    };
  # Per line: both builds and the variables that hand them to the Python code
  # (litellm_batch_fixes.build.prebuilt_variable).
  lineBuilds =
    version:
    let
      patched = litellmBuild version true;
      unpatched = litellmBuild version false;
      prefix = lib.optionalString (version != releases.default) "${attrVersion version}_";
    in
    {
      inherit version patched unpatched;
      env = {
        "LITELLM_BATCH_FIXES_${prefix}PATCHED_PYTHON" = "${patched}/bin/python";
        "LITELLM_BATCH_FIXES_${prefix}UNPATCHED_PYTHON" = "${unpatched}/bin/python";
      };
    };
  builds = lib.mapAttrs (version: _: lineBuilds version) releases.lines;
  defaultBuilds = builds.${releases.default};
  allBuildsEnv = lib.foldl' (env: line: env // line.env) { } (lib.attrValues builds);
  litellm = defaultBuilds.patched;
  litellmUnpatched = defaultBuilds.unpatched;
  devEnv = import ./dev-env.nix { inherit pythonEnv; };
  mockServer = import ./mock-server.nix {
    inherit pythonEnv source;
    inherit (pkgs) runtimeShell;
  };
  proxyOf =
    version:
    import ./proxy.nix {
      inherit
        lib
        devEnv
        source
        prisma
        ;
      inherit (pkgs)
        writeShellApplication
        postgresql
        util-linux
        openssl
        ;
      builds = builds.${version};
      isDefault = version == releases.default;
    };
  proxy = proxyOf releases.default;
  # Per line: litellm-1_80_10, litellm-1_80_10-unpatched, proxy-1_108_7 (the default line's
  # proxy is `proxy`).
  linePackages = lib.concatMapAttrs (
    version: line:
    {
      "litellm-${attrVersion version}" = line.patched;
      "litellm-${attrVersion version}-unpatched" = line.unpatched;
    }
    // lib.optionalAttrs (version != releases.default) {
      "proxy-${attrVersion version}" = proxyOf version;
    }
  ) builds;
  # services.litellm-batch-fixes with this system's proxy (flake.nix offers it for any system).
  nixosModule = import ./nixos-module.nix { packagesFor = _: { inherit proxy; }; };
  pytestCheck = import ./checks/pytest.nix {
    inherit
      lib
      devEnv
      mockServer
      prisma
      source
      ;
    buildsEnv = allBuildsEnv;
    inherit (pkgs) runCommand postgresql openssl;
  };
in
{
  packages = linePackages // {
    inherit litellm proxy;
    litellm-unpatched = litellmUnpatched;
    mock-server = mockServer;
    prisma-engines = prisma.engines;
    proxy-image = import ./image-proxy.nix {
      inherit proxy;
      inherit (pkgs) dockerTools;
    };
    mock-server-image = import ./image-mock-server.nix {
      inherit mockServer;
      inherit (pkgs) dockerTools;
    };
    default = proxy;
  };

  apps = import ./apps.nix {
    inherit lib proxy mockServer;
    otherProxies = lib.filterAttrs (name: _: lib.hasPrefix "proxy-" name) linePackages;
    inherit (pkgs) writeShellApplication;
  };

  devShell = import ./shell.nix {
    inherit
      devEnv
      prisma
      ;
    buildsEnv = allBuildsEnv;
    inherit (pkgs)
      mkShell
      postgresql
      nodejs
      gnupatch
      nixfmt
      ;
  };

  checks = {
    series = pytestCheck {
      name = "series";
      pytestArgs = [
        "tests/unit/test_patch_series.py"
        "--litellm"
        "all"
      ];
      description = "every line's series applies in order and is well formed";
    };
    unit = pytestCheck {
      name = "unit";
      pytestArgs = [
        "tests/unit"
        "tests/mock_server"
        "--litellm"
        "all"
      ];
      description = "unit tests and the mock server's tests";
    };
    e2e = pytestCheck {
      name = "e2e";
      pytestArgs = [
        "tests/e2e"
        "--backend"
        "local"
        "--litellm"
        "all"
      ];
      description = "the end-to-end suite on both builds of every line, local-process backend";
    };
    formatting = import ./checks/formatting.nix { inherit (pkgs) runCommand nixfmt; };
    nixos-vm = import ./checks/nixos-vm.nix {
      inherit (pkgs) testers;
      module = nixosModule;
      inherit devEnv source;
    };
  };

  formatter = pkgs.nixfmt-tree;
}
