#!/usr/bin/env bash
# Debian's Chromium for the browser tier (playwright-core drives it; no browser is downloaded).
# Installs it when missing and we are root; otherwise says what to run.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium is missing: run 'sudo apt-get install -y chromium' (the browser tests need /usr/bin/chromium)" >&2
  exit 1
fi
echo "chromium: installing Debian's package ..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends chromium >&2 || { apt-get update -q >&2 && apt-get install -y -q --no-install-recommends chromium >&2; }
chromium --version >&2
