#!/usr/bin/env bash
# The README's latency sweep: balanced, balanced with the pipeline on the event loop, low-latency and the relay floor
# at the same rates, then one plot. Prints how much CPU the kernel's kdamond took meanwhile (see damon-ab.sh).
# Run from the repository root after `./mvnw -B -q package -DskipTests`; writes into OUT (default docs/latency).
# The jars are copied aside first, so that editing the tree meanwhile cannot rebuild them between rates.
set -euo pipefail
out="${1:-docs/latency}"
jars="$(mktemp -d)"
trap 'rm -rf "$jars"' EXIT
cp server/target/followermaze.jar benchmarks/loadgen/target/followermaze-tools.jar "$jars/"
# the launcher's JVM flags (./followermaze); --metrics-port 0: each run waits until every client is registered
srv="java -Xms16m -Xmx512m -XX:+UseSerialGC -XX:-TieredCompilation -XX:MaxDirectMemorySize=256m -XX:+ExitOnOutOfMemoryError -jar $jars/followermaze.jar serve --event-port 0 --client-port 0 --metrics-port 0"
gen="java -Xms256m -Xmx1g -XX:+UseParallelGC -jar $jars/followermaze-tools.jar loadgen"
rates="${RATES:-50000,100000,200000,500000,1000000,2000000,3000000}"
common="--sweep-seconds ${SECONDS_PER_RATE:-6} --warmup-s ${WARMUP_S:-2} --log-interval 0"
kdamond_ticks() { for p in $(cat /sys/kernel/mm/damon/admin/kdamonds/*/pid 2>/dev/null); do
    [ "$p" -gt 0 ] 2>/dev/null && awk '{print $14 + $15}' "/proc/$p/stat"; done | awk '{s += $1} END {print s + 0}'; }
k0=$(kdamond_ticks); t0=$(date +%s)
$gen --rate-sweep "$rates" $common --server-cmd "$srv" --sweep-label balanced --sweep-csv "$out/balanced.csv"
$gen --rate-sweep "$rates" $common --server-cmd "$srv --pipeline-thread event-loop" --sweep-label event-loop \
    --sweep-csv "$out/event-loop.csv"
$gen --rate-sweep "$rates" $common --server-cmd "$srv --profile low-latency" --sweep-label low-latency \
    --sweep-csv "$out/low-latency.csv"
$gen --rate-sweep "$rates" $common --relay --sweep-csv "$out/relay-floor.csv" \
    --plot-out "$out/sweep.html" --plot-add "$out/balanced.csv,$out/event-loop.csv,$out/low-latency.csv"
echo "kdamond (the kernel's DAMON monitor) meanwhile: $(( ($(kdamond_ticks) - k0) * 10 )) ms of CPU in $(( $(date +%s) - t0 )) s"
