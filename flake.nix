{
  description = "LiteLLM 1.80.10's proxy with its managed files and batches fixed: the patched build, its launcher, OCI images and checks";

  inputs = {
    # nixos-25.11, its last revision.
    nixpkgs.url = "github:NixOS/nixpkgs/b6018f87da91d19d0ab4cf979885689b469cdd41";
    # nixos-23.11, its last revision: only for Prisma 5.4.1 (engines and CLI), the closest
    # nixpkgs has to the 5.4.2 prisma-client-py 0.11.0 was made for. See nix/prisma.nix.
    nixpkgs-prisma.url = "github:NixOS/nixpkgs/205fd4226592cc83fd4c0885a3e4c9c400efabb5";
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
    };
}
