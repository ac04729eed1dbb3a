# Shared by scripts/run, scripts/test, scripts/bench and scripts/package:
# install what a fresh Debian machine with Rust lacks, and nothing that is
# already there, saying what happens and how long it took. Every step checks
# first, so a second run costs well under a second.
#
# Source it; do not execute it.
#
# Written for `set -euo pipefail` callers. Under those options a command
# substitution or pipeline whose first command is missing (exit 127) ends
# the whole script with no message, which is how a fresh machine once lost
# `scripts/run` before it installed anything. So: never run a tool that may
# be absent except through `tool_version` (or behind `command -v`), and let
# every install say what it installs before it starts. And never pipe a
# tool into `grep -q`: grep exits at the first match, the tool gets SIGPIPE,
# and pipefail turns "found" into "missing" (this reinstalled skills-ref on
# every run); read the output into a string first.
# tests/install/ runs these functions on a machine whose tools are stubs.

# Repository root, whatever the caller's working directory.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export ROOT

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
note() { printf '    %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# `cargo install` puts binaries here; a shell opened before rustup finished
# installing does not have it on PATH yet, so put it there ourselves.
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in *":$CARGO_BIN:"*) ;; *) export PATH="$CARGO_BIN:$PATH" ;; esac

# tool_version TOOL: the second word of `TOOL --version` ("wasm-bindgen
# 0.2.130" -> 0.2.130), or nothing when TOOL is missing or fails. Never fails.
tool_version() {
  command -v "$1" >/dev/null 2>&1 || return 0
  "$1" --version 2>/dev/null | awk 'NR == 1 { print $2 }' || true
}

# --- phases ------------------------------------------------------------------
# Every install and build step is a phase: one line when it starts, its
# duration when it ends, and a row in the table that phase_table prints (so
# a slow phase is visible in a CI log without reading timestamps).
PHASE_ROWS=()
_now() { printf '%s' "${EPOCHREALTIME/[.,]/}"; } # microseconds, no fork
SETUP_T0="$(_now)"
_secs() { awk -v us="$1" 'BEGIN { printf "%.1f", us / 1e6 }'; }

phase_record() { # LABEL MICROSECONDS STATUS
  PHASE_ROWS+=("$1"$'\t'"$2"$'\t'"$3")
}

# phase LABEL [--hint TEXT] -- CMD...: runs CMD as one phase. The hint says
# up front what will take long ("about 5 minutes on 2 cores").
phase() {
  local label="$1" hint="" t0 rc=0
  shift
  if [ "${1:-}" = --hint ]; then hint="$2"; shift 2; fi
  [ "${1:-}" = -- ] && shift
  log "$label${hint:+ ($hint)}"
  t0="$(_now)"
  "$@" || rc=$?
  local dt=$(( $(_now) - t0 ))
  if [ "$rc" -eq 0 ]; then
    note "$label: done in $(_secs "$dt") s"
    phase_record "$label" "$dt" ok
  else
    note "$label: FAILED after $(_secs "$dt") s (exit $rc)"
    phase_record "$label" "$dt" "failed ($rc)"
  fi
  return "$rc"
}

# phase_table: the phases so far, slowest first, with the total.
phase_table() {
  [ ${#PHASE_ROWS[@]} -gt 0 ] || return 0
  printf '\n%-88s %9s  %s\n' "phase" "seconds" "status" >&2
  printf '%s\n' "${PHASE_ROWS[@]}" | sort -t $'\t' -k2,2nr |
    awk -F'\t' '{ printf "%-88s %9.1f  %s\n", $1, $2 / 1e6, $3 }' >&2 || true
  # Background phases overlap the others, so the rows do not add up to this.
  printf '%-88s %9s\n' "wall clock since the start" "$(_secs $(( $(_now) - SETUP_T0 )))" >&2
}

# --- background installs -----------------------------------------------------
# A `cargo install` from source takes minutes and needs nothing the
# workspace build needs, so it runs beside the first build instead of before
# it. Its output goes to a log; bg_wait reports it as a phase of its own.
SETUP_LOGS="$ROOT/target/setup-logs"
declare -A BG_PID=() BG_T0=() BG_LABEL=()

bg_start() { # NAME LABEL HINT CMD...
  local name="$1" label="$2" hint="$3"
  shift 3
  mkdir -p "$SETUP_LOGS"
  log "$label, in the background ($hint; log: $SETUP_LOGS/$name.log)"
  BG_T0[$name]="$(_now)"
  BG_LABEL[$name]="$label"
  "$@" >"$SETUP_LOGS/$name.log" 2>&1 </dev/null &
  BG_PID[$name]=$!
}

# bg_wait NAME: waits for a background install started by bg_start (no-op
# if none was needed) and fails with the end of its log if it failed.
bg_wait() {
  local name="$1" rc=0
  [ -n "${BG_PID[$name]:-}" ] || return 0
  log "waiting for: ${BG_LABEL[$name]}"
  wait "${BG_PID[$name]}" || rc=$?
  local t0="${BG_T0[$name]}"
  local dt=$(( $(_now) - t0 ))
  unset "BG_PID[$name]"
  if [ "$rc" -ne 0 ]; then
    phase_record "${BG_LABEL[$name]} (background)" "$dt" "failed ($rc)"
    tail -n 30 "$SETUP_LOGS/$name.log" >&2 || true
    die "${BG_LABEL[$name]} failed (exit $rc); the whole log is $SETUP_LOGS/$name.log"
  fi
  note "${BG_LABEL[$name]}: done in $(_secs "$dt") s"
  phase_record "${BG_LABEL[$name]} (background)" "$dt" ok
}

# Installs still running when the script ends (a failed build, Ctrl-C) are
# stopped: `cargo install` only copies its binary in at the very end, so
# nothing half-installed is left behind.
bg_kill_all() {
  local p
  for p in "${BG_PID[@]}"; do kill "$p" 2>/dev/null || true; done
}

# --- installers ----------------------------------------------------------------

# Prepend sudo only when we are not root and sudo exists.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root to run: $*"
  fi
}

APT_UPDATED=0
# Helpers run by `phase` run where `set -e` does not apply (the caller tests
# their status), so each step checks its own.
_apt_install() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    as_root apt-get update -qq || return
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
# ensure_apt PKG... : installs the Debian packages that are not installed yet.
ensure_apt() {
  local missing=() p
  for p in "$@"; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" = "install ok installed" ] || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "apt-get not found; install ${missing[*]} by hand"
  phase "installing Debian packages: ${missing[*]}" -- _apt_install "${missing[@]}"
}

ensure_rust() {
  command -v cargo >/dev/null || die "cargo not found (looked on PATH and in $CARGO_BIN): install Rust with rustup first (https://rustup.rs)"
  command -v rustup >/dev/null || die "rustup not found: this project adds a compilation target with it; install Rust with rustup (https://rustup.rs)"
}

# clippy and rustfmt: only scripts/test needs them.
ensure_rust_components() {
  ensure_rust
  local have missing=() c
  have="$(rustup component list --installed 2>/dev/null || true)"
  for c in clippy rustfmt; do
    grep -q "^$c" <<<"$have" || missing+=("$c")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  phase "adding the Rust components ${missing[*]}" --hint "a download, about 10 s" -- rustup component add "${missing[@]}"
}

ensure_wasm_target() {
  ensure_rust
  if ! grep -qx wasm32-unknown-unknown <<<"$(rustup target list --installed 2>/dev/null || true)"; then
    phase "adding the wasm32-unknown-unknown target" --hint "a download, about 10 s" -- \
      rustup target add wasm32-unknown-unknown
  fi
}

# The wasm-bindgen CLI must equal the wasm-bindgen crate in Cargo.lock: the
# glue it writes and the custom section the crate emits are versioned together.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

WASM_BINDGEN_HINT="compiling from source, 3 to 5 minutes on 2 cores"
_install_wasm_bindgen() {
  # Not --locked: one of its pinned transitive versions is not on the
  # registry mirror this project builds from.
  cargo install wasm-bindgen-cli --version "$1" --force
}

# start_wasm_bindgen: starts installing wasm-bindgen-cli in the background
# when it is missing or another version; ensure_wasm_bindgen waits for it.
start_wasm_bindgen() {
  local want have
  want="$(wasm_bindgen_version)"
  [ -n "$want" ] || die "wasm-bindgen not found in Cargo.lock"
  have="$(tool_version wasm-bindgen)"
  [ "$have" = "$want" ] && return 0
  ensure_rust
  bg_start wasm-bindgen-cli "installing wasm-bindgen-cli $want (found: ${have:-none})" \
    "$WASM_BINDGEN_HINT" _install_wasm_bindgen "$want"
}

ensure_wasm_bindgen() {
  start_wasm_bindgen
  bg_wait wasm-bindgen-cli
  local want have
  want="$(wasm_bindgen_version)"
  have="$(tool_version wasm-bindgen)"
  [ "$have" = "$want" ] || die "wasm-bindgen-cli $want was installed, but \`wasm-bindgen --version\` on PATH says '${have:-nothing}' (PATH=$PATH)"
}

ensure_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    ensure_apt nodejs npm
  fi
  command -v node >/dev/null || die "node is still not on PATH after installing nodejs"
  local major
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  [ "$major" -ge 18 ] 2>/dev/null || die "Node.js >= 18 is required (found: $(node --version 2>/dev/null || echo none))"
}

# npm ci when node_modules is missing or older than the lockfile. Never
# downloads a browser: the tests use Debian's /usr/bin/chromium.
_npm_ci() { (cd "$ROOT" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --no-update-notifier --loglevel=error); }
ensure_npm_deps() {
  ensure_node
  local stamp="$ROOT/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$ROOT/package-lock.json" -nt "$stamp" ]; then
    phase "installing the npm build and test tools with npm ci" --hint "a download, about 30 s" -- _npm_ci
  fi
}

ensure_chromium() {
  ensure_apt chromium chromium-driver
}

# The Agent Skills reference validator (`agentskills`, PyPI skills-ref), in
# a virtualenv of the project's own so nothing touches the system Python.
SKILLS_REF_VERSION=0.1.1
# _make_venv VENV: creates the virtualenv (again: a no-op on one that is
# there), installing python3 and python3-venv first when missing.
_make_venv() {
  local venv="$1"
  command -v python3 >/dev/null || ensure_apt python3
  if ! python3 -m venv "$venv" 2>/dev/null; then
    rm -rf "$venv"
    ensure_apt python3-venv || return
    python3 -m venv "$venv" || return
  fi
}
_install_skills_ref() {
  _make_venv "$1" || return
  "$1/bin/pip" install -q --disable-pip-version-check "skills-ref==$SKILLS_REF_VERSION"
}
ensure_skills_ref() {
  local venv="$ROOT/target/pytools"
  if ! grep -qx "Version: $SKILLS_REF_VERSION" <<<"$("$venv/bin/pip" show skills-ref 2>/dev/null || true)"; then
    phase "installing the Agent Skills validator (skills-ref $SKILLS_REF_VERSION)" --hint "a download, about 20 s" -- \
      _install_skills_ref "$venv"
  fi
  export PATH="$venv/bin:$PATH"
}

# Django, for the round trip on its admin (tests/e2e/roundtrip-app-django.
# test.js: a real server-rendered app from PyPI), in the same virtualenv.
# That test calls ensure_django itself when the pinned version is missing.
DJANGO_VERSION=5.2.19
_install_django() {
  if [ ! -x "$1/bin/pip" ]; then _make_venv "$1" || return; fi
  "$1/bin/pip" install -q --disable-pip-version-check "Django==$DJANGO_VERSION"
}
ensure_django() {
  local venv="$ROOT/target/pytools"
  if ! grep -qx "Version: $DJANGO_VERSION" <<<"$("$venv/bin/pip" show Django 2>/dev/null || true)"; then
    phase "installing Django $DJANGO_VERSION (for the Django admin round trip)" --hint "a download, about 10 s" -- \
      _install_django "$venv"
  fi
}

# first_build_hint GLOB TEXT: TEXT when nothing matches GLOB (an output of
# the build), so the first run says it will take minutes and later runs
# don't.
first_build_hint() {
  if compgen -G "$1" >/dev/null; then echo "only what changed"; else echo "$2"; fi
}
