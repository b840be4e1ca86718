#!/usr/bin/env bash
# Enrollment under load: builds the server and bench/Gatehouse.FaceLoad in Release, starts the server as a process
# of its own (SQLite, a fresh data directory, the fetched face models, Production, logging at warnings) on a free
# loopback port, and sends rounds of N concurrent face uploads — a 1280×960 JPEG, a 4032×3024 JPEG as a phone
# takes it, then the 1280×960 one again — each to a new user. Prints status codes, latencies and the server's
# resident memory (VmRSS sampled every 20 ms, VmHWM) per round; the report is kept in artifacts/benchmarks/faces.
#   bench/faces/load.sh [concurrency]
set -euo pipefail
cd "$(dirname "$0")/../.."
concurrency=${1:-20}
out=artifacts/benchmarks/faces
mkdir -p "$out"

# shellcheck source=../../scripts/services.sh
source scripts/services.sh
apt_install curl

server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; stop_services; }
trap cleanup EXIT

scripts/face-models.sh
scripts/face-photos.sh
dotnet build src/Gatehouse.Server -c Release -nologo -v q -clp:ErrorsOnly
dotnet build bench/Gatehouse.FaceLoad -c Release -nologo -v q -clp:ErrorsOnly
tool=bench/Gatehouse.FaceLoad/bin/Release/net10.0/Gatehouse.FaceLoad.dll
dotnet "$tool" make-photo data/face-photos/cage.jpg 1280x960 "$GATEHOUSE_RUN_DIR/cage_1280x960.jpg"
dotnet "$tool" make-photo data/face-photos/cage.jpg 4032x3024 "$GATEHOUSE_RUN_DIR/cage_4032x3024.jpg"

port=$(free_port)
base=http://127.0.0.1:$port
email=bench@example.com password=Bench-password-1
Gatehouse__DataDirectory=$GATEHOUSE_RUN_DIR/data \
Gatehouse__Face__ModelDirectory=$PWD/data/face-models \
Gatehouse__Bootstrap__OwnerEmail=$email Gatehouse__Bootstrap__OwnerPassword=$password \
Logging__LogLevel__Default=Warning ASPNETCORE_ENVIRONMENT=Production \
  dotnet src/Gatehouse.Server/bin/Release/net10.0/Gatehouse.Server.dll --urls "$base" >"$GATEHOUSE_RUN_DIR/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  curl -fs "$base/health/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "$base/health/ready" >/dev/null || { echo "The server did not become ready:"; tail -20 "$GATEHOUSE_RUN_DIR/server.log"; exit 1; }

status=0
dotnet "$tool" run --base "$base" --email "$email" --password "$password" --pid "$server_pid" \
  --concurrency "$concurrency" \
  --photo "$GATEHOUSE_RUN_DIR/cage_1280x960.jpg" \
  --photo "$GATEHOUSE_RUN_DIR/cage_4032x3024.jpg" \
  --photo "$GATEHOUSE_RUN_DIR/cage_1280x960.jpg" | tee "$out/load.md" || status=$?
kill -0 "$server_pid" 2>/dev/null || { echo "The server exited during the load:"; tail -20 "$GATEHOUSE_RUN_DIR/server.log"; status=1; }
exit $status
