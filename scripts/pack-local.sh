#!/usr/bin/env bash
# The publishable packages (each package.json without "private": true) as npm tarballs in
# packed/, built first: what to install before the packages are on npm's registry.
#   pnpm pack:local
#   npm install /path/to/mktows/packed/mktows-{core,xml,rest,node}-0.1.0.tgz effect@^3.20 @effect/platform@^0.97
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
pnpm build
rm -rf packed
mkdir packed
for dir in packages/*/; do
  grep -q '"private": true' "$dir/package.json" && continue
  (cd "$dir" && pnpm pack --pack-destination "$root/packed" >/dev/null)
done
ls -1 "$root"/packed/*.tgz
