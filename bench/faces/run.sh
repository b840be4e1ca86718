#!/usr/bin/env bash
# The face benchmark in one command: builds Gatehouse.Benchmarks in Release, measures each stage of the face
# analysis (Gatehouse.Benchmarks faces), the same stages in the peer pipeline (OpenCV DNN, Debian's
# python3-opencv, installed where missing) on the same photos right after, then the whole analysis with
# BenchmarkDotNet, and prints the markdown rows of docs/benchmarks.md. Everything is kept in
# artifacts/benchmarks/faces.
#   bench/faces/run.sh [runs-per-photo] [--no-bdn]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-51}
bdn=1
[ "${2:-}" = "--no-bdn" ] && bdn=0
out=artifacts/benchmarks/faces

# shellcheck source=../../scripts/services.sh
source scripts/services.sh
trap 'rm -rf "$GATEHOUSE_RUN_DIR"' EXIT
scripts/face-models.sh
scripts/face-photos.sh
# The peer runs on Debian's Python and OpenCV, not on any other Python that may come first on the PATH.
/usr/bin/python3 -c 'import cv2' 2>/dev/null || apt_install python3-opencv

dotnet build bench/Gatehouse.Benchmarks -c Release -nologo -v q -clp:ErrorsOnly
rm -rf "$out"
mkdir -p "$out"
bench=bench/Gatehouse.Benchmarks/bin/Release/net10.0/Gatehouse.Benchmarks.dll

echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB," \
  "$(. /etc/os-release && echo "$PRETTY_NAME"), .NET $(dotnet --version), load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/machine.txt"
dotnet "$bench" faces --runs "$runs" --out "$out" | tee "$out/gatehouse.txt"
/usr/bin/python3 bench/faces-peer/peer.py --models data/face-models --photos "$out" --runs "$runs" | tee "$out/peer.txt"
if [ $bdn -eq 1 ]; then
  dotnet "$bench" --filter '*FaceAnalysisBenchmarks*' --warmupCount 3 --iterationCount 15 --launchCount 1 \
    --artifacts "$out/bdn" --exporters github | tee "$out/bdn.txt" | grep -E '^\||Load|Runtime=' || true
fi

echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 bench/faces/table.py "$out" | tee "$out/table.md"
