#!/usr/bin/env bash
# Install every Debian package pubguard needs to build, test and benchmark.
# Idempotent: installs only what is missing; safe to run on every `make`.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libvectorscan-dev libuchardet-dev libopencc-dev opencc
  libxml2-dev libjansson-dev libzip-dev zlib1g-dev libxxhash-dev
  libssl-dev libsqlite3-dev libargon2-dev
  libcmocka-dev python3
  libmicrohttpd-dev libcairo2-dev libpango1.0-dev fonts-noto-cjk
  libcurl4-openssl-dev curl poppler-utils chromium
  openssl  # the CLI: tests make their TLS certificates with it
)
if [ "${1:-}" = "--bench" ]; then
  PKGS+=(python3-ahocorasick hyperfine time nodejs wrk)
  # Debian's nodejs ships npm separately; a NodeSource nodejs already carries it.
  command -v npm >/dev/null 2>&1 || PKGS+=(npm)
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
