# Shared by the node scripts (sourced, never run). Everything AWS-specific sits behind
# the small seams below, chosen by settings in the node's environment file, so the same
# scripts run on EC2 and against local redis-server processes in the tests:
#   read_auth_secret   AUTH_SECRET_FILE (a file) | AUTH_SECRET_ARN (Secrets Manager)
#   read_staged_auth_secret  the same secret's AWSPENDING or AWSPREVIOUS version:
#                      AUTH_SECRET_FILE.<label> (absent: no such label) | AUTH_SECRET_ARN
#   upload_file        BACKUP_TARGET file:///dir | s3://bucket/prefix
#   publish_metrics    METRICS_SINK cloudwatch | a file path (lines appended)
#   *_ca_*             TLS_CA_STORE_DIR | TLS_CA_SECRET_ARN, TLS_CA_CERTIFICATE_SECRET_ARN
# The node's settings: REDIS_CLUSTER_ENV (default /etc/redis-cluster/node.env), written by
# the user data on EC2 and by the tests elsewhere.
set -euo pipefail

REDIS_CLUSTER_ENV=${REDIS_CLUSTER_ENV:-/etc/redis-cluster/node.env}
# shellcheck source=/dev/null
. "$REDIS_CLUSTER_ENV"

: "${CLUSTER_NAME:?}" "${NODE_NAME:?}" "${LAYOUT_FILE:?}" "${DATA_DIR:?}" "${AUTH_CONF:?}" "${TLS_DIR:?}"
POLL_SECONDS=${POLL_SECONDS:-2}
TOTAL_SLOTS=16384

log() { echo "$(date -u +%FT%TZ) ${0##*/} ${NODE_NAME}: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The first of the names a Redis build installs its tools under (Debian, AL2023 redis6, Valkey).
first_command() {
  local name
  for name in "$@"; do command -v "$name" >/dev/null 2>&1 && { command -v "$name"; return 0; }; done
  return 1
}
REDIS_SERVER=${REDIS_SERVER:-$(first_command redis-server redis6-server valkey-server || true)}
REDIS_CLI=${REDIS_CLI:-$(first_command redis-cli redis6-cli valkey-cli || true)}
REDIS_CHECK_AOF=${REDIS_CHECK_AOF:-$(first_command redis-check-aof redis6-check-aof valkey-check-aof || true)}

# -- seams -------------------------------------------------------------------------

read_auth_secret() {
  if [ -n "${AUTH_SECRET_FILE:-}" ]; then
    cat "$AUTH_SECRET_FILE"
  else
    aws secretsmanager get-secret-value --region "$AWS_REGION" --secret-id "$AUTH_SECRET_ARN" \
      --query SecretString --output text
  fi
}

# A rotation (auth.sh, ops/rotate_cache_auth.py) stages the new password as the secret's
# AWSPENDING version; once promoted, the old one is AWSPREVIOUS. Prints nothing when no
# version carries the label; any other failure is an error (never read as "no rotation").
read_staged_auth_secret() {  # read_staged_auth_secret AWSPENDING|AWSPREVIOUS
  if [ -n "${AUTH_SECRET_FILE:-}" ]; then
    [ ! -e "$AUTH_SECRET_FILE.$1" ] || cat "$AUTH_SECRET_FILE.$1"
    return 0
  fi
  local out
  if out=$(aws secretsmanager get-secret-value --region "$AWS_REGION" --secret-id "$AUTH_SECRET_ARN" \
    --version-stage "$1" --query SecretString --output text 2>&1); then
    printf '%s\n' "$out"
  elif [[ $out != *ResourceNotFoundException* ]]; then
    die "reading $AUTH_SECRET_ARN ($1): $out"
  fi
}

# The CA: key and certificate (PEM) where only nodes read, the certificate alone where
# clients do. An empty store (a secret without a value) reads as nothing; any other failure
# is an error, never "empty": a node must not make a second CA for want of reading the first.
read_ca_bundle() { _read_ca_item ca-bundle.pem "${TLS_CA_SECRET_ARN:-}"; }
read_ca_certificate() { _read_ca_item ca.crt "${TLS_CA_CERTIFICATE_SECRET_ARN:-}"; }
store_ca_bundle() { _store_ca_item "$1" ca-bundle.pem "${TLS_CA_SECRET_ARN:-}"; }
publish_ca_certificate() { _store_ca_item "$1" ca.crt "${TLS_CA_CERTIFICATE_SECRET_ARN:-}"; }
_read_ca_item() {  # FILE_NAME SECRET_ARN
  if [ -n "${TLS_CA_STORE_DIR:-}" ]; then
    [ ! -e "$TLS_CA_STORE_DIR/$1" ] || cat "$TLS_CA_STORE_DIR/$1"
    return 0
  fi
  local out
  if out=$(aws secretsmanager get-secret-value --region "$AWS_REGION" --secret-id "$2" \
    --query SecretString --output text 2>&1); then
    printf '%s\n' "$out"
  elif [[ $out != *ResourceNotFoundException*AWSCURRENT* ]]; then
    die "reading $2: $out"
  fi
}
_store_ca_item() {  # LOCAL_PATH FILE_NAME SECRET_ARN
  if [ -n "${TLS_CA_STORE_DIR:-}" ]; then
    install -D -m 0600 "$1" "$TLS_CA_STORE_DIR/$2"
  else
    aws secretsmanager put-secret-value --region "$AWS_REGION" --secret-id "$3" --secret-string "file://$1" >/dev/null
  fi
}

upload_file() {  # upload_file LOCAL_PATH KEY
  case "$BACKUP_TARGET" in
    file://*) install -D -m 0600 "$1" "${BACKUP_TARGET#file://}/$2" ;;
    s3://*) aws s3 cp --only-show-errors --region "$AWS_REGION" "$1" "$BACKUP_TARGET/$2" ;;
    *) die "BACKUP_TARGET: expected file://... or s3://..., got '$BACKUP_TARGET'" ;;
  esac
}

publish_metrics() {  # publish_metrics FILE_OF "name value unit dimensions" lines
  if [ "${METRICS_SINK:-cloudwatch}" != cloudwatch ]; then
    cat "$1" >>"$METRICS_SINK"
    return 0
  fi
  local data="[" separator="" name value unit dimensions dimension
  while read -r name value unit dimensions; do
    data+="$separator{\"MetricName\":\"$name\",\"Value\":$value,\"Unit\":\"$unit\",\"Dimensions\":["
    separator=""
    for dimension in ${dimensions//,/ }; do
      data+="$separator{\"Name\":\"${dimension%%=*}\",\"Value\":\"${dimension#*=}\"}"
      separator=","
    done
    data+="]}"
    separator=","
  done <"$1"
  aws cloudwatch put-metric-data --region "$AWS_REGION" --namespace "$METRICS_NAMESPACE" --metric-data "$data]"
}

# -- the password, for redis-cli only through its environment (never on a command line) --

# Generated without punctuation (redis.conf, a shell and a URL take it unquoted): anything
# else in the secret is refused rather than half-applied.
require_plain_password() {  # require_plain_password VALUE WHAT
  case "$1" in
    "" | *[!A-Za-z0-9]*) die "the $2 must be letters and digits only (it is generated without punctuation)" ;;
  esac
}

# The passwords a node accepts, one per line: AWSCURRENT; during a rotation (an AWSPENDING
# version exists) also the one the rotation replaces or brings: AWSPENDING before it is
# promoted, AWSPREVIOUS after (the services may still run tasks with it until auth.sh close).
# configure.sh renders this set at boot and auth.sh open sets it on the running node, so a
# node restarted inside the window refuses neither password.
accepted_passwords() {
  local current pending previous
  current=$(read_auth_secret)
  require_plain_password "$current" "AUTH secret (AWSCURRENT)"
  printf '%s\n' "$current"
  pending=$(read_staged_auth_secret AWSPENDING)
  [ -n "$pending" ] || return 0
  require_plain_password "$pending" "pending AUTH secret (AWSPENDING)"
  if [ "$pending" != "$current" ]; then
    printf '%s\n' "$pending"
    return 0
  fi
  previous=$(read_staged_auth_secret AWSPREVIOUS)
  [ -z "$previous" ] || { require_plain_password "$previous" "previous AUTH secret (AWSPREVIOUS)"; printf '%s\n' "$previous"; }
}

# The included auth file: the default user with every accepted password (an inline `user`
# line, which Redis 6.2 and 7 both read; requirepass holds one password only) and the
# password this node replicates with.
write_auth_conf() {  # write_auth_conf MASTERAUTH ACCEPTED...
  local masterauth=$1 rule="user default on resetpass" password
  shift
  for password in "$@"; do rule+=" >$password"; done
  (
    umask 077
    install -d -m 0700 "$(dirname "$AUTH_CONF")"
    printf '%s ~* &* +@all\nmasterauth %s\n' "$rule" "$masterauth" >"$AUTH_CONF.new"
    mv "$AUTH_CONF.new" "$AUTH_CONF"
  )
  [ -z "${REDIS_USER:-}" ] || chown "$REDIS_USER" "$AUTH_CONF" "$(dirname "$AUTH_CONF")"
}

# The scripts authenticate with the replication password: every node accepts it (auth.sh
# replicate changes it only once every node accepts the new one).
load_auth() {
  [ -r "$AUTH_CONF" ] || die "no $AUTH_CONF: run configure.sh first"
  [ -r "$TLS_DIR/ca.crt" ] || die "no $TLS_DIR/ca.crt: run configure.sh first"
  REDISCLI_AUTH=$(awk '$1 == "masterauth" { print $2; exit }' "$AUTH_CONF")
  export REDISCLI_AUTH
}

# -- the layout: "name ip port zone role planned-master" per line --------------------

layout() { grep -v '^[[:space:]]*\(#\|$\)' "$LAYOUT_FILE"; }
layout_field() {  # layout_field NAME COLUMN
  layout | awk -v n="$1" -v c="$2" '$1 == n { print $c; exit }'
}
zone_of_address() {  # zone_of_address IP:PORT
  layout | awk -v a="$1" '$2 ":" $3 == a { print $4; exit }'
}
name_of_address() {
  layout | awk -v a="$1" '$2 ":" $3 == a { print $1; exit }'
}
MY_IP=$(layout_field "$NODE_NAME" 2)
MY_PORT=$(layout_field "$NODE_NAME" 3)
[ -n "$MY_IP" ] || die "$NODE_NAME is not in $LAYOUT_FILE"

# -- talking to nodes ------------------------------------------------------------------

# TLS only (no plaintext port), checked against the cluster's CA; the node's own
# certificate is offered too, and verified (tls-auth-clients optional).
CLI_TLS=(--tls --cacert "$TLS_DIR/ca.crt" --cert "$TLS_DIR/node.crt" --key "$TLS_DIR/node.key")

rcli() {  # rcli IP PORT ARGS...
  local ip=$1 port=$2
  shift 2
  timeout 10 "$REDIS_CLI" --no-auth-warning "${CLI_TLS[@]}" -h "$ip" -p "$port" "$@"
}
info_field() {  # info_field IP PORT SECTION FIELD
  rcli "$1" "$2" INFO "$3" 2>/dev/null | tr -d '\r' | awk -F: -v f="$4" '$1 == f { print $2; exit }'
}
cluster_field() {  # cluster_field IP PORT FIELD
  rcli "$1" "$2" CLUSTER INFO 2>/dev/null | tr -d '\r' | awk -F: -v f="$3" '$1 == f { print $2; exit }'
}
answers() { [ "$(rcli "$1" "$2" PING 2>/dev/null | tr -d '\r')" = PONG ]; }

# CLUSTER NODES as "id ip:port flags master-id slot-count" lines (the cluster bus port and
# any announced hostname dropped).
cluster_nodes() {
  rcli "$1" "$2" CLUSTER NODES 2>/dev/null | tr -d '\r' | awk '{
    split($2, address, "@"); slots = 0
    for (i = 9; i <= NF; i++) {
      if ($i ~ /^\[/) continue
      n = split($i, range, "-"); slots += (n == 2 ? range[2] - range[1] + 1 : 1)
    }
    print $1, address[1], $3, $4, slots
  }'
}

wait_until() {  # wait_until SECONDS DESCRIPTION COMMAND...
  local deadline=$(( $(date +%s) + $1 )) description=$2
  shift 2
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || { log "gave up waiting ${description}"; return 1; }
    sleep "$POLL_SECONDS"
  done
}
