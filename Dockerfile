# The patched LiteLLM proxy as an image, without Nix (Nix users: nix build .#proxy-image).
# Build from the repository root:  docker build -t litellm-batch-fixes-proxy .
# Run it on a PostgreSQL database of yours (the schema is applied at start):
#   docker run -p 127.0.0.1:4000:4000 -e DATABASE_URL=postgresql://... \
#     -e LITELLM_MASTER_KEY=sk-... -e LITELLM_SALT_KEY=... \
#     -v ./my-config.yaml:/etc/litellm/config.yaml litellm-batch-fixes-proxy
# The build is the one `./dev setup` makes: the hash-locked requirements, the release line's
# patch series applied by the project's own code, the managed files hook registered, the
# Prisma bridge. Works on python:3.11-slim-bookworm and on Debian bookworm with python3-venv
# (only `python3` and apt are assumed).
ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM ${BASE_IMAGE}

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    UV_NATIVE_TLS=1 \
    LITELLM_BATCH_FIXES_ROOT=/opt/litellm-batch-fixes \
    LITELLM_BATCH_FIXES_VENVS=/opt/litellm-batch-fixes/venvs \
    LITELLM_BATCH_FIXES_PRISMA_BRIDGE=/opt/litellm-batch-fixes/prisma-bridge

# Node.js runs the Prisma bridge; patch applies the series.
RUN set -eux; \
    apt-get update -qq; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        ca-certificates nodejs npm patch; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/*

# The launcher (migrations, builds) in a venv of its own, hash-checked.
COPY requirements/launcher.txt /tmp/launcher.txt
RUN python3 -m venv /opt/launcher \
    && /opt/launcher/bin/pip install --quiet --require-hashes -r /tmp/launcher.txt \
    && rm /tmp/launcher.txt

WORKDIR /opt/litellm-batch-fixes
COPY src src
COPY requirements requirements
COPY patches patches
COPY hook-registration hook-registration
COPY prisma-bridge prisma-bridge
COPY litellm-config.yaml ./
# The release line to build: 1.80.10 (default) or 1.108.7. Declared here, so the layers
# above are shared by both lines' images.
ARG LITELLM=1.80.10
ENV LITELLM_BATCH_FIXES_LITELLM=${LITELLM}
# The project's code on the launcher's path as it stands (no build backend to fetch).
RUN /opt/launcher/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))' \
        | xargs -I{} sh -c 'echo /opt/litellm-batch-fixes/src > {}/litellm_batch_fixes.pth' \
    && /opt/launcher/bin/python -m litellm_batch_fixes setup patched \
    && rm -rf /root/.npm /root/.cache

RUN useradd --system --create-home --home-dir /var/lib/litellm --shell /usr/sbin/nologin litellm \
    && install -d -o litellm -g litellm /var/lib/litellm/state
USER litellm
WORKDIR /var/lib/litellm

# 0.0.0.0 only inside the container; publish the port where you want it. The default
# config is the project's (models on the mock server: set MOCK_SERVER_URL); mount your own
# at /etc/litellm/config.yaml and pass --config /etc/litellm/config.yaml.
EXPOSE 4000
# Healthy once the proxy answers with its database connected, at the URL it serves (any --port).
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=5 \
    CMD ["/opt/launcher/bin/python", "-c", "import json, urllib.request; url = open('/var/lib/litellm/state/url').read().strip(); assert json.load(urllib.request.urlopen(url + '/health/readiness', timeout=2)).get('db') == 'connected'"]
ENTRYPOINT ["/opt/launcher/bin/python", "-m", "litellm_batch_fixes", "proxy", "--require-database-url", "--follow-logs", "--state-dir", "/var/lib/litellm/state"]
CMD ["--host", "0.0.0.0", "--port", "4000"]
