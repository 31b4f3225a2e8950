#!/usr/bin/env bash
# Installs FerretDB (the MongoDB wire protocol over PostgreSQL or SQLite) into a cache folder
# outside the repository, once. Prints the binary's path on its last line.
#
# Why not a plain `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2`: the module
# as served by the Go module proxy lacks build/version/version.txt (a generated file), and the
# binary `go install` produces panics at start with "Invalid build/version/version.txt file
# content". FerretDB's own docs (build/version/version.go) say to create that file by hand;
# so we fetch the same pinned module with `go mod download`, copy it, write the file and build.
set -euo pipefail

version="v1.24.2"
cache="${MEENT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/meent}"
dest="$cache/ferretdb-$version"
bin="$dest/ferretdb"

# (Read the version into a variable: a pipe into `grep -q` would end in SIGPIPE under pipefail.)
installed="$([ -x "$bin" ] && "$bin" --version 2>/dev/null || true)"
if [[ "$installed" == *"version: $version"* ]]; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { echo "FerretDB needs Go to build: install Go (https://go.dev/doc/install) or set MONGODB_URI" >&2; exit 1; }

echo "Installing FerretDB $version into $dest (first time only, takes a few minutes)..." >&2
mkdir -p "$dest"
work="$(mktemp -d)"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

(
  while sleep 20; do echo "  ...still building FerretDB ($(date +%T))" >&2; done
) &
ticker=$!
trap 'kill $ticker 2>/dev/null; chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

src_dir="$(GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
[ -d "$src_dir" ] || { echo "go mod download did not give a source folder for FerretDB $version" >&2; exit 1; }
cp -r "$src_dir" "$work/src"
chmod -R u+w "$work/src"
echo "$version" > "$work/src/build/version/version.txt"
(cd "$work/src" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -o "$bin.tmp" ./cmd/ferretdb)
mv "$bin.tmp" "$bin"
built="$("$bin" --version)"
echo "${built%%$'\n'*}" >&2
echo "$bin"
