#!/bin/sh
# Queues an endstate run as a Slurm array of SHARDS tasks plus a merge job
# that starts when they have all ended (docs/scale.md). Run from the
# repository root (or a folder holding a deploy/ link to it):
#
#   ENDSTATE_CONFIG=$PWD/lab.yaml ENDSTATE_OUT=/shared/endstate \
#     deploy/slurm-submit.sh 8
#
# ENDSTATE_SHARD_SBATCH_FLAGS: more sbatch flags for the array only, e.g.
# "--cpus-per-task=2 --mem=4G --partition=cpu" to fit your nodes (they
# override the #SBATCH lines of slurm-array.sh; word-split by the shell).
# sbatch's own SBATCH_* variables (SBATCH_PARTITION, SBATCH_ACCOUNT, ...)
# apply to both jobs.
set -eu

shards=${1:?usage: $0 SHARDS}
: "${ENDSTATE_CONFIG:?set ENDSTATE_CONFIG to the config file of the run}"
: "${ENDSTATE_OUT:?set ENDSTATE_OUT to a folder every node can reach}"
export ENDSTATE_SHARDS="$shards"

# shellcheck disable=SC2086 # ENDSTATE_SHARD_SBATCH_FLAGS is a list of flags
array=$(sbatch --parsable --export=ALL --array="0-$((shards - 1))" \
  ${ENDSTATE_SHARD_SBATCH_FLAGS:-} deploy/slurm-array.sh)
array=${array%%;*}  # "jobid;cluster" on multi-cluster setups
# afterany, not afterok: the merge must also run when a shard failed, to
# say which one and why (with afterok it would wait forever; docs/scale.md).
merge=$(sbatch --parsable --export=ALL,ENDSTATE_ARRAY_JOB="$array" \
  --dependency="afterany:$array" deploy/slurm-merge.sh)
echo "shards: job $array (group slurm-$array), merge: job ${merge%%;*}"
echo "results: $ENDSTATE_OUT/merged.db, $ENDSTATE_OUT/report.html"
