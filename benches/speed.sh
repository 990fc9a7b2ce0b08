#!/bin/sh
# Same-run before/after timings of the world analyses (benches/README.md, issue 13).
#   benches/speed.sh BEFORE_BINARY AFTER_BINARY [SOLVER]
# Runs each command with the two binaries one after the other, checks that their JSON agrees
# (benches/jdiff.py: largest relative difference) and prints a Markdown table row per command.
set -eu
before=$1
after=$2
solver=${3:-microlp}
W=instances/world-2026.toml
here=$(dirname "$0")
tmp=$(mktemp -d)
run() {
    # run BINARY NAME ARGS...: "wall user" seconds, stdout to $tmp/NAME
    bin=$1; name=$2; shift 2
    /usr/bin/time -f "%e %U" -o "$tmp/time" "$bin" "$@" --solver "$solver" --format json \
        > "$tmp/$name" 2> /dev/null
    cat "$tmp/time"
}
echo "| command | before wall s | before CPU s | after wall s | after CPU s | wall ratio | largest relative difference |"
echo "|---|---:|---:|---:|---:|---:|---:|"
while IFS='|' read -r label args; do
    # shellcheck disable=SC2086
    set -- $args
    b=$(run "$before" before.json "$@")
    a=$(run "$after" after.json "$@")
    d=$(python3 "$here/jdiff.py" "$tmp/before.json" "$tmp/after.json")
    echo "$b $a" | awk -v l="$label" -v d="$d" \
        '{printf "| `%s` | %.2f | %.2f | %.2f | %.2f | %.1fx | %s |\n", l, $1, $2, $3, $4, $1/$3, d}'
done <<COMMANDS
solve|solve $W
margins --check-prices|margins $W --check-prices
margins --entry|margins $W --entry
compare --agreement india-services|compare $W --agreement india-services
coalitions --agreement india-services|coalitions $W --agreement india-services
coalitions --agreement ai-compact|coalitions $W --agreement ai-compact
alternatives|alternatives $W
COMMANDS
rm -rf "$tmp"
