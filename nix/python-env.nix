# A Python 3.11 venv installed exactly as ./dev installs its venvs: pip with
# --require-hashes from one of requirements/*.txt, but offline, from the fetched wheels.
# manylinux wheels expect libstdc++/libgcc_s/libz from the host: autoPatchelfHook links
# them to nixpkgs' instead.
{
  lib,
  stdenv,
  python,
  autoPatchelfHook,
  zlib,
  wheelhouse,
  source,
}:
{
  name,
  lock,
  # shell run after the install with $site set to the venv's site-packages
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
    ${python.pkgs.pip}/bin/pip --python $out/bin/python install --no-index --no-input \
      --find-links ${wheelhouse lock} --require-hashes -r ${source}/requirements/${lock}.txt
    site=$($out/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    ${postInstall}
    runHook postInstall
  '';
}
