#!/usr/bin/env bash
# nkohub without Docker: real RabbitMQ (Debian's package) and a MongoDB-wire server
# (mongo-java-server, built with Maven), then the four services as local processes behind
# Caddy (Debian's package): one site on http://localhost:8080.
#
#   bash deploy/local/platform.sh up        # everything: servers, services, the site
#   bash deploy/local/platform.sh down      # stop everything started here
#   bash deploy/local/platform.sh status    # what runs, and the services' readiness
#   bash deploy/local/platform.sh servers   # only RabbitMQ and the MongoDB-wire server
#   bash deploy/local/platform.sh test [pytest args]   # servers, then the test suite
#   bash deploy/local/platform.sh token --sub NAME [--role admin]   # a staff token
#
# State lives in .local/ (logs in .local/logs/, MongoDB data in .local/mongo-wire/).
# Each process leads a process group of its own; its pid file names it, and `down` stops
# the group. `up` refuses a port held by a process it did not start.
# NKOHUB_REPLICAS=N starts N processes of each service: replica 1 on the service's port,
# replica k on port + 10·(k-1); Caddy balances over them (docs/scaling.md).
# NKOHUB_RABBITMQ_CLUSTER=1: a 3-node RabbitMQ cluster instead of the one node
# (deploy/local/rabbitmq-cluster.sh, ports 5701–5703), the services told of every node;
# `platform.sh cluster status|kill N|start N` acts on it.
# NKOHUB_LOCAL_SITE_PORT (the site's port, 8080), NKOHUB_SITE_ADDRESS (a domain name for
# automatic HTTPS), NKOHUB_LOCAL_PROXY=0 (no Caddy: each service on its own port, links too).
# NKOHUB_LOCAL_STATE (state folder), NKOHUB_LOCAL_PORT_BASE (services on base+1…+4),
# NKOHUB_LOCAL_SMTP_PORT and NKOHUB_LOCAL_KEEP_SERVERS=1 (`down` leaves RabbitMQ and the
# MongoDB-wire server running) let a second platform run beside the first.
# NKOHUB_DATABASE_PREFIX=demo bash deploy/local/platform.sh up  → databases demo_<service>.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${NKOHUB_LOCAL_STATE:-$ROOT/.local}"
LOGS="$STATE/logs"
RUN="$STATE/run"
MONGO_HOST="${NKOHUB_LOCAL_MONGO_HOST:-127.0.0.1}"
MONGO_PORT="${NKOHUB_LOCAL_MONGO_PORT:-27017}"
MONGO_WIRE="$ROOT/deploy/mongo-wire"
SERVICES=(registry events notifications publishing)
PORT_BASE="${NKOHUB_LOCAL_PORT_BASE:-8000}"  # services on base+1 … base+4
SMTP_PORT="${NKOHUB_LOCAL_SMTP_PORT:-1025}"
declare -A PORTS=([registry]=$((PORT_BASE + 1)) [events]=$((PORT_BASE + 2))
                  [notifications]=$((PORT_BASE + 3)) [publishing]=$((PORT_BASE + 4)))
REPLICAS="${NKOHUB_REPLICAS:-1}"
PROXY="${NKOHUB_LOCAL_PROXY:-1}"
SITE_PORT="${NKOHUB_LOCAL_SITE_PORT:-8080}"
SITE_ADDRESS="${NKOHUB_SITE_ADDRESS:-http://:$SITE_PORT}"
case "$SITE_ADDRESS" in
  http://:*) DEFAULT_SITE_URL="http://localhost:${SITE_ADDRESS#http://:}" ;;
  http://*) DEFAULT_SITE_URL="$SITE_ADDRESS" ;;
  *) DEFAULT_SITE_URL="https://${SITE_ADDRESS#https://}" ;;
esac
SITE_URL="${NKOHUB_SITE_URL:-$DEFAULT_SITE_URL}"
[[ "$REPLICAS" =~ ^[1-9]$ ]] || { echo "[platform] error: NKOHUB_REPLICAS must be 1…9" >&2; exit 2; }

mkdir -p "$LOGS" "$RUN" "$STATE/mongo-wire" "$STATE/caddy"
say() { printf '[platform] %s\n' "$*"; }
die() { printf '[platform] error: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2; shift 2
  for _ in $(seq 1 $((seconds * 2))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  die "$what did not come up within ${seconds}s (logs: $LOGS)"
}

ensure_tools() {
  command -v uv >/dev/null || { say "installing uv"; python3 -m pip install -q uv; }
  command -v java >/dev/null || die "Java 17 is needed for the MongoDB-wire server"
  command -v mvn >/dev/null || die "Maven is needed to build the MongoDB-wire server"
}

rabbitmq_installed() {
  if ! command -v rabbitmq-server >/dev/null || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
    say "installing rabbitmq-server and fonts-dejavu-core (PDF font) from Debian's packages"
    as_root apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q rabbitmq-server fonts-dejavu-core >/dev/null
  fi
}

rabbitmq_up() {
  rabbitmq_installed
  if ! rabbitmq-diagnostics -q ping >/dev/null 2>&1; then
    say "starting RabbitMQ"
    as_root rabbitmq-server -detached
    wait_for 120 "RabbitMQ" rabbitmq-diagnostics -q ping
  fi
  # Management API: the tests create a vhost per test through it.
  rabbitmq-plugins -q enable rabbitmq_management >/dev/null
  wait_for 60 "RabbitMQ management API" curl -sf -u guest:guest http://127.0.0.1:15672/api/overview
  say "RabbitMQ ready on 127.0.0.1:5672 (management on :15672)"
}

mongo_ping() {  # the server accepts connections once it is ready to serve them
  python3 -c "import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 2).close()" \
    "$MONGO_HOST" "$MONGO_PORT" 2>/dev/null
}

mongo_up() {
  if mongo_ping; then say "MongoDB-wire server already answers on $MONGO_HOST:$MONGO_PORT"; return; fi
  local jar="$MONGO_WIRE/target/mongo-wire-1.0.0.jar"
  # built once, and again after its pom or launcher changed (a newer H2, a new option)
  if [ ! -f "$jar" ] || [ "$MONGO_WIRE/pom.xml" -nt "$jar" ] \
     || [ "$MONGO_WIRE/src/main/java/org/nkohub/mongowire/Main.java" -nt "$jar" ]; then
    say "building the MongoDB-wire server (mongo-java-server) with Maven"
    (cd "$MONGO_WIRE" && mvn -q -B package -DskipTests) >"$LOGS/mongo-wire-build.log" 2>&1 \
      || die "Maven build failed: $LOGS/mongo-wire-build.log"
  fi
  # The platform keeps its data in an H2 MVStore file; the test suite, which drops what it
  # creates, runs on the in-memory backend (NKOHUB_LOCAL_MONGO_STORE=memory).
  local store=("$STATE/mongo-wire/data.mv")
  [ "${NKOHUB_LOCAL_MONGO_STORE:-file}" = memory ] && store=()
  say "starting the MongoDB-wire server on $MONGO_HOST:$MONGO_PORT (${NKOHUB_LOCAL_MONGO_STORE:-file})"
  start_detached "$RUN/mongo-wire.pid" "$LOGS/mongo-wire.log" \
    java -Xmx4g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$MONGO_WIRE/target/mongo-wire-1.0.0.jar:$MONGO_WIRE/target/lib/*" \
    org.nkohub.mongowire.Main "$MONGO_HOST" "$MONGO_PORT" "${store[@]}"
  wait_for 60 "MongoDB-wire server" mongo_ping
}

CLUSTER="$ROOT/deploy/local/rabbitmq-cluster.sh"
export NKOHUB_CLUSTER_STATE="${NKOHUB_CLUSTER_STATE:-$STATE/rabbitmq-cluster}"

cluster_up() {  # three nodes of Debian's RabbitMQ; the services get every node's address
  rabbitmq_installed
  bash "$CLUSTER" up
  local name value
  while IFS='=' read -r name value; do
    if [ -z "${!name:-}" ]; then export "$name=$value"; fi
  done < <(bash "$CLUSTER" env)
}

servers_up() {
  ensure_tools
  if [ "${NKOHUB_RABBITMQ_CLUSTER:-0}" = 1 ]; then cluster_up; else rabbitmq_up; fi
  mongo_up
}

local_env() {
  export NKOHUB_MONGODB_URL="${NKOHUB_MONGODB_URL:-mongodb://$MONGO_HOST:$MONGO_PORT}"
  export NKOHUB_AMQP_URL="${NKOHUB_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/}"
  # Keys of this machine's platform, made once (`nkohub secrets`); what the environment
  # already sets wins.
  if [ ! -f "$STATE/keys.env" ]; then
    (umask 077 && "$ROOT/.venv/bin/nkohub" secrets >"$STATE/keys.env")
  fi
  local name value
  while IFS='=' read -r name value; do
    if [ -n "$name" ] && [ -z "${!name:-}" ]; then export "$name=$value"; fi
  done <"$STATE/keys.env"
}

start_detached() {  # start_detached PIDFILE LOG COMMAND...: a process group of its own
  local pidfile=$1 log=$2; shift 2
  # setsid makes the command lead a new process group, whose id is its pid: `down` stops
  # the whole group, and the pid file names the process itself, not a launching subshell.
  (cd "$ROOT" && exec setsid "$@" >>"$log" 2>&1 </dev/null) &
  echo $! >"$pidfile"
}

running() {  # running PIDFILE: the recorded process is alive
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

port_taken() {  # port_taken PORT: something listens there
  python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1).close()" \
    "$1" 2>/dev/null
}

mail_sink_up() {  # a local SMTP sink (Mailpit's role in Compose): mail lands in .local/logs/mail.log
  local pidfile="$RUN/mail-sink.pid"
  if running "$pidfile"; then return; fi
  port_taken "$SMTP_PORT" && die "port $SMTP_PORT is taken by a process this runner did not start"
  start_detached "$pidfile" "$LOGS/mail.log" \
    "$ROOT/.venv/bin/python" -m aiosmtpd -n -u -l "127.0.0.1:$SMTP_PORT"
  say "mail sink on 127.0.0.1:$SMTP_PORT (messages in $LOGS/mail.log)"
}

replica_port() {  # replica_port SERVICE K: replica 1 on the service's port, k on +10·(k-1)
  echo $((PORTS[$1] + 10 * ($2 - 1)))
}

replica_name() {  # replica_name SERVICE K: the pid file's and log's name (replica 1: SERVICE)
  if [ "$2" = 1 ]; then echo "$1"; else echo "$1-$2"; fi
}

services_up() {
  (cd "$ROOT" && uv sync --frozen -q)
  local_env
  mail_sink_up
  for svc in "${SERVICES[@]}"; do
    for r in $(seq 1 "$REPLICAS"); do
      local name port; name="$(replica_name "$svc" "$r")"; port="$(replica_port "$svc" "$r")"
      local pidfile="$RUN/$name.pid"
      if running "$pidfile"; then
        say "$name already running (pid $(cat "$pidfile"))"; continue
      fi
      # Never report ready for a process this runner did not start (an old one, old code).
      port_taken "$port" && die "port $port ($svc) is taken by a process this runner did not start"
      local database="${NKOHUB_DATABASE_PREFIX:+${NKOHUB_DATABASE_PREFIX}_$svc}"
      local links=(NKOHUB_PUBLIC_BASE_URL="${NKOHUB_PUBLIC_BASE_URL:-http://localhost:$port}")
      if [ "$PROXY" = 1 ]; then
        # One site: every link starts with it; the proxy's X-Forwarded-For names the client.
        links=(NKOHUB_SITE_URL="$SITE_URL"
               NKOHUB_TRUSTED_PROXIES="${NKOHUB_TRUSTED_PROXIES:-[\"127.0.0.1\",\"::1\"]}")
        [ -n "${NKOHUB_PUBLIC_BASE_URL:-}" ] && links+=(NKOHUB_PUBLIC_BASE_URL="$NKOHUB_PUBLIC_BASE_URL")
      fi
      # JSON lines, rotated, in .local/logs/<name>.log; what is printed before logging is
      # set up (a settings error, a crash) in <name>.out.
      start_detached "$pidfile" "$LOGS/$name.out" env -u NKOHUB_STAFF_TOKEN_PRIVATE_KEY \
        NKOHUB_HTTP_PORT="$port" NKOHUB_SMTP_PORT="$SMTP_PORT" \
        NKOHUB_API_DOCS="${NKOHUB_API_DOCS:-true}" \
        NKOHUB_MONGODB_DATABASE="${database:-nkohub_$svc}" \
        NKOHUB_REPLICA="$name" NKOHUB_LOG_FILE="$LOGS/$name.log" "${links[@]}" \
        "$ROOT/.venv/bin/nkohub-$svc"
    done
  done
  for svc in "${SERVICES[@]}"; do
    for r in $(seq 1 "$REPLICAS"); do
      local name port; name="$(replica_name "$svc" "$r")"; port="$(replica_port "$svc" "$r")"
      wait_for 90 "$name" curl -sf "http://127.0.0.1:$port/health/ready"
      running "$RUN/$name.pid" || die "$name exited (log: $LOGS/$name.out)"
      say "$name ready on http://127.0.0.1:$port (docs: /docs, events: /asyncapi.json)"
    done
  done
  console_up
  proxy_up
  say "staff token: bash deploy/local/platform.sh token --sub librarian [--role admin]"
}

console_up() {  # the staff console on PORT_BASE, in front of the four services; it mints tokens
  local pidfile="$RUN/console.pid" port="$PORT_BASE"
  local database="${NKOHUB_DATABASE_PREFIX:+${NKOHUB_DATABASE_PREFIX}_console}"
  # Its pages are under /console on its own port and on the site; behind the site its
  # links to the meetup pages and the blog are the site's.
  local links=(NKOHUB_PUBLIC_BASE_URL="http://localhost:$port") login="http://localhost:$port/console/login"
  if [ "$PROXY" = 1 ]; then
    links=(NKOHUB_SITE_URL="$SITE_URL"
           NKOHUB_TRUSTED_PROXIES="${NKOHUB_TRUSTED_PROXIES:-[\"127.0.0.1\",\"::1\"]}")
    login="$SITE_URL/console/login"
  fi
  if ! running "$pidfile"; then
    port_taken "$port" && die "port $port (console) is taken by a process this runner did not start"
    start_detached "$pidfile" "$LOGS/console.log" env NKOHUB_HTTP_PORT="$port" \
      NKOHUB_MONGODB_DATABASE="${database:-nkohub_console}" "${links[@]}" \
      NKOHUB_CONSOLE_REGISTRY_URL="http://127.0.0.1:${PORTS[registry]}" \
      NKOHUB_CONSOLE_EVENTS_URL="http://127.0.0.1:${PORTS[events]}" \
      NKOHUB_CONSOLE_NOTIFICATIONS_URL="http://127.0.0.1:${PORTS[notifications]}" \
      NKOHUB_CONSOLE_PUBLISHING_URL="http://127.0.0.1:${PORTS[publishing]}" \
      "$ROOT/.venv/bin/nkohub-console"
  fi
  wait_for 60 console curl -sf "http://127.0.0.1:$port/health/ready"
  running "$pidfile" || die "console exited (log: $LOGS/console.log)"
  say "staff console: $login"
  say "first admin:   set -a; . .local/keys.env; set +a; NKOHUB_MONGODB_URL=$NKOHUB_MONGODB_URL NKOHUB_AMQP_URL=$NKOHUB_AMQP_URL NKOHUB_MONGODB_DATABASE=${database:-nkohub_console} uv run nkohub console create-admin --name 'Имя Фамилия' --email you@library.ru"
}

upstreams() {  # upstreams SERVICE: Caddy's `to` line naming every replica
  local line="to" r
  for r in $(seq 1 "$REPLICAS"); do line+=" 127.0.0.1:$(replica_port "$1" "$r")"; done
  echo "$line"
}

caddy_installed() {  # the site's proxy (and the tests of the site) need Debian's caddy
  if ! command -v caddy >/dev/null; then
    say "installing caddy from Debian's packages"
    as_root apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q caddy >/dev/null
  fi
}

proxy_up() {  # Caddy in front: the one public site (deploy/caddy/Caddyfile)
  [ "$PROXY" = 1 ] || return 0
  caddy_installed
  local pidfile="$RUN/caddy.pid"
  if ! running "$pidfile"; then
    port_taken "$SITE_PORT" && die "port $SITE_PORT (the site) is taken by a process this runner did not start"
    start_detached "$pidfile" "$LOGS/caddy.log" env \
      XDG_DATA_HOME="$STATE/caddy" XDG_CONFIG_HOME="$STATE/caddy" \
      NKOHUB_SITE_ADDRESS="$SITE_ADDRESS" \
      NKOHUB_UPSTREAMS_REGISTRY="$(upstreams registry)" \
      NKOHUB_UPSTREAMS_EVENTS="$(upstreams events)" \
      NKOHUB_UPSTREAMS_NOTIFICATIONS="$(upstreams notifications)" \
      NKOHUB_UPSTREAMS_PUBLISHING="$(upstreams publishing)" \
      NKOHUB_UPSTREAMS_CONSOLE="to 127.0.0.1:$PORT_BASE" \
      caddy run --adapter caddyfile --config "$ROOT/deploy/caddy/Caddyfile"
  fi
  wait_for 30 "Caddy" curl -sf -o /dev/null "http://127.0.0.1:$SITE_PORT/robots.txt"
  running "$pidfile" || die "Caddy exited (log: $LOGS/caddy.log)"
  say "the site: $SITE_URL (blog /, meetups /meetups, APIs /api/<service>/v1/…)"
}

stop_pid() {  # stop_pid PIDFILE: the process group it leads, TERM then KILL
  local pidfile=$1
  [ -f "$pidfile" ] || return 0
  local pid; pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

down() {
  stop_pid "$RUN/console.pid"
  stop_pid "$RUN/caddy.pid"
  local pidfile
  for svc in "${SERVICES[@]}"; do
    # every replica started, whatever NKOHUB_REPLICAS says now
    for pidfile in "$RUN/$svc.pid" "$RUN/$svc"-[0-9].pid; do stop_pid "$pidfile"; done
  done
  stop_pid "$RUN/mail-sink.pid"
  if [ "${NKOHUB_LOCAL_KEEP_SERVERS:-0}" = 1 ]; then say "stopped (servers left running)"; return; fi
  stop_pid "$RUN/mongo-wire.pid"
  if [ "${NKOHUB_RABBITMQ_CLUSTER:-0}" = 1 ]; then bash "$CLUSTER" down; say "stopped"; return; fi
  if command -v rabbitmqctl >/dev/null && rabbitmq-diagnostics -q ping >/dev/null 2>&1; then
    say "stopping RabbitMQ"; as_root rabbitmqctl -q stop >/dev/null 2>&1 || true
  fi
  say "stopped"
}

status() {
  rabbitmq-diagnostics -q ping >/dev/null 2>&1 && say "RabbitMQ: up" || say "RabbitMQ: down"
  mongo_ping && say "MongoDB-wire: up" || say "MongoDB-wire: down"
  for svc in "${SERVICES[@]}"; do
    for r in $(seq 1 "$REPLICAS"); do
      say "$(replica_name "$svc" "$r"): $(curl -s "http://127.0.0.1:$(replica_port "$svc" "$r")/health/ready" || echo down)"
    done
  done
  say "console: $(curl -s "http://127.0.0.1:$PORT_BASE/health/ready" || echo down)"
  if [ "$PROXY" = 1 ]; then
    curl -sf -o /dev/null "http://127.0.0.1:$SITE_PORT/robots.txt" && say "site: $SITE_URL" || say "site: down"
  fi
}

ensure_browser() {  # public pages are tested in headless Chromium (Debian's package)
  if ! command -v chromium >/dev/null; then
    say "installing chromium from Debian's packages (browser tests)"
    as_root apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q chromium >/dev/null
  fi
}

run_tests() {
  export NKOHUB_LOCAL_MONGO_STORE="${NKOHUB_LOCAL_MONGO_STORE:-memory}"
  servers_up
  ensure_browser
  caddy_installed
  (cd "$ROOT" && uv sync --frozen -q)
  export NKOHUB_TEST_MONGODB_URL="mongodb://$MONGO_HOST:$MONGO_PORT"
  export NKOHUB_TEST_AMQP_URL="amqp://guest:guest@127.0.0.1:5672"
  cd "$ROOT" && exec uv run pytest "$@"
}

case "${1:-}" in
  up) servers_up; services_up ;;
  down) down ;;
  status) status ;;
  servers) servers_up ;;
  test) shift; run_tests "$@" ;;
  cluster) shift; exec bash "$CLUSTER" "$@" ;;
  token) shift; (cd "$ROOT" && uv sync --frozen -q); local_env; exec "$ROOT/.venv/bin/nkohub" token "$@" ;;
  *) sed -n '2,13p' "$0"; exit 2 ;;
esac
