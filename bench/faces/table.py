#!/usr/bin/python3
"""Joins the face benchmark's results into the markdown rows of docs/benchmarks.md:
    /usr/bin/python3 bench/faces/table.py DIR
DIR holds gatehouse.json (Gatehouse.Benchmarks faces), peer.json (bench/faces-peer/peer.py) and, when the
BenchmarkDotNet run was made, its console output bdn.txt."""
import json
import os
import sys

STAGES = [("decode", "Decode"), ("detect", "Detect (+ NMS)"), ("landmarks", "Landmarks"), ("pose", "Pose"),
          ("eyes", "Align + quality + eyes"), ("liveness", "Liveness"), ("template", "Template + thumbnail"),
          ("total", "**Whole analysis**")]

out = sys.argv[1] if len(sys.argv) > 1 else "artifacts/benchmarks/faces"
with open(os.path.join(out, "gatehouse.json"), encoding="utf-8") as f:
    gatehouse = json.load(f)
with open(os.path.join(out, "peer.json"), encoding="utf-8") as f:
    peer = json.load(f)

print(f"Gatehouse: ONNX Runtime, IntraOpThreads {gatehouse['threads']}, load average {gatehouse['loadAverage']}; "
      f"peer: {peer['runtime']}, {peer['threads']} threads, load average {peer['loadAverage']}; "
      f"median of {gatehouse['runs']} / {peer['runs']} analyses per photo.")
for photo, g in gatehouse["photos"].items():
    p = peer["photos"].get(photo)
    if p is None:
        continue
    print(f"\n{photo}\n")
    print("| Stage | Gatehouse median | p90 | Peer median | p90 | Ratio Gatehouse / peer |")
    print("|---|---:|---:|---:|---:|---:|")
    for key, label in STAGES:
        gm, pm = g["median"][key], p["median"][key]
        ratio = gm / pm if pm > 0 else float("nan")
        print(f"| {label} | {gm:.2f} ms | {g['p90'][key]:.2f} ms | {pm:.2f} ms | {p['p90'][key]:.2f} ms | {ratio:.2f} |")
    check = p.get("check") or {}
    if check:
        gq, pq = check["gatehouse"], p["quality"]
        print(f"\nSame tensors? cosine of the two templates {check['templateCosine']}; "
              f"eyes open {gq['eyesOpen']} / {pq['eyesOpen']}, liveness {gq['liveness']} / {pq['liveness']}, "
              f"sharpness {gq['sharpness']} / {pq['sharpness']} (Gatehouse / peer); "
              f"pose (yaw, pitch, roll) {gq['yaw']}, {gq['pitch']}, {gq['roll']} / "
              f"{pq['angles'].get('output')}, {pq['angles'].get('617')}, {pq['angles'].get('618')}.")

bdn = os.path.join(out, "bdn.txt")
if os.path.exists(bdn):
    # The summary table BenchmarkDotNet prints last.
    with open(bdn, encoding="utf-8") as f:
        lines = f.read().splitlines()
    table, block = [], []
    for line in lines:
        if line.startswith("|"):
            block.append(line)
        elif block:
            table, block = block, []
    table = block or table
    if table:
        print("\nBenchmarkDotNet, whole analysis (target ≤ 50 ms on 2 cores):\n")
        print("\n".join(table))
