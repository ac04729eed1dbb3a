// Browser benchmarks for scripts/bench: real headless Chromium, the built
// extension loaded unpacked, CDP tracing for main-thread time.
//
//   node tests/bench/browser.mjs --ext DIR --out results.json [--quick] [--only idle,capture,flush]
//
// Every figure comes with a baseline measured in the same run, in the same
// browser build: a copy of the extension whose content script is empty
// (idle cost) or only registers do-nothing listeners (capture cost).

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { launch } from '../e2e/lib/browser.js';
import { serve } from '../e2e/lib/server.js';
import { tabIdFor, waitForFrames } from '../e2e/lib/extension.js';
import { startRecording } from '../e2e/lib/capture.js';
import { bigDomPage, framedPages } from './pages.js';
import { handlerTimes, loadCost, median, percentile } from './trace.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const QUICK = args.includes('--quick');
const EXT = path.resolve(opt('ext', 'target/extension'));
const OUT = path.resolve(opt('out', 'target/bench/browser.json'));
const ONLY = opt('only', 'idle,capture,flush').split(',');
const GEN = opt('gen', 'target/release/clawtrail-bench-gen');
// --profile FILE: one more capture run, under V8's sampling profiler
// instead of the tracer, whose self time per function goes to FILE (the
// "profile first" step; never part of the figures).
const PROFILE = opt('profile', null);
const log = (...a) => console.error('bench(browser):', ...a);

/** A copy of the extension with `content.js` replaced. */
async function variant(name, contentJs) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `clawtrail-bench-${name}-`));
  await fs.cp(EXT, dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'content.js'), contentJs);
  return dir;
}

const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'v8.execute', 'v8'];

async function traced(page, fn) {
  await page.tracing.start({ categories: TRACE_CATEGORIES });
  await fn();
  const buf = await page.tracing.stop();
  return JSON.parse(Buffer.from(buf).toString("utf8")).traceEvents;
}

// --- 1. idle cost per frame ------------------------------------------------------
const FRAMES = 20;

async function idleRun(extDir, runs, expectHellos) {
  const server = await serve(framedPages(FRAMES));
  const chrome = await launch({ extension: extDir });
  const samples = [];
  try {
    for (let i = 0; i < runs + 1; i++) {
      const page = await chrome.browser.newPage();
      const url = server.url(`/framed?run=${i}`);
      const events = await traced(page, async () => {
        await page.goto(url, { waitUntil: 'load' });
        if (expectHellos) {
          // The real script says hello from every frame; wait for all of
          // them so the whole start-up is inside the trace.
          await waitForFrames(chrome.worker, await tabIdFor(chrome.worker, url), FRAMES + 1);
        }
        await new Promise((r) => setTimeout(r, 200));
      });
      await page.close();
      if (i === 0) continue; // warm-up: first load compiles the script cache
      const cost = loadCost(events, server.origin);
      if (cost.threads === 0) throw new Error('no renderer main thread found in the trace');
      samples.push(cost);
    }
  } finally {
    await chrome.close();
    await server.close();
  }
  return samples;
}

async function idle() {
  const runs = QUICK ? 5 : 15;
  const empty = await variant('empty', '');
  try {
    log(`idle: ${runs} loads of a page with ${FRAMES} iframes, empty content script`);
    const base = await idleRun(empty, runs, false);
    log('idle: same, real content script');
    const real = await idleRun(EXT, runs, true);
    const m = (xs, k) => median(xs.map((x) => x[k]));
    const perFrame = (m(real, 'scriptMs') - m(base, 'scriptMs')) / (FRAMES + 1);
    return {
      frames: FRAMES + 1,
      runs,
      empty_task_ms: m(base, 'taskMs'),
      real_task_ms: m(real, 'taskMs'),
      task_ratio: m(real, 'taskMs') / m(base, 'taskMs'),
      empty_script_ms: m(base, 'scriptMs'),
      real_script_ms: m(real, 'scriptMs'),
      added_ms_per_frame: perFrame,
    };
  } finally {
    await fs.rm(empty, { recursive: true, force: true });
  }
}

// --- 3. capture cost while recording -----------------------------------------
const TYPES = ['click', 'input', 'scroll'];

const NOOP_CONTENT = `for (const t of ${JSON.stringify(TYPES)}) addEventListener(t, () => {}, { capture: true });`;

async function captureRun(extDir, perType, { profile = false } = {}) {
  const server = await serve(bigDomPage());
  const chrome = await launch({ extension: extDir });
  try {
    await startRecording(chrome);
    const page = await chrome.browser.newPage();
    await page.setViewport({ width: 820, height: 700 });
    await page.goto(server.url('/dom'), { waitUntil: 'load' });
    const info = await page.evaluate(() => ({
      nodes: window.__nodes,
      isolated: self.crossOriginIsolated,
      targets: window.__targets.length,
    }));
    const client = await page.createCDPSession();
    const centre = (kind, i) =>
      page.evaluate((k, j) => {
        const r = window[k][j].getBoundingClientRect();
        return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
      }, kind, i);
    const click = async ({ x, y }) => {
      await client.send('Input.dispatchMouseEvent', { type: 'mousePressed', x, y, button: 'left', clickCount: 1 });
      await client.send('Input.dispatchMouseEvent', { type: 'mouseReleased', x, y, button: 'left', clickCount: 1 });
    };
    const actions = async () => {
      for (let n = 0; n < perType; n++) {
        // Buttons are the even targets, inputs the odd ones.
        await click(await centre('__targets', (2 * n) % 100));
        const input = await centre('__targets', (2 * n + 1) % 100);
        await click(input);
        await client.send('Input.insertText', { text: 'x' });
        await page.evaluate((j) => {
          window.__scrollers[j].scrollTop += 40;
          return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        }, n % 100);
      }
    };
    if (profile) {
      await client.send('Profiler.enable');
      await client.send('Profiler.setSamplingInterval', { interval: 50 });
      await client.send('Profiler.start');
      await actions();
      const { profile: cpu } = await client.send('Profiler.stop');
      return { info, profile: selfTimes(cpu) };
    }
    const events = await traced(page, actions);
    const times = handlerTimes(events, TYPES);
    return { info, times };
  } finally {
    await chrome.close();
    await server.close();
  }
}

/** Self time (ms) per function of a V8 CPU profile, largest first. */
function selfTimes(cpu) {
  const byId = new Map(cpu.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < cpu.samples.length; i++) {
    const f = byId.get(cpu.samples[i]).callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (cpu.timeDeltas[i] ?? 0) / 1000);
  }
  return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 60).map(([fn, ms]) => ({ fn, ms: +ms.toFixed(2) }));
}

async function capture() {
  const perType = QUICK ? 150 : 600;
  const noop = await variant('noop', NOOP_CONTENT);
  try {
    log(`capture: ${perType} clicks/inputs/scrolls on a 10k-node DOM, do-nothing listeners`);
    const base = await captureRun(noop, perType);
    log('capture: same, real content script while recording');
    const real = await captureRun(EXT, perType);
    if (PROFILE) {
      log(`capture: same again under the sampling profiler -> ${PROFILE}`);
      const { profile } = await captureRun(EXT, perType, { profile: true });
      await fs.writeFile(PROFILE, JSON.stringify(profile, null, 2));
    }
    const out = { nodes: real.info.nodes, cross_origin_isolated: real.info.isolated, per_type: perType, types: {} };
    for (const t of [...TYPES, 'timer']) {
      const r = real.times[t];
      const b = base.times[t];
      if (r.length === 0) throw new Error(`no ${t} work of content.js in the trace`);
      // The do-nothing listeners hold nothing, so they have no timer work.
      if (b.length === 0 && t !== 'timer') throw new Error(`no ${t} dispatches with a content.js listener in the trace`);
      out.types[t] = {
        samples: r.length,
        base_samples: b.length,
        p50_ms: median(r),
        p99_ms: percentile(r, 99),
        base_p50_ms: median(b),
        base_p99_ms: percentile(b, 99),
      };
    }
    return out;
  } finally {
    await fs.rm(noop, { recursive: true, force: true });
  }
}

// --- 4. service-worker flush through chrome.storage.local ------------------------
async function flush() {
  const sizes = [1_000, 10_000, 100_000];
  const flushes = QUICK ? 30 : 100;
  // 100 real events (made by the Rust generator from the format's example),
  // as one stored chunk, and 10 of them as the chunk each flush writes.
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'clawtrail-bench-flush-'));
  execFileSync(GEN, ['body', '--events', '100', '--out', path.join(tmp, 'body.json')]);
  const rec = JSON.parse(await fs.readFile(path.join(tmp, 'body.json'), 'utf8'));
  await fs.rm(tmp, { recursive: true, force: true });
  const chunk100 = JSON.stringify(rec.events);
  const chunk10 = JSON.stringify(rec.events.slice(0, 10));
  const chrome = await launch({ extension: EXT });
  const out = { flushes, events_per_flush: 10, sizes: {} };
  try {
    for (const n of sizes) {
      log(`flush: ${n} events stored, ${flushes} flushes of 10 events`);
      const times = await chrome.worker.evaluate(async (n, chunk100, chunk10, flushes) => {
        await chrome.storage.local.clear();
        const id = 'bench';
        const meta = JSON.stringify({ id, chunks: 0, pad: 'm'.repeat(600) });
        // Fill storage the way a long recording would have: one key per chunk.
        const chunks = n / 100;
        for (let c = 0; c < chunks; c += 100) {
          const batch = {};
          for (let k = c; k < Math.min(chunks, c + 100); k++) batch[`rec:${id}:c:${k}`] = chunk100;
          await chrome.storage.local.set(batch);
        }
        const times = [];
        for (let f = 0; f < flushes; f++) {
          const t0 = performance.now();
          await chrome.storage.local.set({ [`rec:${id}:c:${chunks + f}`]: chunk10, [`rec:${id}:meta`]: meta });
          times.push(performance.now() - t0);
        }
        await chrome.storage.local.clear();
        return times;
      }, n, chunk100, chunk10, flushes);
      out.sizes[n] = { median_ms: median(times), p99_ms: percentile(times, 99) };
    }
  } finally {
    await chrome.close();
  }
  return out;
}

const results = {};
for (const [name, fn] of Object.entries({ idle, capture, flush })) {
  if (ONLY.includes(name)) results[name] = await fn();
}
await fs.mkdir(path.dirname(OUT), { recursive: true });
await fs.writeFile(OUT, JSON.stringify(results, null, 2));
log(`wrote ${OUT}`);
