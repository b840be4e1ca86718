# Sourced by test.sh and the benchmark scripts: installs (where missing) and runs the real services the
# tests use, each on a free loopback port in a throwaway folder, and stops them again.
# shellcheck shell=bash

GATEHOUSE_RUN_DIR=${GATEHOUSE_RUN_DIR:-$(mktemp -d -t gatehouse-run.XXXXXX)}
_apt_updated=0

# apt_install PKG… — installs Debian packages that are not installed yet (needs root).
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing packages: ${missing[*]} (install them as root: apt-get install ${missing[*]})" >&2
    return 1
  fi
  if [ $_apt_updated -eq 0 ]; then
    apt-get update -qq >/dev/null
    _apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# free_port — prints a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 20000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

# start_postgres — a throwaway PostgreSQL cluster; sets GATEHOUSE_PG (an Npgsql connection string).
start_postgres() {
  if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
    apt_install postgresql || return 1
  fi
  local bin dir port password
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  dir=$GATEHOUSE_RUN_DIR/postgres
  port=$(free_port)
  password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  mkdir -p "$dir/sock"
  chmod 755 "$GATEHOUSE_RUN_DIR"
  echo "$password" > "$dir/pw"
  local as=()
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres:postgres "$dir"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pw" -A scram-sha-256 -E UTF8 --locale=C.UTF-8 -N >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/sock -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=300" \
    start >/dev/null || { cat "$dir/server.log" >&2; return 1; }
  GATEHOUSE_PG_BIN=$bin
  GATEHOUSE_PG_DIR=$dir
  GATEHOUSE_PG="Host=127.0.0.1;Port=$port;Username=postgres;Password=$password;Database=postgres"
  export GATEHOUSE_PG
}

stop_postgres() {
  [ -n "${GATEHOUSE_PG_DIR:-}" ] || return 0
  local as=()
  [ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
  "${as[@]}" "$GATEHOUSE_PG_BIN/pg_ctl" -D "$GATEHOUSE_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  GATEHOUSE_PG_DIR=
}

# start_mosquitto — a throwaway Mosquitto with its dynamic-security plugin on a loopback port; sets
# GATEHOUSE_TEST_MQTT ("HOST:PORT;USERNAME;PASSWORD" of the plugin's admin, who may also publish and
# subscribe under gatehouse/#, as the server must).
start_mosquitto() {
  command -v mosquitto >/dev/null && command -v mosquitto_ctrl >/dev/null || apt_install mosquitto mosquitto-clients || return 1
  local plugin dir port password
  plugin=$(ls /usr/lib/*/mosquitto_dynamic_security.so /usr/lib/mosquitto_dynamic_security.so 2>/dev/null | head -1)
  [ -n "$plugin" ] || { echo "The Mosquitto dynamic-security plugin is missing." >&2; return 1; }
  dir=$GATEHOUSE_RUN_DIR/mosquitto
  port=$(free_port)
  password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  mkdir -p "$dir"
  mosquitto_ctrl dynsec init "$dir/dynamic-security.json" admin "$password" >/dev/null || return 1
  # The server's client subscribes QoS 1 to every device's topics: queue generously for it (bursts of
  # events), and keep its session while it reconnects.
  cat > "$dir/mosquitto.conf" <<CONF
per_listener_settings false
listener $port 127.0.0.1
allow_anonymous false
plugin $plugin
plugin_opt_config_file $dir/dynamic-security.json
max_queued_messages 200000
max_inflight_messages 100
max_packet_size 4194304
persistence false
log_dest file $dir/mosquitto.log
CONF
  # Mosquitto drops root for the user "mosquitto" when started as root: let it read and write its folder.
  if [ "$(id -u)" -eq 0 ] && id mosquitto >/dev/null 2>&1; then
    chmod 755 "$GATEHOUSE_RUN_DIR"
    chown -R mosquitto "$dir"
  fi
  mosquitto -c "$dir/mosquitto.conf" >"$dir/stdout.log" 2>&1 &
  GATEHOUSE_MOSQUITTO_PID=$!
  local up=0
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then up=1; break; fi
    kill -0 "$GATEHOUSE_MOSQUITTO_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [ $up -eq 0 ]; then
    cat "$dir/stdout.log" "$dir/mosquitto.log" >&2 2>/dev/null
    stop_mosquitto
    return 1
  fi
  # init's admin role may manage the plugin and read everything, but not publish outside \$CONTROL.
  mosquitto_ctrl -h 127.0.0.1 -p "$port" -u admin -P "$password" dynsec addRoleACL admin publishClientSend 'gatehouse/#' allow >/dev/null 2>&1 \
    || { echo "Could not let the Mosquitto admin publish under gatehouse/#." >&2; stop_mosquitto; return 1; }
  GATEHOUSE_TEST_MQTT="127.0.0.1:$port;admin;$password"
  export GATEHOUSE_TEST_MQTT
}

stop_mosquitto() {
  [ -n "${GATEHOUSE_MOSQUITTO_PID:-}" ] || return 0
  kill "$GATEHOUSE_MOSQUITTO_PID" 2>/dev/null
  for _ in $(seq 1 50); do
    kill -0 "$GATEHOUSE_MOSQUITTO_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$GATEHOUSE_MOSQUITTO_PID" 2>/dev/null || true
  GATEHOUSE_MOSQUITTO_PID=
  unset GATEHOUSE_TEST_MQTT
}

stop_services() {
  stop_mosquitto
  stop_postgres
  rm -rf "$GATEHOUSE_RUN_DIR"
}
