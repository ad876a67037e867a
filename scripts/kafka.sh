#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft: one process is broker and controller) for tests, CI and
# local runs. No Docker: the jars come from Maven Central through scripts/kafka/pom.xml.
#
#   scripts/kafka.sh fetch    download the jars into the cache (once)
#   scripts/kafka.sh start    fetch if needed, format storage if new, start, wait until it serves
#   scripts/kafka.sh stop     stop it cleanly (SIGTERM, then SIGKILL after KAFKA_STOP_TIMEOUT s)
#   scripts/kafka.sh status   exit 0 and print the address when it is up, else exit 1
#   scripts/kafka.sh reset    stop and delete its data directory
#
# Environment (all optional):
#   KAFKA_PORT            client listener, 127.0.0.1 (default 19092)
#   KAFKA_CONTROLLER_PORT controller listener (default KAFKA_PORT+1)
#   KAFKA_DATA_DIR        logs, pid file, server.properties (default /tmp/tollgate-kafka-$KAFKA_PORT)
#   KAFKA_CACHE_DIR       where jars are kept (default ~/.cache/tollgate/kafka)
#   KAFKA_HEAP_OPTS       JVM heap (default -Xms256m -Xmx512m)
#   KAFKA_START_TIMEOUT   seconds to wait for the broker (default 90)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$HERE/kafka/pom.xml"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM")"
PORT="${KAFKA_PORT:-19092}"
CPORT="${KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
DATA="${KAFKA_DATA_DIR:-/tmp/tollgate-kafka-$PORT}"
CACHE="${KAFKA_CACHE_DIR:-$HOME/.cache/tollgate/kafka}"
LIB="$CACHE/$KAFKA_VERSION/lib"
PIDFILE="$DATA/kafka.pid"
HEAP="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"

log() { echo "kafka.sh: $*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

running_pid() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  # The pid must still be our broker, not a recycled id.
  grep -q 'kafka.Kafka' "/proc/$pid/cmdline" 2>/dev/null || return 1
  echo "$pid"
}

pom_sum() { sha256sum "$POM" | cut -d' ' -f1; }

fetch() {
  # The marker holds the pom's checksum: a changed dependency list fetches again.
  if [[ -f "$LIB/.complete" && "$(cat "$LIB/.complete")" == "$(pom_sum)" ]]; then return 0; fi
  command -v mvn >/dev/null || { log "Maven (mvn) is needed to fetch Kafka: apt-get install -y maven"; exit 1; }
  command -v java >/dev/null || { log "Java 17 is needed: apt-get install -y openjdk-17-jre-headless"; exit 1; }
  log "fetching Apache Kafka $KAFKA_VERSION jars into $LIB"
  local tmp="$LIB.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if ! mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >"$tmp.log" 2>&1; then
    log "Maven could not fetch the jars:"
    cat "$tmp.log" >&2
    rm -rf "$tmp" "$tmp.log"
    exit 1
  fi
  rm -f "$tmp.log"
  rm -rf "$LIB"
  mv "$tmp" "$LIB"
  pom_sum >"$LIB/.complete"
}

write_config() {
  mkdir -p "$DATA/logs"
  cat >"$DATA/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA/logs
num.partitions=1
auto.create.topics.enable=true
# One node: internal topics cannot be replicated; few partitions start faster.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
# Tests join and leave consumer groups often: do not wait for more members before the first rebalance.
group.initial.rebalance.delay.ms=0
log.retention.hours=6
log.segment.bytes=67108864
EOF
  cat >"$DATA/log4j.properties" <<EOF
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$DATA/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.state.change.logger=WARN
EOF
}

start() {
  fetch
  mkdir -p "$DATA"
  # Two test processes may start it at once: one does the work, the other waits and finds it up.
  exec 9>"$DATA/.lock"
  flock -w "$START_TIMEOUT" 9 || { log "could not take $DATA/.lock"; exit 1; }
  if pid="$(running_pid)" && port_open "$PORT"; then
    log "already running (pid $pid) on 127.0.0.1:$PORT"
    return 0
  fi
  if port_open "$PORT"; then
    log "127.0.0.1:$PORT is taken by another process; set KAFKA_PORT to a free port"
    exit 1
  fi
  write_config
  local java=(java $HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
    "-Dlog4j.configuration=file:$DATA/log4j.properties" -cp "$LIB/*")
  if [[ ! -f "$DATA/logs/meta.properties" ]]; then
    # A KRaft cluster id is 16 random bytes in URL-safe base64 without padding.
    # (One starting with '-' would read as an option: draw again.)
    local cluster_id=-
    while [[ "$cluster_id" == -* ]]; do cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"; done
    "${java[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$DATA/server.properties" >"$DATA/format.log" 2>&1 \
      || { log "formatting storage failed:"; cat "$DATA/format.log" >&2; exit 1; }
  fi
  : >"$DATA/server.log"
  setsid nohup "${java[@]}" kafka.Kafka "$DATA/server.properties" >"$DATA/stdout.log" 2>&1 </dev/null 9>&- &
  echo $! >"$PIDFILE"
  local pid=$! waited=0
  # Up means: the client port accepts connections and the server logged that startup finished.
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "broker exited during startup; last lines of $DATA/server.log and stdout.log:"
      tail -n 30 "$DATA/server.log" "$DATA/stdout.log" >&2 || true
      rm -f "$PIDFILE"
      exit 1
    fi
    if port_open "$PORT" && grep -q 'Kafka Server started' "$DATA/server.log" 2>/dev/null; then break; fi
    if ((waited >= START_TIMEOUT * 4)); then
      log "broker not up after ${START_TIMEOUT}s; see $DATA/server.log"
      kill -TERM "$pid" 2>/dev/null || true
      exit 1
    fi
    sleep 0.25
    waited=$((waited + 1))
  done
  log "Apache Kafka $KAFKA_VERSION up (pid $pid) on 127.0.0.1:$PORT, data in $DATA"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PIDFILE"
    log "not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= STOP_TIMEOUT * 4)); then
      log "broker did not stop in ${STOP_TIMEOUT}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.25
    waited=$((waited + 1))
  done
  rm -f "$PIDFILE"
  log "stopped (pid $pid)"
}

status() {
  local pid
  if pid="$(running_pid)" && port_open "$PORT"; then
    echo "running pid $pid on 127.0.0.1:$PORT (Apache Kafka $KAFKA_VERSION, data $DATA)"
    return 0
  fi
  echo "not running (127.0.0.1:$PORT)"
  return 1
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  reset) stop; rm -rf "$DATA"; log "removed $DATA" ;;
  *) echo "usage: $0 fetch|start|stop|status|reset" >&2; exit 2 ;;
esac
