#!/usr/bin/env bash
# One-shot: imports the generated Kibana objects (the logs-* data view and saved searches from
# dashboards/build/kibana) once Kibana is up. Runs as the compose service kibana-setup; overwriting
# makes it safe to run again after the objects change.
set -euo pipefail
: "${KIBANA_URL:?}" "${ELASTIC_PASSWORD:?}" "${OBJECTS:?}"

auth_file=$(mktemp)
trap 'rm -f "$auth_file"' EXIT
printf 'Authorization: Basic %s\n' "$(printf 'elastic:%s' "$ELASTIC_PASSWORD" | base64 -w0)" >"$auth_file"

curl -fsS -X POST -H @"$auth_file" -H 'kbn-xsrf: vigil' \
  --form file=@"$OBJECTS" "$KIBANA_URL/api/saved_objects/_import?overwrite=true" >/dev/null
echo "kibana-setup: imported $(grep -c . "$OBJECTS") saved objects" >&2
