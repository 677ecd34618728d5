#!/bin/sh
# Merges the shard databases of deploy/slurm-array.sh into
# $ENDSTATE_OUT/merged.db, prints the report and writes
# $ENDSTATE_OUT/report.html (docs/scale.md). Queued by
# deploy/slurm-submit.sh with --dependency=afterany on the array, so it
# also runs when a shard failed: it then names each shard that did not
# finish and why (its array task's state and exit code, its run's state),
# merges what the others finished, and exits 1.
#
# ENDSTATE_ARRAY_JOB (set by slurm-submit.sh): the array's job id, to show
# each task's state; without it only the databases are checked.
#SBATCH --job-name=endstate-merge
#SBATCH --cpus-per-task=1
#SBATCH --mem=2G
#SBATCH --time=1:00:00
#SBATCH --output=endstate-merge-%j.log
set -eu

: "${ENDSTATE_OUT:?set ENDSTATE_OUT to the folder of the shard databases}"
: "${ENDSTATE_SHARDS:?set ENDSTATE_SHARDS to the number of shards}"
endstate=${ENDSTATE:-endstate}
# Written on local disk, then published whole (SQLite should not write on
# a network file system).
merged=${TMPDIR:-/tmp}/endstate-merge-$SLURM_JOB_ID.db
rm -f "$merged"

# why_unfinished DB: prints why the shard run in DB did not finish its
# slice, or nothing if it did (run finished, no slot whose latest try is an
# error).
why_unfinished() {
  sqlite3 -batch -noheader "file:$1?mode=ro" "
    WITH latest AS (
      SELECT a.* FROM attempts a WHERE a.run_id = 1 AND a.try = (
        SELECT max(b.try) FROM attempts b WHERE b.run_id = 1
          AND b.model_id = a.model_id AND b.task_id = a.task_id
          AND b.epoch = a.epoch))
    SELECT CASE
      WHEN r.status <> 'finished' THEN
        'run 1 is ' || r.status || ' with ' ||
        (SELECT count(*) FROM latest WHERE status = 'finished') ||
        ' attempt(s) finished: it stopped before its slice was done'
      WHEN (SELECT count(*) FROM latest WHERE outcome = 'error') > 0 THEN
        (SELECT count(*) FROM latest WHERE outcome = 'error') ||
        ' attempt(s) ended in error, first: ' ||
        (SELECT m.name || ' ' || t.task_id || ' #' || l.epoch || ': ' ||
                substr(coalesce(l.error, l.termination, '?'), 1, 300)
           FROM latest l JOIN models m ON m.id = l.model_id
           JOIN tasks t ON t.id = l.task_id
          WHERE l.outcome = 'error' ORDER BY l.id LIMIT 1)
      ELSE '' END
    FROM runs r WHERE r.id = 1;" 2>&1 || echo "cannot read it"
}

# A cancelled or preempted task counts as ended for the dependency while
# it still stops and publishes its database (Slurm's KillWait): wait until
# no task of the array is completing, at most 5 minutes.
if [ -n "${ENDSTATE_ARRAY_JOB:-}" ]; then
  n=0
  while [ "$n" -lt 300 ] &&
    [ -n "$(squeue -h -j "$ENDSTATE_ARRAY_JOB" -t CG 2>/dev/null)" ]; do
    sleep 1
    n=$((n + 1))
  done
fi

failed=0
inputs=
i=0
while [ "$i" -lt "$ENDSTATE_SHARDS" ]; do
  db=$ENDSTATE_OUT/shard-$i-of-$ENDSTATE_SHARDS.db
  task=
  if [ -n "${ENDSTATE_ARRAY_JOB:-}" ]; then
    # "COMPLETED, exit 0:0", "CANCELLED, exit 143:0", "FAILED, exit 3:0"
    task=$(scontrol -o show job "${ENDSTATE_ARRAY_JOB}_$i" 2>/dev/null |
      sed -n 's/.* JobState=\([A-Z_]*\) .* ExitCode=\([0-9:]*\) .*/\1, exit \2/p') || :
  fi
  if [ -f "$db" ]; then
    inputs="$inputs $db"
    why=$(why_unfinished "$db")
  else
    why="no database $db (the task never started, or was killed before it published)"
  fi
  case "$task" in
    "" | "COMPLETED, exit 0:0") ;;
    *) [ -n "$why" ] || why="its array task did not complete" ;;
  esac
  if [ -n "$why" ]; then
    failed=$((failed + 1))
    echo "endstate-merge: shard $i of $ENDSTATE_SHARDS${task:+ (job ${ENDSTATE_ARRAY_JOB}_$i: $task)}: $why" >&2
  fi
  i=$((i + 1))
done

if [ -z "$inputs" ]; then
  echo "endstate-merge: no shard published a database in $ENDSTATE_OUT" >&2
  exit 1
fi
# shellcheck disable=SC2086 # $inputs is a list of paths without spaces
"$endstate" merge "$merged" $inputs
"$endstate" report --db "$merged" --html "$ENDSTATE_OUT/report.html.tmp"
mv "$ENDSTATE_OUT/report.html.tmp" "$ENDSTATE_OUT/report.html"
sqlite3 "$merged" "VACUUM INTO '$ENDSTATE_OUT/merged.db.tmp'"
mv "$ENDSTATE_OUT/merged.db.tmp" "$ENDSTATE_OUT/merged.db"
rm -f "$merged" "$merged-wal" "$merged-shm"

if [ "$failed" -gt 0 ]; then
  echo "endstate-merge: $failed of $ENDSTATE_SHARDS shard(s) did not finish;" \
    "merged.db holds what they finished. Resume a shard with" \
    "ENDSTATE_SHARDS=$ENDSTATE_SHARDS ENDSTATE_GROUP=slurm-${ENDSTATE_ARRAY_JOB:-<array job id>}" \
    "sbatch --export=ALL --array=I deploy/slurm-array.sh, then merge again" >&2
  exit 1
fi
