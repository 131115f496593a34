# Sourced (not run) by base-image.sh and test-image.sh: the containers storage their images live
# in, one of their own under the cache directory rather than the machine's default
# (/var/lib/containers/storage). Its images survive between runs (the base image, the build's
# npm ci layers), and test-image.sh may remove what the latest build no longer uses without
# touching anybody else's images. Every buildah and podman call takes "${store[@]}".
# shellcheck source=../../scripts/cache-dir.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/cache-dir.sh"
store=(--root "$MATIH_CACHE_DIR/containers" --runroot /run/matih-image-containers)
