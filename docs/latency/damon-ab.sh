#!/usr/bin/env bash
# Whose is the tail? The same paced runs with the kernel's DAMON monitor running and paused, in interleaved rounds.
# On the 2-core box a kernel thread, kdamond (DAMON with a "pageout" scheme, set up by the platform), wakes every
# ~0.5 s and holds a core for bursts of 3-15 ms; `docs/latency/wakeups.sh` shows it. This script pauses it for the
# "off" half of each round only (writes "off", then "on" again, to /sys/kernel/mm/damon/admin/kdamonds/*/state; also
# on exit or Ctrl-C), so it needs root. Run from the repository root after `./mvnw -B -q package -DskipTests`.
#   docs/latency/damon-ab.sh [RATE] [ROUNDS] [OUT_CSV]     default 100000 events/s, 2 rounds
# Each round runs, with DAMON on and then off: the server with its pipeline on its own thread, the server with the
# pipeline on the event loop, and the relay floor (20 s each, 8 s warm-up, fresh server per run, 100 clients).
set -euo pipefail
rate="${1:-100000}"
rounds="${2:-2}"
out="${3:-$(mktemp)}"
states=(/sys/kernel/mm/damon/admin/kdamonds/*/state)
[ -e "${states[0]}" ] || { echo "no DAMON monitor here (${states[0]}): nothing to compare" >&2; exit 1; }
running=()
for s in "${states[@]}"; do [ "$(cat "$s")" = on ] && running+=("$s"); done
put() { [ "$(cat "$1")" = "$2" ] || echo "$2" >"$1"; } # writing the state it is in already fails (EBUSY)
restore() { for s in "${running[@]}"; do put "$s" on; done; }
trap restore EXIT
jars="$(mktemp -d)"
cp server/target/followermaze.jar benchmarks/loadgen/target/followermaze-tools.jar "$jars/"
srv="java -Xms16m -Xmx512m -XX:+UseSerialGC -XX:-TieredCompilation -XX:MaxDirectMemorySize=256m -XX:+ExitOnOutOfMemoryError -jar $jars/followermaze.jar serve --event-port 0 --client-port 0 --metrics-port 0"
gen="java -Xms256m -Xmx1g -XX:+UseParallelGC -jar $jars/followermaze-tools.jar loadgen"
common="--rate-sweep $rate --sweep-seconds 20 --warmup-s 8 --log-interval 0"
echo "series,offered_per_s,achieved_per_s,recorded,p50_us,p90_us,p99_us,p99_9_us,p99_99_us,max_us,late_batches,server_cpu_s,result" >"$out"
run() { # label, then loadgen arguments
    local label="$1" csv="$jars/run.csv"; shift
    $gen $common --sweep-label "$label" --sweep-csv "$csv" "$@" >/dev/null 2>&1
    tail -n 1 "$csv" >>"$out"
}
for round in $(seq "$rounds"); do
    for damon in on off; do
        for s in "${running[@]}"; do put "$s" "$damon"; done
        run "damon-$damon own" --server-cmd "$srv"
        run "damon-$damon event-loop" --server-cmd "$srv --pipeline-thread event-loop"
        run "damon-$damon relay-floor" --relay
    done
done
restore
column -s, -t <"$out" | cut -c1-200
echo "rows: $out"
