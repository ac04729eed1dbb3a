// `scripts/run --browser` (scripts/lib/browser.mjs): the relay on its real
// port 18799 and a Chromium with the extension loaded into its own profile
// and paired, so a person is one click from Record. Checked as that person
// would use it: Record and Stop in the real popup, a trusted click on a
// page, and the recording at the relay; a second start with the same
// profile needs no pairing again; Ctrl-C stops browser and relay.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { EXTENSION_ID, openPairedBrowser } from '../../scripts/lib/browser.mjs';
import { REPO_ROOT, extensionDir } from './lib/browser.js';
import { clawtrailBin } from './lib/relay.js';
import { serve } from './lib/server.js';
import { waitFor } from './lib/wait.js';

const BROWSER_MJS = path.join(REPO_ROOT, 'scripts/lib/browser.mjs');
let tmp;
let server;

/** True when something accepts connections on 127.0.0.1:port. */
function listening(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

before(async () => {
  assert.equal(await listening(18799), false, 'these tests need 127.0.0.1:18799 free (the extension only talks to it)');
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'clawtrail-run-browser-'));
  process.env.CLAWTRAIL_DATA_DIR = path.join(tmp, 'relay-data');
  server = await serve({
    '/task': { body: '<!doctype html><title>Task</title><button id="b" onclick="this.textContent=\'done\'">Do it</button>' },
  });
});

after(async () => {
  delete process.env.CLAWTRAIL_DATA_DIR;
  await server?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

async function popupButton(browser, button, status) {
  const popup = await browser.newPage();
  try {
    await popup.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
    await popup.click(`#${button}`);
    await waitFor(() => popup.evaluate((s) => document.body.dataset.status === s, status), {
      what: `the popup to show ${status}`,
    });
  } finally {
    await popup.close();
  }
}

async function listRecordings() {
  const { stdout } = await promisify(execFile)(clawtrailBin(), ['list', '--json']);
  return JSON.parse(stdout).recordings;
}

test('opens a paired browser on the real port; Record, a click and Stop reach the relay', async () => {
  const profile = path.join(tmp, 'profile');
  const session = await openPairedBrowser({ relayBin: clawtrailBin(), extension: extensionDir(), profile, headless: true });
  try {
    assert.equal(session.paired, 'paired');
    assert.equal(session.relay.address, '127.0.0.1:18799');
    await popupButton(session.browser, 'record', 'active');
    const page = await session.browser.newPage();
    await page.goto(server.url('/task'));
    await page.click('#b');
    assert.equal(await page.$eval('#b', (b) => b.textContent), 'done');
    await popupButton(session.browser, 'stop', 'idle');
    const [rec] = await waitFor(async () => {
      const list = await listRecordings();
      return list.length ? list : null;
    }, { timeout: 15_000, what: 'the recording at the relay' });
    const { stdout } = await promisify(execFile)(clawtrailBin(), ['show', rec.id, '--json']);
    const kinds = JSON.parse(stdout).events.map((e) => e.kind.type);
    assert.ok(kinds.includes('click'), `a click was recorded: ${kinds.join(', ')}`);
  } finally {
    await session.close();
  }
  await waitFor(async () => !(await listening(18799)), { what: 'the relay to stop with the browser' });

  // Same profile again: the pairing was kept.
  const again = await openPairedBrowser({ relayBin: clawtrailBin(), extension: extensionDir(), profile, headless: true });
  try {
    assert.equal(again.paired, 'already');
  } finally {
    await again.close();
  }
  await waitFor(async () => !(await listening(18799)), { what: 'the relay to stop' });
});

test('as a command: says it is ready, and Ctrl-C stops the browser and the relay', async () => {
  const child = spawn(process.execPath, [BROWSER_MJS, '--relay', clawtrailBin(), '--extension', extensionDir(), '--profile', path.join(tmp, 'profile-cli')], {
    env: { ...process.env, CLAWTRAIL_BROWSER_HEADLESS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = [];
  child.stderr.on('data', (d) => out.push(String(d)));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const lines = readline.createInterface({ input: child.stdout });
  lines.on('line', (l) => out.push(l));
  await waitFor(() => out.some((l) => /clawtrail is ready: Chromium is open with the extension loaded and paired/.test(l)), {
    timeout: 30_000,
    what: `the ready message (output so far: ${out.join('\n')})`,
  });
  assert.equal(await listening(18799), true);
  child.kill('SIGINT');
  const { code } = await exited;
  assert.equal(code, 0, out.join('\n'));
  await waitFor(async () => !(await listening(18799)), { what: 'the relay to stop after Ctrl-C' });
});

test('without a display and not headless it says so and exits 1', async () => {
  const env = { ...process.env };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  delete env.CLAWTRAIL_BROWSER_HEADLESS;
  const r = await new Promise((resolve) => {
    execFile(process.execPath, [BROWSER_MJS, '--relay', clawtrailBin(), '--extension', extensionDir()], { env }, (err, stdout, stderr) =>
      resolve({ code: err ? err.code : 0, stderr }),
    );
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no display .*run plain scripts\/run and load the extension into your own browser/);
  assert.equal(await listening(18799), false, 'no relay was left running');
});
