#!/usr/bin/env bash
# The consumer check: mktows as a new user gets it, by running the README's own lines.
#
# The README marks the blocks it checks with a comment on the line before the fence,
# `<!-- consumer-check: NAME -->`. This script builds and packs every publishable package
# (each package.json without "private": true), checks what each tarball ships, and serves the
# tarballs from a local registry for the @mktows scope (scripts/consumer-registry.mjs): npm asks it
# for @mktows/* and the public registry for everything else. So the README's lines run verbatim,
# with npm's default resolution; the one thing changed is the emulator's port (8080 becomes a free
# one, on a machine where 8080 may be taken). Then, in fresh projects under a temporary directory:
#   1. `emulator`: starts the emulator the README's way (npx, in an empty project: not installed);
#   2. `install-client`: fails on an ERESOLVE warning, a second copy of effect, or a server stack;
#   3. `example`: typechecks the README's program (NodeNext, strict);
#   4. `install-test`: the same checks; then a program on the installed test kit;
#   5. `run`: runs the README's program over SOAP, then REST, against the emulator;
#   6. `cli`: in a project of its own, the command line's sync and report, against the emulator;
#   7. the floor of our peer ranges: the `install-client` line at the lowest effect and
#      @effect/platform the packages accept, and the program over SOAP;
#   8. every `npm install` line of the package READMEs, as a dry run: npm must resolve it as written.
# Prints the packages and bytes each install brought. Needs Node >= 20, npm and the registry.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# Run as `pnpm consumer-check`, the script inherits pnpm's own settings as npm_config_* variables,
# which npm does not know and warns about on every command: a user's npm never sees them.
unset npm_config_npm_globalconfig npm_config_verify_deps_before_run npm_config__jsr_registry

# The lowest effect and @effect/platform our peer ranges accept.
floor="${MKTOWS_CHECK_FLOOR-3.20.0 0.95.0}"
# What a client-only install must not contain: a server, the emulator, platform-node's peers.
server_stack=(@mktows/emulator @effect/platform-node @effect/platform-node-shared @effect/cluster @effect/rpc
  @effect/sql @effect/workflow @parcel/watcher ws)

work="$(mktemp -d "${TMPDIR:-/tmp}/mktows-consumer.XXXXXX")"
registry_pid=""
emulator_pid=""
# The emulator and the registry run in sessions of their own, so stopping one stops its children
# too (killing npx alone leaves the node process behind).
stop() {
  if [ -n "$1" ]; then
    kill -- "-$1" 2>/dev/null || kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
  fi
}
cleanup() {
  stop "$emulator_pid"
  stop "$registry_pid"
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "consumer-check: FAIL: $*" >&2
  exit 1
}
say() { echo "consumer-check: $*"; }

# The lines of the README block marked NAME (without its fences).
block() {
  local text
  text="$(awk -v marker="<!-- consumer-check: $1 -->" '
    $0 == marker { on = 1; next }
    on && /^```/ { if (grab) exit; grab = 1; next }
    grab { print }' "$root/README.md")"
  [ -n "$text" ] || fail "README.md has no block marked <!-- consumer-check: $1 -->"
  printf '%s\n' "$text"
}

pnpm --silent build

# Pack, and check what each tarball ships.
mkdir -p "$work/tarballs"
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
  if grep -E '\.tsbuildinfo$|^package/test/|\.test\.(ts|js)$|^package/bench/|^package/docs/' <<<"$listing"; then
    fail "$(basename "$tarball") ships build info, tests, benchmarks or generated docs (listed above)"
  fi
  if tar -xzOf "$tarball" package/package.json | grep -q '"workspace:'; then
    fail "$(basename "$tarball") still has a workspace: dependency"
  fi
  # Public types live in public modules: no public declaration file names an internal one
  # (whose path the package's exports refuse, so a user could not name the type).
  public_dts="$(grep -E '^package/dist/[^/]+\.d\.ts$' <<<"$listing" || true)"
  if [ -n "$public_dts" ]; then
    # shellcheck disable=SC2086
    leaks="$(tar -xzOf "$tarball" $public_dts | grep -E "from \"\./internal/|import\(\"\./internal/" || true)"
    [ -z "$leaks" ] || fail "$(basename "$tarball"): a public .d.ts refers to an internal module: $leaks"
  fi
done
say "packed: $(for t in "$work"/tarballs/*.tgz; do basename "$t" .tgz; done | tr '\n' ' ')"

# The registry for the @mktows scope, named to npm in each project's .npmrc (no user .npmrc is touched).
setsid node "$root/scripts/consumer-registry.mjs" "$work/tarballs" >"$work/registry.out" 2>"$work/registry.err" &
registry_pid=$!
registry=""
for _ in $(seq 1 100); do
  registry="$(head -n 1 "$work/registry.out")"
  [ -n "$registry" ] && break
  kill -0 "$registry_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$registry" ] || {
  cat "$work/registry.err"
  fail "the @mktows registry did not start"
}
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
say "@mktows/* from $registry, everything else from $(npm config get registry)"

# Runs README block NAME verbatim (8080 swapped for the emulator's port) in the current directory;
# fails on an ERESOLVE warning, which would be ours (a range in the README that npm must override).
run_block() {
  local name="$1" script
  script="$(block "$name" | sed "s/:8080/:${port:-8080}/g")"
  bash -euo pipefail -c "$script" </dev/null >"$name.log" 2>&1 || {
    cat "$name.log"
    fail "the README's \"$name\" block failed in $PWD"
  }
  if grep -E 'ERESOLVE|overriding peer|Conflicting peer' "$name.log"; then
    fail "the README's \"$name\" block: npm could not satisfy every peer with its default resolution (above)"
  fi
}

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

no_server() {
  for name in "${server_stack[@]}"; do
    [ ! -e "node_modules/$name" ] || fail "$1: the client-only install pulled $name ($(npm ls "$name" --all | tr '\n' ' '))"
  done
}

new_project() {
  mkdir -p "$work/$1"
  cd "$work/$1"
  echo "{ \"name\": \"mktows-consumer-$1\", \"private\": true, \"type\": \"module\" }" >package.json
  echo "@mktows:registry=$registry" >.npmrc
}

# The README's program, typechecked as a user's strict NodeNext project would.
typecheck_example() {
  block example >main.ts
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
  "$root/node_modules/.bin/tsc" -p tsconfig.json || fail "$1: the README's program does not typecheck"
  say "$1: the README's program typechecks (NodeNext, strict)"
}

reset_emulator() {
  node -e 'fetch(process.argv[1], { method: "POST" }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
    "http://127.0.0.1:$port/emulator/reset" || fail "POST /emulator/reset"
}

# 1. The emulator without installing it, in an empty project.
new_project npx
start="$(block emulator | grep -m 1 '^npx ')" || fail "the README's \"emulator\" block has no npx line"
# shellcheck disable=SC2086
setsid ${start/--port 8080/--port 0} </dev/null >emulator.out 2>emulator.err &
emulator_pid=$!
url=""
# Up to 300 s: npx installs the package and its peers first, and a loaded machine is slow to load modules.
for _ in $(seq 1 3000); do
  url="$(sed -n 's/^mktows emulator listening on \(http[^ ]*\).*/\1/p' emulator.out)"
  [ -n "$url" ] && break
  kill -0 "$emulator_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$url" ] || {
  cat emulator.out emulator.err
  fail "\`${start/--port 8080/--port 0}\` did not start"
}
port="$(sed -E 's#^http://[^:]+:([0-9]+)/.*#\1#' <<<"$url")"
grep -q "REST at http://127.0.0.1:$port/rest" emulator.out || {
  cat emulator.out
  fail "the emulator did not announce its REST side"
}
say "\`${start/--port 8080/--port 0}\` (not installed): SOAP $url, REST http://127.0.0.1:$port/rest"

# 2-5. The client, the test packages and the program, as the README has them.
new_project app
run_block install-client
one_effect "install-client"
no_server "install-client"
say "install-client: $(footprint), one effect, no server"
typecheck_example app

run_block install-test
one_effect "install-test"
say "install-test (client + emulator + vitest): $(footprint), one effect"

# The test kit from the installed package: a scripted 20023, retried, then the answer.
cat >kit.ts <<'EOF'
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
sed 's/"files": \["main.ts"\]/"files": ["kit.ts"]/' tsconfig.json >tsconfig.kit.json
"$root/node_modules/.bin/tsc" -p tsconfig.kit.json || fail "the test kit program does not typecheck"
node out/kit.js >kit.out 2>&1 || {
  cat kit.out
  fail "the test kit program failed"
}
grep -q "test kit: Failure,Success" kit.out || {
  cat kit.out
  fail "the test kit did not record a scripted fault and its retry"
}
say "$(grep -o "test kit: .*" kit.out)"

reset_emulator
run_block run
grep -q 'SOAP transport' run.log && grep -q 'message="CREATED OPP-1"' run.log &&
  grep -q 'REST transport' run.log && grep -q 'message="UPDATED OPP-1"' run.log || {
  cat run.log
  fail "the README's program did not report CREATED over SOAP, then UPDATED over REST"
}
say "run: the README's program over SOAP: CREATED OPP-1; over REST: UPDATED OPP-1"

# 6. The command line, in a project of its own.
new_project cli
reset_emulator
run_block cli
one_effect "cli"
[ "$(grep -c ',CREATED,' report.csv)" = "2" ] || {
  cat cli.log report.csv
  fail "the README's mktows sync did not report two CREATED rows"
}
say "cli: $(footprint); mktows sync reported $(grep -c ',CREATED,' report.csv) CREATED rows"

# 7. The floor of the peer ranges: the client line pinned to the lowest versions we accept.
if [ -n "$floor" ]; then
  read -r effect_floor platform_floor <<<"$floor"
  new_project floor
  block install-client | sed -E "s/effect@[^ ]+/effect@$effect_floor/; s#@effect/platform@[^ ]+#@effect/platform@$platform_floor#" \
    >install-floor.sh
  bash -euo pipefail install-floor.sh </dev/null >install-floor.log 2>&1 || {
    cat install-floor.log
    fail "floor: $(cat install-floor.sh)"
  }
  one_effect "floor"
  no_server "floor"
  say "floor: effect $(node -p 'require("effect/package.json").version'), @effect/platform $(node -p 'require("@effect/platform/package.json").version'): $(footprint)"
  typecheck_example floor
  reset_emulator
  MARKETO_SOAP_ENDPOINT="$url" MARKETO_USER_ID=demo17_1_809934544BFABAE58E5D27 MARKETO_ENCRYPTION_KEY=27272727aa \
    node out/main.js >floor-run.log 2>&1 || {
    cat floor-run.log
    fail "floor: the README's program failed against the emulator"
  }
  grep -q 'message="CREATED OPP-1"' floor-run.log || {
    cat floor-run.log
    fail "floor: the README's program did not report CREATED"
  }
  say "floor: the README's program over SOAP: CREATED OPP-1"
fi

# 8. The package READMEs' install lines: npm must resolve each as written (a dry run: nothing is downloaded).
for readme in "$root"/packages/*/README.md; do
  name="$(basename "$(dirname "$readme")")"
  count=0
  while IFS= read -r line; do
    count=$((count + 1))
    new_project "readme-$name-$count"
    bash -euo pipefail -c "$line --dry-run" </dev/null >install.log 2>&1 || {
      cat install.log
      fail "packages/$name/README.md: \`$line\` does not resolve"
    }
    if grep -E 'ERESOLVE|overriding peer|Conflicting peer' install.log; then
      fail "packages/$name/README.md: \`$line\`: npm could not satisfy every peer with its default resolution (above)"
    fi
  done < <(awk '/^```sh/ { on = 1; next } on && /^```/ { on = 0 } on && /^npm install / { print }' "$readme")
  say "packages/$name/README.md: $count install line(s) resolve"
done

cd "$root"
say "passed"
