#!/usr/bin/env bash
# Before redis-server starts, on every boot: the AUTH password from its secret into a
# file only the server's user reads (on tmpfs on EC2, so it never reaches a disk); the
# cluster's CA certificate and a new certificate of this node, signed by that CA, beside
# it (see "TLS" below); and redis.conf rendered from the template with this node's settings.
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

# -- TLS ------------------------------------------------------------------------------
# The cluster's CA lives in a store only the nodes read (on EC2 a KMS-encrypted secret that
# Terraform creates without a value, so no key is in any plan or state). The designated
# node makes it when the store is empty; the others wait for it. Every node then signs a
# certificate of its own, at every boot, for its address (clients connect by IP and check
# it), usable as server and as client (replication and the cluster bus are TLS both ways).
# The CA's key is on tmpfs only while signing.
CA_WAIT_SECONDS=${CA_WAIT_SECONDS:-600}
# Certificates are renewed at every boot, so their lifetime only has to outlast a running
# instance: 10 years for a node, 20 for the CA (rotating it: README, "In transit").
NODE_CERT_DAYS=3650
CA_CERT_DAYS=7300
install -d -m 0700 "$TLS_DIR"
ca_bundle=$TLS_DIR/ca-bundle.pem
trap 'rm -f "$ca_bundle" "$ca_bundle.new" "$TLS_DIR/node.csr" "$TLS_DIR/node.ext"' EXIT

fetch_ca_bundle() {
  read_ca_bundle >"$ca_bundle.new"
  [ -s "$ca_bundle.new" ] && mv "$ca_bundle.new" "$ca_bundle"
}
create_ca_bundle() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$CA_CERT_DAYS" \
    -subj "/CN=$CLUSTER_NAME Redis Cluster CA" -keyout "$ca_bundle.key" -out "$ca_bundle.crt" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  cat "$ca_bundle.key" "$ca_bundle.crt" >"$ca_bundle"
  rm -f "$ca_bundle.key" "$ca_bundle.crt"
  store_ca_bundle "$ca_bundle"
  log "created the cluster's CA"
}
if ! fetch_ca_bundle; then
  if [ "$NODE_NAME" = "${DESIGNATED_NODE:-node-0}" ]; then
    create_ca_bundle
  else
    wait_until "$CA_WAIT_SECONDS" "for ${DESIGNATED_NODE:-node-0} to create the cluster's CA" fetch_ca_bundle ||
      die "no CA in the store after ${CA_WAIT_SECONDS} s"
  fi
fi
openssl x509 -in "$ca_bundle" -out "$TLS_DIR/ca.crt" || die "the CA store holds no certificate"
# The clients' copy of the certificate (no key), kept equal to the nodes' by the node that made it.
if [ "$NODE_NAME" = "${DESIGNATED_NODE:-node-0}" ] && [ "$(read_ca_certificate)" != "$(cat "$TLS_DIR/ca.crt")" ]; then
  publish_ca_certificate "$TLS_DIR/ca.crt"
  log "published the CA certificate for the clients"
fi

addresses="IP:$MY_IP"
[ "$MY_IP" = 127.0.0.1 ] || addresses="$addresses,IP:127.0.0.1"
printf '%s\n' "subjectAltName = $addresses" "basicConstraints = critical,CA:FALSE" \
  "keyUsage = critical,digitalSignature" "extendedKeyUsage = serverAuth,clientAuth" >"$TLS_DIR/node.ext"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$NODE_NAME.$CLUSTER_NAME" \
  -keyout "$TLS_DIR/node.key.new" -out "$TLS_DIR/node.csr" 2>/dev/null
openssl x509 -req -in "$TLS_DIR/node.csr" -CA "$TLS_DIR/ca.crt" -CAkey "$ca_bundle" \
  -set_serial "0x$(openssl rand -hex 16)" -days "$NODE_CERT_DAYS" -extfile "$TLS_DIR/node.ext" \
  -out "$TLS_DIR/node.crt.new" 2>/dev/null || die "signing this node's certificate failed"
rm -f "$ca_bundle"
mv "$TLS_DIR/node.key.new" "$TLS_DIR/node.key"
mv "$TLS_DIR/node.crt.new" "$TLS_DIR/node.crt"
[ -z "${REDIS_USER:-}" ] || chown -R "$REDIS_USER" "$TLS_DIR"
log "issued $NODE_NAME's certificate for $addresses"

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
