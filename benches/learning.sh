#!/usr/bin/env bash
# Speed of learning curves on the world instance (issue 10 item 7; benches/README.md "Learning").
#
# instances/world-2026.toml with a learning curve on every fab, memory and models capability
# (progress ratio 0.8, experience 100, max_experience 10000), over 3 and 6 periods, with 4 and 8
# segments, solved by each backend. Variants are built with --set; each run is one process under
# `/usr/bin/time -v` and `timeout`, with `--time-limit` as the solver's own limit, so a slow case
# is reported as "did not finish in N s" instead of hanging.
#
# Usage: benches/learning.sh BINARY [LIMIT_SECONDS] [SOLVERS...]
#   BINARY   an aistack built with `--features highs` for the highs rows
#   LIMIT    per run, default 120
#   SOLVERS  default: microlp highs
# Prints one markdown table row per run.
set -u
bin=${1:?usage: benches/learning.sh BINARY [LIMIT] [SOLVERS...]}
limit=${2:-120}
shift $(( $# >= 2 ? 2 : $# ))
solvers=("$@")
[ ${#solvers[@]} -eq 0 ] && solvers=(microlp highs)
world="$(dirname "$0")/../instances/world-2026.toml"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| solver | periods | segments | columns | binaries | status | W | wall s | CPU s | peak MiB |"
echo "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|"
for solver in "${solvers[@]}"; do
  for periods in ${PERIODS:-3 6}; do
    for segments in ${SEGMENTS:-4 8}; do
      curve="{progress_ratio=0.8, experience=100, max_experience=10000, segments=$segments}"
      sets=(--set "meta.periods=$periods")
      for layer in fab memory models; do
        sets+=(--set "capability[*/$layer].learning=$curve")
      done
      # Size of the program (columns, integer columns) from the LP export.
      "$bin" export "$world" "${sets[@]}" --lp "$tmp/p.lp" >"$tmp/export.txt" 2>&1
      columns=$(grep -o '([0-9]* columns' "$tmp/export.txt" | grep -o '[0-9]*')
      binaries=$(awk '/^General/{on=1; next} /^End/{on=0} on{n+=NF} END{print n+0}' "$tmp/p.lp")
      /usr/bin/time -v -o "$tmp/time.txt" timeout $((limit + 30)) \
        "$bin" solve "$world" "${sets[@]}" --solver "$solver" --time-limit "$limit" \
        --format json >"$tmp/out.json" 2>"$tmp/err.txt"
      wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; printf "%.1f", s}' "$tmp/time.txt")
      cpu=$(awk -F': ' '/User time/{u=$2} /System time/{s=$2} END{printf "%.1f", u+s}' "$tmp/time.txt")
      mem=$(awk -F': ' '/Maximum resident/{printf "%.0f", $2/1024}' "$tmp/time.txt")
      status=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("status","?"))' "$tmp/out.json" 2>/dev/null || echo "killed")
      w=$(python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get("objective"); print("-" if v is None else "%.4f" % v)' "$tmp/out.json" 2>/dev/null || echo "-")
      if [ "$status" != "optimal" ]; then
        status="did not finish in $limit s ($status)"
      fi
      echo "| $solver | $periods | $segments | $columns | $binaries | $status | $w | $wall | $cpu | $mem |"
    done
  done
done
