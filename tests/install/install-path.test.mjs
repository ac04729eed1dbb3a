// The README's two commands on a machine that has nothing yet.
//
// CI runs where every tool is already installed, so a green CI cannot show
// a missing install step (it once hid `scripts/run` dying with exit 127
// before it installed anything). These tests make the bare machine: a
// fresh HOME, a PATH without ~/.cargo/bin or /usr/local/bin, the system's
// own commands minus every tool the set-up installs, and stubs (stub.sh)
// for cargo, rustup, apt-get, dpkg-query and python3 that record what they
// are asked and make an installed tool appear. They then run the real
// scripts/run and scripts/test from a copy of the repository's scripts and
// check that each missing tool is installed in turn, with a message, and
// that the script goes on to the build.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '../..');
const STUB = path.join(here, 'stub.sh');
const LOCKED_BINDGEN = /name = "wasm-bindgen"\nversion = "([^"]+)"/.exec(
  fs.readFileSync(path.join(REPO, 'Cargo.lock'), 'utf8'),
)[1];

// The Django scripts/lib/setup.sh pins for the Django admin round trip.
const DJANGO = /^DJANGO_VERSION=(\S+)$/m.exec(fs.readFileSync(path.join(REPO, 'scripts/lib/setup.sh'), 'utf8'))[1];

// Everything the set-up may install, and the toolchain it must not find
// except through the stubs. Taken off the system's PATH in the sandbox.
const ABSENT = new Set([
  'node', 'nodejs', 'npm', 'npx', 'corepack', 'chromium', 'chromium-browser', 'chromedriver',
  'minisign', 'zip', 'unzip', 'python3', 'python', 'pip', 'pip3', 'cargo', 'rustup', 'rustc',
  'wasm-bindgen', 'wasm-bindgen-test-runner', 'trunk', 'dpkg-query', 'apt-get', 'apt', 'sudo',
  'wrk', 'hyperfine',
]);
const isAbsent = (name) => ABSENT.has(name) || /^python3?\.\d+/.test(name) || /^pip3?\.\d+/.test(name);

/** A bare machine in a temp dir. Returns paths and helpers. */
function bareMachine({ preinstalled = false } = {}) {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'clawtrail-install-'));
  const dirs = {
    top,
    repo: path.join(top, 'repo'),
    home: path.join(top, 'home'),
    sys: path.join(top, 'sys'),
    stubs: path.join(top, 'stubs'),
    state: path.join(top, 'state'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  // The system's commands, without the ones above.
  for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
    let names;
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const link = path.join(dirs.sys, name);
      if (isAbsent(name) || fs.existsSync(link)) continue;
      try {
        fs.symlinkSync(path.join(dir, name), link);
      } catch {
        /* a name seen in two dirs */
      }
    }
  }
  for (const tool of ['cargo', 'rustup', 'apt-get', 'dpkg-query', 'python3']) {
    fs.symlinkSync(STUB, path.join(dirs.stubs, tool));
  }
  // The project files the set-up reads; stub npm writes node_modules here.
  fs.cpSync(path.join(REPO, 'scripts'), path.join(dirs.repo, 'scripts'), { recursive: true });
  for (const f of ['Cargo.lock', 'package.json', 'package-lock.json']) {
    fs.copyFileSync(path.join(REPO, f), path.join(dirs.repo, f));
  }
  if (preinstalled) {
    // What a finished first run leaves behind.
    const provide = (t) => fs.symlinkSync(STUB, path.join(dirs.sys, t));
    ['node', 'npm', 'chromium', 'chromedriver', 'minisign', 'zip', 'unzip'].forEach(provide);
    fs.mkdirSync(path.join(dirs.state, 'apt'));
    for (const p of ['nodejs', 'npm', 'chromium', 'chromium-driver', 'minisign', 'zip', 'unzip']) {
      fs.writeFileSync(path.join(dirs.state, 'apt', p), '');
    }
    fs.writeFileSync(path.join(dirs.state, 'targets'), 'wasm32-unknown-unknown\n');
    fs.writeFileSync(path.join(dirs.state, 'components'), 'clippy-x86_64-unknown-linux-gnu\nrustfmt-x86_64-unknown-linux-gnu\n');
    installBindgen(dirs, LOCKED_BINDGEN);
    fs.mkdirSync(path.join(dirs.repo, 'node_modules'));
    fs.writeFileSync(path.join(dirs.repo, 'node_modules/.package-lock.json'), '{}');
    const venvBin = path.join(dirs.repo, 'target/pytools/bin');
    fs.mkdirSync(venvBin, { recursive: true });
    fs.symlinkSync(STUB, path.join(venvBin, 'pip'));
    fs.writeFileSync(path.join(dirs.state, 'pip-skills-ref'), '0.1.1\n');
    fs.writeFileSync(path.join(dirs.state, 'pip-Django'), `${DJANGO}\n`);
  }
  return dirs;
}

/** A wasm-bindgen on ~/.cargo/bin that reports `version`. */
function installBindgen(dirs, version) {
  const bin = path.join(dirs.home, '.cargo/bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'wasm-bindgen'), `#!/bin/bash\necho "wasm-bindgen ${version}"\n`, { mode: 0o755 });
}

/** Runs a script of the sandbox's repository on the bare machine. */
function run(dirs, script, args = [], extraEnv = {}) {
  const r = spawnSync(path.join(dirs.repo, script), args, {
    cwd: dirs.repo,
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      HOME: dirs.home,
      PATH: `${dirs.stubs}:${dirs.sys}`,
      STUB_STATE: dirs.state,
      STUB_SYS: dirs.sys,
      TERM: 'dumb',
      ...extraEnv,
    },
  });
  const logFile = path.join(dirs.state, 'calls.log');
  const calls = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').trim().split('\n') : [];
  const output = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, '');
  return { status: r.status, signal: r.signal, output, calls };
}

/** Index of the first call matching `re`; fails with the whole log if none. */
function callIndex(res, re) {
  const i = res.calls.findIndex((c) => re.test(c));
  assert.ok(i >= 0, `expected a call matching ${re}; calls were:\n${res.calls.join('\n')}\n--- output:\n${res.output}`);
  return i;
}

function assertSaid(res, re) {
  assert.match(res.output, re, `expected the output to say ${re}; it was:\n${res.output}`);
}

test('scripts/run on a bare machine installs each missing tool, says so, and builds', () => {
  const m = bareMachine();
  fs.writeFileSync(path.join(m.state, 'builds-succeed'), '');
  const res = run(m, 'scripts/run');
  // Each install: asked for, and announced.
  callIndex(res, /^rustup target add wasm32-unknown-unknown$/);
  assertSaid(res, /==> adding the wasm32-unknown-unknown target/);
  callIndex(res, new RegExp(`^cargo install wasm-bindgen-cli --version ${LOCKED_BINDGEN.replaceAll('.', '\\.')}\\b`));
  assertSaid(res, new RegExp(`installing wasm-bindgen-cli ${LOCKED_BINDGEN.replaceAll('.', '\\.')} \\(found: none\\), in the background \\(compiling from source, \\d+ to \\d+ minutes`));
  callIndex(res, /^apt-get install .*\bnodejs\b.*\bnpm\b/);
  assertSaid(res, /==> installing Debian packages: nodejs npm/);
  const npmCi = callIndex(res, /^npm ci\b/);
  assertSaid(res, /==> installing the npm build and test tools with npm ci/);
  // Then the build: the relay first, while wasm-bindgen-cli compiles.
  const relayBuild = callIndex(res, /^cargo build --release --locked -p clawtrail$/);
  assert.ok(npmCi < relayBuild, 'npm ci runs before the build');
  callIndex(res, /^cargo build -p recorder-wasm -p worker-core --target wasm32-unknown-unknown --locked --release$/);
  // wasm-bindgen is waited for, then the extension is assembled (which fails
  // here only because the stub cargo produced no .wasm).
  assertSaid(res, /==> waiting for: installing wasm-bindgen-cli[^]*==> assembling the extension \(release\)/);
  assertSaid(res, /cargo did not produce .*recorder_wasm\.wasm/);
  // Every phase says how long it took, and the table lists them.
  assertSaid(res, /building the relay \(release\): done in \d+\.\d s/);
  assertSaid(res, /phase\s+seconds\s+status/);
  // scripts/run needs neither clippy nor Chromium.
  assert.ok(!res.calls.some((c) => /^rustup component add/.test(c)), 'scripts/run installs no clippy/rustfmt');
  assert.ok(!res.calls.some((c) => /^apt-get install .*chromium/.test(c)), 'plain scripts/run installs no Chromium');
  assert.notEqual(res.status, 127, res.output);
});

test('scripts/test on a bare machine installs everything the tests need before the first test', () => {
  const m = bareMachine();
  const res = run(m, 'scripts/test');
  const installs = [
    [/^rustup component add clippy rustfmt$/, /==> adding the Rust components clippy rustfmt/],
    [/^rustup target add wasm32-unknown-unknown$/, /==> adding the wasm32-unknown-unknown target/],
    [/^cargo install wasm-bindgen-cli --version /, /installing wasm-bindgen-cli \S+ \(found: none\)/],
    [/^apt-get install .*\bchromium chromium-driver\b/, /==> installing Debian packages: chromium chromium-driver/],
    [/^apt-get install .*\bminisign zip unzip\b/, /==> installing Debian packages: minisign zip unzip/],
    [/^apt-get install .*\bnodejs npm\b/, /==> installing Debian packages: nodejs npm/],
    [/^npm ci\b/, /==> installing the npm build and test tools/],
    [/^pip install .*skills-ref==0\.1\.1/, /==> installing the Agent Skills validator \(skills-ref 0\.1\.1\)/],
    [new RegExp(`^pip install .*Django==${DJANGO.replaceAll('.', '\\.')}`), /==> installing Django \S+ \(for the Django admin round trip\)/],
  ];
  const firstTest = callIndex(res, /^node --test/);
  for (const [call, said] of installs) {
    assert.ok(callIndex(res, call) < firstTest, `${call} happens before the first test`);
    assertSaid(res, said);
  }
  // The stub ends the run at the first test; the timing table still prints.
  assert.equal(res.status, 97, res.output);
  assertSaid(res, /phase\s+seconds\s+status[^]*install-path tests.*failed \(97\)/);
});

test('with everything installed, the set-up installs nothing and goes straight to the build', () => {
  const m = bareMachine({ preinstalled: true });
  for (const script of ['scripts/run', 'scripts/test']) {
    fs.rmSync(path.join(m.state, 'calls.log'), { force: true });
    const res = run(m, script);
    const installs = res.calls.filter((c) => /^(cargo install|rustup (target|component) add|apt-get|npm ci|pip install)/.test(c));
    assert.deepEqual(installs, [], `${script} installed again:\n${res.output}`);
    assert.doesNotMatch(res.output, /==> (installing|adding)/, script);
    callIndex(res, script === 'scripts/run' ? /^cargo build --release --locked -p clawtrail$/ : /^node --test/);
  }
});

test('a wasm-bindgen of another version is replaced by the one Cargo.lock pins', () => {
  const m = bareMachine({ preinstalled: true });
  installBindgen(m, '0.2.99');
  fs.writeFileSync(path.join(m.state, 'builds-succeed'), '');
  const res = run(m, 'scripts/run');
  callIndex(res, new RegExp(`^cargo install wasm-bindgen-cli --version ${LOCKED_BINDGEN.replaceAll('.', '\\.')} --force$`));
  assertSaid(res, /installing wasm-bindgen-cli \S+ \(found: 0\.2\.99\)/);
  assertSaid(res, /==> assembling the extension/);
});

test('a CARGO_HOME elsewhere is where installed tools are looked for', () => {
  const m = bareMachine({ preinstalled: true });
  fs.rmSync(path.join(m.home, '.cargo'), { recursive: true });
  const cargoHome = path.join(m.top, 'cargo-home');
  fs.writeFileSync(path.join(m.state, 'builds-succeed'), '');
  const res = run(m, 'scripts/run', [], { CARGO_HOME: cargoHome });
  callIndex(res, /^cargo install wasm-bindgen-cli /);
  assert.ok(fs.existsSync(path.join(cargoHome, 'bin/wasm-bindgen')));
  // Found on PATH after the install: the assembly step is reached.
  assertSaid(res, /==> assembling the extension/);
});

test('a failed install stops the run with the tool, the log and a non-zero status', () => {
  const m = bareMachine({ preinstalled: true });
  fs.rmSync(path.join(m.home, '.cargo'), { recursive: true });
  fs.writeFileSync(path.join(m.state, 'fail-install-wasm-bindgen-cli'), '');
  fs.writeFileSync(path.join(m.state, 'builds-succeed'), '');
  const res = run(m, 'scripts/run');
  assert.equal(res.status, 1, res.output);
  assertSaid(res, /error: installing wasm-bindgen-cli \S+ \(found: none\) failed \(exit 101\); the whole log is .*setup-logs\/wasm-bindgen-cli\.log/);
  assertSaid(res, /failed to compile `wasm-bindgen-cli/);
  assert.doesNotMatch(res.output, /==> assembling the extension/);
});

test('no cargo anywhere: a message that says how to get it, not exit 127', () => {
  const m = bareMachine();
  fs.rmSync(path.join(m.stubs, 'cargo'));
  const res = run(m, 'scripts/run');
  assert.equal(res.status, 1, res.output);
  assertSaid(res, /error: cargo not found .*rustup/);
});

test('scripts/run --browser refuses serve flags (the extension only knows 18799)', () => {
  const m = bareMachine({ preinstalled: true });
  const flags = run(m, 'scripts/run', ['--browser', '--port', '1234']);
  assert.equal(flags.status, 1, flags.output);
  assertSaid(flags, /--browser takes no serve flags/);
});
