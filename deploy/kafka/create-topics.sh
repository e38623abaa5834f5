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
#
# Users and ACLs: one SCRAM-SHA-512 user per role (station, gateway, job, hooks, board), its password from
# SWEEP_KAFKA_<ROLE>_PASSWORD, and the ACLs of each role (`--acl-plan` prints them: the same plan as the secure
# test broker's, dev.sweep.broker.AccessPlan; a test holds the two to each other). This script logs in as admin
# (PLAIN, KAFKA_ADMIN_PASSWORD); passwords go to the tools in owner-only files, never on a command line.
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

# user TYPE PATTERN name OPERATION: what each role may do (WRITE and READ imply DESCRIBE).
acl_plan() {
  for writer in station gateway; do
    echo "$writer TOPIC LITERAL sweep.scans WRITE"
    echo "$writer TOPIC LITERAL sweep.station-status WRITE"
  done
  echo "job TOPIC LITERAL sweep.scans READ"
  echo "job TOPIC LITERAL sweep.station-status READ"
  for out in sweep.site-minutes sweep.coverage sweep.alerts sweep.pipeline sweep.dead-letters; do
    echo "job TOPIC LITERAL $out WRITE"
  done
  echo "job GROUP PREFIXED sweep- READ"
  echo "job TRANSACTIONAL_ID PREFIXED sweep- WRITE"
  echo "hooks TOPIC LITERAL sweep.alerts READ"
  echo "hooks TOPIC LITERAL sweep.undelivered-alerts WRITE"
  echo "hooks GROUP PREFIXED sweep-hooks READ"
  for topic in sweep.coverage sweep.site-minutes sweep.alerts sweep.station-status sweep.pipeline; do
    echo "board TOPIC LITERAL $topic READ"
  done
}

case "$PARTITIONS" in ''|*[!0-9]*|0) echo "create-topics: PARTITIONS must be a positive number, got '$PARTITIONS'" >&2; exit 2 ;; esac

if [ "${1:-}" = "--plan" ]; then
  plan
  exit 0
fi
if [ "${1:-}" = "--acl-plan" ]; then
  acl_plan
  exit 0
fi

: "${KAFKA_ADMIN_PASSWORD:?create-topics: KAFKA_ADMIN_PASSWORD is not set}"
private="$(mktemp -d)"
trap 'rm -rf "$private"' EXIT
chmod 700 "$private"
admin="$private/admin.properties"
(umask 077; printf 'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="%s";\n' \
  "$KAFKA_ADMIN_PASSWORD" > "$admin")

topics="$KAFKA_HOME/bin/kafka-topics.sh"
configs="$KAFKA_HOME/bin/kafka-configs.sh"
acls="$KAFKA_HOME/bin/kafka-acls.sh"
existing="$("$topics" --bootstrap-server "$BOOTSTRAP" --command-config "$admin" --list)"

plan | while read -r name partitions retention; do
  if grep -qxF "$name" <<<"$existing"; then
    "$configs" --bootstrap-server "$BOOTSTRAP" --command-config "$admin" --alter --entity-type topics --entity-name "$name" \
      --add-config "retention.ms=$retention" >/dev/null
    current="$("$topics" --bootstrap-server "$BOOTSTRAP" --command-config "$admin" --describe --topic "$name" \
      | sed -n 's/.*PartitionCount: *\([0-9]*\).*/\1/p' | head -n 1)"
    if [ -n "$current" ] && [ "$current" -lt "$partitions" ]; then
      echo "create-topics: $name grows from $current to $partitions partitions"
      "$topics" --bootstrap-server "$BOOTSTRAP" --command-config "$admin" --alter --topic "$name" --partitions "$partitions"
    fi
    echo "create-topics: $name kept (${current:-?} partitions, retention.ms=$retention)"
  else
    "$topics" --bootstrap-server "$BOOTSTRAP" --command-config "$admin" --create --topic "$name" --partitions "$partitions" \
      --replication-factor 1 --config "retention.ms=$retention" >/dev/null
    echo "create-topics: $name created ($partitions partitions, retention.ms=$retention)"
  fi
done

# One SCRAM user per role; running again resets each password to the one in the environment (rotation).
for role in station gateway job hooks board; do
  var="SWEEP_KAFKA_$(echo "$role" | tr '[:lower:]' '[:upper:]')_PASSWORD"
  password="${!var:-}"
  if [ -z "$password" ]; then
    echo "create-topics: $var is not set: the $role user gets no password and cannot log in" >&2
    exit 2
  fi
  (umask 077; printf 'SCRAM-SHA-512=[iterations=8192,password=%s]\n' "$password" > "$private/$role.scram")
  "$configs" --bootstrap-server "$BOOTSTRAP" --command-config "$admin" --alter --entity-type users --entity-name "$role" \
    --add-config-file "$private/$role.scram" >/dev/null
  echo "create-topics: user $role set"
done

acl_plan | while read -r user type pattern name operation; do
  case "$type" in
    TOPIC) resource=(--topic "$name") ;;
    GROUP) resource=(--group "$name") ;;
    TRANSACTIONAL_ID) resource=(--transactional-id "$name") ;;
  esac
  "$acls" --bootstrap-server "$BOOTSTRAP" --command-config "$admin" --add --allow-principal "User:$user" \
    --operation "$operation" --resource-pattern-type "$pattern" "${resource[@]}" >/dev/null
done
echo "create-topics: ACLs laid for station, gateway, job, hooks, board"
