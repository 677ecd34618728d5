#!/bin/sh
# Runs shard INDEX of COUNT of an endstate run on this machine and publishes
# its database as OUT_DIR/shard-INDEX-of-COUNT.db (docs/scale.md). Used by
# the Kubernetes Indexed Job and the Slurm array in this folder.
#
#   endstate-shard.sh INDEX COUNT GROUP OUT_DIR
#
# Environment:
#   ENDSTATE_CONFIG        config file with the models, epochs and seed
#                          (required; the same file for every shard)
#   ENDSTATE_RUN_FLAGS     more flags for a new run, e.g. "--task fix-page-title"
#                          (the same for every shard; word-split by the shell)
#   ENDSTATE_RETRY_ERRORS  --retry-errors N (default 2)
#   ENDSTATE_WORK          local working folder (default $TMPDIR or /tmp,
#                          plus /endstate-shard-INDEX): the live database and
#                          the worlds stay on local disk, never on a network
#                          file system (SQLite's WAL needs one host's locks)
#   ENDSTATE               the endstate binary (default: endstate on PATH)
#
# Exit status: endstate's (0 done, 2 usage, 3 infrastructure errors). The
# database is published even when the run failed or was stopped by SIGTERM
# (INT, HUP), so that merge keeps what finished; running the script again
# for the same shard resumes it.
set -eu

if [ $# -ne 4 ]; then
  echo "usage: $0 INDEX COUNT GROUP OUT_DIR" >&2
  exit 2
fi
index=$1
count=$2
group=$3
out=$4
: "${ENDSTATE_CONFIG:?set ENDSTATE_CONFIG to the config file of the run}"
endstate=${ENDSTATE:-endstate}
work=${ENDSTATE_WORK:-${TMPDIR:-/tmp}/endstate-shard-$index}
db=$work/shard.db
final=$out/shard-$index-of-$count.db

mkdir -p "$work/worlds" "$out"
# A shard that ran before (a restarted container, a requeued job) continues
# from its published database instead of starting over.
if [ ! -f "$db" ] && [ -f "$final" ]; then
  cp "$final" "$db"
fi

# endstate runs in the background so that a SIGTERM (scancel, Slurm
# preemption, a pod being deleted: often sent to this shell only) is passed
# on to it and the database is still published below, and a requeued or
# restarted shard on another machine resumes from it.
rc=0
pid=
trap 'if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || :; fi' TERM INT HUP
if [ -f "$db" ]; then
  # Everything that defines the run is read back from the database; the
  # config only supplies connection settings (api_key_env, timeouts).
  "$endstate" run --resume 1 --db "$db" --config "$ENDSTATE_CONFIG" \
    --worlds-dir "$work/worlds" --retry-errors "${ENDSTATE_RETRY_ERRORS:-2}" &
else
  # shellcheck disable=SC2086 # ENDSTATE_RUN_FLAGS is a list of flags
  "$endstate" run --config "$ENDSTATE_CONFIG" ${ENDSTATE_RUN_FLAGS:-} \
    --shard "$index/$count" --group "$group" --db "$db" \
    --worlds-dir "$work/worlds" --retry-errors "${ENDSTATE_RETRY_ERRORS:-2}" &
fi
pid=$!
wait "$pid" || rc=$?
# A signal interrupts wait (status > 128): wait for endstate itself to end.
while kill -0 "$pid" 2>/dev/null; do
  rc=0
  wait "$pid" || rc=$?
done

# VACUUM INTO writes a consistent copy including what is still in the WAL
# (a killed run leaves one), then the rename publishes it whole. Slurm may
# send SIGTERM more than once: from here on it is ignored (by sqlite3 too),
# so only SIGKILL (after Slurm's KillWait, Kubernetes' grace period) stops
# the copy.
trap '' TERM INT HUP
if [ -f "$db" ]; then
  rm -f "$final.tmp"
  sqlite3 "$db" "VACUUM INTO '$final.tmp'"
  mv "$final.tmp" "$final"
fi
exit "$rc"
