// Joins what the round-trip replays ran (CLAWTRAIL_REPLAY_LOG lines:
// file, test, scenario, replayer, steps, fallbacks) with how their tests
// ended (table-reporter lines: file, test, ok) into the markdown table
// between the replay-table markers of docs/REPLAY.md.
//
//   node scripts/lib/replay-table.mjs REPLAYS TESTS REPLAY.md [--check]
import fs from 'node:fs';

const [replaysFile, testsFile, doc, flag] = process.argv.slice(2);
const lines = (f) => fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const outcome = new Map(lines(testsFile).map((t) => [`${t.file}\u0000${t.test}`, t]));
const REPLAYERS = ['clawtrail replay', '@puppeteer/replay', 'OpenClaw gateway'];

const rows = new Map(); // scenario -> replayer -> cell
for (const r of lines(replaysFile)) {
  const t = outcome.get(`${r.file}\u0000${r.test}`);
  const scenario = `${r.file.replace(/\.test\.js$/, '')} / ${r.scenario}`;
  if (!rows.has(scenario)) rows.set(scenario, {});
  rows.get(scenario)[r.replayer] = { reached: t?.ok === true, steps: r.steps, fallbacks: r.fallbacks };
}
// A skipped OpenClaw test ran no replay: say so instead of leaving a hole.
const skipped = lines(testsFile).some((t) => t.skipped && /OpenClaw/.test(t.test));

const cell = (c, replayer) => {
  if (!c) return replayer === 'OpenClaw gateway' && skipped ? 'not run (needs --with-openclaw)' : '—';
  const fb = c.fallbacks === null ? 'fallbacks n/a' : `${c.fallbacks} fallback`;
  return `${c.reached ? '**yes**' : '**NO**'}, ${c.steps} steps, ${fb}`;
};
const table = [
  `| scenario | ${REPLAYERS.join(' | ')} |`,
  `|---|${REPLAYERS.map(() => '---').join('|')}|`,
  ...[...rows].sort(([a], [b]) => a.localeCompare(b)).map(([s, r]) => `| ${s} | ${REPLAYERS.map((p) => cell(r[p], p)).join(' | ')} |`),
].join('\n');

const text = fs.readFileSync(doc, 'utf8');
const start = '<!-- replay-table:start (scripts/replay-table writes this) -->';
const end = '<!-- replay-table:end -->';
const [a, rest] = text.split(start);
if (rest === undefined || !rest.includes(end)) throw new Error(`${doc} has no replay-table markers`);
const updated = `${a}${start}\n${table}\n${end}${rest.slice(rest.indexOf(end) + end.length)}`;
if (flag === '--check') {
  if (updated !== text) {
    console.error(`${doc}: the replay table is out of date; run scripts/replay-table`);
    process.exit(1);
  }
} else {
  fs.writeFileSync(doc, updated);
}
console.log(table);
