#!/usr/bin/env bash
# Adds a migration for both store providers: scripts/migrations.sh add NAME
# Before the first release, "scripts/migrations.sh reset" regenerates the single Initial migration.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
project=src/Gatehouse.Server
ef() { dotnet ef "$@" --project "$project" --startup-project "$project"; }

case "${1:-}" in
  add)
    name=${2:?usage: scripts/migrations.sh add NAME}
    dotnet build "$project" -v q -nologo >/dev/null
    ef migrations add "$name" --context SqliteGatehouseDbContext --output-dir Data/Migrations/Sqlite --no-build
    ef migrations add "$name" --context PostgresGatehouseDbContext --output-dir Data/Migrations/Postgres --no-build
    ;;
  reset)
    rm -rf "$project/Data/Migrations"
    "$0" add Initial
    ;;
  *)
    echo "usage: scripts/migrations.sh add NAME | reset" >&2
    exit 2
    ;;
esac
