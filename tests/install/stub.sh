#!/bin/bash
# A stand-in for a tool that a fresh machine lacks or that must not really
# run in the install-path tests. Symlinked under each tool's name; it appends
# "NAME ARGS" to $STUB_STATE/calls.log, and an "install" makes the installed
# tool appear (as another link to this file, or a version-printing script),
# so the set-up's checks after the install see what a real install leaves.
# A build or test command prints "stub: NAME ARGS reached" and exits 97
# (or 0 when $STUB_STATE/builds-succeed exists).
name="$(basename "$0")"
self="$(readlink -f "$0")"
state="${STUB_STATE:?}"
echo "$name $*" >>"$state/calls.log"

reached() {
  echo "stub: $name $* reached" >&2
  [ -e "$state/builds-succeed" ] && exit 0
  exit 97
}
# provide TOOL...: the tool now exists on the machine's PATH.
provide() { for t in "$@"; do ln -sf "$self" "$STUB_SYS/$t"; done; }

case "$name" in
  cargo)
    case "${1:-}" in
      install)
        crate="$2" version=""
        while [ $# -gt 0 ]; do [ "$1" = --version ] && version="$2"; shift; done
        if [ -e "$state/fail-install-$crate" ]; then
          echo "error: failed to compile \`$crate v$version\`" >&2
          exit 101
        fi
        bindir="${CARGO_HOME:-$HOME/.cargo}/bin"
        mkdir -p "$bindir"
        case "$crate" in
          wasm-bindgen-cli) bins="wasm-bindgen wasm-bindgen-test-runner" ;;
          *) bins="$crate" ;;
        esac
        for b in $bins; do
          printf '#!/bin/bash\necho "%s %s"\n' "$b" "$version" >"$bindir/$b"
          chmod +x "$bindir/$b"
        done
        ;;
      --version) echo "cargo 1.95.0 (stub)" ;;
      *) reached "$@" ;;
    esac
    ;;
  rustup)
    case "$1 $2" in
      "component list") cat "$state/components" 2>/dev/null || true ;;
      "component add") shift 2; for c in "$@"; do echo "$c-x86_64-unknown-linux-gnu" >>"$state/components"; done ;;
      "target list") echo x86_64-unknown-linux-gnu; cat "$state/targets" 2>/dev/null || true ;;
      "target add") shift 2; printf '%s\n' "$@" >>"$state/targets" ;;
      *) echo "rustup stub: unexpected: $*" >&2; exit 2 ;;
    esac
    ;;
  dpkg-query)
    pkg="${*: -1}"
    [ -e "$state/apt/$pkg" ] || { echo "dpkg-query: no packages found matching $pkg" >&2; exit 1; }
    printf 'install ok installed'
    ;;
  apt-get)
    [ "$1" = update ] && exit 0
    [ "$1" = install ] || { echo "apt-get stub: unexpected: $*" >&2; exit 2; }
    mkdir -p "$state/apt"
    for p in "$@"; do
      case "$p" in -* | install | *=*) continue ;; esac
      touch "$state/apt/$p"
      case "$p" in
        nodejs) provide node ;;
        chromium-driver) provide chromedriver ;;
        python3-venv) ;;
        *) provide "$p" ;;
      esac
    done
    ;;
  node)
    case "${1:-}" in
      -p) echo 20 ;;
      --version) echo v20.19.2 ;;
      *) reached "$@" ;;
    esac
    ;;
  npm)
    [ "${1:-}" = ci ] || reached "$@"
    mkdir -p node_modules/.bin && touch node_modules/.package-lock.json
    for t in wasm2js wasm-opt esbuild; do ln -sf "$self" "node_modules/.bin/$t"; done
    ;;
  python3)
    [ "$1 $2" = "-m venv" ] || { echo "python3 stub: unexpected: $*" >&2; exit 2; }
    mkdir -p "$3/bin" && ln -sf "$self" "$3/bin/pip"
    ;;
  pip)
    case "$1" in
      show)
        [ -e "$state/pip-$2" ] || exit 1
        echo "Name: $2"
        echo "Version: $(cat "$state/pip-$2")"
        # Real `pip show` goes on after the version (and dies of SIGPIPE
        # if a `| grep -q` stopped reading); more than a pipe buffer
        # makes that certain here.
        for _ in $(seq 2000); do echo "Requires: a-long-list-of-requirements-to-fill-the-pipe-buffer"; done
        ;;
      install) for a in "$@"; do case "$a" in *==*) echo "${a#*==}" >"$state/pip-${a%%==*}" ;; esac; done ;;
    esac
    ;;
  *) reached "$@" ;;
esac
