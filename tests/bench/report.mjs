// Renders BENCHMARKS.md from the result files scripts/bench wrote.
//   node tests/bench/report.mjs --dir target/bench [--quick 1]

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (n, d) => (args.indexOf(`--${n}`) >= 0 ? args[args.indexOf(`--${n}`) + 1] : d);
const DIR = path.resolve(opt('dir', 'target/bench'));
const QUICK = opt('quick', '') === '1';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const json = (f) => JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8'));
const sh = (cmd, a) => {
  try { return execFileSync(cmd, a, { encoding: 'utf8' }).trim(); } catch { return 'unknown'; }
};
/** Criterion's median estimate for group/id, in ns. */
const crit = (group, id) =>
  JSON.parse(fs.readFileSync(path.join(ROOT, 'target/criterion', group, String(id), 'new/estimates.json'), 'utf8')).median.point_estimate;

const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
const verdict = (ok, why) => (ok ? 'met' : `**missed**: ${why}`);
const row = (cells) => `| ${cells.join(' | ')} |`;
const table = (head, rows) => [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');

const size = json('size.json');
const browser = json('browser.json');
const relay = json('relay.json');
const list = json('list.json').results;
const listCold = json('list-cold.json').results[0];
// Item 7 is optional: an older run directory may not have it.
const replay = fs.existsSync(path.join(DIR, 'replay.json')) ? json('replay.json') : null;
const twiggy = fs.readFileSync(path.join(DIR, 'twiggy.txt'), 'utf8');

const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1] ?? 'unknown';
const out = [];
const p = (s = '') => out.push(s);

p('# Benchmarks');
p();
p(`Produced by \`scripts/bench${QUICK ? ' --quick' : ''}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. `
  + 'Rerun it to refresh this file; do not edit the figures by hand.');
p();
p('## Machine');
p();
p(table(['what', 'value'], [
  ['CPU', `${cpu} (nproc ${os.availableParallelism()})`],
  ['memory', `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`],
  ['kernel', sh('uname', ['-sr'])],
  ['Chromium', sh('/usr/bin/chromium', ['--version'])],
  ['rustc', sh('rustc', ['--version'])],
  ['node', process.version],
]));
p();
p('## Method');
p();
p('- Every figure has a baseline measured in the same run, on the same machine, and a ratio against it; absolute medians are kept next to it.');
p('- Browser figures: real headless Chromium (`/usr/bin/chromium`) with the **release** extension loaded unpacked, driven over CDP by `tests/bench/browser.mjs` (puppeteer-core). Main-thread time comes from CDP tracing (`devtools.timeline`, `toplevel`): `RunTask` for all main-thread work, and `EvaluateScript`/`v8.compile`/`FunctionCall` events whose script is `content.js` for the content script\'s share. Baselines are copies of the same extension whose `content.js` is empty (idle) or only registers do-nothing capture listeners for click/input/scroll (capture).');
p('- Capture events are real, trusted input (CDP `Input.dispatchMouseEvent`, `Input.insertText`, element scrolling), so the recorder\'s `isTrusted` gate admits them, while a recording is active.');
p('- In-process Rust figures: criterion (`crates/bench/benches/*.rs`, crate `clawtrail-bench`). Recordings come from `clawtrail-bench-gen`, which repeats the events of `crates/format/examples/iframes-and-shadow-dom.json` (frames, shadow DOM, typing, navigations) with fresh seq and timestamps; every one passes `validate()`.');
p('- Whole processes: the release `clawtrail serve` fed by `wrk` (one fresh recording id per request, `tests/bench/upload.lua`, fsync included) and `hyperfine` for `clawtrail list`. RSS from `/proc/<pid>/status` (VmRSS idle, VmHWM peak).');
if (QUICK) p('- This is a `--quick` run: fewer samples and shorter measurement windows than a full run.');
p();

// 1. idle
const idle = browser.idle;
p('## 1. Idle cost per frame (page load, 20 iframes)');
p();
p(table(['measure', 'real content script', 'empty content script (baseline)', 'ratio', 'target', 'verdict'], [
  ['main-thread time, whole load (median)', `${f(idle.real_task_ms)} ms`, `${f(idle.empty_task_ms)} ms`, `${f(idle.task_ratio)}x`, '<= 1.2x',
    verdict(idle.task_ratio <= 1.2, 'see below')],
  ['content.js time per frame', `${f(idle.real_script_ms / idle.frames, 3)} ms`, `${f(idle.empty_script_ms / idle.frames, 3)} ms`,
    `+${f(idle.added_ms_per_frame, 3)} ms`, '<= 1 ms added', verdict(idle.added_ms_per_frame <= 1, 'see below')],
]));
p();
p(`${idle.frames} frames per load (top + 20 iframes), median of ${idle.runs} loads after one warm-up load.`);
if (idle.added_ms_per_frame > 1 || idle.task_ratio > 1.2) {
  p('**Why the gap:** the recorder is lazy: while a frame is not recording, `content.js` registers no DOM listener and evaluates none of the ' +
    'recorder (the wasm2js module and its glue sit in a function, esbuild\'s `__esm` wrapper via `require`, that runs the first time recording turns on ' +
    `in that frame). What remains per frame is V8 pre-parsing that uncalled function body (${kb(size['content.js'].raw)}) plus the loader's own work. ` +
    'Getting under 1 ms needs a smaller module (item 2), or the recorder injected on demand with `chrome.scripting.executeScript` on Record, which the ' +
    'extension\'s host permissions (localhost only) allow for the active tab but not for every open tab.');
}
p();

// 2. size
p('## 2. Bundle size');
p();
const cs = size['content.js'];
p(table(['artifact', 'raw', 'gzip -9', 'target', 'verdict'], Object.entries(size).map(([k, v]) => [
  `\`${k}\``, kb(v.raw), kb(v.gzip),
  k === 'content.js' ? '<= 25 KB gzip' : '-',
  k === 'content.js' ? verdict(v.gzip <= 25 * 1024, `${f(v.gzip / (25 * 1024), 1)}x the target`) : '-',
])));
p();
p('Baseline for the ratio: the optimised `.wasm` the content script is translated from (last row) — wasm2js turns ' +
  `${kb(size[Object.keys(size)[2]].gzip)} of gzipped wasm into ${kb(cs.gzip)} of gzipped JS (${f(cs.gzip / size[Object.keys(size)[2]].gzip)}x).`);
p();
p('**Why the gap:** even the optimised wasm alone is far above 25 KB gzip. Already gone from it: the format\'s per-event validation (the worker ' +
  'validates every event on arrival), all JSON *parsing* (the worker\'s reply is read field by field from the JS object), and `opt-level = "z"`. What ' +
  'remains is spread thin: serde_json serialization of the event types, chrono, dlmalloc, core::fmt and the capture logic itself. 25 KB needs ' +
  'hand-written serialization of the few event shapes instead of serde_json — a redesign of recorder-wasm, not a flag. Largest items of the (unstripped) wasm:');
p();
p('```');
p(twiggy.split('\n').slice(0, 22).join('\n'));
p('```');
p();

// 3. capture
const cap = browser.capture;
p(`## 3. Capture cost while recording (${cap.nodes} elements incl. shadow roots, nesting depth ~24, 2 shadow levels)`);
p();
p(table(['event', 'samples', 'p50', 'p99', 'baseline p50 / p99 (do-nothing listener)', 'p99 ratio', 'target', 'verdict'],
  Object.entries(cap.types).map(([t, v]) => {
    const measured = v.samples > 0 && v.p99_ms > 0;
    return [t, v.samples, `${f(v.p50_ms, 3)} ms`, `${f(v.p99_ms, 3)} ms`, `${f(v.base_p50_ms, 3)} / ${f(v.base_p99_ms, 3)} ms`,
      v.base_p99_ms > 0 ? `${f(v.p99_ms / v.base_p99_ms, 1)}x` : 'n/a', 'p99 <= 0.5 ms',
      !measured ? '**not measured**: see below' : verdict(v.p99_ms <= 0.5, 'see below')];
  })));
p();
p('Time spent in `content.js` listeners inside each dispatch of that DOM event (trace `FunctionCall` nested in `EventDispatch`), target building, ' +
  `uniqueness checks and queueing included. Clicks go to buttons and text inputs deep in shadow roots; the scrollers sit in the light DOM beside them (${cap.per_type} rounds: click a button, click an input, type one character, scroll one element). ` +
  'The `timer` row is the recorder\'s work in timer tasks: what it holds (the typed value, a scroll burst) is released there, target included, after a quiet period; the do-nothing baseline holds nothing and has no such row. ' +
  `Page served cross-origin isolated: ${cap.cross_origin_isolated}.`);
if (Object.values(cap.types).some((v) => v.p99_ms === 0)) {
  p('**Not measured:** the trace shows no `content.js` `FunctionCall` inside some dispatches, for the real script and the baseline alike; such a row is left as not measured rather than reported as zero.');
}
if (Object.values(cap.types).some((v) => v.p99_ms > 0.5)) {
  p('**Why the gap (profiled, 2026-12-02):** a click builds the full target and measures, for each consumer, whether its selector finds this element alone in the whole composed document. ' +
    'Per button click on this page, from timings around each phase of `build_target` (36 clicks, mean): Puppeteer\'s `text/` rule walked node by node through the shadow trees 12-23 ms, ' +
    'ARIA role-and-name uniqueness 5-7 ms, finding the ~200 open shadow roots 4-6 ms (one `querySelectorAll(\'*\')` per root and a look at every element), ' +
    'element facts (role, name, chain) 1-2 ms, the shadow-host chain check 1.2 ms, the selector choice 0.15 ms. `tests/bench/browser.mjs --profile FILE` writes the sampling profile. ' +
    'Floor: even done natively in JS, the walk that finds the shadow roots cost 4-8 ms per call here (every element touched from the isolated world gets a wrapper), so whole-document uniqueness cannot meet 0.5 ms on this page; ' +
    'meeting it needs the roots and texts kept between events (invalidated by mutation records) rather than recomputed per click.');
}
const capMeasured = (v) => v.samples > 0 && v.p99_ms > 0;
p('## Summary of targets');
p();
p(table(['item', 'target', 'verdict'], [
  ['1. idle per frame', '<= 1.2x empty script, <= 1 ms/frame', verdict(idle.task_ratio <= 1.2 && idle.added_ms_per_frame <= 1, `${f(idle.task_ratio)}x, +${f(idle.added_ms_per_frame)} ms/frame`)],
  ['2. content.js size', '<= 25 KB gzip', verdict(cs.gzip <= 25 * 1024, kb(cs.gzip))],
  ['3. capture p99', '<= 0.5 ms', verdict(Object.values(cap.types).filter(capMeasured).every((v) => v.p99_ms <= 0.5),
    Object.entries(cap.types).map(([t, v]) => (capMeasured(v) ? `${t} ${f(v.p99_ms, 2)} ms` : `${t} not measured`)).join(', '))],
  ['4. flush flat', '<= 1.5x 1k -> 100k', verdict(worst <= 1.5, `${f(worst)}x`)],
  ['5. relay 100k ingest', '>= 150 MB/s', verdict(relay.single[100000].mb_s >= 150, `${f(relay.single[100000].mb_s, 0)} MB/s`)],
  ['5. relay idle RSS', '<= 20 MB', verdict(relay.idle_rss_kb <= 20 * 1024, kb(relay.idle_rss_kb * 1024))],
  ['6. list 10k', '-', 'measured'],
  ['7. replay per step', '-', replay ? `measured: ${f(replay.per_step_ms, 1)} ms/step, ${f(replay.ratio)}x raw find+click` : 'not measured'],
]));
console.log(out.join('\n'));
