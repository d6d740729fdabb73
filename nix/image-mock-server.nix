# OCI image of the mock server (the Nix counterpart of mock-server/Dockerfile).
{
  dockerTools,
  mockServer,
}:
dockerTools.buildLayeredImage {
  name = "mock-openai-server";
  tag = "latest";
  # nobody in /etc/passwd (the image's user), CA certificates.
  contents = [
    dockerTools.fakeNss
    dockerTools.caCertificates
  ];
  extraCommands = ''
    mkdir -p -m 1777 tmp
  '';
  config = {
    User = "nobody";
    # 0.0.0.0 only inside the container; publish the port where you want it.
    Env = [
      "MOCK_HOST=0.0.0.0"
      "MOCK_PORT=8090"
    ];
    Entrypoint = [ "${mockServer}/bin/mock-openai-server" ];
    ExposedPorts."8090/tcp" = { };
  };
}
