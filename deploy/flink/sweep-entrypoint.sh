#!/usr/bin/env bash
# Entry point of the sweep-flink image: Flink's own (/docker-entrypoint.sh), after one decision.
#
# In application mode (standalone-job) without high availability, a jobmanager that restarts
# starts the job afresh: the person register and the coverage counts would begin again at zero.
# So the job resumes from
#   - $SWEEP_RESTORE_FROM, a savepoint or checkpoint directory, the first time the jobmanager
#     starts with that value (an upgrade or a rollback: docs/operations.md); it is noted in
#     <checkpoints>/.sweep-restored-from so that later restarts do not go back to it; else
#   - the newest (by the time its _metadata was written) of the job's completed checkpoints
#     (<checkpoints>/<job id>/chk-N) and savepoints ($SWEEP_SAVEPOINT_DIR/savepoint-*), so a job
#     stopped with `flink stop` resumes from its savepoint.
# A command that already says --fromSavepoint is left alone; every other command (taskmanager,
# ...) passes through unchanged.
set -euo pipefail

FLINK_ENTRYPOINT="${FLINK_ENTRYPOINT:-/docker-entrypoint.sh}"
SAVEPOINTS="${SWEEP_SAVEPOINT_DIR:-/flink-data/savepoints}"

# The value of a flag in the job's arguments, or nothing.
flag_value() {
  local name="$1"; shift
  while [ $# -gt 0 ]; do
    if [ "$1" = "$name" ] && [ $# -gt 1 ]; then
      printf '%s' "$2"
      return
    fi
    shift
  done
}

# The checkpoint or savepoint directory among the arguments whose _metadata is the newest.
newest() {
  local best="" dir
  for dir in "$@"; do
    [ -f "$dir/_metadata" ] || continue
    if [ -z "$best" ] || [ "$dir/_metadata" -nt "$best/_metadata" ]; then
      best="$dir"
    fi
  done
  printf '%s' "$best"
}

if [ "${1:-}" = "standalone-job" ] && [ -z "$(flag_value --fromSavepoint "$@")" ]; then
  checkpoints="$(flag_value --checkpoints "$@")"
  checkpoints="${checkpoints#file://}"
  checkpoints="${checkpoints%/}"
  marker="${checkpoints:-$SAVEPOINTS}/.sweep-restored-from"
  restore=""
  if [ -n "${SWEEP_RESTORE_FROM:-}" ]; then
    if [ ! -f "$SWEEP_RESTORE_FROM/_metadata" ]; then
      echo "sweep: SWEEP_RESTORE_FROM=$SWEEP_RESTORE_FROM is not a savepoint or checkpoint (no _metadata)" >&2
      exit 2
    fi
    if [ "$(cat "$marker" 2>/dev/null || true)" != "$SWEEP_RESTORE_FROM" ]; then
      restore="$SWEEP_RESTORE_FROM"
      mkdir -p "$(dirname "$marker")"
      printf '%s\n' "$restore" > "$marker"
    fi
  fi
  if [ -z "$restore" ]; then
    candidates=()
    for dir in ${checkpoints:+"$checkpoints"/*/chk-*} "$SAVEPOINTS"/savepoint-*; do
      [ -d "$dir" ] && candidates+=("$dir")
    done
    restore="$(newest "${candidates[@]+"${candidates[@]}"}")"
  fi
  if [ -n "$restore" ]; then
    echo "sweep: resuming the coverage job from $restore" >&2
    shift
    set -- standalone-job --fromSavepoint "$restore" "$@"
  else
    echo "sweep: starting the coverage job without earlier state" >&2
  fi
fi

exec "$FLINK_ENTRYPOINT" "$@"
