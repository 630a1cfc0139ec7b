#!/usr/bin/env bash
# Installs the services and tools that come from Debian's packages, once. Packages' own init
# scripts are kept from starting daemons: the native stack starts each service itself.
set -euo pipefail

# Java and Maven fetch Kafka and Elasticsearch from Maven Central (deploy/native/*/pom.xml); unzip
# unpacks the Go toolchain that builds Jaeger when the machine has no recent Go.
PACKAGES=(prometheus prometheus-alertmanager jsonnet kcat openjdk-17-jre-headless maven unzip)
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "vigil: the native stack needs these Debian packages, and this machine has no apt-get: ${missing[*]}" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod +x "$policy" && created_policy=1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
[ "$created_policy" -eq 1 ] && $SUDO rm -f "$policy"
# Some packages start their daemon despite the policy; the stack runs its own instances.
for daemon in prometheus prometheus-alertmanager; do pkill -x "$daemon" 2>/dev/null || true; done
exit 0
