// scripts/package end to end: it builds the release extension, zips it,
// writes a SHA-256 file and a minisign signature; the real `minisign -V`
// and `clawtrail verify-package` accept the result, and reject it after one
// changed byte or when another key signed it. Without a key the script
// refuses with a clear message.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../e2e/lib/browser.js';
import { clawtrailBin } from '../e2e/lib/relay.js';

const exec = promisify(execFile);
const run = (cmd, args, opts = {}) =>
  exec(cmd, args, { cwd: REPO_ROOT, timeout: 600_000, maxBuffer: 16 << 20, ...opts })
    .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }))
    .catch((e) => ({ code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }));

let dir;
let zip;
const version = JSON.parse(await fs.readFile(path.join(REPO_ROOT, 'extension/manifest.json'), 'utf8')).version;

async function keypair(name) {
  const pub = path.join(dir, `${name}.pub`);
  const key = path.join(dir, `${name}.key`);
  const r = await run('minisign', ['-G', '-W', '-p', pub, '-s', key]);
  assert.equal(r.code, 0, r.stderr);
  return { pub, key };
}

const minisignVerify = (file, pub, sig = `${file}.minisig`) => run('minisign', ['-V', '-m', file, '-p', pub, '-x', sig]);
const clawtrailVerify = (file, pub, extra = []) =>
  run(clawtrailBin(), ['verify-package', file, '--pubkey', pub, ...extra]);

let keys;
before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clawtrail-package-'));
  keys = await keypair('release');
  const out = path.join(dir, 'dist');
  const r = await run('scripts/package', ['--secret-key', keys.key, '--out', out]);
  assert.equal(r.code, 0, `scripts/package failed:\n${r.stderr}`);
  zip = path.join(out, `clawtrail-extension-${version}.zip`);
});

after(async () => {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

test('the package holds the loadable extension, a SHA-256 file and a signature', async () => {
  const listing = await run('unzip', ['-Z1', zip]);
  assert.equal(listing.code, 0, listing.stderr);
  const files = listing.stdout.trim().split('\n');
  for (const f of ['manifest.json', 'content.js', 'internals.js', 'service_worker.js', 'popup.html', 'viewer.html']) {
    assert.ok(files.includes(f), `${f} is in the package (${files.join(', ')})`);
  }
  // No test hooks in what users install: no `self.clawtrail`, and no
  // storage key that would move the clock or redirect uploads.
  const worker = (await run('unzip', ['-p', zip, 'service_worker.js'])).stdout;
  for (const hook of ['setRelayPort', 'setClockOffset', 'debug_relay_port', 'debug_clock_offset_ms', 'clawtrail=']) {
    assert.ok(!worker.includes(hook), `the release service worker holds ${hook}`);
  }
  assert.ok(worker.includes('Clawtrail') || worker.includes('relay_key'), 'the worker itself is there');
  const viewerWasm = files.find((f) => f.endsWith('.wasm'));
  assert.ok(viewerWasm, files.join(', '));
  const wasm = (await run('sh', ['-c', `unzip -p '${zip}' '${viewerWasm}' | grep -c debug_relay_port || true`])).stdout.trim();
  assert.equal(wasm, '0', 'the release viewer does not read the tests\' port key');
  const manifest = JSON.parse((await run('unzip', ['-p', zip, 'manifest.json'])).stdout);
  assert.equal(manifest.version, version);
  const sha = await fs.readFile(`${zip}.sha256`, 'utf8');
  assert.match(sha, new RegExp(`^[0-9a-f]{64}  clawtrail-extension-${version.replaceAll('.', '\\.')}\\.zip\\n$`));
  const check = await run('sha256sum', ['-c', path.basename(`${zip}.sha256`)], { cwd: path.dirname(zip) });
  assert.equal(check.code, 0, check.stderr);
});

test('a good package verifies with minisign -V and with clawtrail verify-package', async () => {
  const m = await minisignVerify(zip, keys.pub);
  assert.equal(m.code, 0, m.stderr);
  assert.match(m.stdout + m.stderr, /Signature and comment signature verified/);
  const c = await clawtrailVerify(zip, keys.pub, ['--json']);
  assert.equal(c.code, 0, c.stderr);
  const report = JSON.parse(c.stdout);
  assert.equal(report.ok, true);
  assert.equal(report.trusted_comment, `clawtrail-extension-${version}`);
  assert.equal(report.sha256_file_checked, true);
});

test('one changed byte is rejected by both', async () => {
  const bytes = await fs.readFile(zip);
  const tampered = path.join(dir, 'tampered.zip');
  bytes[Math.floor(bytes.length / 2)] ^= 0x01;
  await fs.writeFile(tampered, bytes);
  const m = await minisignVerify(tampered, keys.pub, `${zip}.minisig`);
  assert.notEqual(m.code, 0, 'minisign -V must reject a changed byte');
  const c = await clawtrailVerify(tampered, keys.pub, ['--sig', `${zip}.minisig`]);
  assert.notEqual(c.code, 0);
  assert.match(c.stderr, /NOT authentic/);
});

test('a package signed by another key is rejected by both', async () => {
  const other = await keypair('other');
  const copy = path.join(dir, 'other.zip');
  await fs.copyFile(zip, copy);
  const s = await run('minisign', ['-S', '-s', other.key, '-m', copy]);
  assert.equal(s.code, 0, s.stderr);
  const m = await minisignVerify(copy, keys.pub);
  assert.notEqual(m.code, 0, 'minisign -V must reject a signature by another key');
  const c = await clawtrailVerify(copy, keys.pub);
  assert.notEqual(c.code, 0);
  assert.match(c.stderr, /NOT authentic/);
});

test('the shipped release key is the default and rejects a package signed by a test key', async () => {
  const c = await run(clawtrailBin(), ['verify-package', zip]);
  assert.notEqual(c.code, 0, 'only the release key is trusted by default');
  assert.match(c.stderr, /NOT authentic/);
});

test('without a signing key scripts/package refuses clearly', async () => {
  const r = await run('scripts/package', ['--out', path.join(dir, 'nokey')], {
    env: { ...process.env, CLAWTRAIL_SIGNING_KEY: '' },
  });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /no signing key: pass --secret-key PATH or set CLAWTRAIL_SIGNING_KEY=PATH/);
});
