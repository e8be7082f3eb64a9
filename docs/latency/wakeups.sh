#!/usr/bin/env bash
# Where a paced run's tail comes from: how long each thread of the server and of the load generator waited for a
# CPU after it was woken (the scheduler's "sch delay"), from `perf sched` over a few seconds of steady state.
# Needs perf and root (or kernel.perf_event_paranoid <= -1). Run from the repository root after
# `./mvnw -B -q package -DskipTests`.
#   docs/latency/wakeups.sh [RATE] [CLIENTS]      default 100000 events/s, 100 clients
# Prints the loadgen's latency table, then one row per busy thread of the two JVMs: wake-ups (a thread that slept and
# was woken), its wait for a CPU after each (p50/p99/max in µs), and the CPU it used in the recording (ms); then the
# threads of neither JVM that held a CPU for more than 1 ms at a time (on the 2-core box: the kernel's kdamond).
set -euo pipefail
rate="${1:-100000}"
clients="${2:-100}"
record_s="${RECORD_SECONDS:-5}"
work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
java -Xms16m -Xmx512m -XX:+UseSerialGC -XX:-TieredCompilation -XX:MaxDirectMemorySize=256m \
    -jar server/target/followermaze.jar serve --event-port 0 --client-port 0 >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 200); do grep -q "clients on" "$work/server.log" && break; sleep 0.1; done
port() { grep -oE "$1 on [^ ,]+:[0-9]+" "$work/server.log" | head -1 | sed 's/.*://'; }
events=$((rate * (record_s + 8)))
java -Xms256m -Xmx1g -XX:+UseParallelGC -jar benchmarks/loadgen/target/followermaze-tools.jar loadgen \
    --event-listener-port "$(port events)" --client-listener-port "$(port clients)" --server-pid "$server" \
    --concurrency-level "$clients" --rate "$rate" --total-events "$events" --warmup-s 2 --log-interval 0 \
    >"$work/loadgen.log" 2>&1 &
loadgen=$!
sleep 5 # start-up, connection and warm-up: record the steady state only
perf sched record -a -o "$work/sched.data" sleep "$record_s" >/dev/null 2>&1
wait "$loadgen" || true
sed -n '/open-loop latency/,/^latency per second/p' "$work/loadgen.log" | sed '$d'
# timehist columns: time cpu task wait sch-delay run (ms); thread names may hold one space ("C2 CompilerThre")
# a row with wait time 0 is a thread taken off the CPU while runnable (preempted), not a wake-up: its CPU counts
# only the two JVMs' threads ([tid/pid]), each name prefixed with its process
perf sched timehist -i "$work/sched.data" 2>/dev/null \
    | awk -v server="$server" -v loadgen="$loadgen" 'NR > 3 && $3 != "<idle>" {
        n = NF; task = $3; for (i = 4; i <= n - 3; i++) task = task "_" $i
        pid = task; sub(/.*\//, "", pid); sub(/\]$/, "", pid)
        if (pid != server && pid != loadgen) next
        sub(/\[.*/, "", task); task = (pid == server ? "server:" : "gen:") task
        print task, ($(n - 2) > 0 ? $(n - 1) * 1000 : -1), $n }' \
    | sort -k1,1 -k2,2n | awk '
        function flush() { if (cnt >= 50) printf "%-24s %8d %8d %8d %8d %8.0f\n", name, cnt, d[int(cnt * 0.5) + 1],
                           d[int(cnt * 0.99) + 1], d[cnt], cpu }
        $1 != name { if (name != "") flush(); name = $1; cnt = 0; cpu = 0 }
        { cpu += $3 } $2 >= 0 { d[++cnt] = $2 }
        END { flush() }' \
    | sort -k6,6nr | { printf "%-24s %8s %8s %8s %8s %8s\n" thread wake-ups "p50 µs" "p99 µs" "max µs" "CPU ms"; cat; }
# Everything else that held a CPU for long stretches: a thread outside the two JVMs running more than 1 ms at a time
# takes one of the two cores away from the four threads on the path.
echo
perf sched timehist -i "$work/sched.data" 2>/dev/null \
    | awk -v server="$server" -v loadgen="$loadgen" 'NR > 3 && $3 != "<idle>" {
        n = NF; task = $3; for (i = 4; i <= n - 3; i++) task = task "_" $i
        pid = task; sub(/.*\//, "", pid); sub(/\]$/, "", pid); sub(/.*\[/, "", pid)
        if (pid == server || pid == loadgen || task ~ /^perf\[/) next
        run = $n; cpu[task] += run; if (run > 1) { long[task]++; if (run > max[task]) max[task] = run } }
        END { for (t in long) printf "%-24s %8d %8.1f %8.0f\n", t, long[t], max[t], cpu[t] }' \
    | sort -k3,3nr | head -5 | { printf "%-24s %8s %8s %8s\n" "other thread" ">1 ms" "max ms" "CPU ms"; cat; }
