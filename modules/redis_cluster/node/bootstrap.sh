#!/usr/bin/env bash
# EC2 only, from the user data at an instance's first boot (a replacement instance runs it
# again over the same data volume). Installs Redis and the CloudWatch agent, mounts the
# data volume, writes the systemd units that do the per-boot work, and starts them:
#   redis-cluster-configure  secret -> /run (tmpfs), redis.conf from the template
#   redis-cluster            redis-server on the data volume
#   redis-cluster-form       cluster.sh boot (the designated node forms; others join), and
#                            on the designated node a timer repeats it every 10 minutes
#   redis-cluster-backup     daily timer (replicas upload to S3)
#   redis-cluster-metrics    every minute (custom metrics)
# No internet: dnf reads the Amazon Linux repositories from S3 through the VPC's S3 gateway
# endpoint (the data tier's network ACL admits S3's address ranges for it).
set -euo pipefail
. /etc/redis-cluster/node.env
exec > >(tee -a /var/log/redis-cluster-bootstrap.log) 2>&1

retry() { local n; for n in 1 2 3 4 5; do "$@" && return 0; sleep $((n * 10)); done; return 1; }

# Redis: the image's own build if it has one (a hardened image), else the AL2023 package.
if ! command -v redis-server >/dev/null && ! command -v redis6-server >/dev/null && ! command -v valkey-server >/dev/null; then
  retry dnf install -y "$REDIS_PACKAGE"
fi
rpm -q amazon-cloudwatch-agent >/dev/null || retry dnf install -y amazon-cloudwatch-agent
server=$(command -v redis-server || command -v redis6-server || command -v valkey-server)
# TLS only (redis.conf.tmpl): say so here, not in a restart loop.
ldd "$server" | grep -q libssl || { echo "$server lacks TLS (BUILD_TLS=yes)"; exit 1; }
command -v openssl >/dev/null || retry dnf install -y openssl
id -u "$REDIS_USER" >/dev/null 2>&1 || useradd --system --home-dir "$DATA_DIR" --shell /sbin/nologin "$REDIS_USER"

# The data volume, attached after the instance starts: Nitro names it by its volume id.
device=""
for _ in $(seq 1 120); do
  for candidate in "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${DATA_VOLUME_ID/-/}" /dev/xvdf /dev/sdf; do
    [ -b "$candidate" ] && { device=$(readlink -f "$candidate"); break 2; }
  done
  sleep 5
done
[ -n "$device" ] || { echo "the data volume $DATA_VOLUME_ID never appeared"; exit 1; }
blkid "$device" >/dev/null || mkfs.xfs -L redis-data "$device"  # only an empty volume
uuid=$(blkid -s UUID -o value "$device")
mkdir -p "$DATA_DIR"
grep -q "$uuid" /etc/fstab || echo "UUID=$uuid $DATA_DIR xfs defaults,noatime,nofail 0 2" >>/etc/fstab
mountpoint -q "$DATA_DIR" || mount "$DATA_DIR"
# A replacement instance's user may get another uid than the one that wrote the volume.
chown -R "$REDIS_USER": "$DATA_DIR"
chmod 0750 "$DATA_DIR"
# Readable by the CloudWatch agent (its own user), written by the server.
install -d -o "$REDIS_USER" -m 0755 /var/log/redis-cluster

# Redis's own advice: no transparent huge pages (latency, fork memory), overcommit on
# (a fork for a snapshot must not fail for want of memory it will mostly never copy).
cat >/etc/sysctl.d/90-redis-cluster.conf <<'SYSCTL'
vm.overcommit_memory = 1
net.core.somaxconn = 1024
SYSCTL
sysctl --system >/dev/null

unit() { cat >"/etc/systemd/system/$1"; }
unit redis-cluster-configure.service <<UNIT
[Unit]
Description=Redis Cluster: AUTH secret and redis.conf
After=network-online.target
Wants=network-online.target
RequiresMountsFor=$DATA_DIR
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStartPre=-/bin/sh -c 'echo never >/sys/kernel/mm/transparent_hugepage/enabled'
ExecStart=/opt/redis-cluster/configure.sh
Restart=on-failure
RestartSec=15
UNIT
unit redis-cluster.service <<UNIT
[Unit]
Description=Redis Cluster node $NODE_NAME
Requires=redis-cluster-configure.service
After=redis-cluster-configure.service
RequiresMountsFor=$DATA_DIR
[Service]
User=$REDIS_USER
ExecStart=$server $REDIS_CONF
LimitNOFILE=65535
Restart=always
RestartSec=2
[Install]
WantedBy=multi-user.target
UNIT
unit redis-cluster-form.service <<UNIT
[Unit]
Description=Redis Cluster formation and repair (cluster.sh boot)
Requires=redis-cluster.service
After=redis-cluster.service
[Service]
Type=oneshot
ExecStart=/opt/redis-cluster/cluster.sh boot
Restart=on-failure
RestartSec=30
[Install]
WantedBy=multi-user.target
UNIT
timer() {  # timer NAME CALENDAR-OR-INTERVAL DESCRIPTION
  unit "$1.service" <<UNIT
[Unit]
Description=$3
Requires=redis-cluster.service
After=redis-cluster.service
[Service]
Type=oneshot
ExecStart=/opt/redis-cluster/${4:-}
UNIT
  unit "$1.timer" <<UNIT
[Unit]
Description=$3
[Timer]
$2
[Install]
WantedBy=timers.target
UNIT
}
timer redis-cluster-backup "OnCalendar=*-*-* $BACKUP_HOUR_UTC:00:00 UTC
RandomizedDelaySec=15m
Persistent=true" "Redis Cluster backup to S3" backup.sh
timer redis-cluster-metrics "OnBootSec=2min
OnUnitActiveSec=1min" "Redis Cluster custom metrics" metrics.sh
timer redis-cluster-repair "OnBootSec=15min
OnUnitActiveSec=10min" "Redis Cluster formation and repair, again" "cluster.sh form"

systemctl daemon-reload
systemctl enable --now redis-cluster.service
systemctl enable --now redis-cluster-metrics.timer redis-cluster-backup.timer
[ "$NODE_NAME" != "$DESIGNATED_NODE" ] || systemctl enable --now redis-cluster-repair.timer
systemctl enable redis-cluster-form.service
systemctl start --no-block redis-cluster-form.service

# The CloudWatch agent: memory, disk, the redis-server process, and Redis's log.
sed -e "s|@LOG_GROUP@|$LOG_GROUP|" -e "s|@DATA_DIR@|$DATA_DIR|" -e "s|@CLUSTER_NAME@|$CLUSTER_NAME|" \
  /opt/redis-cluster/cloudwatch-agent.json >/opt/aws/amazon-cloudwatch-agent/etc/redis-cluster.json
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s \
  -c file:/opt/aws/amazon-cloudwatch-agent/etc/redis-cluster.json
echo "bootstrap of $NODE_NAME done"
