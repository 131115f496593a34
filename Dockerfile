# syntax=docker/dockerfile:1
# The MATIH control plane's image: `node dist/main.js` behind tini, as UID 10001, with everything
# but the data directory read-only. See README "Container image" for how to run it, and
# deploy/image/test-image.sh for how it is built and run in CI (where no image registry is
# reachable, on a base made from Debian's packages: BASE=localhost/matih-base:...).
#
#   docker build -t matih-control-plane .
#   docker run --read-only --stop-timeout 30 -v matih-data:/var/lib/matih -p 8082:8082 -p 8089:8089 matih-control-plane
#
# BASE: a Debian (glibc) image with Node.js 22 and npm in the PATH; the build and the runtime use
# the same, so the embedded PostgreSQL's binaries and the Node they were installed for match.
# Behind a TLS-intercepting proxy, give npm the proxy's CA as a build secret (never in a layer):
#   docker build --secret id=npm-ca,src=/etc/ssl/certs/ca-certificates.crt .
ARG BASE=node:22-bookworm-slim

# ---- build: every dependency, then tsc (service and matihctl) and vite (dashboard)
FROM ${BASE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=npm-ca \
    if [ -s /run/secrets/npm-ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm-ca; fi; \
    npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsconfig.cli.json ./
COPY api-types api-types
COPY src src
COPY cli cli
COPY ui ui
RUN npm run build

# ---- production dependencies only; npm ci runs the embedded PostgreSQL package's postinstall,
# which makes its library links (the read-only image could not make them at start)
FROM ${BASE} AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=npm-ca \
    if [ -s /run/secrets/npm-ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm-ca; fi; \
    npm ci --omit=dev --no-audit --no-fund

# ---- runtime
FROM ${BASE}
# tini as PID 1: it forwards SIGTERM to the service (which drains, then stops its PostgreSQL) and
# reaps what the service leaves behind (pg_ctl's detached postmaster is re-parented to PID 1).
# PostgreSQL refuses to run without a passwd entry for its UID, hence a named user.
RUN set -eux; \
    if ! command -v tini >/dev/null; then \
      apt-get update; apt-get install -y --no-install-recommends tini; rm -rf /var/lib/apt/lists/*; \
    fi; \
    groupadd --gid 10001 matih; \
    useradd --uid 10001 --gid 10001 --home-dir /var/lib/matih --no-create-home --shell /usr/sbin/nologin matih; \
    install -d -o 10001 -g 10001 -m 0700 /var/lib/matih; \
    ln -s /app/bin/matihctl.js /usr/local/bin/matihctl
WORKDIR /app
COPY --from=production-dependencies /app/node_modules node_modules
COPY package.json ./
COPY bin bin
COPY deploy/values deploy/values
COPY --from=build /src/dist dist
COPY --from=build /src/ui/dist ui/dist

# The DNS server listens on every address of the container, like the APIs (MATIH_HOST), so that
# its published port answers; the data directory is the one place the service writes.
ENV NODE_ENV=production \
    MATIH_DATA_DIR=/var/lib/matih \
    MATIH_DNS_HOST=0.0.0.0
USER 10001:10001
VOLUME ["/var/lib/matih"]
# Tenant API, infrastructure API, embedded DNS server (MATIH_DNS_PORT).
EXPOSE 8082/tcp 8089/tcp 5353/udp 5353/tcp
# No curl in slim images: Node asks /ready (database reachable, migrations applied).
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.MATIH_TENANT_PORT || 8082) + '/ready', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["tini", "--"]
CMD ["node", "dist/main.js"]
