#!/usr/bin/env bash
# A 3-node RabbitMQ cluster on one machine, from Debian's rabbitmq-server package, for the
# local runner and the tests (docs/scaling.md). Each node has its own name, ports, data,
# logs and Erlang cookie under the state folder; nothing here touches a RabbitMQ node
# started otherwise (the system's node on 5672/25672/15672 keeps running untouched).
#
#   bash deploy/local/rabbitmq-cluster.sh up        # start the three nodes, join them
#   bash deploy/local/rabbitmq-cluster.sh down      # stop them
#   bash deploy/local/rabbitmq-cluster.sh status    # the cluster as node 1 sees it
#   bash deploy/local/rabbitmq-cluster.sh kill N    # SIGKILL node N (a crash)
#   bash deploy/local/rabbitmq-cluster.sh start N   # start node N again (it rejoins)
#   bash deploy/local/rabbitmq-cluster.sh env       # NKOHUB_AMQP_URL and NKOHUB_AMQP_NODES
#
# Node k: name nkohub-k@localhost, AMQP on base+k, management on 10000+base+k, Erlang
# distribution on 20000+base+k (base: NKOHUB_CLUSTER_PORT_BASE, 5700 → 5701…5703).
# State: NKOHUB_CLUSTER_STATE (default .local/rabbitmq-cluster).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${NKOHUB_CLUSTER_STATE:-$ROOT/.local/rabbitmq-cluster}"
BASE="${NKOHUB_CLUSTER_PORT_BASE:-5700}"
NODES=(1 2 3)
SERVER=/usr/lib/rabbitmq/bin/rabbitmq-server
CTL=/usr/lib/rabbitmq/bin/rabbitmqctl

say() { printf '[cluster] %s\n' "$*"; }
die() { printf '[cluster] error: %s\n' "$*" >&2; exit 1; }

node_name() { echo "nkohub-$1@localhost"; }
amqp_port() { echo $((BASE + $1)); }
http_port() { echo $((10000 + BASE + $1)); }
dist_port() { echo $((20000 + BASE + $1)); }

node_env() {  # the environment of node $1 (and of rabbitmqctl talking to it)
  local dir="$STATE/node$1"
  export HOME="$STATE"  # the cluster's own Erlang cookie: $STATE/.erlang.cookie
  export RABBITMQ_NODENAME; RABBITMQ_NODENAME="$(node_name "$1")"
  export RABBITMQ_NODE_PORT; RABBITMQ_NODE_PORT="$(amqp_port "$1")"
  export RABBITMQ_DIST_PORT; RABBITMQ_DIST_PORT="$(dist_port "$1")"
  export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
  export RABBITMQ_MNESIA_BASE="$dir/mnesia"
  export RABBITMQ_LOG_BASE="$dir/log"
  export RABBITMQ_PID_FILE="$dir/beam.pid"
}

ctl() {  # ctl N ARGS...: rabbitmqctl against node N
  local n=$1; shift
  (node_env "$n"; "$CTL" -q -n "$(node_name "$n")" "$@")
}

prepare() {
  command -v rabbitmq-server >/dev/null || die "install rabbitmq-server (apt-get install rabbitmq-server)"
  mkdir -p "$STATE"
  if [ ! -f "$STATE/.erlang.cookie" ]; then
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$STATE/.erlang.cookie")
  fi
  chmod 400 "$STATE/.erlang.cookie"
  for n in "${NODES[@]}"; do
    local dir="$STATE/node$n"
    mkdir -p "$dir/mnesia" "$dir/log"
    cat >"$dir/rabbitmq.conf" <<EOF
listeners.tcp.default = $(amqp_port "$n")
management.tcp.port = $(http_port "$n")
management.tcp.ip = 127.0.0.1
loopback_users.guest = true
EOF
    echo "[]." >"$dir/advanced.config"
    echo "[rabbitmq_management]." >"$dir/enabled_plugins"
  done
}

running() { ctl "$1" status >/dev/null 2>&1; }

start_node() {
  local n=$1
  if running "$n"; then say "node $n already running"; return; fi
  for port in "$(amqp_port "$n")" "$(dist_port "$n")" "$(http_port "$n")"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      die "port $port (node $n) is taken by a process this script did not start"
    fi
  done
  (node_env "$n"; cd "$STATE"; exec setsid "$SERVER" >>"$STATE/node$n/log/console.log" 2>&1 </dev/null) &
  for _ in $(seq 1 240); do running "$n" && break; sleep 0.5; done
  running "$n" || die "node $n did not start (log: $STATE/node$n/log)"
  ctl "$n" await_startup
  say "node $n up: amqp://127.0.0.1:$(amqp_port "$n") (management http://127.0.0.1:$(http_port "$n"))"
}

join() {  # join N: node N joins node 1's cluster (once)
  local n=$1
  if ctl 1 cluster_status --formatter json 2>/dev/null | grep -q "\"$(node_name "$n")\""; then
    return
  fi
  ctl "$n" stop_app
  ctl "$n" join_cluster "$(node_name 1)"
  ctl "$n" start_app
  say "node $n joined the cluster"
}

up() {
  prepare
  for n in "${NODES[@]}"; do start_node "$n"; done
  for n in 2 3; do join "$n"; done
  ctl 1 await_online_nodes 3 || true
  say "cluster of 3 nodes ready; $(env_lines | tr '\n' ' ')"
}

kill_node() {
  local n=$1 pid
  pid="$(cat "$STATE/node$n/beam.pid" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || die "node $n is not running"
  kill -KILL "$pid"
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  say "node $n killed (pid $pid)"
}

stop_node() {
  local n=$1 pid
  pid="$(cat "$STATE/node$n/beam.pid" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    ctl "$n" stop >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

down() {
  for n in 3 2 1; do stop_node "$n"; done
  say "stopped"
}

env_lines() {
  local nodes=""
  for n in "${NODES[@]}"; do nodes+="${nodes:+,}\"127.0.0.1:$(amqp_port "$n")\""; done
  echo "NKOHUB_AMQP_URL=amqp://guest:guest@127.0.0.1:$(amqp_port 1)/"
  echo "NKOHUB_AMQP_NODES=[$nodes]"
  echo "NKOHUB_RABBITMQ_MANAGEMENT_URL=http://127.0.0.1:$(http_port 1)"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) ctl 1 cluster_status ;;
  kill) kill_node "${2:?node number}" ;;
  start) start_node "${2:?node number}" ;;
  env) env_lines ;;
  *) sed -n '2,17p' "$0"; exit 2 ;;
esac
