{
  description = "LiteLLM's proxy with its managed files and batches fixed: build, launcher, images";

  # Branches here, revisions in flake.lock: `nix flake update` moves them.
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11";
    # Only for Prisma 5.4.1 (engines and CLI), the closest nixpkgs has to the 5.4.2
    # prisma-client-py 0.11.0 was made for. See nix/prisma.nix.
    nixpkgs-prisma.url = "github:NixOS/nixpkgs/nixos-23.11";
  };

  outputs =
    {
      self,
      nixpkgs,
      nixpkgs-prisma,
    }:
    let
      # The Python lock holds manylinux wheels for these two only (nix/python-wheels.json).
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      perSystem =
        f:
        nixpkgs.lib.genAttrs systems (
          system:
          f (
            import ./nix {
              pkgs = nixpkgs.legacyPackages.${system};
              prismaPkgs = nixpkgs-prisma.legacyPackages.${system};
            }
          )
        );
    in
    {
      packages = perSystem (outputs: outputs.packages);
      apps = perSystem (outputs: outputs.apps);
      devShells = perSystem (outputs: {
        default = outputs.devShell;
      });
      checks = perSystem (outputs: outputs.checks);
      formatter = perSystem (outputs: outputs.formatter);
      # services.litellm-batch-fixes (docs/deploy.md).
      nixosModules.default = import ./nix/nixos-module.nix {
        packagesFor = system: self.packages.${system};
      };
    };
}
