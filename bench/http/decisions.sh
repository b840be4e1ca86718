#!/usr/bin/env bash
# Load test: POST /api/v1/access/decisions against GET /health/live, measured the same way in the same
# run with wrk (Debian package, installed where missing) on loopback against a Release build of the
# server on SQLite. Prints requests per second of each and their ratio.
#   bench/http/decisions.sh [seconds-per-run] [connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-15}
connections=${2:-32}

# shellcheck source=../../scripts/services.sh
source scripts/services.sh
apt_install wrk curl jq

server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; stop_services; }
trap cleanup EXIT

dotnet build src/Gatehouse.Server -c Release -nologo -v q -clp:ErrorsOnly
port=$(free_port)
base=http://127.0.0.1:$port
email=bench@example.com password=Bench-password-1
Gatehouse__DataDirectory=$GATEHOUSE_RUN_DIR/data \
Gatehouse__Bootstrap__OwnerEmail=$email Gatehouse__Bootstrap__OwnerPassword=$password \
Logging__LogLevel__Default=Warning ASPNETCORE_ENVIRONMENT=Production \
  dotnet src/Gatehouse.Server/bin/Release/net10.0/Gatehouse.Server.dll --urls "$base" >"$GATEHOUSE_RUN_DIR/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 60); do
  curl -fs "$base/health/ready" >/dev/null 2>&1 && break
  sleep 0.5
done

post() { curl -fsS -X POST "$base/api/v1/$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$2"; }
token=$(curl -fsS -X POST "$base/api/v1/auth/token" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\"}" | jq -r .accessToken)
site=$(post sites '{"name":"Bench site","timeZone":"Europe/London"}' | jq -r .id)
door=$(post doors "{\"siteId\":\"$site\",\"name\":\"Front\"}" | jq -r .id)
days='["Monday","Tuesday","Wednesday","Thursday","Friday","Saturday","Sunday"]'
schedule=$(post schedules "{\"name\":\"Always\",\"windows\":[{\"days\":$days,\"start\":\"00:00\",\"end\":\"23:59\"}],\"holidays\":[]}" | jq -r .id)
group=$(post access-groups "{\"name\":\"Everyone\",\"scheduleId\":\"$schedule\",\"doorIds\":[\"$door\"]}" | jq -r .id)
user=$(post users "{\"firstName\":\"Bench\",\"lastName\":\"User\",\"status\":\"active\",\"accessGroupIds\":[\"$group\"]}" | jq -r .id)
post "users/$user/credentials/cards" '{"format":"H10301","facilityCode":1,"cardNumber":11572}' >/dev/null
body="{\"doorId\":\"$door\",\"card\":{\"format\":\"H10301\",\"facilityCode\":1,\"cardNumber\":11572}}"
echo "Decision answer: $(post access/decisions "$body")"

cat >"$GATEHOUSE_RUN_DIR/decide.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
LUA

rps() { awk '/Requests\/sec/ {print $2}'; }
run() { wrk -t1 -c"$connections" -d"${seconds}s" --latency "$@"; }
echo "warm-up…"
run "$base/health/live" >/dev/null
run -s "$GATEHOUSE_RUN_DIR/decide.lua" "$base/api/v1/access/decisions" >/dev/null

live_out=$(run "$base/health/live")
decide_out=$(run -s "$GATEHOUSE_RUN_DIR/decide.lua" "$base/api/v1/access/decisions")
echo "--- GET /health/live";            echo "$live_out"
echo "--- POST /api/v1/access/decisions"; echo "$decide_out"
live=$(echo "$live_out" | rps)
decide=$(echo "$decide_out" | rps)
errors=$(echo "$decide_out" | grep -c 'Non-2xx' || true)
echo
echo "health/live: $live req/s; access/decisions: $decide req/s; ratio $(awk "BEGIN {printf \"%.2f\", $decide / $live}") (target ≥ 0.50)"
[ "$errors" -eq 0 ] || echo "WARNING: the decision run had non-2xx answers"
