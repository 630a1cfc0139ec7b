#!/usr/bin/env bash
# One-shot set-up of a fresh Elasticsearch with security on. Runs as the compose service
# elasticsearch-setup; every secret arrives through the environment, none is stored in the repo.
#  - sets the password Kibana logs in with (kibana_system),
#  - creates vigil_reader, the read-only user of Grafana's Elasticsearch data source,
#  - creates an API key that may only write logs-* data streams and writes it to
#    $CREDENTIALS_DIR/collector-api-key for the collector.
# Safe to run again: users are updated in place, and an existing collector key is kept.
set -euo pipefail

: "${ELASTICSEARCH_URL:?}" "${ELASTIC_PASSWORD:?}" "${KIBANA_SYSTEM_PASSWORD:?}" "${ELASTIC_READER_PASSWORD:?}" "${CREDENTIALS_DIR:?}"

# The password travels in a header file, never on a command line that `ps` would show.
auth_file=$(mktemp)
trap 'rm -f "$auth_file"' EXIT
printf 'Authorization: Basic %s\n' "$(printf 'elastic:%s' "$ELASTIC_PASSWORD" | base64 -w0)" >"$auth_file"

es() { # method path [json body]: prints the answer; fails, saying why, on a status of 300 or more
  local body=() answer status
  [ $# -ge 3 ] && body=(--data-binary "$3")
  answer=$(curl -sS -w '\n%{http_code}' -X "$1" -H @"$auth_file" -H 'Content-Type: application/json' "${body[@]}" "$ELASTICSEARCH_URL$2") || return 1
  status=${answer##*$'\n'}
  answer=${answer%$'\n'*}
  if [ "$status" -ge 300 ]; then
    echo "elasticsearch-setup: $1 $2 answered $status: $answer" >&2
    return 1
  fi
  printf '%s' "$answer"
}

json_string() { # quotes a value for JSON
  printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
}

until es GET /_cluster/health >/dev/null 2>&1; do
  echo "elasticsearch-setup: waiting for $ELASTICSEARCH_URL" >&2
  sleep 3
done

es POST /_security/user/kibana_system/_password "{\"password\":$(json_string "$KIBANA_SYSTEM_PASSWORD")}" >/dev/null
echo "elasticsearch-setup: kibana_system password set" >&2

es PUT /_security/role/vigil_logs_reader '{"indices":[{"names":["logs-*"],"privileges":["read","view_index_metadata"]}]}' >/dev/null
es PUT /_security/user/vigil_reader "{\"password\":$(json_string "$ELASTIC_READER_PASSWORD"),\"roles\":[\"vigil_logs_reader\"]}" >/dev/null
echo "elasticsearch-setup: user vigil_reader ready" >&2

key_file="$CREDENTIALS_DIR/collector-api-key"
if [ -s "$key_file" ]; then
  echo "elasticsearch-setup: collector API key already present" >&2
  exit 0
fi
# The collector writes logs-<service>-<environment> data streams and installs their template.
response=$(es POST /_security/api_key '{
  "name": "vigil-collector",
  "role_descriptors": {
    "vigil_log_writer": {
      "cluster": ["monitor", "manage_index_templates", "manage_ilm"],
      "indices": [{"names": ["logs-*"], "privileges": ["create_doc", "auto_configure", "create_index", "view_index_metadata", "manage"]}]
    }
  }
}')
encoded=$(printf '%s' "$response" | sed -n 's/.*"encoded":"\([^"]*\)".*/\1/p')
[ -n "$encoded" ] || { echo "elasticsearch-setup: no API key in the answer" >&2; exit 1; }
umask 077
printf '%s' "$encoded" >"$key_file.tmp"
# The collector runs as the image's node user.
chown "${COLLECTOR_UID:-1000}" "$key_file.tmp"
mv "$key_file.tmp" "$key_file"
echo "elasticsearch-setup: collector API key written" >&2
