#!/usr/bin/env bash
# Installs the Microsoft 365 Agents Toolkit CLI (`atk`, pinned) into a cache folder outside the
# repository, once, and prints its path on the last line. test/app-package/toolkit-validate.test.ts
# validates the app package with it when it is there. It is not a project dependency: the CLI
# brings some 450 MB, and the project's own packager already validates against the schemas.
#
# --ignore-scripts: its dependency keytar (which stores sign-ins in the OS keychain) builds a
# native module that needs libsecret's headers; validation does not sign in, so it is not needed.
set -euo pipefail

version="1.1.17"
cache="${MEENT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/meent}"
dest="$cache/atk-$version"
bin="$dest/node_modules/.bin/atk"

if [[ -x "$bin" ]] && [[ "$("$bin" --version 2>/dev/null | tail -1)" == "$version" ]]; then
  echo "$bin"
  exit 0
fi
echo "Installing @microsoft/m365agentstoolkit-cli@$version into $dest (first time only)..." >&2
mkdir -p "$dest"
npm install --prefix "$dest" --no-audit --no-fund --ignore-scripts --loglevel=error "@microsoft/m365agentstoolkit-cli@$version" >&2
echo "$bin"
