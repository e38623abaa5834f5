#!/bin/bash
# Prints the scenario's site capacities as InfluxDB line protocol, one point per site:
#   site_capacity,township=T,area=A,site=S capacity_per_hour=Ni,samplers=Ni,lanes=Ni <now, seconds>
# for the township dashboard's "rate against capacity" (the job's measurements carry what
# happened; what a site can do is the campaign's plan, from its sites.csv). A site stands in an
# area (areas.csv); its township is that area's ancestor one level below the root. A scenario in
# the layout before areas.csv names the township in sites.csv (townshipId). Usage:
#   site-capacity.sh path/to/scenario | influx write --bucket sweep --precision s
# Columns are found by their header names, as the scenario loader does.
set -euo pipefail
dir="${1:?usage: site-capacity.sh SCENARIO_DIR}"
sites="$dir/sites.csv"
areas="$dir/areas.csv"
[ -r "$sites" ] || { echo "site-capacity: cannot read $sites" >&2; exit 2; }
[ -r "$areas" ] || areas=/dev/null
now="$(date +%s)"
awk -F',' -v now="$now" -v file="$sites" -v areas="$areas" '
  function tag(v) { gsub(/[ ,=]/, "\\\\&", v); return v }
  function clean(v) { gsub(/^[ \t\r\357\273\277]+|[ \t\r]+$/, "", v); return v }
  # The area tree: each area'"'"'s parent; the root has none.
  FILENAME == areas {
    if (FNR == 1) { for (i = 1; i <= NF; i++) acol[clean($i)] = i; next }
    if (clean($0) == "") next
    parent[clean($acol["areaId"])] = clean($acol["parentId"])
    next
  }
  FNR == 1 {
    for (i = 1; i <= NF; i++) col[clean($i)] = i
    area = ("areaId" in col) ? "areaId" : "townshipId"
    split(area " siteId samplers lanes capacityPerHour", need, " ")
    for (n in need) if (!(need[n] in col)) { printf "site-capacity: %s has no column %s\n", file, need[n] > "/dev/stderr"; exit 2 }
    next
  }
  clean($0) == "" { next }
  {
    cap = clean($col["capacityPerHour"]); smp = clean($col["samplers"]); ln = clean($col["lanes"])
    if (cap !~ /^[0-9]+$/ || smp !~ /^[0-9]+$/ || ln !~ /^[0-9]+$/) {
      printf "site-capacity: %s row %d: capacityPerHour, samplers and lanes must be whole numbers\n", file, FNR > "/dev/stderr"; exit 2
    }
    a = clean($col[area]); t = a
    if (area == "areaId") {
      if (!(a in parent)) { printf "site-capacity: %s row %d: no area %s in areas.csv\n", file, FNR, a > "/dev/stderr"; exit 2 }
      for (steps = 0; parent[t] != "" && parent[parent[t]] != "" && steps < 64; steps++) t = parent[t]
    }
    printf "site_capacity,township=%s,area=%s,site=%s capacity_per_hour=%di,samplers=%di,lanes=%di %d\n",
      tag(t), tag(a), tag(clean($col["siteId"])), cap, smp, ln, now
  }
' "$areas" "$sites"
