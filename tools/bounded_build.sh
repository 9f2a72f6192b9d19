# Shared by tools/ensure_provider.sh and tools/ensure_tofu.sh (sourced, not run): a Go
# build that must never fail its caller, bounded in time, with the reason it could not
# run written where the provider-backed tier reads it (NOT RUN with that reason).

# Where both keep their builds, and the provider mirror both read.
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/chat-infra"
MIRROR="${CHAT_INFRA_PROVIDER_MIRROR:-$CACHE/terraform-plugins}"

# not_run STATUS_FILE LABEL REASON: record why, say it on one line, end the caller with 0.
not_run() {
  mkdir -p "$(dirname "$1")"
  echo "$3" > "$1"
  echo "$2: NOT RUN: $3"
  exit 0
}

# run_bounded SECONDS LOG COMMAND...: run COMMAND (output to LOG) in its own process group,
# so the time limit stops go and its compilers too; TERM at the limit, KILL 30 s later.
# Sets BUILD_STATUS (COMMAND's exit code), BUILD_TIMED_OUT (1 or 0), BUILD_MINUTES.
run_bounded() {
  local limit="$1" log="$2"
  shift 2
  local started marker
  started=$(date +%s)
  marker=$(mktemp)
  rm -f "$marker"
  setsid "$@" > "$log" 2>&1 &
  local build=$!
  # The watchdog in its own process group too: stopping it then stops its sleep as well.
  setsid bash -c 'sleep "$0" && touch "$1" && kill -TERM -- "-$2" 2>/dev/null \
    && sleep 30 && kill -KILL -- "-$2" 2>/dev/null' "$limit" "$marker" "$build" &
  local watchdog=$!
  wait "$build"
  BUILD_STATUS=$?
  kill -- "-$watchdog" 2>/dev/null
  wait "$watchdog" 2>/dev/null
  BUILD_MINUTES=$(( ($(date +%s) - started) / 60 ))
  BUILD_TIMED_OUT=0
  if [ -f "$marker" ]; then
    BUILD_TIMED_OUT=1
    rm -f "$marker"
  fi
}

# build_failure_reason STATUS LOG: a short reason for a non-zero exit of a build.
build_failure_reason() {
  case "$1" in
    137) echo "it was killed (SIGKILL: out of memory?)" ;;
    3) echo "the Go module proxy does not serve the version the build asked for" ;;
    *) echo "exit $1: $(grep -v '^ *$' "$2" | tail -1)" ;;
  esac
}

# require_build_resources STATUS_FILE LABEL WHAT MEMORY_GB DISK_GB: NOT RUN (see not_run)
# unless go is on PATH and the memory and the disk under $CACHE the build of WHAT needs are free.
require_build_resources() {
  local status="$1" label="$2" what="$3" memory_gb="$4" disk_gb="$5" available_kb free_kb
  command -v go >/dev/null || not_run "$status" "$label" "go is not on PATH; $what is built from Go sources"
  available_kb=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
  if [ "$(( available_kb / 1048576 ))" -lt "$memory_gb" ]; then
    not_run "$status" "$label" "only $(( available_kb / 1048576 )) GB of memory available; building $what needs $memory_gb GB"
  fi
  free_kb=$(df -Pk "$CACHE" | awk 'NR == 2 { print $4 }')
  if [ "$(( free_kb / 1048576 ))" -lt "$disk_gb" ]; then
    not_run "$status" "$label" "only $(( free_kb / 1048576 )) GB free under $CACHE; building $what needs $disk_gb GB"
  fi
}
