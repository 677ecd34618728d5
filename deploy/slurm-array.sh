#!/bin/sh
# One shard of an endstate run per Slurm array task (docs/scale.md).
# Submit with deploy/slurm-submit.sh, which sets the array size and queues
# the merge after it; or by hand from the repository root:
#   ENDSTATE_CONFIG=$PWD/lab.yaml ENDSTATE_OUT=/shared/endstate ENDSTATE_SHARDS=3 \
#     sbatch --export=ALL --array=0-2 deploy/slurm-array.sh
#
# ENDSTATE_SHARDS is N of --shard I/N: the size of the whole array, also
# when re-running only some tasks of it (--array=1). To re-run a shard
# whose database was lost, also set ENDSTATE_GROUP=slurm-<first array job
# id>, so that it lands in the same merged run. See endstate-shard.sh for
# the other variables.
#SBATCH --job-name=endstate-shard
#SBATCH --array=0-2
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=12:00:00
#SBATCH --output=endstate-shard-%A_%a.log
set -eu

: "${ENDSTATE_OUT:?set ENDSTATE_OUT to a folder every node can reach}"
shards=${ENDSTATE_SHARDS:-$((SLURM_ARRAY_TASK_MAX + 1))}
group=${ENDSTATE_GROUP:-slurm-$SLURM_ARRAY_JOB_ID}
# sbatch runs a copy of this script from its spool folder: find the
# deploy/ folder from where the job was submitted.
deploy=${ENDSTATE_DEPLOY:-$SLURM_SUBMIT_DIR/deploy}
# Node-local disk for the live database and the worlds.
export ENDSTATE_WORK="${TMPDIR:-/tmp}/endstate-$SLURM_ARRAY_JOB_ID-$SLURM_ARRAY_TASK_ID"

exec sh "$deploy/endstate-shard.sh" "$SLURM_ARRAY_TASK_ID" "$shards" \
  "$group" "$ENDSTATE_OUT"
