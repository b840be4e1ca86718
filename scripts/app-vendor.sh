#!/usr/bin/env bash
# Fetches the phone app's one third-party file into DIR (default src/Gatehouse.Server/wwwroot/app/vendor) and verifies it:
# qrcode.mjs, the QR encoder of the npm package qrcode-generator@2.0.4 (MIT, Kazuhiko Arase; the notice is at the
# top of the file), pinned by the package's version and the SHA-256 of the tarball and of the file. Exits 0 when the
# file is there and verified (a second run does nothing); prints why and exits 1 otherwise. It is not committed.
# The server's build runs this when the file is missing; without it the app says the door code is unavailable.
set -euo pipefail
dir=${1:-"$(dirname "$0")/../src/Gatehouse.Server/wwwroot/app/vendor"}
sources="
qrcode-generator@2.0.4 02e2e18a99a90b02dad940851f59b7c3c5fd1ab79cbdece8595cb06328878159 package/dist
"
files="
qrcode.mjs ea91d7118a5395289170da848b7c6758b996163bfbccf312591ab65a4911b7c0
"

# shellcheck source=scripts/pinned-npm-files.sh
source "$(dirname "$0")/pinned-npm-files.sh"
fetch_pinned_files app-vendor "$dir" "$sources" "$files"
