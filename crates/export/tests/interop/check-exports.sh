#!/usr/bin/env bash
# Interop check of the exports with the reference tools, on every example
# recording in crates/format/examples/:
#
#   - the OpenClaw skill folder must pass `agentskills validate` (PyPI
#     package skills-ref, the Agent Skills reference validator);
#   - the DevTools Recorder flow must be accepted by parse() of
#     @puppeteer/replay (npm, pinned in the root package.json).
#
# Each tool is also shown a deliberately broken export and must reject it,
# so a tool that accepts everything cannot make this check pass.
#
# Needs: `pip install --user skills-ref` and `npm ci` at the repo root.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)
cd "$root"
command -v agentskills >/dev/null || { echo "check-exports: agentskills not on PATH (pip install --user skills-ref)" >&2; exit 1; }
[ -d node_modules/@puppeteer/replay ] || { echo "check-exports: @puppeteer/replay missing (npm ci)" >&2; exit 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cargo build -q -p clawtrail-export --example export
exporter="${CARGO_TARGET_DIR:-$root/target}/debug/examples/export"

count=0
for rec in crates/format/examples/*.json; do
  dir=$("$exporter" "$rec" "$out")
  agentskills validate "$dir"
  node crates/export/tests/interop/parse-flow.mjs "$dir.devtools.json"
  count=$((count + 1))
done
[ "$count" -gt 0 ] || { echo "check-exports: no example recordings" >&2; exit 1; }

# The tools must be able to say no.
broken="$out/broken-skill"
cp -r "$dir" "$broken"
if agentskills validate "$broken" >/dev/null 2>&1; then
  echo "check-exports: agentskills accepted a skill whose name differs from its folder" >&2
  exit 1
fi
if node crates/export/tests/interop/parse-flow.mjs --expect-reject "$dir.devtools.json"; then :; else
  echo "check-exports: parse() accepted a click without offsetX" >&2
  exit 1
fi
echo "check-exports: $count recordings: skills valid, DevTools flows parse"
