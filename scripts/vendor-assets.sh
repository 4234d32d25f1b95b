#!/usr/bin/env bash
# Re-vendors the pinned front-end packages into assets/vendor/ from the npm registry.
# Each package lands with its licence and a SOURCES line (package, version, npm integrity, sha256
# of every vendored file). tests/assets.rs checks the checksums, so a hand-edited file fails CI.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=assets/vendor
mkdir -p "$out"
: > "$out/SOURCES"
vendor() { # package version dest-dir file...
  local pkg=$1 ver=$2 dest=$3; shift 3
  (cd "$tmp" && npm pack --silent "$pkg@$ver" > pack.txt)
  local tgz="$tmp/$(tail -n1 "$tmp/pack.txt")"
  local integrity
  integrity=$(npm view "$pkg@$ver" dist.integrity)
  mkdir -p "$tmp/x" "$out/$dest"
  tar -xzf "$tgz" -C "$tmp/x"
  for f in "$@"; do
    cp "$tmp/x/package/$f" "$out/$dest/$(basename "$f")"
    echo "$pkg $ver $integrity $(sha256sum "$out/$dest/$(basename "$f")" | cut -d' ' -f1) $dest/$(basename "$f")" >> "$out/SOURCES"
  done
  rm -rf "$tmp/x" "$tgz"
}
vendor htmx.org 2.0.11 htmx dist/htmx.min.js LICENSE
vendor echarts 6.1.0 echarts dist/echarts.min.js LICENSE NOTICE
vendor swagger-ui-dist 5.35.0 swagger-ui swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE
echo "vendored into $out:"; cat "$out/SOURCES"
