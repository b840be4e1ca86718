#!/usr/bin/env bash
# Fetches Gatehouse's default face-model pack into DIR (default ./data/face-models) and verifies every file.
# The pack comes from the npm package faceplugin-face-recognition-js@0.0.1 (its package/model folder), pinned by
# the package's version and the SHA-256 of the tarball and of each model. Exits 0 when the models are there and
# verified (a second run does nothing); prints why and exits 1 otherwise. The weights are not committed.
set -euo pipefail
dir=${1:-./data/face-models}
sources="
faceplugin-face-recognition-js@0.0.1 7ea06031d9a3f83753254fcff60506a07b81b46fc84d4ee024cd041f260ec1ba package/model
"
models="
fr_detect.onnx 6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854
fr_landmark.onnx f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258
fr_feature.onnx 87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581
fr_pose.onnx 72d032ec941b7153bf8d3f2c03a4c165453cc7e63d479041ec7c6ef087e5839d
fr_liveness.onnx afa783b7e902fdfcf323a7240cac2a1c580c25314ea4161129dc1b0d100dc32d
fr_eye.onnx 1afcea006abc1ccac3c517022abde0aa092bed74ff3c9fe6878483ef9e6e38de
"

# shellcheck source=scripts/pinned-npm-files.sh
source "$(dirname "$0")/pinned-npm-files.sh"
fetch_pinned_files face-models "$dir" "$sources" "$models"
