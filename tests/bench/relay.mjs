// Relay benchmarks for scripts/bench: the real `clawtrail serve` process,
// real uploads over loopback (wrk with a Lua script that gives every
// request a fresh recording id), signed as the extension signs them,
// fsync included, plus the relay's RSS.
//
//   node tests/bench/relay.mjs --bin target/release/clawtrail --gen target/release/clawtrail-bench-gen --out FILE [--quick]

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const QUICK = args.includes('--quick');
const BIN = path.resolve(opt('bin', 'target/release/clawtrail'));
const GEN = path.resolve(opt('gen', 'target/release/clawtrail-bench-gen'));
const OUT = path.resolve(opt('out', 'target/bench/relay.json'));
const log = (...a) => console.error('bench(relay):', ...a);

function rssKb(pid) {
  return fs.readFile(`/proc/${pid}/status`, 'utf8').then((s) => ({
    rss: Number(/VmRSS:\s+(\d+)/.exec(s)[1]),
    hwm: Number(/VmHWM:\s+(\d+)/.exec(s)[1]),
  }));
}

async function startRelay() {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'clawtrail-bench-relay-'));
  const child = spawn(BIN, ['serve', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'ignore'] });
  const first = await new Promise((resolve, reject) => {
    child.once('exit', (c) => reject(new Error(`relay exited with ${c}`)));
    readline.createInterface({ input: child.stdout }).once('line', resolve);
  });
  const port = Number(/^listening on 127\.0\.0\.1:(\d+)$/.exec(first)?.[1]);
  if (!port) throw new Error(`unexpected first line: ${first}`);
  const { code } = JSON.parse(execFileSync(BIN, ['pair', '--json', '--data-dir', dataDir], { encoding: 'utf8' }));
  // SPAKE2 pairing as the extension does it (the generator shares its code).
  const key = execFileSync(GEN, ['pair', '--port', String(port), '--code', code], { encoding: 'utf8' }).trim();
  return {
    pid: child.pid,
    port,
    key,
    dataDir,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Upload rates (per second, all connections) well above what this relay
 * reaches on the 2-core machines it runs on (BENCHMARKS.md: about 160/s at
 * 1k events with one uploader, 240/s with eight), to sign enough requests
 * ahead: each signature covers its own body, and a nonce works once.
 */
const RATE_BOUND = { 1_000: 700, 10_000: 70, 100_000: 6 };

/** Runs wrk against the relay with `body` (whose id wrk replaces per request). */
function wrk(relay, bodyFile, id, { connections, threads, seconds, events }) {
  const signed = `${bodyFile}.signed`;
  const count = Math.ceil((RATE_BOUND[events] * seconds) / threads) + 10;
  execFileSync(GEN, [
    'sign-uploads', '--key', relay.key, '--port', String(relay.port), '--body', bodyFile, '--id', id,
    '--count', String(count), '--threads', String(threads), '--out', signed,
  ]);
  const out = execFileSync(
    'wrk',
    [
      `-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--timeout', '30s',
      '-s', path.join(here, 'upload.lua'),
      `http://127.0.0.1:${relay.port}/v1/recordings`,
      '--', bodyFile, id, signed,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (!line) throw new Error(`wrk printed no result:\n${out}`);
  const r = JSON.parse(line.slice('BENCH_JSON '.length));
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`wrk saw ${r.non2xx} non-2xx answers and ${r.errors} errors:\n${out}`);
  return r;
}

const results = { single: {}, concurrent: {} };
const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'clawtrail-bench-bodies-'));
try {
  const sizes = [1_000, 10_000, 100_000];
  const bodies = {};
  for (const n of sizes) {
    const file = path.join(tmp, `body-${n}.json`);
    execFileSync(GEN, ['body', '--events', String(n), '--seed', String(n), '--out', file]);
    const id = JSON.parse(await fs.readFile(file, 'utf8')).id;
    bodies[n] = { file, id, bytes: (await fs.stat(file)).size };
  }

  // The floor of one 100k upload on this machine, in the same run: storing
  // the bytes as the relay does (write, fsync, rename, fsync), parsing them
  // with plain serde_json, hashing them.
  log('floor: write+fsync, serde_json parse, sha-256 of the 100k body');
  results.floor = JSON.parse(execFileSync(GEN, [
    'floor', '--body', bodies[100_000].file, '--dir', tmp, '--runs', QUICK ? '3' : '7',
  ], { encoding: 'utf8' }));

  let relay = await startRelay();
  await new Promise((r) => setTimeout(r, 500));
  results.idle_rss_kb = (await rssKb(relay.pid)).rss;
  for (const n of sizes) {
    const seconds = QUICK ? (n === 100_000 ? 6 : 3) : (n === 100_000 ? 20 : 8);
    log(`one uploader, ${n} events (${bodies[n].bytes} bytes), ${seconds}s`);
    const r = wrk(relay, bodies[n].file, bodies[n].id, { connections: 1, threads: 1, seconds, events: n });
    results.single[n] = {
      bytes: bodies[n].bytes,
      requests: r.requests,
      p50_ms: r.p50_us / 1000,
      p99_ms: r.p99_us / 1000,
      mb_s: (bodies[n].bytes / 1e6) / (r.p50_us / 1e6),
    };
    // Stored recordings pile up fast at 100k events: start clean.
    await relay.stop();
    relay = await startRelay();
  }
  log('8 concurrent uploaders, 1k events each');
  const seconds = QUICK ? 5 : 15;
  const r = wrk(relay, bodies[1_000].file, bodies[1_000].id, { connections: 8, threads: 2, seconds, events: 1_000 });
  results.concurrent = {
    events: 1_000,
    connections: 8,
    requests: r.requests,
    req_s: r.requests / (r.duration_us / 1e6),
    mb_s: (r.requests * bodies[1_000].bytes / 1e6) / (r.duration_us / 1e6),
    p50_ms: r.p50_us / 1000,
    p99_ms: r.p99_us / 1000,
  };
  results.peak_rss_kb = (await rssKb(relay.pid)).hwm;
  await relay.stop();
  // Peak with the largest upload: a fresh relay takes one 100k-event recording.
  relay = await startRelay();
  wrk(relay, bodies[100_000].file, bodies[100_000].id, { connections: 1, threads: 1, seconds: 2, events: 100_000 });
  results.peak_rss_100k_kb = (await rssKb(relay.pid)).hwm;
  await relay.stop();
} finally {
  await fs.rm(tmp, { recursive: true, force: true });
}
await fs.mkdir(path.dirname(OUT), { recursive: true });
await fs.writeFile(OUT, JSON.stringify(results, null, 2));
log(`wrote ${OUT}`);
