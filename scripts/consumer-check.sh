#!/usr/bin/env bash
# The consumer check: mktows as a new user gets it, from npm tarballs, outside the workspace.
#
# Builds, packs every publishable package under packages/ (each package.json without
# "private": true), checks what each tarball ships, then, once at the lowest and once at the
# highest effect 3.x the peer ranges allow (see the pairs below), in a fresh project under a
# temporary directory:
#   1. installs with npm the client packages (the publishable ones without a "bin") and their
#      peers; fails if effect is installed twice or if a server stack came along;
#   2. typechecks the README's first example with moduleResolution NodeNext;
#   3. adds the packages with a bin (the emulator, and any other tool) and platform-node;
#      typechecks and runs a program on the test kit (@mktows/emulator/Testing); starts
#      mktows-emulator from the installed bin (plain node at the low end, npx at the high end)
#      and runs the example against it.
# Prints the packages and bytes each install brought. Needs Node >= 20, npm and the registry.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# effect, @effect/platform, @effect/platform-node: the low and high ends of the peer ranges.
low="${MKTOWS_CHECK_LOW-3.20.0 0.95.0 0.105.0}"
high="${MKTOWS_CHECK_HIGH-3.22.4 0.97.2 0.108.2}"
# What a client-only install must not contain: a server, the emulator, platform-node's peers.
server_stack=(@mktows/emulator @effect/platform-node @effect/platform-node-shared @effect/cluster @effect/rpc
  @effect/sql @effect/workflow @parcel/watcher ws)

work="$(mktemp -d "${TMPDIR:-/tmp}/mktows-consumer.XXXXXX")"
emulator_pid=""
# The emulator runs in a session of its own, so stopping it stops npx's child too (killing npx
# alone leaves the node process behind).
stop_emulator() {
  if [ -n "$emulator_pid" ]; then
    kill -- "-$emulator_pid" 2>/dev/null || kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
    emulator_pid=""
  fi
}
cleanup() {
  stop_emulator
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "consumer-check: FAIL: $*" >&2
  exit 1
}
say() { echo "consumer-check: $*"; }

pnpm --silent build

# Pack. The tarball names come from pnpm; "tool" packages are those with a bin.
mkdir -p "$work/tarballs"
client_tarballs=()
tool_tarballs=()
for dir in packages/*/; do
  manifest="$dir/package.json"
  [ -f "$manifest" ] || continue
  if node -e 'process.exit(require(process.argv[1]).private === true ? 0 : 1)' "$root/$manifest"; then continue; fi
  tarball="$(cd "$dir" && pnpm pack --pack-destination "$work/tarballs" | tail -n 1)"
  case "$tarball" in /*) ;; *) tarball="$work/tarballs/$(basename "$tarball")" ;; esac
  [ -f "$tarball" ] || fail "pnpm pack of $dir gave no tarball"
  listing="$(tar -tzf "$tarball")"
  for wanted in package/package.json package/LICENSE package/README.md package/dist/index.js package/dist/index.d.ts; do
    grep -qx "$wanted" <<<"$listing" || fail "$(basename "$tarball") lacks ${wanted#package/}"
  done
  if grep -E '\.tsbuildinfo$|^package/test/|\.test\.(ts|js)$|^package/bench/' <<<"$listing"; then
    fail "$(basename "$tarball") ships build info, tests or benchmarks (listed above)"
  fi
  if tar -xzOf "$tarball" package/package.json | grep -q '"workspace:'; then
    fail "$(basename "$tarball") still has a workspace: dependency"
  fi
  if node -e 'process.exit(require(process.argv[1]).bin ? 0 : 1)' "$root/$manifest"; then
    tool_tarballs+=("$tarball")
  else
    client_tarballs+=("$tarball")
  fi
done
say "client packages: $(for t in "${client_tarballs[@]}"; do basename "$t" .tgz; done | tr '\n' ' ')"
say "tool packages: $(for t in "${tool_tarballs[@]}"; do basename "$t" .tgz; done | tr '\n' ' ')"

# The README's first example: the first ```ts block after "## Using the client".
awk '/^## Using the client/ { on = 1 } on && /^```ts/ { grab = 1; next } grab && /^```/ { exit } grab { print }' \
  README.md >"$work/example.ts"
[ -s "$work/example.ts" ] || fail "no \`\`\`ts block under \"## Using the client\" in README.md"

# A program on the test kit, as a user's test would use it (without a test runner).
cat >"$work/kit.ts" <<'EOF'
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Testing from "@mktows/emulator/Testing"
import * as Effect from "effect/Effect"

const program = Effect.gen(function*() {
  const kit = yield* Testing.TestMarketo
  yield* kit.script(Testing.fault(20023))
  const names = yield* MarketoClient.listMObjects()
  const calls = yield* kit.calls
  console.log(`test kit: ${calls.map((call) => call.exit._tag).join(",")}, ${names.length} object types`)
}).pipe(Effect.provide(Testing.layerClient({ client: { retry: { baseDelay: "1 millis", maxDelay: "5 millis" } } })))

Effect.runPromise(program)
EOF

# Installed packages (each directory with a package.json the lockfile lists) and their bytes.
footprint() {
  node -e '
    const fs = require("node:fs")
    const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"))
    const present = Object.keys(lock.packages).filter((p) => p !== "" && fs.existsSync(p + "/package.json"))
    console.log(present.length + " packages")' | tr -d '\n'
  echo ", $(du -sb node_modules | cut -f1) bytes"
}

one_effect() {
  local copies
  copies="$(find node_modules -type d -path '*node_modules/effect' | wc -l)"
  [ "$copies" = "1" ] || {
    npm ls effect --all || true
    fail "$1: $copies copies of effect installed"
  }
}

check() {
  local label="$1" effect="$2" platform="$3" platform_node="$4" how="$5"
  local project="$work/$label"
  mkdir -p "$project"
  cd "$project"
  cat >package.json <<EOF
{ "name": "mktows-consumer-$label", "private": true, "type": "module" }
EOF
  say "$label: effect $effect, @effect/platform $platform: installing the client packages"
  npm install --prefer-offline --no-audit --no-fund --loglevel=error "${client_tarballs[@]}" "effect@$effect" "@effect/platform@$platform" \
    >npm-client.log 2>&1 || {
    cat npm-client.log
    fail "$label: npm install of the client packages"
  }
  one_effect "$label client-only"
  for name in "${server_stack[@]}"; do
    [ ! -e "node_modules/$name" ] || fail "$label: the client-only install pulled $name ($(npm ls "$name" --all | tr '\n' ' '))"
  done
  say "$label: client-only install: $(footprint)"

  cp "$work/example.ts" main.ts
  cat >tsconfig.json <<'EOF'
{
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["ES2022", "DOM"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "exactOptionalPropertyTypes": true,
    "skipLibCheck": false,
    "types": [],
    "outDir": "out"
  },
  "files": ["main.ts"]
}
EOF
  "$root/node_modules/.bin/tsc" -p tsconfig.json || fail "$label: the README's first example does not typecheck"
  say "$label: the README's first example typechecks (NodeNext)"

  # A tool whose effect peer starts above the version under test (the command line needs
  # @effect/cli, which needs effect 3.22.2) is checked only where its range allows.
  local tools=()
  for tarball in "${tool_tarballs[@]}"; do
    if tar -xzOf "$tarball" package/package.json | node -e '
      const floor = (JSON.parse(require("fs").readFileSync(0, "utf8")).peerDependencies?.effect ?? "0").replace(/^[^0-9]*/, "")
      const n = (v) => v.split(".").map(Number)
      const [a, b] = [n(floor), n(process.argv[1])]
      process.exit((a[0] - b[0] || a[1] - b[1] || (a[2] ?? 0) - (b[2] ?? 0)) > 0 ? 1 : 0)' "$effect"; then
      tools+=("$tarball")
    else
      say "$label: skipping $(basename "$tarball" .tgz) (its effect peer starts above $effect)"
    fi
  done
  npm install --prefer-offline --no-audit --no-fund --loglevel=error "${tools[@]}" "@effect/platform-node@$platform_node" \
    >npm-tools.log 2>&1 || {
    cat npm-tools.log
    fail "$label: npm install of the emulator"
  }
  one_effect "$label with the emulator"
  say "$label: client + emulator install: $(footprint)"

  # The test kit from the installed package: a scripted 20023, retried, then the answer.
  cp "$work/kit.ts" kit.ts
  sed 's/"files": \["main.ts"\]/"files": ["main.ts", "kit.ts"]/' tsconfig.json >tsconfig.tools.json
  "$root/node_modules/.bin/tsc" -p tsconfig.tools.json || fail "$label: the test kit program does not typecheck"
  node out/kit.js >kit.out 2>&1 || {
    cat kit.out
    fail "$label: the test kit program failed"
  }
  grep -q "test kit: Failure,Success" kit.out || {
    cat kit.out
    fail "$label: the test kit did not record a scripted fault and its retry"
  }
  say "$label: $(grep -o "test kit: .*" kit.out)"

  local start=(node node_modules/@mktows/emulator/dist/bin/emulator.js)
  [ "$how" = "npx" ] && start=(npx --no-install mktows-emulator)
  setsid "${start[@]}" --port 0 >emulator.out 2>emulator.err &
  emulator_pid=$!
  local url=""
  # Up to 120 s: a loaded CI machine can take that long to load the modules.
  for _ in $(seq 1 1200); do
    url="$(sed -n 's/^mktows emulator listening on \(http[^ ]*\).*/\1/p' emulator.out)"
    [ -n "$url" ] && break
    kill -0 "$emulator_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$url" ] || {
    cat emulator.out emulator.err
    fail "$label: ${start[*]} --port 0 did not start"
  }
  say "$label: ${start[*]} --port 0: $url"

  MARKETO_SOAP_ENDPOINT="$url" MARKETO_USER_ID=demo17_1_809934544BFABAE58E5D27 MARKETO_ENCRYPTION_KEY=27272727aa \
    node out/main.js >run.out 2>&1 || {
    cat run.out
    fail "$label: the README's first example failed against the emulator"
  }
  grep -q "UPDATED" run.out || {
    cat run.out
    fail "$label: the example ran but reported no UPDATED outcome"
  }
  say "$label: the README's first example ran against the emulator: $(grep -o '[0-9]*: UPDATED [0-9]*' run.out | head -n 1)"
  stop_emulator
  cd "$root"
}

# (An empty MKTOWS_CHECK_LOW or MKTOWS_CHECK_HIGH skips that end, to try a candidate range quickly.)
# shellcheck disable=SC2086
if [ -n "$low" ]; then check low $low node; fi
# shellcheck disable=SC2086
if [ -n "$high" ]; then check high $high npx; fi
say "passed"
