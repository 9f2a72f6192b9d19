#!/usr/bin/env bash
# Before redis-server starts, on every boot: the AUTH password from its secret into a
# file only the server's user reads (on tmpfs on EC2, so it never reaches a disk); the
# cluster's CA certificate and a new certificate of this node, signed by that CA, beside
# it (see "TLS" below); and redis.conf rendered from the template with this node's settings.
. "$(dirname "$0")/lib.sh"

# During a rotation of the password (auth.sh) the node accepts both of the window's
# passwords and replicates with AWSCURRENT, which every node accepts at every step.
# (A command substitution, not <(...): a refused secret must stop the boot.)
accepted=$(accepted_passwords)
mapfile -t passwords <<<"$accepted"
write_auth_conf "${passwords[0]}" "${passwords[@]}"
[ "${#passwords[@]}" -eq 1 ] || log "a rotation of the AUTH password is under way: accepting both of its passwords"
umask 077

# -- TLS (README: "In transit"): the cluster's CA from its store, made by the designated
# node when the store is empty (the others wait), then a certificate of this node's own,
# for its address, as server and client. The CA's key is on tmpfs only while signing.
CA_WAIT_SECONDS=${CA_WAIT_SECONDS:-600}
designated=${DESIGNATED_NODE:-node-0}
install -d -m 0700 "$TLS_DIR"
ca=$TLS_DIR/ca-bundle.pem
trap 'rm -f "$ca" "$ca".* "$TLS_DIR"/node.csr "$TLS_DIR"/node.ext' EXIT
new_key() { openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "$@" 2>/dev/null; }
fetch_ca() { read_ca_bundle >"$ca.new" && [ -s "$ca.new" ] && mv "$ca.new" "$ca"; }
if ! fetch_ca; then
  if [ "$NODE_NAME" = "$designated" ]; then
    # 20 years: renewing it means rolling every node and client (README).
    new_key -x509 -days 7300 -subj "/CN=$CLUSTER_NAME Redis Cluster CA" -keyout "$ca.key" -out "$ca.crt" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
    cat "$ca.key" "$ca.crt" >"$ca"
    store_ca_bundle "$ca"
    log "created the cluster's CA"
  else
    wait_until "$CA_WAIT_SECONDS" "for $designated to create the cluster's CA" fetch_ca || die "no CA in the store"
  fi
fi
openssl x509 -in "$ca" -out "$TLS_DIR/ca.crt" || die "the CA store holds no certificate"
if [ "$NODE_NAME" = "$designated" ] && [ "$(read_ca_certificate)" != "$(cat "$TLS_DIR/ca.crt")" ]; then
  publish_ca_certificate "$TLS_DIR/ca.crt"  # the clients' copy: no key
  log "published the CA certificate"
fi
san="IP:$MY_IP"
[ "$MY_IP" = 127.0.0.1 ] || san="$san,IP:127.0.0.1"
printf '%s\n' "subjectAltName=$san" basicConstraints=critical,CA:FALSE keyUsage=critical,digitalSignature \
  extendedKeyUsage=serverAuth,clientAuth >"$TLS_DIR/node.ext"
new_key -new -subj "/CN=$NODE_NAME.$CLUSTER_NAME" -keyout "$TLS_DIR/node.key.new" -out "$TLS_DIR/node.csr"
# Renewed at every boot: 10 years outlasts any running instance.
openssl x509 -req -in "$TLS_DIR/node.csr" -CA "$TLS_DIR/ca.crt" -CAkey "$ca" -days 3650 \
  -set_serial "0x$(openssl rand -hex 16)" -extfile "$TLS_DIR/node.ext" -out "$TLS_DIR/node.crt.new" 2>/dev/null ||
  die "signing this node's certificate failed"
rm -f "$ca"
mv "$TLS_DIR/node.key.new" "$TLS_DIR/node.key"
mv "$TLS_DIR/node.crt.new" "$TLS_DIR/node.crt"
[ -z "${REDIS_USER:-}" ] || chown -R "$REDIS_USER" "$TLS_DIR"
log "issued $NODE_NAME's certificate for $san"

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
  -e "s|@TLS_DIR@|$TLS_DIR|" \
  "${REDIS_CONF_TEMPLATE:-$(dirname "$0")/redis.conf.tmpl}" >"$REDIS_CONF.new"
[ -z "${REDIS_USER:-}" ] || chgrp "$REDIS_USER" "$REDIS_CONF.new"
mv "$REDIS_CONF.new" "$REDIS_CONF"
log "rendered $REDIS_CONF (maxmemory ${MAXMEMORY_MB}mb, $MAXMEMORY_POLICY)"
