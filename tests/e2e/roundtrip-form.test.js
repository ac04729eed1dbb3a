// Record -> export -> replay, end to end: a user fills a sign-up form on a
// local page (a password included) with the real extension; Stop delivers
// it to a real relay; `clawtrail export` writes the OpenClaw skill and the
// DevTools flow; `clawtrail replay` runs it in a fresh Chromium with a new
// password and must end on the same page. The DevTools export is also run
// by the real @puppeteer/replay against the same pages.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { PuppeteerRunnerExtension, createRunner, parse } from '@puppeteer/replay';
import { launch } from './lib/browser.js';
import { tabIdFor, waitForFrames } from './lib/extension.js';
import { startRelay } from './lib/relay.js';
import { clawtrail, pair, readTree, record } from './lib/roundtrip.js';
import { serve } from './lib/server.js';
import { waitFor } from './lib/wait.js';

const SECRET = 'Tr0ub4dor&3';

const FORM = `<!doctype html><html><head><title>Sign up</title></head><body>
<h1>Sign up</h1>
<form id="f">
  <label for="name">Full name</label> <input id="name" name="name" autocomplete="name">
  <label for="pw">Password</label> <input id="pw" name="pw" type="password" autocomplete="new-password">
  <label><input type="checkbox" id="news" name="news"> Newsletter</label>
  <label for="plan">Plan</label>
  <select id="plan" name="plan"><option value="free">Free</option><option value="pro">Pro</option></select>
  <button id="go" type="submit">Create account</button>
</form>
<script>
  // The page never puts the password in a URL: only its length.
  document.getElementById('f').addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams({
      name: document.getElementById('name').value,
      pwlen: String(document.getElementById('pw').value.length),
      news: String(document.getElementById('news').checked),
      plan: document.getElementById('plan').value,
    });
    location.href = '/welcome?' + q;
  });
</script>
</body></html>`;

const WELCOME = `<!doctype html><html><head><title>Welcome</title></head><body>
<p id="msg"></p><a id="next" href="/done">Continue</a>
<script>
  const q = new URLSearchParams(location.search);
  document.getElementById('msg').textContent = 'Welcome ' + q.get('name') + ' (' + q.get('plan') + ')';
</script></body></html>`;

const DONE = `<!doctype html><html><head><title>Done</title></head><body><h1>All set</h1></body></html>`;

let chrome;
let server;
let relay;
let rec;
let outDir;

before(async () => {
  server = await serve({
    '/signup': { body: FORM },
    '/welcome': { body: WELCOME },
    '/done': { body: DONE },
    '/favicon.ico': { body: '', status: 204, type: 'image/x-icon' },
  });
  relay = await startRelay();
  chrome = await launch();
  await pair(chrome, relay);
  outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'clawtrail-roundtrip-'));

  const page = await chrome.browser.newPage();
  const url = server.url('/signup');
  await page.goto(url);
  await waitForFrames(chrome.worker, await tabIdFor(chrome.worker, url), 1);
  rec = await record(chrome, relay, async () => {
    await page.bringToFront();
    await page.click('#name');
    await page.keyboard.type('Ada Lovelace');
    await page.click('#pw');
    await page.keyboard.type(SECRET);
    await page.click('#news');
    // page.select() would set the value from a script (untrusted events,
    // which the recorder ignores by design); a user picks with the keyboard.
    await page.focus('#plan');
    await page.keyboard.press('ArrowDown');
    await Promise.all([page.waitForNavigation(), page.click('#go')]);
    await waitFor(() => page.evaluate(() => document.getElementById('msg')?.textContent || null), {
      what: 'the welcome page',
    });
    await Promise.all([page.waitForNavigation(), page.click('#next')]);
  });
  await page.close();
});

after(async () => {
  await chrome?.close();
  await relay?.close();
  await server?.close();
  if (outDir) await fs.rm(outDir, { recursive: true, force: true });
});

const welcomeUrl = () => server.url(`/welcome?name=Ada+Lovelace&pwlen=${SECRET.length}&news=true&plan=pro`);

test('the recording holds the workflow but not the password', () => {
  const text = JSON.stringify(rec);
  assert.ok(!text.includes(SECRET), 'the secret is not in the recording');
  assert.ok(rec.events.some((e) => e.kind.type === 'input' && e.kind.value.kind === 'redacted'));
  assert.ok(rec.events.some((e) => e.kind.type === 'navigate' && e.url === welcomeUrl()));
});

test('exports contain no secret and name the password as a required input', async () => {
  const skill = await clawtrail(relay.dataDir, ['export', rec.id, '--format', 'openclaw-skill', '--out', outDir, '--json']);
  assert.equal(skill.code, 0, skill.stderr);
  const flow = await clawtrail(relay.dataDir, ['export', rec.id, '--format', 'devtools', '--out', outDir, '--json']);
  assert.equal(flow.code, 0, flow.stderr);
  const files = await readTree(outDir);
  assert.ok(Object.keys(files).some((p) => p.endsWith('SKILL.md')));
  assert.ok(Object.keys(files).some((p) => p.endsWith('.devtools.json')));
  for (const [p, text] of Object.entries(files)) {
    assert.ok(!text.includes(SECRET), `${p} contains the secret`);
  }
  const skillMd = Object.entries(files).find(([p]) => p.endsWith('SKILL.md'))[1];
  assert.match(skillMd, /new_password/);
});

test('replay without the password stops before starting a browser', async () => {
  const r = await clawtrail(relay.dataDir, ['replay', rec.id, '--headless']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /missing required parameter\(s\): new_password/);
  assert.equal(r.stdout, '', 'no report: nothing ran');
});

test('clawtrail replay reaches the same end state with a new password', async () => {
  const report = path.join(outDir, 'report.json');
  const other = 'x'.repeat(SECRET.length); // the page shows the length only
  const r = await clawtrail(relay.dataDir, [
    'replay', rec.id, '--headless', '--param', `new_password=${other}`, '--report', report,
  ]);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const json = JSON.parse(await fs.readFile(report, 'utf8'));
  assert.equal(json.passed, true);
  assert.equal(json.final_check.actual_url, server.url('/done'));
  assert.ok(json.steps.length >= 5, r.stdout);
  assert.ok(json.steps.every((s) => s.status === 'ok'), r.stdout);
  // The form was really submitted with the replayed values: the welcome
  // page's URL is the one the recording navigated to.
  assert.ok(server.requests.filter((p) => p === '/welcome').length >= 2);
  assert.ok(!(await fs.readFile(report, 'utf8')).includes(other), 'the report holds no typed value');
});

test('@puppeteer/replay runs the DevTools export against the same pages', async () => {
  const file = (await fs.readdir(outDir)).find((f) => f.endsWith('.devtools.json'));
  const flow = parse(JSON.parse(await fs.readFile(path.join(outDir, file), 'utf8')));
  // The redacted password is a {{placeholder}}; fill it like a user would.
  for (const step of flow.steps) {
    if (step.type === 'change' && /^\{\{.*\}\}$/.test(step.value)) step.value = SECRET;
  }
  const page = await chrome.browser.newPage();
  try {
    const runner = await createRunner(flow, new PuppeteerRunnerExtension(chrome.browser, page, { timeout: 10_000 }));
    assert.equal(await runner.run(), true);
    assert.equal(page.url(), server.url('/done'));
    assert.equal(await page.$eval('h1', (h) => h.textContent), 'All set');
  } finally {
    await page.close();
  }
});
