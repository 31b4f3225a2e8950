#!/usr/bin/env bash
# Installs Debian's Chromium, which the tab's end-to-end tests drive through playwright-core
# (test/support/browser.ts). Idempotent: does nothing when /usr/bin/chromium is already there.
# Needs root (or sudo) the first time, because it uses apt-get.
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
  echo "Chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi

command -v apt-get >/dev/null || { echo "apt-get not found: install Chromium by hand so that /usr/bin/chromium exists" >&2; exit 1; }

sudo=""
if [[ "$(id -u)" != "0" ]]; then
  command -v sudo >/dev/null || { echo "Installing Chromium needs root: run this script as root" >&2; exit 1; }
  sudo="sudo"
fi

echo "Installing Chromium with apt-get (first time only)..." >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y chromium

[[ -x /usr/bin/chromium ]] || { echo "apt-get finished but /usr/bin/chromium is missing" >&2; exit 1; }
echo "Chromium installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
