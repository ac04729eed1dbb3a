// The service worker's side of a recording, end to end: pairing through the
// real popup, Stop delivering to a real relay process, events surviving a
// killed worker, retries after the relay was down, the 7-day expiry, pause,
// and silence while idle. Every test drives the real extension in Debian's
// Chromium; assertions read the relay's files (through the clawtrail CLI)
// and chrome.storage.local.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { launch } from './lib/browser.js';
import {
  openPopup,
  pairThroughPopup,
  pressPopupButton,
  received,
  recordingKeys,
  stopWorker,
  storedEvents,
  tabIdFor,
  waitForFrames,
  workerStatus,
} from './lib/extension.js';
import { startRelay } from './lib/relay.js';
import { serve } from './lib/server.js';
import { waitFor } from './lib/wait.js';

const PAGE = `<!doctype html><html><head><title>Delivery test</title></head>
<body>
<h1>Delivery</h1>
<button id="one">One</button>
<button id="two">Two</button>
<button id="three">Three</button>
</body></html>`;

let chrome;
let server;
let relay;

before(async () => {
  server = await serve({
    '/page': { body: PAGE },
    '/favicon.ico': { body: '', status: 204, type: 'image/x-icon' },
  });
  relay = await startRelay();
  chrome = await launch();
  await chrome.worker.evaluate((p) => self.clawtrail.setRelayPort(p), relay.port);
});

// Each test starts with the relay up, so that one failure does not cascade.
beforeEach(async () => {
  await relay?.ensureRunning();
  await chrome?.worker.evaluate(() => self.clawtrail.setClockOffset(0));
});

after(async () => {
  await chrome?.close();
  await relay?.close();
  await server?.close();
});

/** Opens the test page and waits until its content script is live. */
async function openPage(tag) {
  const page = await chrome.browser.newPage();
  const url = server.url(`/page?case=${tag}`);
  await page.goto(url);
  const tabId = await tabIdFor(chrome.worker, url);
  await waitForFrames(chrome.worker, tabId, 1);
  return { page, url, tabId };
}

async function click(page, selector) {
  const handle = await page.$(selector);
  await handle.click(); // CDP Input.dispatchMouseEvent: trusted input
  await handle.dispose();
}

/** Waits until the current recording holds `n` stored clicks; returns all its events. */
function storedClicks(n) {
  return waitFor(async () => {
    const events = await storedEvents(chrome.worker);
    return events.filter((e) => e.kind.type === 'click').length >= n ? events : null;
  }, { what: `${n} stored click(s)` });
}

const clicksOf = (events) => events.filter((e) => e.kind.type === 'click').map((e) => e.kind.target.css);

/** What reached the worker lately, for assertion messages. */
async function captureLog() {
  return JSON.stringify(await chrome.worker.evaluate(() => self.clawtrail.captureLog()));
}

/** Waits until the relay has stored recording `id`; returns it. */
function delivered(id, timeout = 15_000) {
  return waitFor(async () => {
    const { recordings } = await relay.list();
    return recordings.some((r) => r.id === id) ? relay.show(id) : null;
  }, { timeout, what: `recording ${id} at the relay` });
}

test('pairing through the popup, then Stop delivers the recording and empties chrome.storage', async () => {
  await pairThroughPopup(chrome, relay);
  const stored = await chrome.worker.evaluate(async () => chrome.storage.local.get(['relay_key', 'relay_port', 'relay_token']));
  const key = JSON.parse(stored.relay_key);
  assert.match(key.id, /^[0-9a-f]{24}$/, 'the pairing key is kept in chrome.storage.local');
  assert.match(key.secret, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(stored.relay_port, relay.port, 'with the port the relay proved itself on');
  assert.equal(stored.relay_token, undefined, 'no bearer token');

  // Every request the worker makes from here on (health, upload, status).
  const target = await chrome.browser.waitForTarget(
    (t) => t.type() === 'service_worker' && t.url().includes(chrome.extensionId),
  );
  const cdp = await target.createCDPSession();
  const requested = [];
  const sent = [];
  await cdp.send('Network.enable');
  cdp.on('Network.requestWillBeSent', (e) => {
    requested.push(e.request.url);
    sent.push(JSON.stringify(e.request.headers));
  });

  const { page, url, tabId } = await openPage('deliver');
  await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'record', 'active');
  const { id } = await workerStatus(chrome.worker);
  // The keepalive alarm runs every 30 s while recording, and only then.
  const keepalive = await chrome.worker.evaluate(() => chrome.alarms.get('keepalive'));
  assert.equal(keepalive?.periodInMinutes, 0.5);
  await page.bringToFront();
  await click(page, '#one');
  await click(page, '#two');
  await storedClicks(2);
  await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'stop', 'idle');

  const rec = await delivered(id);
  assert.equal(rec.id, id);
  assert.equal(rec.format_version, 1);
  assert.ok(rec.tabs.some((t) => t.tab_id === tabId), 'the page tab is listed');
  assert.deepEqual(clicksOf(rec.events.filter((e) => e.url === url)), ['#one', '#two']);
  assert.deepEqual(rec.events.map((e) => e.seq), rec.events.map((_, i) => i), 'seq is gapless');
  await waitFor(async () => (await recordingKeys(chrome.worker)).length === 0, {
    what: 'chrome.storage.local to be emptied after the relay confirmed',
  });
  assert.equal(await chrome.worker.evaluate(() => chrome.alarms.get('keepalive')), undefined);
  const remote = requested.filter((u) => !u.startsWith('chrome-extension://'));
  assert.ok(remote.some((u) => u.endsWith('/v1/recordings')), 'the upload was seen');
  for (const u of remote) {
    assert.match(u, /^http:\/\/(127\.0\.0\.1|localhost):\d+\//, `only loopback is ever contacted: ${u}`);
  }
  // Requests are signed with the key, which itself never leaves the worker.
  assert.ok(sent.some((h) => h.includes('Clawtrail-HMAC-SHA256 key=')), 'signed requests');
  assert.ok(!sent.some((h) => h.includes(key.secret)), 'the secret is never sent');
  await cdp.detach().catch(() => {});
  await page.close();
});

test('a worker stopped mid-recording loses no event', async () => {
  const { page, url } = await openPage('killed-worker');
  await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'record', 'active');
  const { id } = await workerStatus(chrome.worker);
  await page.bringToFront();
  await click(page, '#one');
  await storedClicks(1);

  chrome.worker = await stopWorker(chrome.browser, chrome.worker);
  // The restarted worker rebuilds the session from chrome.storage.session
  // and the stored meta; the next clicks continue the same recording.
  await click(page, '#two');
  await click(page, '#three');
  const events = await storedClicks(3);
  assert.deepEqual(clicksOf(events.filter((e) => e.url === url)), ['#one', '#two', '#three']);
  assert.equal((await workerStatus(chrome.worker)).id, id, 'the same recording continues');

  await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'stop', 'idle');
  const rec = await delivered(id);
  assert.deepEqual(clicksOf(rec.events), ['#one', '#two', '#three']);
  assert.deepEqual(rec.events.map((e) => e.seq), rec.events.map((_, i) => i));
  await page.close();
});

test('with the relay down at Stop the recording is kept, retried on an alarm, then delivered', async () => {
  const { page } = await openPage('relay-down');
  await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'record', 'active');
  const { id } = await workerStatus(chrome.worker);
  await page.bringToFront();
  await click(page, '#one');
  await storedClicks(1);

  await relay.stop();
  // With the relay down, Stop opens the multiclaw:// deep link to wake it.
  // Observed as the browser reports it: a tab created for that URL (in
  // headless mode the tab's own URL may stay about:blank, so CDP target
  // URLs are no proof either way).
  await chrome.worker.evaluate(() => {
    self.createdTabs = [];
    chrome.tabs.onCreated.addListener((t) => self.createdTabs.push(t.pendingUrl || t.url));
  });
  await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'stop', 'idle');
  const failed = await waitFor(async () => {
    const s = await workerStatus(chrome.worker);
    const p = s.pending.find((x) => x.id === id);
    return p && p.attempts >= 1 ? p : null;
  }, { timeout: 20_000, what: 'a failed first delivery' });
  assert.match(failed.last_error, /relay not running/);
  const opened = await chrome.worker.evaluate(() => self.createdTabs);
  assert.ok(opened.some((u) => u.startsWith('multiclaw://')), `a multiclaw:// tab was opened: ${opened.join(', ')}`);
  assert.ok(failed.next_attempt_at, 'a retry is scheduled');
  assert.ok((await recordingKeys(chrome.worker)).length >= 2, 'meta and chunk are kept');

  // The popup shows it as waiting.
  const popup = await openPopup(chrome.browser, chrome.extensionId);
  await waitFor(() => popup.evaluate((i) => !!document.querySelector(`#pending-list li[data-id="${i}"]`), id), {
    what: 'the popup to list the waiting recording',
  });
  assert.equal(await popup.evaluate(() => document.getElementById('relay').dataset.relay), 'not_running');
  await popup.close();

  // Restart the worker as well: the retry must survive it (alarms and
  // chrome.storage do; memory does not).
  chrome.worker = await stopWorker(chrome.browser, chrome.worker);
  await relay.restart();
  // No button pressed: the retry alarm (30 s backoff) delivers it.
  const rec = await delivered(id, 90_000);
  assert.deepEqual(clicksOf(rec.events), ['#one'], JSON.stringify(rec.events.map((e) => [e.tab_id, e.url, e.kind.type])));
  await waitFor(async () => (await recordingKeys(chrome.worker)).length === 0, {
    what: 'chrome.storage.local to be emptied after the late delivery',
  });
  await page.close();
});

test('an undelivered recording older than 7 days is dropped, at startup and on the alarm', async () => {
  await relay.stop();
  const ids = [];
  for (const tag of ['expire-startup', 'expire-alarm']) {
    const { page } = await openPage(tag);
    await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'record', 'active');
    ids.push((await workerStatus(chrome.worker)).id);
    await page.bringToFront();
    await click(page, '#one');
    await storedClicks(1);
    await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'stop', 'idle');
    await page.close();
  }
  await waitFor(async () => {
    const s = await workerStatus(chrome.worker);
    return ids.every((id) => s.pending.some((p) => p.id === id && p.attempts >= 1));
  }, { timeout: 30_000, what: 'both recordings to wait for delivery' });
  const ours = async () => (await workerStatus(chrome.worker)).pending.filter((p) => ids.includes(p.id));

  // Six days later nothing is dropped.
  const day = 24 * 3600 * 1000;
  await chrome.worker.evaluate((ms) => self.clawtrail.setClockOffset(ms), 6 * day);
  await chrome.worker.evaluate(() => self.clawtrail.sweep());
  assert.equal((await ours()).length, 2);

  // Seven days and a minute later, a restarted worker drops them at startup.
  await chrome.worker.evaluate((ms) => self.clawtrail.setClockOffset(ms), 7 * day + 60_000);
  chrome.worker = await stopWorker(chrome.browser, chrome.worker);
  await waitFor(async () => (await ours()).length === 0, {
    what: 'expired recordings to be dropped at worker startup',
  });
  const keys = await recordingKeys(chrome.worker);
  assert.ok(ids.every((id) => !keys.some((k) => k.includes(id))), `no key of theirs is left: ${keys}`);
  await chrome.worker.evaluate(() => self.clawtrail.setClockOffset(0));
  await relay.restart();
});

test('nothing is captured while paused, and capture resumes after Resume', async () => {
  const { page, url } = await openPage('pause');
  await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'record', 'active');
  const { id } = await workerStatus(chrome.worker);
  await page.bringToFront();
  await click(page, '#one');
  await storedClicks(1);

  await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'pause', 'paused');
  const badge = await chrome.worker.evaluate(() => chrome.action.getBadgeText({}));
  assert.equal(badge, '||');
  await page.bringToFront();
  const before = await received(chrome.worker);
  await click(page, '#two');
  // A resumed recording's next click proves the page was listening; the
  // paused click must not be in between.
  await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'pause', 'active');
  await page.bringToFront();
  await click(page, '#three');
  const events = await storedClicks(2);
  assert.deepEqual(clicksOf(events.filter((e) => e.url === url)), ['#one', '#three']);
  assert.equal(await received(chrome.worker), before + 1, 'the paused click was never even sent');

  await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'stop', 'idle');
  await delivered(id);
  await page.close();
});

test('idle browsing produces no event and no request', async () => {
  // Start from nothing pending: retries of earlier uploads are requests too
  // (to the relay), and would be right, but are not what this test is about.
  await chrome.worker.evaluate(() => self.clawtrail.sweep({ force: true }));
  await waitFor(async () => (await recordingKeys(chrome.worker)).length === 0, {
    timeout: 20_000, what: 'no recording left to upload',
  });
  const target = await chrome.browser.waitForTarget(
    (t) => t.type() === 'service_worker' && t.url().includes(chrome.extensionId),
  );
  const cdp = await target.createCDPSession();
  const requests = [];
  await cdp.send('Network.enable');
  cdp.on('Network.requestWillBeSent', (e) => requests.push(e.request.url));

  const base = await received(chrome.worker);
  const { page } = await openPage('idle');
  await click(page, '#one');
  await page.keyboard.type('hello');
  await page.keyboard.press('Enter');
  await page.mouse.wheel({ deltaY: 300 });
  await page.goto(server.url('/page?case=idle-2'));
  await click(page, '#two');
  // The content script of the second document was alive: it said hello.
  const tabId = await tabIdFor(chrome.worker, server.url('/page?case=idle-2'));
  await waitForFrames(chrome.worker, tabId, 1);
  // Checked before anything below asks the worker for its status (which
  // probes the relay).
  assert.deepEqual(requests.filter((u) => !u.startsWith('chrome-extension://')), [],
    'the worker made no request while idle');
  assert.equal(await received(chrome.worker), base, `no event was sent while idle: ${await captureLog()}`);
  assert.deepEqual(await recordingKeys(chrome.worker), []);
  assert.equal((await workerStatus(chrome.worker)).status, 'idle');
  await cdp.detach().catch(() => {});
  await page.close();
});

test('after a browser restart, an undelivered and an unfinished recording are both delivered', async () => {
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'clawtrail-profile-'));
  let browser1;
  let browser2;
  try {
    browser1 = await launch({ profile });
    await browser1.worker.evaluate((p) => self.clawtrail.setRelayPort(p), relay.port);
    // Pair this profile too (tokens are per browser profile).
    const saved = chrome;
    chrome = browser1;
    await pairThroughPopup(chrome, relay);
    await relay.stop();

    const { page } = await openPage('restart-finished');
    await pressPopupButton(browser1.browser, browser1.worker, browser1.extensionId, 'record', 'active');
    const finished = (await workerStatus(browser1.worker)).id;
    await page.bringToFront();
    await click(page, '#one');
    await storedClicks(1);
    await pressPopupButton(browser1.browser, browser1.worker, browser1.extensionId, 'stop', 'idle');
    await waitFor(async () => (await workerStatus(browser1.worker)).pending.some((p) => p.id === finished && p.attempts >= 1), {
      timeout: 20_000, what: 'the failed first delivery',
    });

    // A second recording is still running when the browser goes away.
    await pressPopupButton(browser1.browser, browser1.worker, browser1.extensionId, 'record', 'active');
    const unfinished = (await workerStatus(browser1.worker)).id;
    await page.bringToFront();
    await click(page, '#two');
    await storedClicks(1);
    chrome = saved;
    await browser1.close();
    browser1 = null;

    await relay.restart();
    browser2 = await launch({ profile });
    // The relay port and the token are in chrome.storage.local: nothing to
    // redo. The worker sweeps at startup and on its retry alarm.
    for (const id of [finished, unfinished]) {
      const rec = await delivered(id, 90_000);
      assert.equal(rec.events.filter((e) => e.kind.type === 'click').length, 1, `recording ${id}`);
    }
    await waitFor(async () => (await recordingKeys(browser2.worker)).length === 0, {
      what: 'chrome.storage.local to be emptied after the restart',
    });
    assert.equal((await workerStatus(browser2.worker)).status, 'idle', 'session state did not survive the restart');
  } finally {
    await browser1?.close();
    await browser2?.close();
    await fs.rm(profile, { recursive: true, force: true });
  }
});
