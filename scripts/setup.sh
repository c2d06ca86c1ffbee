#!/usr/bin/env bash
# Sets up a fresh machine (Node 20 and npm are assumed; nothing else) for mktows:
# pnpm, the workspace's packages, and the Debian packages of the third-party SOAP clients
# (PHP's SoapClient, Python's zeep, JAX-WS's wsimport with a JDK) and xmllint that the
# interoperability tests use.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" = "0" ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "setup: not root and no sudo: install $* yourself" >&2
    return 1
  fi
}

debian_packages=(php-cli php-soap php-xml python3-zeep libxml2-utils jaxws openjdk-17-jdk-headless)
if command -v apt-get >/dev/null 2>&1; then
  missing=()
  for p in "${debian_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    # Without root or sudo the rest of the set-up still runs; the interop tests then say what is missing.
    { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } ||
      echo "setup: could not install ${missing[*]}; continuing without them" >&2
  fi
else
  echo "setup: no apt-get here; the PHP, zeep and JAX-WS interoperability tests will skip (install ${debian_packages[*]})" >&2
fi

# corepack fails on registry signatures on this kind of machine: install pnpm with npm.
if [ "$(pnpm --version 2>/dev/null || true)" != "10.34.9" ]; then
  npm install -g pnpm@10.34.9
fi
pnpm install --frozen-lockfile
