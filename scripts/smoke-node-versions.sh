#!/usr/bin/env bash
# The service's smoke test (scripts/smoke-service.ts: start on the embedded defaults, create a
# tenant, provision it to ACTIVE, stop) on each supported Node.js: the machine's own and the
# releases named, fetched from the npm registry (scripts/node-binary.sh) and cached.
#
#   scripts/smoke-node-versions.sh            # the machine's Node, then 22 and 24
#   scripts/smoke-node-versions.sh 24         # Node 24 only
#   SMOKE_SKIP_BUILD=1 scripts/smoke-node-versions.sh   # dist/ is built already
#
# dist/ is built once with the machine's Node (`npm run build`); each Node then runs that build,
# as `npm start` would. Exit 0 when every version that could be fetched passed (one that could
# not is reported SKIPPED), 77 when none could, 1 when any failed.
set -euo pipefail
cd "$(dirname "$0")/.."

versions=("$@")
[ "${#versions[@]}" -gt 0 ] || versions=(system 22 24)

if [ "${SMOKE_SKIP_BUILD:-}" != 1 ]; then
  echo "== npm run build"
  npm run build >/tmp/matih-smoke-build.log 2>&1 || { tail -n 40 /tmp/matih-smoke-build.log; echo "FAILED: npm run build"; exit 1; }
fi

passed=()
failed=()
skipped=()
for version in "${versions[@]}"; do
  if [ "$version" = system ]; then
    node_bin=$(command -v node)
  else
    rc=0
    node_bin=$(scripts/node-binary.sh "$version") || rc=$?
    if [ "$rc" != 0 ]; then
      [ "$rc" = 77 ] || { failed+=("$version (fetch)"); continue; }
      echo "SKIPPED: Node $version: could not be fetched from the npm registry"
      skipped+=("$version")
      continue
    fi
  fi
  label="$version ($("$node_bin" --version))"
  echo "== smoke test on Node $label: $node_bin"
  start=$SECONDS
  if node --import tsx scripts/smoke-service.ts --node "$node_bin" --timeout 180; then
    passed+=("$label $((SECONDS - start)) s")
  else
    failed+=("$label")
  fi
done

echo "== Node versions: passed: ${passed[*]:-none}; failed: ${failed[*]:-none}; skipped: ${skipped[*]:-none}"
[ "${#failed[@]}" = 0 ] || exit 1
[ "${#passed[@]}" -gt 0 ] || exit 77
