#!/usr/bin/env bash
# Rotating the AUTH password with a window in which every node accepts the old and the new
# one, so no client is refused (ops/rotate_cache_auth.py runs these on every node through
# SSM Run Command, in this order; each is idempotent):
#   open       accept the window's passwords (lib.sh accepted_passwords: AWSCURRENT and
#              AWSPENDING, or after the promotion AWSCURRENT and AWSPREVIOUS)
#   replicate  replicate with AWSPENDING (CONFIG SET masterauth), only once every node of
#              the layout accepts it
#   close      accept AWSCURRENT only, only once AWSPENDING has been promoted to AWSCURRENT
#   check      print what this node accepts: "<label> accepted|refused" per staged version,
#              "masterauth <label>|other", "cluster_state <state>"
# The passwords come from the AUTH secret's staging labels (lib.sh read_auth_secret,
# read_staged_auth_secret); none is ever on a command line or in the output.
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: ${0##*/} open|replicate|close|check" >&2; exit 2; }
[ $# -eq 1 ] || usage

# The first of the given passwords this node accepts, to administer it with.
accepted_by() {  # accepted_by IP PORT PASSWORD...
  local ip=$1 port=$2 password
  shift 2
  for password in "$@"; do
    [ "$(REDISCLI_AUTH=$password rcli "$ip" "$port" PING 2>/dev/null | tr -d '\r')" != PONG ] || {
      printf '%s\n' "$password"
      return 0
    }
  done
  return 1
}

current=$(read_auth_secret)
require_plain_password "$current" "AUTH secret (AWSCURRENT)"
pending=$(read_staged_auth_secret AWSPENDING)
[ -z "$pending" ] || require_plain_password "$pending" "pending AUTH secret (AWSPENDING)"
previous=$(read_staged_auth_secret AWSPREVIOUS)
[ -z "$previous" ] || require_plain_password "$previous" "previous AUTH secret (AWSPREVIOUS)"

admin=$(accepted_by "$MY_IP" "$MY_PORT" "$current" ${pending:+"$pending"} ${previous:+"$previous"}) ||
  die "this node accepts none of the AUTH secret's passwords (or does not answer)"
# Commands go to redis-cli on its standard input: a password in them never shows in ps.
as_admin() { printf '%s\n' "$*" | REDISCLI_AUTH=$admin rcli "$MY_IP" "$MY_PORT" | tr -d '\r'; }
set_default_user() {  # set_default_user PASSWORD...: exactly these, nothing else
  local rule="ACL SETUSER default on resetpass" password
  for password in "$@"; do rule+=" >$password"; done
  [ "$(as_admin "$rule ~* &* +@all")" = OK ] || die "ACL SETUSER default refused"
}
set_masterauth() { [ "$(as_admin "CONFIG SET masterauth $1")" = OK ] || die "CONFIG SET masterauth refused"; }
masterauth() { as_admin CONFIG GET masterauth | sed -n 2p; }

case "$1" in
  open)
    [ -n "$pending" ] || die "no AWSPENDING version of the AUTH secret: nothing to open"
    accepted=$(accepted_passwords)
    mapfile -t passwords <<<"$accepted"
    set_default_user "${passwords[@]}"
    write_auth_conf "$(masterauth)" "${passwords[@]}"
    log "accepts the rotation's ${#passwords[@]} passwords"
    ;;
  replicate)
    [ -n "$pending" ] || die "no AWSPENDING version of the AUTH secret: nothing to replicate with"
    while read -r name ip port _; do
      accepted_by "$ip" "$port" "$pending" </dev/null >/dev/null || die "$name does not accept AWSPENDING yet: run open on every node first"
    done < <(layout)
    set_masterauth "$pending"
    accepted=$(accepted_passwords)
    mapfile -t passwords <<<"$accepted"
    write_auth_conf "$pending" "${passwords[@]}"
    log "replicates with AWSPENDING"
    ;;
  close)
    [ -z "$pending" ] || [ "$pending" = "$current" ] ||
      die "AWSPENDING is not AWSCURRENT yet: promote it (and restart the services) before closing"
    set_default_user "$current"
    set_masterauth "$current"
    write_auth_conf "$current" "$current"
    log "accepts AWSCURRENT only"
    ;;
  check)
    for label in AWSCURRENT AWSPENDING AWSPREVIOUS; do
      case $label in AWSCURRENT) password=$current ;; AWSPENDING) password=$pending ;; *) password=$previous ;; esac
      [ -n "$password" ] || continue
      if accepted_by "$MY_IP" "$MY_PORT" "$password" >/dev/null; then echo "$label accepted"; else echo "$label refused"; fi
    done
    replicating_with=$(masterauth)
    case "$replicating_with" in
      "$current") echo "masterauth AWSCURRENT" ;;
      "$pending") echo "masterauth AWSPENDING" ;;
      *) echo "masterauth other" ;;
    esac
    echo "cluster_state $(as_admin CLUSTER INFO | awk -F: '$1 == "cluster_state" { print $2; exit }')"
    ;;
  *) usage ;;
esac
