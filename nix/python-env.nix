# A Python 3.11 venv installed exactly as ./dev installs its venvs: pip with
# --require-hashes from one of requirements/*.txt, but offline, from the fetched wheels.
# manylinux wheels expect libstdc++/libgcc_s/libz from the host: autoPatchelf links them to
# nixpkgs' instead (the sonames each wheel needs: docs/nix.md).
{
  stdenv,
  python,
  pip,
  autoPatchelfHook,
  zlib,
  wheelhouse,
  source,
}:
{
  name,
  lock,
  # shell run after the install, its libraries already patched, with $site set to the
  # venv's site-packages: it may import what it installed (prisma generate does)
  postInstall ? "",
  nativeBuildInputs ? [ ],
  passthru ? { },
  meta ? { },
}:
stdenv.mkDerivation {
  inherit name meta;
  # `nix build .#litellm.wheels` shows the wheels a build installs.
  passthru = passthru // {
    inherit lock;
    wheels = wheelhouse lock;
  };
  dontUnpack = true;
  dontStrip = true;
  # autoPatchelf runs in installPhase, before postInstall imports the wheels' libraries,
  # rather than after it in fixupPhase.
  dontAutoPatchelf = true;
  nativeBuildInputs = [
    python
    autoPatchelfHook
  ]
  ++ nativeBuildInputs;
  buildInputs = [
    stdenv.cc.cc.lib
    zlib
  ];
  installPhase = ''
    runHook preInstall
    export HOME=$TMPDIR PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
    ${python.interpreter} -m venv --without-pip $out
    ${pip}/bin/pip --python $out/bin/python install --no-index --no-input \
      --find-links ${wheelhouse lock} --require-hashes -r ${source}/requirements/${lock}.txt
    autoPatchelf -- $out
    site=$($out/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    ${postInstall}
    runHook postInstall
  '';
}
