# OCI image of `nix run .#proxy` for container platforms: `docker load < result`, then
# e.g. `docker run -p 4000:4000 -e DATABASE_URL=... litellm-batch-fixes-proxy`.
# Without DATABASE_URL it starts the embedded PostgreSQL in /data/.state (mount a volume).
# It runs as `nobody`: PostgreSQL refuses root.
{
  dockerTools,
  proxy,
}:
dockerTools.buildLayeredImage {
  name = "litellm-batch-fixes-proxy";
  tag = "latest";
  # nobody in /etc/passwd (initdb needs it), CA certificates for real upstreams, and
  # /bin/sh: pg_ctl starts the embedded PostgreSQL through it (execl("/bin/sh", ...)).
  contents = [
    dockerTools.fakeNss
    dockerTools.caCertificates
    dockerTools.binSh
  ];
  extraCommands = ''
    mkdir -p -m 1777 tmp data
  '';
  config = {
    User = "nobody";
    WorkingDir = "/data";
    # The launcher (writeShellApplication: nounset) prepends to PATH, so PATH must be set.
    Env = [
      "HOME=/data"
      "PATH=/bin"
    ];
    # 0.0.0.0 only inside the container; publish the port where you want it.
    Entrypoint = [ "${proxy}/bin/litellm-batch-fixes-proxy" ];
    Cmd = [
      "--host"
      "0.0.0.0"
      "--port"
      "4000"
    ];
    ExposedPorts."4000/tcp" = { };
    Volumes."/data" = { };
  };
}
