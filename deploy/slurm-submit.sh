#!/bin/sh
# Queues an endstate run as a Slurm array of SHARDS tasks plus a merge job
# that starts when they have all ended (docs/scale.md). Run from the
# repository root:
#
#   ENDSTATE_CONFIG=$PWD/lab.yaml ENDSTATE_OUT=/shared/endstate \
#     deploy/slurm-submit.sh 8
set -eu

shards=${1:?usage: $0 SHARDS}
: "${ENDSTATE_CONFIG:?set ENDSTATE_CONFIG to the config file of the run}"
: "${ENDSTATE_OUT:?set ENDSTATE_OUT to a folder every node can reach}"
export ENDSTATE_SHARDS="$shards"

array=$(sbatch --parsable --export=ALL --array="0-$((shards - 1))" \
  deploy/slurm-array.sh)
array=${array%%;*}  # "jobid;cluster" on multi-cluster setups
merge=$(sbatch --parsable --export=ALL --dependency="afterany:$array" \
  deploy/slurm-merge.sh)
echo "shards: job $array (group slurm-$array), merge: job ${merge%%;*}"
echo "results: $ENDSTATE_OUT/merged.db"
