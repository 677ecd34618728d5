#!/usr/bin/env bash
# deploy/slurm-merge.sh on shards that did not all finish, without Slurm
# (ctest deploy_slurm_merge_report; the same script on a real Slurm:
# slurm_recipe_test.sh). Three shards of builtin:oracle and a model whose
# endpoint is down (a closed port), over two tasks, each run by
# deploy/endstate-shard.sh: shard 0 passes, shard 1 has an attempt in
# error, shard 2 never ran. The merge must name shards 1 and 2 and why,
# merge what there is, write the report and exit 1.
#
#   tests/deploy/slurm_merge_test.sh ENDSTATE_BINARY SOURCE_DIR
set -euo pipefail

command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 not found" >&2; exit 1; }
endstate=$(realpath "$1")
src=$(realpath "$2")
tmp=$(mktemp -d /tmp/endstate-merge-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

cat >"$tmp/lab.yaml" <<'YAML'
models:
  - name: oracle
    provider: builtin
    model: oracle
  - name: down
    provider: openai
    base_url: http://127.0.0.1:9/v1
    model: x
    api_key_env: ""
    retries: {max_tries: 1}
YAML
out=$tmp/out
# Slots (model, task) go to shard (task + model) mod 3: oracle
# add-table-row -> 0; oracle fix-page-title and down add-table-row -> 1;
# down fix-page-title -> 2, which is never run.
for i in 0 1; do
  rc=0
  ENDSTATE="$endstate" ENDSTATE_CONFIG="$tmp/lab.yaml" \
    ENDSTATE_RUN_FLAGS="--task add-table-row --task fix-page-title -q --no-preflight" \
    ENDSTATE_RETRY_ERRORS=0 ENDSTATE_WORK="$tmp/work-$i" \
    sh "$src/deploy/endstate-shard.sh" "$i" 3 test-group "$out" \
    >"$tmp/shard-$i.log" 2>&1 || rc=$?
  want=$((i == 0 ? 0 : 3))
  ((rc == want)) || fail "shard $i exited $rc, expected $want:
$(cat "$tmp/shard-$i.log")"
done

rc=0
ENDSTATE="$endstate" ENDSTATE_OUT="$out" ENDSTATE_SHARDS=3 SLURM_JOB_ID=5 \
  TMPDIR="$tmp" sh "$src/deploy/slurm-merge.sh" >"$tmp/merge.out" \
  2>"$tmp/merge.err" || rc=$?
cat "$tmp/merge.err"
((rc == 1)) || fail "slurm-merge.sh exited $rc, expected 1"
diff <(grep '^endstate-merge:' "$tmp/merge.err") - <<EOF2 ||
endstate-merge: shard 1 of 3: 1 attempt(s) ended in error, first: down add-table-row #0: connection error: Couldn't connect to server
endstate-merge: shard 2 of 3: no database $out/shard-2-of-3.db (the task never started, or was killed before it published)
endstate-merge: 2 of 3 shard(s) did not finish; merged.db holds what they finished. Resume a shard with ENDSTATE_SHARDS=3 ENDSTATE_GROUP=slurm-<array job id> sbatch --export=ALL --array=I deploy/slurm-array.sh, then merge again
EOF2
  fail "slurm-merge.sh did not name the shards as expected (above)"
grep -q '^2 inputs, 1 run created, 1 run extended, 3 attempts merged' \
  "$tmp/merge.out" || fail "unexpected merge summary: $(cat "$tmp/merge.out")"
[[ -s $out/report.html ]] || fail "no report.html"
n=$(sqlite3 "$out/merged.db" "SELECT count(*) FROM attempts")
((n == 3)) || fail "merged.db holds $n attempts, expected 3"
echo "PASS: the merge named shards 1 and 2, merged the 3 attempts there were and exited 1"
