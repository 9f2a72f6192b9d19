#!/usr/bin/env bash
# Daily, on every node (a timer): a replica snapshots (BGSAVE), waits for the snapshot to
# finish, and uploads the RDB and the append-only file (for point-in-time recovery) under
# its shard, named by its master's slots. A master does nothing: its replicas back it up.
# Keys: <tier>/<shard>/<UTC time>-<node>/dump.rdb and .../aof/<the AOF files>, where tier
# is monthly on the 1st, weekly on Sundays, daily otherwise (the bucket's lifecycle keeps
# each tier its own time; one copy a day, under the longest tier that day is due).
. "$(dirname "$0")/lib.sh"
load_auth

BACKUP_WAIT_SECONDS=${BACKUP_WAIT_SECONDS:-1800}

[ "$(info_field "$MY_IP" "$MY_PORT" replication role)" = slave ] || { log "a master: its replicas back it up"; exit 0; }
[ "$(info_field "$MY_IP" "$MY_PORT" replication master_link_status)" = up ] || die "not in sync with the master"

# The shard is named by its master's slot ranges ("slots-0-5460"): a name that stays true
# whichever node is master when the backup is restored.
shard=$(rcli "$MY_IP" "$MY_PORT" CLUSTER NODES | tr -d '\r' | awk '
  $3 ~ /myself/ { master = $4 } { line[$1] = $0 }
  END { n = split(line[master], f, " "); for (i = 9; i <= n; i++) if (f[i] !~ /^\[/) s = s (s ? "_" : "slots-") f[i]; print s }')
[ -n "$shard" ] || die "cannot tell the shard: this replica's master holds no slots"

if [ -n "${BACKUP_TIER:-}" ]; then tier=$BACKUP_TIER
elif [ "$(date -u +%d)" = 01 ]; then tier=monthly
elif [ "$(date -u +%u)" = 7 ]; then tier=weekly
else tier=daily
fi

before=$(rcli "$MY_IP" "$MY_PORT" LASTSAVE)
# SCHEDULE: if a save (a replica sync, an AOF rewrite) is running, start right after it.
rcli "$MY_IP" "$MY_PORT" BGSAVE SCHEDULE >/dev/null
snapshot_done() {
  [ "$(rcli "$MY_IP" "$MY_PORT" LASTSAVE)" -gt "$before" ] &&
    [ "$(info_field "$MY_IP" "$MY_PORT" persistence rdb_bgsave_in_progress)" = 0 ]
}
# LASTSAVE has a one-second resolution: a save finishing in the second of the last one
# would go unseen, so the wait starts a second later.
sleep 1
wait_until "$BACKUP_WAIT_SECONDS" "for the snapshot" snapshot_done || die "the snapshot did not finish"
[ "$(info_field "$MY_IP" "$MY_PORT" persistence rdb_last_bgsave_status)" = ok ] || die "the snapshot failed"

# Stage on the data volume first: the RDB is replaced atomically by the next save, and the
# AOF keeps growing while it is read; the staged AOF's last command may be cut off, which
# the checker repairs in the copy (never in the live file).
stage=$(mktemp -d "$DATA_DIR/backup.XXXXXX")
trap 'rm -rf "$stage"' EXIT
cp "$DATA_DIR/dump.rdb" "$stage/dump.rdb"
aof_dir=$(rcli "$MY_IP" "$MY_PORT" CONFIG GET appenddirname 2>/dev/null | tr -d '\r' | sed -n 2p)
mkdir "$stage/aof"
if [ -n "$aof_dir" ] && [ -d "$DATA_DIR/$aof_dir" ]; then  # Redis 7: a manifest and its files
  cp "$DATA_DIR/$aof_dir"/* "$stage/aof/"
  aof_entry=$(ls "$stage/aof/"*.manifest)
else  # Redis 6: one file
  cp "$DATA_DIR/appendonly.aof" "$stage/aof/"
  aof_entry="$stage/aof/appendonly.aof"
fi
if [ -n "$REDIS_CHECK_AOF" ] && ! "$REDIS_CHECK_AOF" "$aof_entry" >/dev/null 2>&1; then
  echo y | "$REDIS_CHECK_AOF" --fix "$aof_entry" >/dev/null 2>&1 || die "the staged AOF cannot be repaired"
  log "the staged AOF ended mid-command: truncated to its last whole command"
fi

prefix="$tier/$shard/$(date -u +%Y%m%dT%H%M%SZ)-$NODE_NAME"
upload_file "$stage/dump.rdb" "$prefix/dump.rdb"
for file in "$stage/aof/"*; do upload_file "$file" "$prefix/aof/${file##*/}"; done
log "uploaded $prefix (RDB and AOF of shard $shard)"
echo "$prefix"
