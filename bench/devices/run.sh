#!/usr/bin/env bash
# The device benchmarks of docs/benchmarks.md: revocation latency to 50 devices, a full snapshot of 100,000
# credentials, a burst of 100,000 events from 20 devices, Cloud Key unlocks and mobile online unlocks against plain decisions over HTTP. bench/Gatehouse.DeviceLoad runs the real server
# (SQLite) and real device agents in one process on loopback, in a Release build; this script runs it with the
# server's in-process broker and again with a throwaway Mosquitto with its dynamic-security plugin, started on a
# free port the way the tests start it (scripts/services.sh), and keeps each report in artifacts/benchmarks.
#   bench/devices/run.sh [revocation|snapshot|events|cloudkey|mobile|all] [inprocess|mosquitto|both] [tool options…]
# e.g. bench/devices/run.sh revocation both --revocations 200
set -euo pipefail
cd "$(dirname "$0")/../.."
scenario=${1:-all}
brokers=${2:-both}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] && shift
case $scenario in revocation|snapshot|events|cloudkey|mobile|all) ;; *) echo "Unknown measurement: $scenario" >&2; exit 2 ;; esac
case $brokers in inprocess|mosquitto|both) ;; *) echo "Unknown broker choice: $brokers" >&2; exit 2 ;; esac

# shellcheck source=../../scripts/services.sh
source scripts/services.sh
trap stop_services EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build bench/Gatehouse.DeviceLoad -c Release -nologo -v q -clp:ErrorsOnly
tool=bench/Gatehouse.DeviceLoad/bin/Release/net10.0/Gatehouse.DeviceLoad.dll
mkdir -p artifacts/benchmarks
report=artifacts/benchmarks/devices-$scenario-$(date -u +%Y%m%dT%H%M%SZ).md

if [ "$brokers" != mosquitto ]; then
  dotnet "$tool" "$scenario" "$@" | tee -a "$report"
fi

if [ "$brokers" != inprocess ]; then
  # services.sh is written for scripts without -e; calling it in a condition keeps its probing from ending this one.
  start_mosquitto || { echo "Mosquitto could not be started." >&2; exit 1; }
  echo "Mosquitto $(mosquitto -h 2>/dev/null | awk 'NR==1 {print $3}') with dynamic security on ${GATEHOUSE_TEST_MQTT%%;*}" | tee -a "$report"
  dotnet "$tool" "$scenario" --broker "$GATEHOUSE_TEST_MQTT" "$@" | tee -a "$report"
  stop_mosquitto
fi

echo "Report: $report"
