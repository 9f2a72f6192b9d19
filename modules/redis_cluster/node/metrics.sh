#!/usr/bin/env bash
# Every minute (a timer): what INFO and CLUSTER INFO say, as custom metrics.
#   per node (ClusterName, NodeName): RedisUp
#   per cluster (ClusterName; every node reports, alarms take the worst): ClusterStateOk,
#   SlotsNotOk, FailedNodes, ShardsMissingReplica, UsedMemoryPercent, ReplicationLagBytes,
#   MasterLinkDown
. "$(dirname "$0")/lib.sh"
load_auth

node="ClusterName=$CLUSTER_NAME,NodeName=$NODE_NAME"
cluster="ClusterName=$CLUSTER_NAME"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
metric() { echo "$1 $2 $3 $4" >>"$out"; }

if ! answers "$MY_IP" "$MY_PORT"; then
  metric RedisUp 0 Count "$node"
  publish_metrics "$out"
  exit 0
fi
metric RedisUp 1 Count "$node"
metric ClusterStateOk "$([ "$(cluster_field "$MY_IP" "$MY_PORT" cluster_state)" = ok ] && echo 1 || echo 0)" Count "$cluster"
metric SlotsNotOk $((TOTAL_SLOTS - $(cluster_field "$MY_IP" "$MY_PORT" cluster_slots_ok))) Count "$cluster"

# From this node's view of the cluster: failed nodes, and masters holding slots with fewer
# live replicas than the layout plans.
read -r failed missing < <(cluster_nodes "$MY_IP" "$MY_PORT" | awk -v want="${REPLICAS_PER_SHARD:-1}" '
  $3 ~ /fail/ && $3 !~ /fail\?/ { failed++ }
  $3 ~ /master/ && $3 !~ /fail/ && $5 > 0 { masters[$1] = 1 }
  $3 ~ /slave/ && $3 !~ /fail/ { replicas[$4]++ }
  END { for (m in masters) if (replicas[m] + 0 < want) missing++; print failed + 0, missing + 0 }')
metric FailedNodes "$failed" Count "$cluster"
metric ShardsMissingReplica "$missing" Count "$cluster"

used=$(info_field "$MY_IP" "$MY_PORT" memory used_memory)
limit=$(info_field "$MY_IP" "$MY_PORT" memory maxmemory)
[ "${limit:-0}" -gt 0 ] && metric UsedMemoryPercent "$((100 * used / limit))" Percent "$cluster"

if [ "$(info_field "$MY_IP" "$MY_PORT" replication role)" = master ]; then
  # slaveN:ip=..,port=..,state=online,offset=N,lag=S: bytes behind the master's offset.
  offset=$(info_field "$MY_IP" "$MY_PORT" replication master_repl_offset)
  lag=$(rcli "$MY_IP" "$MY_PORT" INFO replication | tr -d '\r' | awk -F'[:,=]' -v top="$offset" '
    $1 ~ /^slave[0-9]+$/ { for (i = 2; i < NF; i++) if ($i == "offset" && top - $(i + 1) > worst) worst = top - $(i + 1) }
    END { print worst + 0 }')
  metric ReplicationLagBytes "$lag" Bytes "$cluster"
else
  link=$(info_field "$MY_IP" "$MY_PORT" replication master_link_status)
  metric MasterLinkDown "$([ "$link" = up ] && echo 0 || echo 1)" Count "$cluster"
fi
publish_metrics "$out"
