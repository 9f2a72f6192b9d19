#!/usr/bin/env bash
# Before redis-server starts, on every boot: the AUTH password from its secret into a
# file only the server's user reads (on tmpfs on EC2, so it never reaches a disk), and
# redis.conf rendered from the template with this node's settings.
. "$(dirname "$0")/lib.sh"

password=$(read_auth_secret)
case "$password" in
  "" | *[!A-Za-z0-9]*) die "the AUTH secret must be letters and digits only (it is generated without punctuation)" ;;
esac
umask 077
install -d -m 0700 "$(dirname "$AUTH_CONF")"
printf 'requirepass %s\nmasterauth %s\n' "$password" "$password" >"$AUTH_CONF.new"
mv "$AUTH_CONF.new" "$AUTH_CONF"
[ -z "${REDIS_USER:-}" ] || chown "$REDIS_USER" "$AUTH_CONF" "$(dirname "$AUTH_CONF")"

bind=$MY_IP
[ "$MY_IP" = 127.0.0.1 ] || bind="$MY_IP 127.0.0.1"
install -d -m 0750 "$DATA_DIR"
umask 027
sed -e "s|@BIND@|$bind|" \
  -e "s|@PORT@|$MY_PORT|" \
  -e "s|@DATA_DIR@|$DATA_DIR|" \
  -e "s|@LOG_FILE@|${REDIS_LOG_FILE:-}|" \
  -e "s|@NODE_TIMEOUT_MS@|${CLUSTER_NODE_TIMEOUT_MS:-5000}|" \
  -e "s|@MAXMEMORY_MB@|$MAXMEMORY_MB|" \
  -e "s|@MAXMEMORY_POLICY@|$MAXMEMORY_POLICY|" \
  -e "s|@AUTH_CONF@|$AUTH_CONF|" \
  "${REDIS_CONF_TEMPLATE:-$(dirname "$0")/redis.conf.tmpl}" >"$REDIS_CONF.new"
[ -z "${REDIS_USER:-}" ] || chgrp "$REDIS_USER" "$REDIS_CONF.new"
mv "$REDIS_CONF.new" "$REDIS_CONF"
log "rendered $REDIS_CONF (maxmemory ${MAXMEMORY_MB}mb, $MAXMEMORY_POLICY)"
