#!/usr/bin/env bash
# Starts Gatehouse on its embedded defaults with the demo data (server on http://127.0.0.1:5080, SQLite in
# ./data, the in-process MQTT broker on loopback port 1883) and one simulated F3D100 door device beside it:
# the demo's "Front entrance reader" at London's Main Entrance, with its device screen on
# http://127.0.0.1:5081. The first run claims the device with a fresh claim code; later runs start it with the
# credentials it keeps in data/demo-device. Ctrl-C stops both. Needs the .NET 10 SDK and curl; with npm it also
# fetches the face models and test photos into data/face-models and data/face-photos (once), so the demo
# enrolls a face, and the phone app's QR encoder; without them face features are off and the app's door code
# is unavailable, and each says why. Delete ./data to start over.
set -uo pipefail
cd "$(dirname "$0")"

server_url=http://127.0.0.1:5080
device_url=http://127.0.0.1:5081
mqtt_port=1883
owner_email=owner@example.com
owner_password='Gatehouse-demo-1'
device_name='Front entrance reader'
data=data
device_dir=$data/demo-device
server_log=$data/demo-server.log
device_log=$data/demo-device.log
build_log=$data/demo-build.log
face_log=$data/demo-faces.log
server_dll=src/Gatehouse.Server/bin/Debug/net10.0/Gatehouse.Server.dll
device_dll=src/Gatehouse.Device/bin/Debug/net10.0/Gatehouse.Device.dll

server_pid=
device_pid=
stopping=0

say() { printf '%s\n' "$*"; }
fail() { printf 'demo.sh: %s\n' "$*" >&2; exit 1; }

# stop PID NAME — asks the process to stop (SIGTERM: the device says "offline" first, the server closes its
# store), and kills it if it has not gone within ten seconds.
stop() {
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  [ $stopping -eq 1 ] && return
  stopping=1
  trap - INT TERM
  if [ -n "$device_pid$server_pid" ]; then
    say ""
    say "Stopping the device and the server…"
  fi
  stop "$device_pid"
  stop "$server_pid"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# json_field NAME — the first string value of "NAME" in the JSON on standard input.
json_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" | head -1; }

show_log() { # FILE — the end of a log, for when something did not start
  say "--- the last lines of $1:" >&2
  tail -n 25 "$1" >&2
}

start_server() {
  Gatehouse__Demo=true \
  Gatehouse__PublicBaseUrl=$server_url \
  Gatehouse__Bootstrap__OwnerEmail=$owner_email \
  Gatehouse__Bootstrap__OwnerPassword=$owner_password \
  Gatehouse__Mqtt__ListenAddress=127.0.0.1 \
  Gatehouse__Mqtt__Port=$mqtt_port \
    dotnet "$server_dll" --urls "$server_url" >>"$server_log" 2>&1 &
  server_pid=$!
  # The first start migrates the store and seeds the demo: give it time.
  for _ in $(seq 1 600); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      show_log "$server_log"
      server_pid=
      fail "the server stopped while starting."
    fi
    curl -fs -o /dev/null "$server_url/health/ready" && return 0
    sleep 0.2
  done
  show_log "$server_log"
  fail "the server was not ready after two minutes."
}

command -v dotnet >/dev/null || fail "the .NET 10 SDK is needed (https://dot.net)."
command -v curl >/dev/null || fail "curl is needed."
for port in 5080 5081 $mqtt_port; do
  port_busy "$port" && fail "port $port on 127.0.0.1 is in use; stop what uses it (another Gatehouse, an MQTT broker) and try again."
done

mkdir -p "$data"
# The phone app's QR encoder lives in the server's web root, so it is fetched before the build that lists it.
say "Fetching the phone app's QR encoder (log: $build_log)…"
: >"$build_log"
if ! scripts/app-vendor.sh >>"$build_log" 2>&1; then
  tail -n 2 "$build_log" >&2
  say "The app at $server_url/app/ cannot show its door code in this demo (see $build_log); everything else works."
fi
say "Building Gatehouse, the server and the device agent (log: $build_log)…"
for project in src/Gatehouse.Server/Gatehouse.Server.csproj src/Gatehouse.Device/Gatehouse.Device.csproj; do
  if ! dotnet build "$project" -nologo >>"$build_log" 2>&1; then
    grep -E ': error ' "$build_log" | sort -u >&2
    fail "$project did not build (see $build_log)."
  fi
done

# The face models and the photo the demo enrolls: fetched once, verified each run (the scripts skip what is there).
say "Fetching the face models and photos (log: $face_log)…"
: >"$face_log"
if ! { scripts/face-models.sh "$data/face-models" && scripts/face-photos.sh "$data/face-photos"; } >>"$face_log" 2>&1; then
  tail -n 3 "$face_log" >&2
  say "Face features stay off in this demo (see $face_log); everything else works."
fi

# A device store from before ./data's server store was deleted belongs to a device that no longer exists.
if [ ! -f "$data/gatehouse.db" ] && [ -d "$device_dir" ]; then
  rm -rf "$device_dir"
fi

say "Starting the server on $server_url (log: $server_log)…"
start_server

device_args=(--server "$server_url" --data-dir "$device_dir" --simulator-urls "$device_url")
if [ ! -f "$device_dir/device.db" ]; then
  say "Claiming the demo's \"$device_name\"…"
  token=$(curl -fsS -X POST "$server_url/api/v1/auth/token" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$owner_email\",\"password\":\"$owner_password\"}" | json_field accessToken)
  [ -n "$token" ] || fail "could not sign in as $owner_email (was ./data made with another password? delete ./data to start over)."
  # One device per line, then the ID (the first field) of the one named so.
  device_id=$(curl -fsS "$server_url/api/v1/devices?pageSize=500" -H "Authorization: Bearer $token" \
    | sed 's/},{/}\n{/g' | grep -F "\"name\":\"$device_name\"" | json_field id)
  [ -n "$device_id" ] || fail "the demo has no device named \"$device_name\" (was ./data made without the demo? delete ./data to start over)."
  claim_code=$(curl -fsS -X POST "$server_url/api/v1/devices/$device_id/claim-code" -H "Authorization: Bearer $token" | json_field claimCode)
  [ -n "$claim_code" ] || fail "could not get a claim code for the device."
  device_args+=(--claim-code "$claim_code")
fi

say "Starting the simulated F3D100 (log: $device_log)…"
# The device recognises faces with the same model pack as the server.
Gatehouse__Face__ModelDirectory="$data/face-models" dotnet "$device_dll" "${device_args[@]}" >>"$device_log" 2>&1 &
device_pid=$!

online=0
for _ in $(seq 1 150); do
  if ! kill -0 "$device_pid" 2>/dev/null; then
    show_log "$device_log"
    device_pid=
    fail "the device agent stopped while starting."
  fi
  # Online, and holding what its door needs (a sync version past 0).
  state=$(curl -fs "$device_url/simulator/state" 2>/dev/null)
  if grep -q '"online":true' <<<"$state" && grep -q '"syncVersion":[1-9]' <<<"$state"; then
    online=1
    break
  fi
  sleep 0.2
done
if [ $online -eq 0 ]; then
  say "The device has not reached the server yet (see $device_log). If it was removed or given a new claim code"
  say "in the console, stop this script, delete $device_dir and run ./demo.sh again."
fi

cat <<BANNER

  Gatehouse is running, with the demo and one simulated F3D100 door device.

  Admin console   $server_url/
                  sign in as $owner_email / $owner_password; Devices shows the "$device_name" online
  Device screen   $device_url/
                  tap a card: CSN 04A224B2C15E80 (Olivia Bennett, IT, 24/7) opens the Main Entrance;
                  H10301 facility 42 card 10235 (Daniel O'Connor, suspended) is refused; each tap shows in Events
  Dev mailbox     $server_url/settings/mailbox
                  messages are captured here, not sent: open Olivia's Cloud Key link, type its PIN, and the
                  Main Entrance opens on the device screen; James's selfie invitation opens the selfie page
  Faces           Olivia's page shows her enrolled face (Credentials → Face); Add takes one with a webcam
  Phone app       Olivia's mobile credential email (Dev mailbox) opens $server_url/app/: activate this browser
                  as her phone, tap Unlock, or Show to the door and hold the code up to the device's camera
  Unplug it       kill $server_pid   (the server; the door keeps deciding from its own store and keeps
                  its events until the server is back), or the device screen's "Unplug network" switch
  Logs            $server_log, $device_log

  Ctrl-C stops both.

BANNER

# Waits for Ctrl-C; if the server goes away meanwhile (unplugged), offers to start it again.
while true; do
  wait "$server_pid" 2>/dev/null
  if ! kill -0 "$server_pid" 2>/dev/null; then
    server_pid=
    say "The server has stopped. The device keeps deciding at the door and queues its events."
    say "Press Enter to start the server again (Ctrl-C stops the device too)."
    read -r || { while kill -0 "$device_pid" 2>/dev/null; do wait "$device_pid"; done; exit 0; }
    say "Starting the server again…"
    start_server
    say "The server is back (pid $server_pid); the device reconnects and sends what it queued."
  fi
done
