#!/bin/bash
# Runs once, when the influxdb container sets itself up (DOCKER_INFLUXDB_INIT_MODE=setup, on an
# empty volume), after the org, the bucket and the token exist; the influx CLI is already
# configured with the admin token.
set -euo pipefail

# Grafana and the InfluxQL tools read /query?db=sweep: InfluxDB 2.x answers InfluxQL through a
# DBRP mapping from database/retention policy to the bucket.
influx v1 dbrp create \
  --org "$DOCKER_INFLUXDB_INIT_ORG" \
  --bucket-id "$DOCKER_INFLUXDB_INIT_BUCKET_ID" \
  --db "$DOCKER_INFLUXDB_INIT_BUCKET" \
  --rp autogen \
  --default

# The sites' planned capacity, for the township dashboard (write again after editing sites.csv).
/opt/sweep/site-capacity.sh /opt/sweep/scenario \
  | influx write --org "$DOCKER_INFLUXDB_INIT_ORG" --bucket "$DOCKER_INFLUXDB_INIT_BUCKET" --precision s
echo "sweep: bucket $DOCKER_INFLUXDB_INIT_BUCKET mapped to db $DOCKER_INFLUXDB_INIT_BUCKET/autogen; site capacities written"
