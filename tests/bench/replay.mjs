// Replay overhead per step for scripts/bench (BENCHMARKS.md item 7).
//
//   node tests/bench/replay.mjs --bin target/release/clawtrail --gen target/release/clawtrail-bench-gen --out FILE [--quick]
//
// `clawtrail replay --headless` of an N-click recording and of a 1-click
// recording on the same local page (50 buttons, no navigation, nothing to
// wait for), timed as whole processes by hyperfine: the difference divided
// by N-1 is what one step costs the replayer, browser start and teardown
// cancelled out. The baseline, measured in the same run against the same
// chromedriver and Chromium: a raw WebDriver round trip of Find Element
// (CSS) + Element Click, which is the least any WebDriver replayer must do
// per click step.

import { execFile as execFileCb, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// Never a *Sync child process: this process also serves the page the
// browser loads, and a blocked event loop would leave every replay waiting.
const execFile = promisify(execFileCb);

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const QUICK = args.includes('--quick');
const BIN = path.resolve(opt('bin', 'target/release/clawtrail'));
const GEN = path.resolve(opt('gen', 'target/release/clawtrail-bench-gen'));
const OUT = path.resolve(opt('out', 'target/bench/replay.json'));
const CHROMEDRIVER = process.env.CLAWTRAIL_CHROMEDRIVER || 'chromedriver';
const CHROMIUM = process.env.CLAWTRAIL_CHROMIUM || '/usr/bin/chromium';
const N = 50;
const RUNS = QUICK ? 5 : 10;
const RAW_ROUNDS = QUICK ? 100 : 300;
const log = (...a) => console.error('bench(replay):', ...a);

// 50 buttons (the generator's REPLAY_BUTTONS); a click only counts.
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>replay bench</title></head><body>
${Array.from({ length: 50 }, (_, i) => `<button id="b${i}" type="button">Button ${i}</button><br>`).join('\n')}
<p id="count">0</p>
<script>let n = 0; document.addEventListener('click', () => { document.getElementById('count').textContent = String(++n); });</script>
</body></html>`;

function serve() {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function wd(base, method, route, body) {
  const r = await fetch(base + route, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const j = await r.json();
  if (!r.ok) throw new Error(`WebDriver ${method} ${route}: ${r.status} ${JSON.stringify(j)}`);
  return j.value;
}

/** Median ms of Find Element + Element Click over RAW_ROUNDS clicks. */
async function rawWebDriver(url) {
  const port = await freePort();
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'clawtrail-bench-wd-'));
  const driver = spawn(CHROMEDRIVER, [`--port=${port}`], { stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  // Chromium outlives a killed chromedriver: end the session on every path.
  let s = null;
  try {
    for (let i = 0; ; i++) {
      try {
        await wd(base, 'GET', '/status');
        break;
      } catch (e) {
        if (i > 100) throw new Error(`chromedriver did not start: ${e.message}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    // The same switches the replayer passes (crates/driver/src/browser.rs).
    const chromeArgs = ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--window-size=1280,720', `--user-data-dir=${profile}`,
      '--headless=new'];
    if (process.getuid?.() === 0) chromeArgs.push('--no-sandbox');
    const session = await wd(base, 'POST', '/session', {
      capabilities: { alwaysMatch: { browserName: 'chrome', 'goog:chromeOptions': { binary: CHROMIUM, args: chromeArgs } } },
    });
    s = `/session/${session.sessionId}`;
    await wd(base, 'POST', `${s}/url`, { url });
    const times = [];
    for (let i = 0; i < RAW_ROUNDS + 10; i++) {
      const t0 = performance.now();
      const el = await wd(base, 'POST', `${s}/element`, { using: 'css selector', value: `#b${i % 50}` });
      const id = el['element-6066-11e4-a52e-4f735466cecf'];
      await wd(base, 'POST', `${s}/element/${id}/click`, {});
      if (i >= 10) times.push(performance.now() - t0); // the first 10 warm up
    }
    const count = await wd(base, 'POST', `${s}/execute/sync`, { script: 'return document.getElementById("count").textContent', args: [] });
    if (Number(count) !== RAW_ROUNDS + 10) throw new Error(`raw WebDriver clicks: page counted ${count}, expected ${RAW_ROUNDS + 10}`);
    return { rounds: times.length, median_ms: median(times), p99_ms: [...times].sort((a, b) => a - b)[Math.floor(times.length * 0.99)] };
  } finally {
    if (s) await wd(base, 'DELETE', s).catch(() => {});
    driver.kill('SIGTERM');
    await fs.rm(profile, { recursive: true, force: true });
  }
}

async function main() {
  const server = await serve();
  const url = `http://127.0.0.1:${server.address().port}/`;
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'clawtrail-bench-replay-'));
  try {
    const gen = async (clicks, seed) =>
      (await execFile(GEN, ['replay', '--data-dir', dataDir, '--url', url, '--clicks', String(clicks), '--seed', String(seed)])).stdout.trim();
    const idN = await gen(N, 900001);
    const id1 = await gen(1, 900002);

    // One checked run first: every step must pass, or the timing means nothing.
    const reportFile = path.join(dataDir, 'report.json');
    await execFile(BIN, ['replay', '--data-dir', dataDir, '--headless', '--report', reportFile, idN]);
    const report = JSON.parse(await fs.readFile(reportFile, 'utf8'));
    const steps = report.steps ?? [];
    // `ok` = done with the first alternative (the id selector): no fallback.
    const passed = steps.filter((s) => s.status === 'ok').length;
    if (!report.passed || passed < N) throw new Error(`check run: ${passed} of ${steps.length} steps passed`);
    log(`check run: ${passed} steps passed`);

    log(`hyperfine: ${N}-click vs 1-click replay, ${RUNS} runs each`);
    const hfJson = path.join(dataDir, 'hyperfine.json');
    await execFile('hyperfine', ['-N', '--warmup', '1', '--runs', String(RUNS), '--export-json', hfJson,
      `${BIN} replay --data-dir ${dataDir} --headless ${idN}`,
      `${BIN} replay --data-dir ${dataDir} --headless ${id1}`]);
    const hf = JSON.parse(await fs.readFile(hfJson, 'utf8')).results;
    const tN = hf[0].median * 1000;
    const t1 = hf[1].median * 1000;

    log(`raw WebDriver find + click, ${RAW_ROUNDS} rounds`);
    const raw = await rawWebDriver(url);

    const perStep = (tN - t1) / (N - 1);
    const result = {
      steps: N,
      runs: RUNS,
      replay_n_ms: tN,
      replay_1_ms: t1,
      per_step_ms: perStep,
      raw,
      ratio: perStep / raw.median_ms,
    };
    await fs.mkdir(path.dirname(OUT), { recursive: true });
    await fs.writeFile(OUT, JSON.stringify(result, null, 2));
    log(`per step ${perStep.toFixed(2)} ms vs raw find+click ${raw.median_ms.toFixed(2)} ms`);
  } finally {
    server.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

await main();
