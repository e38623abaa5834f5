#!/bin/bash
# Prints the scenario's site capacities as InfluxDB line protocol, one point per site:
#   site_capacity,township=T,site=S capacity_per_hour=Ni,samplers=Ni,lanes=Ni <now, seconds>
# for the township dashboard's "rate against capacity" (the job's measurements carry what
# happened; what a site can do is the campaign's plan, from its sites.csv). Usage:
#   site-capacity.sh path/to/sites.csv | influx write --bucket sweep --precision s
# Columns are found by their header names, as the scenario loader does.
set -euo pipefail
sites="${1:?usage: site-capacity.sh SITES_CSV}"
[ -r "$sites" ] || { echo "site-capacity: cannot read $sites" >&2; exit 2; }
now="$(date +%s)"
awk -F',' -v now="$now" -v file="$sites" '
  function tag(v) { gsub(/[ ,=]/, "\\\\&", v); return v }
  function clean(v) { gsub(/^[ \t\r\357\273\277]+|[ \t\r]+$/, "", v); return v }
  NR == 1 {
    for (i = 1; i <= NF; i++) col[clean($i)] = i
    split("siteId townshipId samplers lanes capacityPerHour", need, " ")
    for (n in need) if (!(need[n] in col)) { printf "site-capacity: %s has no column %s\n", file, need[n] > "/dev/stderr"; exit 2 }
    next
  }
  clean($0) == "" { next }
  {
    cap = clean($col["capacityPerHour"]); smp = clean($col["samplers"]); ln = clean($col["lanes"])
    if (cap !~ /^[0-9]+$/ || smp !~ /^[0-9]+$/ || ln !~ /^[0-9]+$/) {
      printf "site-capacity: %s row %d: capacityPerHour, samplers and lanes must be whole numbers\n", file, NR > "/dev/stderr"; exit 2
    }
    printf "site_capacity,township=%s,site=%s capacity_per_hour=%di,samplers=%di,lanes=%di %d\n",
      tag(clean($col["townshipId"])), tag(clean($col["siteId"])), cap, smp, ln, now
  }
' "$sites"
