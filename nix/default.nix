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
  series = import ./series.nix { inherit lib; };
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
    patched:
    import ./litellm.nix {
      inherit
        lib
        pythonEnv
        python
        source
        series
        prisma
        patched
        ;
    };
  litellm = litellmBuild true;
  litellmUnpatched = litellmBuild false;
  devEnv = import ./dev-env.nix { inherit pythonEnv; };
  mockServer = import ./mock-server.nix {
    inherit pythonEnv source;
    inherit (pkgs) runtimeShell;
  };
  proxy = import ./proxy.nix {
    inherit
      devEnv
      litellm
      litellmUnpatched
      source
      prisma
      ;
    inherit (pkgs) writeShellApplication postgresql util-linux;
  };
  # services.litellm-batch-fixes with this system's proxy (flake.nix offers it for any system).
  nixosModule = import ./nixos-module.nix { packagesFor = _: { inherit proxy; }; };
  pytestCheck = import ./checks/pytest.nix {
    inherit
      lib
      devEnv
      litellm
      litellmUnpatched
      mockServer
      prisma
      source
      ;
    inherit (pkgs) runCommand postgresql;
  };
in
{
  packages = {
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
    inherit (pkgs) writeShellApplication;
  };

  devShell = import ./shell.nix {
    inherit
      devEnv
      litellm
      litellmUnpatched
      prisma
      ;
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
      pytestArgs = [ "tests/unit/test_patch_series.py" ];
      description = "patches/series applies in order (the patched build) and is well formed";
    };
    unit = pytestCheck {
      name = "unit";
      pytestArgs = [
        "tests/unit"
        "tests/mock_server"
      ];
      description = "unit tests and the mock server's tests";
    };
    e2e = pytestCheck {
      name = "e2e";
      pytestArgs = [
        "tests/e2e"
        "--backend"
        "local"
      ];
      description = "the end-to-end suite on both builds, local-process backend";
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
