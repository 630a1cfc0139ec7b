#!/bin/sh
# Writes deploy/.env from deploy/.env.example, filling every empty value with a fresh random
# secret. Refuses to overwrite an existing deploy/.env.
set -eu
deploy=$(cd "$(dirname "$0")/.." && pwd)
target="$deploy/.env"
if [ -e "$target" ]; then
  echo "make-env: $target exists; delete it first to make new secrets" >&2
  exit 1
fi
umask 077
while IFS= read -r line; do
  case "$line" in
    [A-Z]*=) printf '%s%s\n' "$line" "$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" ;;
    *) printf '%s\n' "$line" ;;
  esac
done <"$deploy/.env.example" >"$target"
echo "make-env: wrote $target" >&2
