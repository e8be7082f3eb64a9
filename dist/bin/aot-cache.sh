# AOT cache for `serve` on JDK 25 or later (JEP 483/514/515), sourced by both launchers (bin/followermaze and the
# source tree's ./followermaze). A cache holds the server's classes loaded and linked and its method profiles from a
# training run, so start-up and the JIT's warm-up cost less CPU. JDK 17 to 24 get no flag and nothing is written.
#
#   aot_cache_flag JAVA SERVER_JAR TOOLS_JAR JVM_OPTION...   prints -XX:AOTCache=FILE, or nothing (then run without)
#
# The cache is FILE=followermaze.aot beside the server jar (or in ${XDG_CACHE_HOME:-~/.cache}/followermaze when that
# folder is not writable), with FILE.key naming what it was built for: the jar (path, size, time, SHA-256), the JVM
# (java -version) and the JVM options. A different key (new jar, other JDK, other options) or a cache of another
# size than recorded means stale: it is rebuilt by a training run, a server on free loopback ports given
# ${FOLLOWERMAZE_AOT_TRAIN_EVENTS:-200000} events by the load generator (TOOLS_JAR), about 20 s once. Any failure
# (no tools jar, the run fails, the cache does not load) prints one line and the server starts without a cache;
# after a failed run FILE.failed keeps the key, so the next starts do not try again until the jar or the JVM changes.
# FOLLOWERMAZE_AOT=off turns it all off.

aot_cache_flag() {
  local java="$1" jar="$2" tools="$3"
  shift 3
  [ "${FOLLOWERMAZE_AOT:-auto}" != off ] || return 0
  local version major
  version=$("$java" -version 2>&1) || return 0
  major=$(sed -nE '1s/.*version "([0-9]+).*/\1/p' <<<"$version")
  [ "${major:-0}" -ge 25 ] 2>/dev/null || return 0

  local dir
  dir="$(cd "$(dirname "$jar")" && pwd)"
  if [ ! -w "$dir" ]; then
    dir="${XDG_CACHE_HOME:-$HOME/.cache}/followermaze"
    mkdir -p "$dir" 2>/dev/null || { echo "followermaze: no AOT cache (no writable folder for it); starting without it" >&2; return 0; }
  fi
  local cache="$dir/followermaze.aot"
  local abs_jar key
  abs_jar="$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")"
  key="jar=$abs_jar $(stat -c '%s %Y' "$abs_jar") $(sha256sum "$abs_jar" | cut -d' ' -f1) | jvm=$(tr '\n' ' ' <<<"$version")| opts=$*"

  if [ -f "$cache" ] && [ "$(cat "$cache.key" 2>/dev/null)" = "$key size=$(stat -c %s "$cache")" ]; then
    echo "-XX:AOTCache=$cache"
    return 0
  fi
  [ "$(cat "$cache.failed" 2>/dev/null)" != "$key" ] || return 0 # failed for this jar and JVM already
  rm -f "$cache" "$cache.key" "$cache.failed"
  if [ ! -f "$tools" ]; then # asked again next time: the tools jar may be built by then
    echo "followermaze: no AOT cache (no load generator $tools for its training run); starting without it" >&2
    return 0
  fi

  local why
  if why=$(aot_cache_train "$java" "$abs_jar" "$tools" "$cache" "$@"); then
    echo "$key size=$(stat -c %s "$cache")" > "$cache.key"
    echo "followermaze: built the AOT cache $cache (once per jar and JVM)" >&2
    echo "-XX:AOTCache=$cache"
  else
    rm -f "$cache" "$cache.config"
    echo "$key" > "$cache.failed" 2>/dev/null || true
    echo "followermaze: no AOT cache ($why); starting without it" >&2
  fi
}

# aot_cache_train JAVA JAR TOOLS_JAR CACHE JVM_OPTION...: a server with -XX:AOTCacheOutput through a short verified load, then a
# check that the cache loads with these options (-XX:AOTMode=on fails when it does not). Prints why it failed.
aot_cache_train() {
  local java="$1" jar="$2" tools="$3" cache="$4"
  shift 4
  local log server ports event_port client_port
  log=$(mktemp)
  env -u FOLLOWERMAZE_CONFIG "$java" "$@" -XX:AOTCacheOutput="$cache" -jar "$jar" serve --bind 127.0.0.1 \
    --event-port 0 --client-port 0 --metrics-port 0 --status-interval-ms 0 > "$log" 2>&1 &
  server=$!
  for _ in $(seq 1 600); do
    grep -q "events on" "$log" && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  ports=$(grep -oE "events on [^:]+:[0-9]+, clients on [^:]+:[0-9]+" "$log") || {
    kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -f "$log"; echo "the training server did not start"; return 1; }
  event_port=$(sed -E 's/events on [^:]+:([0-9]+),.*/\1/' <<<"$ports")
  client_port=$(sed -E 's/.*clients on [^:]+:([0-9]+)/\1/' <<<"$ports")
  local passed=0
  "$java" -jar "$tools" loadgen --event-listener-port "$event_port" --client-listener-port "$client_port" \
    --total-events "${FOLLOWERMAZE_AOT_TRAIN_EVENTS:-200000}" --log-interval 0 2>&1 | grep -q '^PASS' && passed=1
  kill "$server" 2>/dev/null
  wait "$server" 2>/dev/null # the JVM writes the cache as it exits
  rm -f "$log"
  [ "$passed" = 1 ] || { echo "the training run did not pass"; return 1; }
  [ -s "$cache" ] || { echo "the training run wrote no cache"; return 1; }
  "$java" "$@" -XX:AOTCache="$cache" -XX:AOTMode=on -jar "$jar" --version > /dev/null 2>&1 ||
    { echo "the cache built does not load"; return 1; }
}
