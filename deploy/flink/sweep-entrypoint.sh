#!/usr/bin/env bash
# Entry point of the sweep-flink image: Flink's own (/docker-entrypoint.sh), after one decision.
#
# In application mode (standalone-job) without high availability, a jobmanager that restarts
# starts the job afresh: the person register and the coverage counts would begin again at zero.
# So the job resumes from the newest of
#   - the completed checkpoints (chk-N/_metadata) under the job's --checkpoints directory, and
#   - $SWEEP_RESTORE_FROM, a savepoint (or checkpoint) directory: an upgrade (docs/operations.md),
# by the time their _metadata was written; so once the upgraded job has checkpointed, a restart
# resumes from that checkpoint, not from the savepoint again. A command that already says
# --fromSavepoint is left alone; every other command (taskmanager, ...) passes through unchanged.
set -euo pipefail

FLINK_ENTRYPOINT="${FLINK_ENTRYPOINT:-/docker-entrypoint.sh}"

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
  candidates=()
  checkpoints="$(flag_value --checkpoints "$@")"
  checkpoints="${checkpoints#file://}"
  checkpoints="${checkpoints%/}"
  if [ -n "$checkpoints" ]; then
    for chk in "$checkpoints"/*/chk-*; do
      [ -d "$chk" ] && candidates+=("$chk")
    done
  fi
  if [ -n "${SWEEP_RESTORE_FROM:-}" ]; then
    if [ ! -f "$SWEEP_RESTORE_FROM/_metadata" ]; then
      echo "sweep: SWEEP_RESTORE_FROM=$SWEEP_RESTORE_FROM is not a savepoint or checkpoint (no _metadata)" >&2
      exit 2
    fi
    candidates+=("$SWEEP_RESTORE_FROM")
  fi
  restore="$(newest "${candidates[@]+"${candidates[@]}"}")"
  if [ -n "$restore" ]; then
    echo "sweep: resuming the coverage job from $restore" >&2
    shift
    set -- standalone-job --fromSavepoint "$restore" "$@"
  else
    echo "sweep: starting the coverage job without earlier state" >&2
  fi
fi

exec "$FLINK_ENTRYPOINT" "$@"
