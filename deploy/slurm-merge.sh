#!/bin/sh
# Merges the shard databases of deploy/slurm-array.sh into
# $ENDSTATE_OUT/merged.db and prints the report (docs/scale.md). Queued by
# deploy/slurm-submit.sh with --dependency=afterany on the array, so it
# also runs when a shard failed: what that shard finished is merged, and
# the report counts its missing attempts as not run.
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

"$endstate" merge "$merged" "$ENDSTATE_OUT"/shard-*-of-"$ENDSTATE_SHARDS".db
"$endstate" report --db "$merged"
sqlite3 "$merged" "VACUUM INTO '$ENDSTATE_OUT/merged.db.tmp'"
mv "$ENDSTATE_OUT/merged.db.tmp" "$ENDSTATE_OUT/merged.db"
rm -f "$merged" "$merged-wal" "$merged-shm"
