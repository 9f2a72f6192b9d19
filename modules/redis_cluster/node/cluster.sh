#!/usr/bin/env bash
# Cluster formation and repair, safe to run any number of times.
#   cluster.sh form   on the designated node (node-0): at boot and on a timer
#   cluster.sh join   on every other node at boot: only attaches this node when it is empty
#   cluster.sh boot   picks one of the two by NODE_NAME
# form: waits (bounded) for every peer; if no node holds a slot, creates the masters of
# the layout and attaches each replica to its planned master (always in another zone);
# otherwise attaches every empty node (a replaced one) as a replica of a master in another
# zone, hands each planned master its role back once its replica has caught up, and does
# nothing at all when the cluster already matches the plan. It then verifies the result.
. "$(dirname "$0")/lib.sh"
load_auth

PEER_WAIT_SECONDS=${PEER_WAIT_SECONDS:-600}
SETTLE_SECONDS=${SETTLE_SECONDS:-120}
changed=0

# "name ip port zone role master" of the layout nodes that answer; probed once per run
# after the wait for peers (an unreachable address costs redis-cli's whole timeout).
probe_nodes() {
  local name ip port zone role master
  layout | while read -r name ip port zone role master; do
    if answers "$ip" "$port"; then echo "$name $ip $port $zone $role $master"; fi
  done
}
REACHABLE=""
reachable_nodes() { if [ -n "$REACHABLE" ]; then echo "$REACHABLE"; else probe_nodes; fi; }
all_answer() { [ "$(probe_nodes | wc -l)" -eq "$(layout | wc -l)" ]; }
lonely() { [ "$(cluster_field "$1" "$2" cluster_known_nodes)" = 1 ] && [ "$(cluster_field "$1" "$2" cluster_slots_assigned)" = 0 ]; }

# A node that holds slots, preferring one that sees the cluster ok: "ip port", or nothing.
find_seed() {
  local name ip port rest best=""
  while read -r name ip port rest; do
    [ "$(cluster_field "$ip" "$port" cluster_slots_assigned)" -gt 0 ] || continue
    if [ "$(cluster_field "$ip" "$port" cluster_state)" = ok ]; then echo "$ip $port"; return 0; fi
    [ -n "$best" ] || best="$ip $port"
  done < <(reachable_nodes)
  [ -z "$best" ] || echo "$best"
}

create_masters() {
  local masters=() name ip port zone role master
  while read -r name ip port zone role master; do
    [ "$role" = master ] && masters+=("$ip:$port")
    lonely "$ip" "$port" || die "$name already belongs to a cluster but no node holds a slot: refusing to create one"
    [ "$(rcli "$ip" "$port" DBSIZE)" = 0 ] || die "$name holds keys outside any cluster: refusing to create one"
  done < <(layout)
  log "creating the masters ${masters[*]}"
  timeout 120 "$REDIS_CLI" --no-auth-warning "${CLI_TLS[@]}" --cluster create "${masters[@]}" --cluster-replicas 0 --cluster-yes >&2
  changed=1
}

# Forget, on every member, the previous node at this address: a node replaced with an
# empty volume comes back with a new id at the old address, and the members then either
# still list the old id there or, once the new node answered in its place, list it
# without an address ("noaddr"). Never a node that holds slots.
forget_stale() {  # forget_stale SEED_IP SEED_PORT ADDRESS NEW_ID
  local id address flags master slots name ip port rest
  while read -r id address flags master slots; do
    { [ "$address" = "$3" ] || [[ $flags == *noaddr* ]]; } && [ "$id" != "$4" ] && [ "$slots" = 0 ] || continue
    while read -r name ip port rest; do
      [ "$ip:$port" = "$3" ] && continue
      rcli "$ip" "$port" CLUSTER FORGET "$id" >/dev/null 2>&1 || true
    done < <(reachable_nodes)
    log "forgot $id, the previous node at $address"
  done < <(cluster_nodes "$1" "$2")
}

# The master an empty node in ZONE should follow: its planned master when that is a master
# now, else the master (in another zone) with the fewest replicas. Prints "id".
choose_master() {  # choose_master SEED_IP SEED_PORT ZONE PLANNED_MASTER_NAME
  local view
  view=$(cluster_nodes "$1" "$2")
  echo "$view" | awk -v zone="$3" -v planned="$4" -v layout="$(layout)" '
    BEGIN { n = split(layout, lines, "\n"); for (i = 1; i <= n; i++) { split(lines[i], f, " "); z[f[2] ":" f[3]] = f[4]; nm[f[2] ":" f[3]] = f[1] } }
    { id[NR] = $1; addr[NR] = $2; flags[NR] = $3; master[NR] = $4; slots[NR] = $5 }
    $3 ~ /slave/ && $3 !~ /fail/ { replicas[$4]++ }
    END {
      best = ""
      for (i = 1; i <= NR; i++) {
        if (flags[i] !~ /master/ || flags[i] ~ /fail/ || slots[i] == 0 || z[addr[i]] == "" || z[addr[i]] == zone) continue
        if (nm[addr[i]] == planned) { print id[i]; exit }
        if (best == "" || replicas[id[i]] + 0 < fewest) { best = id[i]; fewest = replicas[id[i]] + 0 }
      }
      if (best != "") print best
    }'
}

attach() {  # attach NAME IP PORT ZONE PLANNED_MASTER  (an empty node becomes a replica)
  local my_id master_id seed_ip seed_port
  read -r seed_ip seed_port <<<"$SEED"
  my_id=$(rcli "$2" "$3" CLUSTER MYID | tr -d '\r')
  forget_stale "$seed_ip" "$seed_port" "$2:$3" "$my_id"
  rcli "$2" "$3" CLUSTER MEET "$seed_ip" "$seed_port" >/dev/null
  wait_until "$SETTLE_SECONDS" "for $1 to join" seen_by_seed "$my_id" || return 1
  master_id=$(choose_master "$seed_ip" "$seed_port" "$4" "$5")
  [ -n "$master_id" ] || { log "no master outside $4 for $1 to follow"; return 1; }
  wait_until "$SETTLE_SECONDS" "for $1 to learn of $master_id" knows "$2" "$3" "$master_id" || return 1
  rcli "$2" "$3" CLUSTER REPLICATE "$master_id" >/dev/null
  wait_until "$SETTLE_SECONDS" "for the cluster to see $1 as a replica" seen_as_replica "$my_id" || return 1
  log "attached $1 ($4) as a replica of $master_id"
  changed=1
}
seen_by_seed() { cluster_nodes $SEED | awk -v id="$1" '$1 == id && $3 !~ /handshake/ { found = 1 } END { exit !found }'; }
seen_as_replica() { cluster_nodes $SEED | awk -v id="$1" '$1 == id && $3 ~ /slave/ { found = 1 } END { exit !found }'; }
knows() { cluster_nodes "$1" "$2" | awk -v id="$3" '$1 == id && $3 ~ /master/ { found = 1 } END { exit !found }'; }

attach_empty_nodes() {  # attach_empty_nodes [ONLY_NAME]
  local name ip port zone role master
  while read -r name ip port zone role master; do
    [ -z "${1:-}" ] || [ "$name" = "$1" ] || continue
    lonely "$ip" "$port" || continue
    attach "$name" "$ip" "$port" "$zone" "$master"
  done < <(reachable_nodes)
}

# A planned master that is a replica now (its old replica took over while it was away)
# takes its role back with a coordinated failover, which waits for it to have every write.
restore_planned_masters() {
  local name ip port zone role master
  while read -r name ip port zone role master; do
    [ "$role" = master ] || continue
    [ "$(info_field "$ip" "$port" replication role)" = slave ] || continue
    [ "$(info_field "$ip" "$port" replication master_link_status)" = up ] || { log "$name is not in sync yet"; continue; }
    log "handing $name its master role back (CLUSTER FAILOVER)"
    rcli "$ip" "$port" CLUSTER FAILOVER >/dev/null
    wait_until "$SETTLE_SECONDS" "for $name to become master" is_master "$ip" "$port" || return 1
    changed=1
  done < <(reachable_nodes)
}
is_master() { [ "$(info_field "$1" "$2" replication role)" = master ]; }

cluster_ok() {
  local ip port
  read -r ip port <<<"$SEED"
  [ "$(cluster_field "$ip" "$port" cluster_state)" = ok ] && [ "$(cluster_field "$ip" "$port" cluster_slots_ok)" = "$TOTAL_SLOTS" ]
}
all_in_cluster() {  # every reachable layout node is a full member in the seed's view
  local view name ip port rest
  view=$(cluster_nodes $SEED)
  while read -r name ip port rest; do
    echo "$view" | awk -v a="$ip:$port" '$2 == a && $3 !~ /handshake|fail|noaddr/ { found = 1 } END { exit !found }' || return 1
  done < <(reachable_nodes)
}
replicas_synced() {  # every reachable replica has a live link to its master
  local name ip port rest
  while read -r name ip port rest; do
    [ "$(info_field "$ip" "$port" replication role)" = master ] && continue
    [ "$(info_field "$ip" "$port" replication master_link_status)" = up ] || return 1
  done < <(reachable_nodes)
}

views_agree() {  # the seed's view gives each reachable node the role the node reports itself
  local view name ip port rest role
  view=$(cluster_nodes $SEED)
  while read -r name ip port rest; do
    role=$(info_field "$ip" "$port" replication role)
    echo "$view" | awk -v a="$ip:$port" -v r="$role" '$2 == a && $3 ~ r { found = 1 } END { exit !found }' || return 1
  done < <(reachable_nodes)
}

verify() {
  local problems=0 id address flags master slots master_address
  wait_until "$SETTLE_SECONDS" "for cluster_state ok on every slot" cluster_ok || problems=1
  wait_until "$SETTLE_SECONDS" "for every reachable node to be a member" all_in_cluster || problems=1
  wait_until "$SETTLE_SECONDS" "for every replica to sync" replicas_synced || problems=1
  wait_until "$SETTLE_SECONDS" "for the cluster's view to agree with every node's role" views_agree || problems=1
  # shellcheck disable=SC2086
  timeout 60 "$REDIS_CLI" --no-auth-warning "${CLI_TLS[@]}" --cluster check ${SEED/ /:} >/dev/null || { log "redis-cli --cluster check failed"; problems=1; }
  local view
  view=$(cluster_nodes $SEED)
  while read -r id address flags master slots; do
    [[ $flags == *slave* && $flags != *fail* ]] || continue
    master_address=$(echo "$view" | awk -v m="$master" '$1 == m { print $2 }')
    if [ "$(zone_of_address "$address")" = "$(zone_of_address "$master_address")" ]; then
      log "replica $address follows $master_address in the same zone"
      problems=1
    fi
  done <<<"$view"
  [ "$problems" = 0 ] || die "the cluster does not match the plan yet (see above)"
  log "verified: every slot served, every node a member, every replica in another zone than its master"
}

form() {
  wait_until "$PEER_WAIT_SECONDS" "for every node of the layout to answer" all_answer || true
  REACHABLE=$(probe_nodes)
  SEED=$(find_seed)
  if [ -z "$SEED" ]; then
    [ "$(echo "$REACHABLE" | wc -l)" -eq "$(layout | wc -l)" ] ||
      die "no node holds a slot and not every node answers: not creating a cluster with nodes missing"
    create_masters
    SEED="$MY_IP $MY_PORT"
    wait_until "$SETTLE_SECONDS" "for the new cluster to be ok" cluster_ok || die "the new cluster did not settle"
  fi
  attach_empty_nodes
  cluster_ok && restore_planned_masters
  verify
  [ "$changed" = 1 ] && log "changes made" || log "the cluster already matched the plan: nothing changed"
}

join() {
  lonely "$MY_IP" "$MY_PORT" || { log "already a cluster member: nothing to do"; return 0; }
  SEED=$(find_seed)
  [ -n "$SEED" ] || { log "no cluster yet: the designated node forms it"; return 0; }
  attach_empty_nodes "$NODE_NAME"
}

case "${1:-}" in
  form) form ;;
  join) join ;;
  boot) if [ "$NODE_NAME" = "${DESIGNATED_NODE:-node-0}" ]; then form; else join; fi ;;
  *) die "usage: cluster.sh form|join|boot" ;;
esac
