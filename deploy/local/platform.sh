#!/usr/bin/env bash
# nkohub without Docker: real RabbitMQ (Debian's package) and a MongoDB-wire server
# (mongo-java-server, built with Maven), then the four services as local processes.
#
#   bash deploy/local/platform.sh up        # everything: servers + four services
#   bash deploy/local/platform.sh down      # stop everything started here
#   bash deploy/local/platform.sh status    # what runs, and the services' readiness
#   bash deploy/local/platform.sh servers   # only RabbitMQ and the MongoDB-wire server
#   bash deploy/local/platform.sh test [pytest args]   # servers, then the test suite
#
# State lives in .local/ (logs in .local/logs/, MongoDB data in .local/mongo-wire/).
# NKOHUB_DATABASE_PREFIX=demo bash deploy/local/platform.sh up  → databases demo_<service>.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="$ROOT/.local"
LOGS="$STATE/logs"
RUN="$STATE/run"
MONGO_HOST="${NKOHUB_LOCAL_MONGO_HOST:-127.0.0.1}"
MONGO_PORT="${NKOHUB_LOCAL_MONGO_PORT:-27017}"
MONGO_WIRE="$ROOT/deploy/mongo-wire"
SERVICES=(registry events notifications publishing)
declare -A PORTS=([registry]=8001 [events]=8002 [notifications]=8003 [publishing]=8004)

mkdir -p "$LOGS" "$RUN" "$STATE/mongo-wire"
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

rabbitmq_up() {
  if ! command -v rabbitmq-server >/dev/null; then
    say "installing rabbitmq-server from Debian's packages"
    as_root apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q rabbitmq-server >/dev/null
  fi
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
  if [ ! -f "$MONGO_WIRE/target/mongo-wire-1.0.0.jar" ]; then
    say "building the MongoDB-wire server (mongo-java-server) with Maven"
    (cd "$MONGO_WIRE" && mvn -q -B package -DskipTests) >"$LOGS/mongo-wire-build.log" 2>&1 \
      || die "Maven build failed: $LOGS/mongo-wire-build.log"
  fi
  # The platform keeps its data in an H2 MVStore file; the test suite, which drops what it
  # creates, runs on the in-memory backend (NKOHUB_LOCAL_MONGO_STORE=memory).
  local store=("$STATE/mongo-wire/data.mv")
  [ "${NKOHUB_LOCAL_MONGO_STORE:-file}" = memory ] && store=()
  say "starting the MongoDB-wire server on $MONGO_HOST:$MONGO_PORT (${NKOHUB_LOCAL_MONGO_STORE:-file})"
  nohup java -Xmx4g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$MONGO_WIRE/target/mongo-wire-1.0.0.jar:$MONGO_WIRE/target/lib/*" \
    org.nkohub.mongowire.Main "$MONGO_HOST" "$MONGO_PORT" "${store[@]}" \
    >"$LOGS/mongo-wire.log" 2>&1 &
  echo $! >"$RUN/mongo-wire.pid"
  wait_for 60 "MongoDB-wire server" mongo_ping
}

servers_up() { ensure_tools; rabbitmq_up; mongo_up; }

local_env() {
  export NKOHUB_MONGODB_URL="${NKOHUB_MONGODB_URL:-mongodb://$MONGO_HOST:$MONGO_PORT}"
  export NKOHUB_AMQP_URL="${NKOHUB_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/}"
  if [ -z "${NKOHUB_JWT_SECRET:-}" ]; then
    [ -f "$STATE/jwt-secret" ] || python3 -c "import secrets; print(secrets.token_urlsafe(48))" >"$STATE/jwt-secret"
    NKOHUB_JWT_SECRET="$(cat "$STATE/jwt-secret")"
    export NKOHUB_JWT_SECRET
  fi
}

mail_sink_up() {  # a local SMTP sink (Mailpit's role in Compose): mail lands in .local/logs/mail.log
  local pidfile="$RUN/mail-sink.pid"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then return; fi
  (cd "$ROOT" && nohup "$ROOT/.venv/bin/python" -m aiosmtpd -n -u -l 127.0.0.1:1025 \
    >>"$LOGS/mail.log" 2>&1 & echo $! >"$pidfile")
  say "mail sink on 127.0.0.1:1025 (messages in $LOGS/mail.log)"
}

services_up() {
  (cd "$ROOT" && uv sync --frozen -q)
  local_env
  mail_sink_up
  for svc in "${SERVICES[@]}"; do
    local pidfile="$RUN/$svc.pid"
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      say "$svc already running (pid $(cat "$pidfile"))"; continue
    fi
    local database="${NKOHUB_DATABASE_PREFIX:+${NKOHUB_DATABASE_PREFIX}_$svc}"
    (cd "$ROOT" && NKOHUB_HTTP_PORT="${PORTS[$svc]}" \
      NKOHUB_MONGODB_DATABASE="${database:-nkohub_$svc}" \
      NKOHUB_PUBLIC_BASE_URL="${NKOHUB_PUBLIC_BASE_URL:-http://localhost:${PORTS[$svc]}}" \
      nohup "$ROOT/.venv/bin/nkohub-$svc" >>"$LOGS/$svc.log" 2>&1 & echo $! >"$pidfile")
  done
  for svc in "${SERVICES[@]}"; do
    wait_for 60 "$svc" curl -sf "http://127.0.0.1:${PORTS[$svc]}/health/ready"
    say "$svc ready on http://127.0.0.1:${PORTS[$svc]} (docs: /docs, events: /asyncapi.json)"
  done
  say "staff token: NKOHUB_JWT_SECRET=\$(cat .local/jwt-secret) uv run nkohub token --sub librarian"
}

stop_pid() {
  local pidfile=$1
  [ -f "$pidfile" ] || return 0
  local pid; pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

down() {
  for svc in "${SERVICES[@]}"; do stop_pid "$RUN/$svc.pid"; done
  stop_pid "$RUN/mail-sink.pid"
  stop_pid "$RUN/mongo-wire.pid"
  if command -v rabbitmqctl >/dev/null && rabbitmq-diagnostics -q ping >/dev/null 2>&1; then
    say "stopping RabbitMQ"; as_root rabbitmqctl -q stop >/dev/null 2>&1 || true
  fi
  say "stopped"
}

status() {
  rabbitmq-diagnostics -q ping >/dev/null 2>&1 && say "RabbitMQ: up" || say "RabbitMQ: down"
  mongo_ping && say "MongoDB-wire: up" || say "MongoDB-wire: down"
  for svc in "${SERVICES[@]}"; do
    say "$svc: $(curl -s "http://127.0.0.1:${PORTS[$svc]}/health/ready" || echo down)"
  done
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
  *) sed -n '2,11p' "$0"; exit 2 ;;
esac
