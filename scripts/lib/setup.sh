# Shared by scripts/run and scripts/test: install what a fresh Debian machine
# with Rust lacks, and nothing that is already there. Every step checks first,
# so a second run costs a few hundred milliseconds.
#
# Source it; do not execute it.

# Repository root, whatever the caller's working directory.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export ROOT

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Prepend sudo only when we are not root and sudo exists.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root to run: $*"
  fi
}

APT_UPDATED=0
# ensure_apt PKG... : installs the Debian packages that are not installed yet.
ensure_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "apt-get not found; install ${missing[*]} by hand"
  log "installing Debian packages: ${missing[*]}"
  if [ "$APT_UPDATED" -eq 0 ]; then
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_rust() {
  command -v cargo >/dev/null || die "cargo not found: install Rust with rustup first (https://rustup.rs)"
  if ! rustup component list --installed 2>/dev/null | grep -q '^clippy'; then
    rustup component add clippy rustfmt
  fi
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

# The wasm-bindgen CLI must equal the wasm-bindgen crate in Cargo.lock: the
# glue it writes and the custom section the crate emits are versioned together.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_wasm_bindgen() {
  local want have
  want="$(wasm_bindgen_version)"
  [ -n "$want" ] || die "wasm-bindgen not found in Cargo.lock"
  have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')"
  if [ "$have" != "$want" ]; then
    log "installing wasm-bindgen-cli $want (found: ${have:-none})"
    # Not --locked: one of its pinned transitive versions is not on the
    # registry mirror this project builds from.
    cargo install -q wasm-bindgen-cli --version "$want" --force
  fi
  export PATH="$HOME/.cargo/bin:$PATH"
}

ensure_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    ensure_apt nodejs npm
  fi
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$major" -ge 18 ] || die "Node.js >= 18 is required (found $(node --version))"
}

# npm ci when node_modules is missing or older than the lockfile. Never
# downloads a browser: the tests use Debian's /usr/bin/chromium.
ensure_npm_deps() {
  ensure_node
  local stamp="$ROOT/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$ROOT/package-lock.json" -nt "$stamp" ]; then
    log "installing npm build and test tools (npm ci)"
    (cd "$ROOT" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
}

ensure_chromium() {
  ensure_apt chromium chromium-driver
}

# The Agent Skills reference validator (`agentskills`, PyPI skills-ref), in
# a virtualenv of the project's own so nothing touches the system Python.
SKILLS_REF_VERSION=0.1.1
ensure_skills_ref() {
  local venv="$ROOT/target/pytools"
  if ! "$venv/bin/pip" show skills-ref 2>/dev/null | grep -qx "Version: $SKILLS_REF_VERSION"; then
    log "installing the Agent Skills validator (skills-ref $SKILLS_REF_VERSION)"
    command -v python3 >/dev/null || ensure_apt python3
    if ! python3 -m venv "$venv" 2>/dev/null; then
      rm -rf "$venv"
      ensure_apt python3-venv
      python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install -q --disable-pip-version-check "skills-ref==$SKILLS_REF_VERSION"
  fi
  export PATH="$venv/bin:$PATH"
}

# trunk builds the recordings viewer (Rust/WASM extension page). 0.22 needs
# a newer rustc than this project's toolchain, so the version is pinned.
TRUNK_VERSION=0.21.14
ensure_trunk() {
  if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
    log "installing trunk $TRUNK_VERSION (builds the viewer)"
    cargo install -q trunk --version "$TRUNK_VERSION" --locked --force
  fi
}
