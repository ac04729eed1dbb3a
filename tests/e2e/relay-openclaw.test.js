// clawtrail beside OpenClaw's own Chrome-extension relay, which listens on
// 127.0.0.1:18799 by default: the real daemon from the openclaw npm package
// (2026.9.6) holds the port; `clawtrail serve` with default flags names it
// and serves on the first fallback port; the real extension, with no port
// configured, pairs through its popup, finds its relay by the signed
// handshake and delivers a recording; OpenClaw's daemon keeps answering.
// Needs `scripts/test --with-openclaw` (and ports 18799 and 18787 free).

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { launch } from './lib/browser.js';
import { openPopup, pairThroughPopup, pressPopupButton, recordingKeys, workerStatus } from './lib/extension.js';
import { openclawSkip, startOpenClawRelay } from './lib/openclaw.js';
import { startRelay } from './lib/relay.js';
import { serve } from './lib/server.js';
import { waitFor } from './lib/wait.js';

const PAGE = `<!doctype html><html><head><title>Beside OpenClaw</title></head>
<body><button id="go">Go</button></body></html>`;

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

let openclaw;
let relay;
let chrome;
let server;

before(async () => {
  if (openclawSkip()) return;
  for (const p of [18799, 18787]) assert.ok(await portFree(p), `port ${p} must be free for this test`);
  openclaw = await startOpenClawRelay(18799);
  server = await serve({ '/page': { body: PAGE }, '/favicon.ico': { body: '', status: 204, type: 'image/x-icon' } });
});

after(async () => {
  await chrome?.close();
  await relay?.close();
  await openclaw?.stop();
  await server?.close();
});

test('with OpenClaw\'s relay on 18799, clawtrail serves on 18787 and the extension pairs and delivers there', { skip: openclawSkip() }, async () => {
  relay = await startRelay({ port: null });
  assert.equal(relay.port, 18787, 'the first fallback port');
  assert.match(relay.log(), /127\.0\.0\.1:18799 is held by OpenClaw's browser extension relay; serving on 127\.0\.0\.1:18787/);

  // A user's extension: no port configured anywhere.
  chrome = await launch();
  await pairThroughPopup(chrome, relay, { setPort: false });
  const popup = await openPopup(chrome.browser, chrome.extensionId);
  try {
    await waitFor(() => popup.evaluate(() => document.getElementById('relay').dataset.relay === 'connected'), {
      what: 'the popup to show the relay as connected',
    });
    assert.equal(await popup.evaluate(() => document.getElementById('relay').textContent), 'relay: connected (port 18787)');
  } finally {
    await popup.close();
  }

  const page = await chrome.browser.newPage();
  await page.goto(server.url('/page'));
  await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'record', 'active');
  const { id } = await workerStatus(chrome.worker);
  await page.bringToFront();
  await page.click('#go');
  await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'stop', 'idle');
  await waitFor(async () => (await relay.list()).recordings.some((r) => r.id === id), {
    what: 'the recording at the clawtrail relay on 18787',
    timeout: 20_000,
  });
  await waitFor(async () => (await recordingKeys(chrome.worker)).length === 0, { what: 'chrome.storage emptied' });

  // OpenClaw's daemon was left alone and still answers as itself.
  assert.ok(openclaw.alive(), 'the OpenClaw relay daemon still runs');
  assert.deepEqual(await openclaw.answers(), { status: 401, body: '{"error":"Unauthorized"}' });
  await page.close();
});
