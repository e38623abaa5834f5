#!/bin/bash
# One-shot topic setup for Sweep's Kafka (the kafka-topics service of docker-compose.yml; it runs
# in the apache/kafka image, which has the Kafka tools under $KAFKA_HOME/bin). Idempotent: a topic
# that exists keeps its records, gets the retention below, and grows to the partition count below
# (partitions never shrink). `create-topics.sh --plan` prints the plan and touches nothing.
#
# Partitions: the input topics and the job's outputs get $PARTITIONS (the ceiling of the coverage
# job's useful source parallelism: docs/operations.md); the job's health minutes, dead letters and
# undelivered alerts get one, since their readers want one order.
#
# Retention: the inputs are the truth every result is rebuilt from (replaying them with
# `sweep job --bounded` rebuilds InfluxDB), so they stay for the campaign and its audit; the job's
# outputs are derived and only feed the live board and the hooks; alerts, dead letters and
# undelivered alerts are evidence for the after-action review.
set -euo pipefail

BOOTSTRAP="${BOOTSTRAP:-kafka:9092}"
PARTITIONS="${PARTITIONS:-4}"
KAFKA_HOME="${KAFKA_HOME:-/opt/kafka}"
DAY_MS=86400000

# topic partitions retention.ms
plan() {
  echo "sweep.scans $PARTITIONS $((30 * DAY_MS))"
  echo "sweep.station-status $PARTITIONS $((30 * DAY_MS))"
  echo "sweep.site-minutes $PARTITIONS $((7 * DAY_MS))"
  echo "sweep.coverage $PARTITIONS $((7 * DAY_MS))"
  echo "sweep.alerts $PARTITIONS $((30 * DAY_MS))"
  echo "sweep.pipeline 1 $((7 * DAY_MS))"
  echo "sweep.dead-letters 1 $((30 * DAY_MS))"
  echo "sweep.undelivered-alerts 1 $((30 * DAY_MS))"
}

case "$PARTITIONS" in ''|*[!0-9]*|0) echo "create-topics: PARTITIONS must be a positive number, got '$PARTITIONS'" >&2; exit 2 ;; esac

if [ "${1:-}" = "--plan" ]; then
  plan
  exit 0
fi

topics="$KAFKA_HOME/bin/kafka-topics.sh"
configs="$KAFKA_HOME/bin/kafka-configs.sh"
existing="$("$topics" --bootstrap-server "$BOOTSTRAP" --list)"

plan | while read -r name partitions retention; do
  if grep -qxF "$name" <<<"$existing"; then
    "$configs" --bootstrap-server "$BOOTSTRAP" --alter --entity-type topics --entity-name "$name" \
      --add-config "retention.ms=$retention" >/dev/null
    current="$("$topics" --bootstrap-server "$BOOTSTRAP" --describe --topic "$name" \
      | sed -n 's/.*PartitionCount: *\([0-9]*\).*/\1/p' | head -n 1)"
    if [ -n "$current" ] && [ "$current" -lt "$partitions" ]; then
      echo "create-topics: $name grows from $current to $partitions partitions"
      "$topics" --bootstrap-server "$BOOTSTRAP" --alter --topic "$name" --partitions "$partitions"
    fi
    echo "create-topics: $name kept (${current:-?} partitions, retention.ms=$retention)"
  else
    "$topics" --bootstrap-server "$BOOTSTRAP" --create --topic "$name" --partitions "$partitions" \
      --replication-factor 1 --config "retention.ms=$retention" >/dev/null
    echo "create-topics: $name created ($partitions partitions, retention.ms=$retention)"
  fi
done
