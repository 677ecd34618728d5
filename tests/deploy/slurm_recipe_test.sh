#!/usr/bin/env bash
# The Slurm recipe of deploy/ on a real single-node Slurm (docs/scale.md,
# "What was run"). Registered in CMakeLists.txt as the ctest test
# deploy_slurm_recipe (label slurm); skipped (exit 77) only when the Slurm
# or munge programs are absent or it does not run as root.
#
#   tests/deploy/slurm_recipe_test.sh ENDSTATE_BINARY SOURCE_DIR
#
# Brings up munge + slurmctld + slurmd in a temporary folder
# (tests/deploy/slurm_cluster.sh), then submits deploy/slurm-submit.sh
# unchanged (from a folder whose deploy/ is a link to SOURCE_DIR/deploy)
# over the bundled suite with builtin:oracle and builtin:flaky, 1 epoch:
#   A. 3 shards as they come: the merged run must equal a single-process
#      run of the same plan (slots, verdicts per slot, the report's numbers)
#   B. 3 shards, task 1 cancelled mid-run (scancel) and requeued (scontrol
#      requeue): it resumes its own slice; same equality, and no slot has
#      two graded tries
#   C. 3 shards over 6 tasks, task 2 cancelled and not requeued: the merge
#      job fails and names shard 2 and why
# Prints the array job ids, states and the merge's numbers. Fails if any
# daemon is left running after the teardown.
set -euo pipefail

export PATH=$PATH:/usr/sbin:/sbin
for cmd in munged slurmctld slurmd sbatch squeue sinfo scontrol scancel; do
  if ! command -v "$cmd" >/dev/null; then
    echo "SKIP: $cmd not found: install slurmctld slurmd munge slurm-client" \
      "(scripts/bootstrap --test) to run the Slurm recipe test"
    exit 77
  fi
done
if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: the Slurm recipe test runs slurmd, which must run as root"
  exit 77
fi
for cmd in sqlite3 python3; do
  command -v "$cmd" >/dev/null || { echo "FAIL: $cmd not found" >&2; exit 1; }
done
endstate=$(realpath "$1")
src=$(realpath "$2")

tmp=$(mktemp -d /tmp/endstate-slurm-test.XXXXXX)
# shellcheck source=tests/deploy/slurm_cluster.sh
source "$src/tests/deploy/slurm_cluster.sh"
finish() {
  local rc=$? down=0
  cluster_down || down=1
  if ((rc != 0 || down != 0)); then
    echo "--- logs (kept in $tmp)" >&2
    tail -n 30 "$tmp"/cluster/log/slurm*.log "$tmp"/site*/*.log >&2 2>/dev/null || :
    ((rc != 0)) || rc=1
  else
    rm -rf "$tmp"
  fi
  exit "$rc"
}
trap finish EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# job_field JOB FIELD: FIELD of `scontrol show job JOB` (e.g. JobState).
job_field() {
  scontrol -o show job "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1
}

# wait_job JOB SECONDS: waits until JOB has ended; prints its state.
wait_job() {
  local i state
  for ((i = 0; i < $2 * 5; i++)); do
    state=$(job_field "$1" JobState)
    case $state in
      COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY)
        echo "$state"
        return ;;
    esac
    sleep 0.2
  done
  fail "job $1 still $state after $2 s"
}

# seconds MS: MS milliseconds as seconds with one decimal.
seconds() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }

# attempts DB STATUS: attempts of DB in STATUS (0 if none or no DB yet).
attempts() {
  sqlite3 "file:$1?mode=ro" \
    "SELECT count(*) FROM attempts WHERE status = '$2'" 2>/dev/null || echo 0
}

# show_jobs ARRAY MERGE: one line per array task and the merge job.
show_jobs() {
  local j
  for j in "$1_0" "$1_1" "$1_2" "$2"; do
    printf '  job %-6s %-10s exit %-5s restarts %s  run time %s\n' "$j" \
      "$(job_field "$j" JobState)" "$(job_field "$j" ExitCode)" \
      "$(job_field "$j" Restarts)" "$(job_field "$j" RunTime)"
  done
}

# slots DB: one line per slot: model, task, epoch, outcome of its latest try.
slots() {
  sqlite3 -separator ' ' "file:$1?mode=ro" "
    SELECT m.name, t.task_id, a.epoch, a.outcome FROM attempts a
      JOIN models m ON m.id = a.model_id JOIN tasks t ON t.id = a.task_id
     WHERE a.try = (SELECT max(b.try) FROM attempts b
                     WHERE b.run_id = a.run_id AND b.model_id = a.model_id
                       AND b.task_id = a.task_id AND b.epoch = a.epoch)
     ORDER BY 1, 2, 3"
}

# first_unpassed DB: per latest try that did not pass, its first check
# that did not pass (to tell a grader's hiccup from a merge bug).
first_unpassed() {
  sqlite3 -separator ' ' "file:$1?mode=ro" "
    SELECT m.name, t.task_id, a.epoch, a.outcome, '-',
           (SELECT c.kind || ': ' || c.detail FROM checks c
             WHERE c.attempt_id = a.id AND c.verdict <> 'passed'
             ORDER BY c.idx LIMIT 1)
      FROM attempts a JOIN models m ON m.id = a.model_id
      JOIN tasks t ON t.id = a.task_id
     WHERE a.outcome <> 'passed' ORDER BY 1, 2, 3, a.try"
}

# report_numbers DB: the report's JSON without run id, times and the
# concurrency setting (per shard, not per run).
report_numbers() {
  "$endstate" report --db "$1" --format json | python3 -c '
import json, re, sys
def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items()
                if k not in ("run", "concurrency")
                and not re.search(r"wall|_ms$|_s$|_s_per", k)}
    if isinstance(o, list):
        return [strip(v) for v in o]
    return o
print(json.dumps(strip(json.load(sys.stdin)), indent=1, sort_keys=True))'
}

# same_run WHAT SINGLE_DB MERGED_DB: fails unless both hold the same slots,
# verdicts and report numbers.
same_run() {
  diff <(slots "$2") <(slots "$3") >"$tmp/slots.diff" ||
    fail "$1: verdicts per slot differ from the single run (< single, > merged):
$(cat "$tmp/slots.diff")
first check that did not pass, single run:
$(first_unpassed "$2")
merged run:
$(first_unpassed "$3")"
  diff <(report_numbers "$2") <(report_numbers "$3") >"$tmp/report.diff" ||
    fail "$1: report numbers differ from the single run:
$(head -40 "$tmp/report.diff")"
  echo "$1: merged run = single run: $(slots "$3" | wc -l) slots," \
    "$(slots "$3" | grep -c ' passed$') passed," \
    "$(slots "$3" | grep -c ' failed$') failed," \
    "$(slots "$3" | grep -c ' error$') errors; report numbers equal"
}

# submit NAME [RUN FLAGS]: runs deploy/slurm-submit.sh 3 from $tmp/NAME;
# sets array and merge to the job ids it printed.
submit() {
  local site=$tmp/$1 out
  mkdir -p "$site/tmp"
  ln -s "$src/deploy" "$site/deploy"
  out=$(cd "$site" &&
    ENDSTATE="$endstate" ENDSTATE_CONFIG="$tmp/lab.yaml" \
      ENDSTATE_OUT="$site/out" TMPDIR="$site/tmp" \
      ENDSTATE_RUN_FLAGS="--concurrency 1 ${2:-}" \
      ENDSTATE_SHARD_SBATCH_FLAGS="--cpus-per-task=1 --mem=1G" \
      deploy/slurm-submit.sh 3)
  echo "$1: $out" | head -1
  array=$(sed -n 's/^shards: job \([0-9]*\) .*/\1/p' <<<"$out")
  merge=$(sed -n 's/.*merge: job \([0-9]*\)$/\1/p' <<<"$out")
  [[ -n $array && -n $merge ]] || fail "unexpected slurm-submit.sh output: $out"
}

# cancel_mid_run NAME TASK: once array task TASK has finished an attempt
# and runs the next one, scancel it; waits until its processes have ended
# (a cancelled job is CANCELLED at once, and COMPLETING until then).
cancel_mid_run() {
  local db=$tmp/$1/tmp/endstate-$array-$2/shard.db i
  for ((i = 0; i < 1200; i++)); do
    (($(attempts "$db" finished) >= 1 && $(attempts "$db" running) >= 1)) &&
      break
    sleep 0.05
  done
  ((i < 1200)) || fail "$1: task $2 was not running a second attempt in 60 s"
  scancel "${array}_$2"
  [[ $(wait_job "${array}_$2" 30) == CANCELLED ]] ||
    fail "$1: task $2 ended $(job_field "${array}_$2" JobState), not CANCELLED"
  for ((i = 0; i < 150; i++)); do
    [[ -z $(squeue -h -j "${array}_$2") ]] && break
    sleep 0.2
  done
  [[ $(sqlite3 "file:$tmp/$1/out/shard-$2-of-3.db?mode=ro" \
    "SELECT status FROM runs WHERE id = 1") == running ]] ||
    fail "$1: task $2 did not publish its unfinished run when cancelled"
  echo "$1: cancelled task ${array}_$2 after $(attempts "$db" finished)" \
    "attempt(s), with $(attempts "$db" running) running;" \
    "it published shard-$2-of-3.db on SIGTERM"
}

cat >"$tmp/lab.yaml" <<'YAML'
run:
  epochs: 1
  seed: 7
models:
  - name: oracle
    provider: builtin
    model: oracle
  - name: flaky
    provider: builtin
    model: flaky
YAML

# The single-process run of the same plan, on as many attempts at once as
# the node has cores.
cpus=$(slurmd -C | sed -n 's/.* CPUs=\([0-9]*\).*/\1/p')
start=$(date +%s%N)
"$endstate" run --config "$tmp/lab.yaml" --db "$tmp/single.db" -q \
  --concurrency "$cpus" --worlds-dir "$tmp/worlds" >/dev/null
single_ms=$((($(date +%s%N) - start) / 1000000))
echo "single process: $(slots "$tmp/single.db" | wc -l) attempts in" \
  "$(seconds "$single_ms") s (concurrency $cpus)"

cluster_up "$tmp/cluster"

# A. Three shards, nothing in the way.
start=$(date +%s%N)
submit siteA
state=$(wait_job "$merge" 120)
slurm_ms=$((($(date +%s%N) - start) / 1000000))
show_jobs "$array" "$merge"
[[ $state == COMPLETED ]] || fail "A: merge job $merge ended $state:
$(cat "$tmp/siteA/endstate-merge-$merge.log")"
grep '^3 inputs' "$tmp/siteA/endstate-merge-$merge.log" | sed 's/^/A: merge: /'
sed -n '/^model /,/^$/p' "$tmp/siteA/endstate-merge-$merge.log" |
  sed '/^$/d; s/^/A: report: /'
[[ -s $tmp/siteA/out/report.html ]] || fail "A: no report.html"
same_run A "$tmp/single.db" "$tmp/siteA/out/merged.db"
echo "A: wall time: 3-shard Slurm run, submit to merged report" \
  "$(seconds "$slurm_ms") s; single process $(seconds "$single_ms") s"

# B. Task 1 cancelled mid-run, then requeued: it resumes its slice.
submit siteB
cancel_mid_run siteB 1
scontrol requeue "${array}_1"
# A requeued job waits 2 minutes before it may start again; start it now.
scontrol update jobid="${array}_1" starttime=now
state=$(wait_job "$merge" 120)
show_jobs "$array" "$merge"
[[ $state == COMPLETED ]] || fail "B: merge job $merge ended $state:
$(cat "$tmp/siteB/endstate-merge-$merge.log")"
[[ $(job_field "${array}_1" Restarts) == 1 ]] || fail "B: task 1 was not requeued"
grep -q '^endstate: resuming run 1' "$tmp/siteB/endstate-shard-${array}_1.log" ||
  fail "B: task 1 did not resume its run:
$(cat "$tmp/siteB/endstate-shard-${array}_1.log")"
grep '^endstate: resuming run 1' "$tmp/siteB/endstate-shard-${array}_1.log" |
  sed 's/^/B: task 1: /'
grep '^3 inputs' "$tmp/siteB/endstate-merge-$merge.log" | sed 's/^/B: merge: /'
same_run B "$tmp/single.db" "$tmp/siteB/out/merged.db"
# No slot was graded twice; every extra try is the one the cancel cut
# (`cancelled` when endstate stopped cleanly on SIGTERM, `interrupted` when
# it was killed before it could record that).
dups=$(sqlite3 "$tmp/siteB/out/merged.db" "
  SELECT count(*) FROM (SELECT 1 FROM attempts WHERE outcome <> 'error'
   GROUP BY model_id, task_id, epoch HAVING count(*) > 1)")
[[ $dups == 0 ]] || fail "B: $dups slot(s) graded twice"
total=$(sqlite3 "$tmp/siteB/out/merged.db" "SELECT count(*) FROM attempts")
interrupted=$(sqlite3 "$tmp/siteB/out/merged.db" \
  "SELECT count(*) FROM attempts
   WHERE termination IN ('interrupted', 'cancelled')")
((total == $(slots "$tmp/single.db" | wc -l) + interrupted)) ||
  fail "B: $total attempts = $(slots "$tmp/single.db" | wc -l) slots + $interrupted interrupted or cancelled expected"
echo "B: $total attempt rows = $(slots "$tmp/single.db" | wc -l) slots +" \
  "$interrupted interrupted or cancelled try (its slot ran again as try 2); no slot graded twice"

# C. Six tasks; task 2 cancelled and left: the merge names it and fails.
tasks=
n=0
for d in "$src"/tasks/*/; do
  d=$(basename "$d")
  [[ $d == _* ]] && continue
  tasks+="--task $d "
  ((++n < 6)) || break
done
submit siteC "$tasks"
# Task 2 starts once a core is free: wait until it runs an attempt.
cancel_mid_run siteC 2
state=$(wait_job "$merge" 120)
show_jobs "$array" "$merge"
log=$tmp/siteC/endstate-merge-$merge.log
[[ $state == FAILED && $(job_field "$merge" ExitCode) == 1:0 ]] ||
  fail "C: merge job $merge ended $state $(job_field "$merge" ExitCode), expected FAILED 1:0"
grep -E "^endstate-merge: shard 2 of 3 \(job ${array}_2: CANCELLED, exit [0-9]+:[0-9]+\): run 1 is running with [0-9]+ attempt\(s\) finished: it stopped before its slice was done$" "$log" >/dev/null ||
  fail "C: the merge log does not name shard 2 and why:
$(cat "$log")"
[[ $(grep -c '^endstate-merge: shard' "$log") == 1 ]] ||
  fail "C: the merge log blames more than shard 2:
$(cat "$log")"
grep -E '^endstate-merge: shard|^3 inputs' "$log" | sed 's/^/C: /'
[[ -s $tmp/siteC/out/merged.db ]] || fail "C: merged.db of the others not published"
echo "PASS"
