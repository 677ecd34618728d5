#!/bin/sh
# The nightly gate (docs/nightly.md): run the suite, label the run, keep the
# HTML history current, and exit non-zero when a model's run is
# significantly worse than the baseline run.
#
# Environment (defaults in brackets):
#   ENDSTATE      the endstate binary                    [endstate]
#   CONFIG        the YAML config with the models        (required)
#   DB            the results database                   [/var/lib/endstate/nightly.db]
#   WEB           where history.html and run-N.html go   [/var/lib/endstate/www]
#   SUITE         the label every nightly run carries    [nightly]
#   BASELINE      KEY=VALUE naming the baseline run      [baseline=yes]
#   EPOCHS        attempts per model and task            [3]
#   NOTE          a note for tonight's run               []
#   KEEP_DAYS     prune runs older than this; 0 = never  [180]
#   EXTRA_ARGS    more flags for `endstate run`          []
#
# The first night (no baseline yet) labels its run with BASELINE; later
# nights compare against the newest run carrying it. To move the baseline,
# run once with BASELINE_TONIGHT=1.
#
# Exit status: 0 fine; 1 a significant regression against the baseline;
# 2 bad configuration; 3 infrastructure (an endpoint down, ...): see
# docs/cli.md, "Exit codes".
set -eu

ENDSTATE=${ENDSTATE:-endstate}
: "${CONFIG:?set CONFIG to the YAML config of the models (docs/config.md)}"
DB=${DB:-/var/lib/endstate/nightly.db}
WEB=${WEB:-/var/lib/endstate/www}
SUITE=${SUITE:-nightly}
BASELINE=${BASELINE:-baseline=yes}
EPOCHS=${EPOCHS:-3}
NOTE=${NOTE:-}
KEEP_DAYS=${KEEP_DAYS:-180}
EXTRA_ARGS=${EXTRA_ARGS:-}

mkdir -p "$(dirname "$DB")" "$WEB"

# Is there a baseline yet? (`runs --label` lists the runs carrying it.)
label_args="--label suite=$SUITE --label night=$(date -u +%Y-%m-%d)"
if [ "${BASELINE_TONIGHT:-0}" = 1 ] || [ ! -f "$DB" ] ||
   "$ENDSTATE" runs --db "$DB" --label "$BASELINE" | grep -q '^no runs'; then
  label_args="$label_args --label $BASELINE"
fi

# 1. Tonight's run. Exit 3 (an infrastructure error in some attempt) still
#    leaves a run to look at: go on, report it, and fail at the end.
run_status=0
# shellcheck disable=SC2086  # label_args and EXTRA_ARGS are word lists
"$ENDSTATE" run --config "$CONFIG" --db "$DB" --epochs "$EPOCHS" --quiet \
  $label_args ${NOTE:+--note "$NOTE"} $EXTRA_ARGS || run_status=$?
if [ "$run_status" -ne 0 ] && [ "$run_status" -ne 3 ]; then
  exit "$run_status"
fi

# 2. The history page and tonight's report beside it; the gate's verdict.
gate_status=0
"$ENDSTATE" history --db "$DB" --label "suite=$SUITE" --baseline "$BASELINE" \
  --html "$WEB/history.html.new" --write-run-reports --fail-on-regression ||
  gate_status=$?
mv "$WEB/history.html.new" "$WEB/history.html" 2>/dev/null || true

# 3. Old nights go; the baseline stays.
if [ "$KEEP_DAYS" -gt 0 ]; then
  "$ENDSTATE" runs prune --db "$DB" --older-than "$KEEP_DAYS" \
    --keep-label "$BASELINE"
fi

if [ "$gate_status" -ne 0 ]; then exit "$gate_status"; fi
exit "$run_status"
