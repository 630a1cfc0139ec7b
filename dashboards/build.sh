#!/bin/sh
# Renders the mixin (build.jsonnet) into build/, or into the directory given as the only argument.
# jsonnet 0.18 does not create directories for its multi-file output, so they are made first.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/build}"
rm -rf "$out"
jsonnet -S -e 'std.join("\n", std.set([
  local parts = std.split(file, "/");
  std.join("/", parts[:std.length(parts) - 1])
  for file in std.objectFields(import "build.jsonnet")
]))' -J "$here" | while read -r dir; do mkdir -p "$out/$dir"; done
jsonnet -S -J "$here" -m "$out" "$here/build.jsonnet" >/dev/null
