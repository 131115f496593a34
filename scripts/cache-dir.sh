# Sourced (not run) by the scripts that fetch or build things worth keeping between runs: sets and
# exports MATIH_CACHE_DIR, where the Node binaries from npm (scripts/node-binary.sh) and the image
# test's base file system and containers storage (deploy/image/) are kept. /var/cache/matih when
# it can be written (it survives between CI runs on the same machine), else the user's cache.
if [ -z "${MATIH_CACHE_DIR:-}" ]; then
  if mkdir -p /var/cache/matih 2>/dev/null && [ -w /var/cache/matih ]; then
    MATIH_CACHE_DIR=/var/cache/matih
  else
    MATIH_CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/matih
  fi
fi
export MATIH_CACHE_DIR
mkdir -p "$MATIH_CACHE_DIR"
