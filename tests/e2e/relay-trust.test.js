// The extension trusts only its paired relay, whatever holds the port.
//
// Any local process can listen on 127.0.0.1:<port> while clawtrail's relay
// is down. Here one does, and answers 2xx with plausible JSON to every
// request, logging everything it receives, while the user records and
// presses Stop, with the real extension in Debian's Chromium. It must get
// no recorded value and no credential that works on the real relay; the
// extension must keep the recording and must not call it "connected"; and
// once the real relay is back, Retry delivers. The same impostor during
// pairing must not become the extension's relay.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { launch } from './lib/browser.js';
import {
  openPopup,
  pairThroughPopup,
  pressPopupButton,
  recordingKeys,
  storedEvents,
  workerStatus,
} from './lib/extension.js';
import { startRelay } from './lib/relay.js';
import { serve } from './lib/server.js';
import { waitFor } from './lib/wait.js';

const TYPED = 'typed-value-the-impostor-must-not-see';

const PAGE = `<!doctype html><html><head><title>Trust test</title></head>
<body><label>Note <input id="note"></label><button id="save">Save</button></body></html>`;

/**
 * A server on `port` that answers 2xx to everything, as a hostile or
 * confused program would, with the shapes the relay uses.
 */
function impostor(port) {
  const seen = [];
  const srv = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      let answer = { status: 'created', paired: true, recording: { id: 'anything' }, received_sha256: '0'.repeat(64) };
      if (req.url === '/v1/pair') answer = { session: 's', msg: 'AAAA' };
      if (req.url === '/v1/pair/confirm') answer = { key_id: 'k', confirm: 'AAAA' };
      if (req.url === '/v1/health') answer = { status: 'ok', version: '0.1.0', format_version: 1 };
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve({ seen, close: () => new Promise((r) => srv.close(r)) }));
  });
}

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
  await pairThroughPopup(chrome, relay);
});

after(async () => {
  await chrome?.close();
  await relay?.close();
  await server?.close();
});

async function relayState() {
  const popup = await openPopup(chrome.browser, chrome.extensionId);
  try {
    await waitFor(() => popup.evaluate(() => document.getElementById('relay').dataset.relay), {
      what: 'the popup to show the relay state',
    });
    return await popup.evaluate(() => document.getElementById('relay').dataset.relay);
  } finally {
    await popup.close();
  }
}

test('an impostor on the relay port gets no recorded value and no usable credential, and the recording is kept', async () => {
  const secret = JSON.parse(await chrome.worker.evaluate(async () => (await chrome.storage.local.get('relay_key')).relay_key)).secret;
  const page = await chrome.browser.newPage();
  await page.goto(server.url('/page'));
  await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'record', 'active');
  const { id } = await workerStatus(chrome.worker);
  await page.bringToFront();
  await page.click('#note');
  await page.keyboard.type(TYPED);
  await page.click('#save');
  await waitFor(async () => (await storedEvents(chrome.worker, id)).some((e) => e.kind.type === 'input'), {
    what: 'the typed note in chrome.storage',
  });

  // The relay goes down; something else takes its port.
  const port = relay.port;
  await relay.stop();
  const fake = await impostor(port);
  try {
    await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'stop', 'idle');
    await waitFor(async () => {
      const s = await workerStatus(chrome.worker);
      return s.pending.some((p) => p.id === id && p.last_error) ? s : null;
    }, { what: 'the delivery attempt to fail' });
    assert.notEqual(await relayState(), 'connected', 'the popup does not call the impostor connected');

    // What the impostor got: a handshake, signed, with nothing in it.
    assert.ok(fake.seen.length > 0, 'the extension did knock');
    const all = JSON.stringify(fake.seen);
    assert.ok(!all.includes(TYPED), 'no recorded value reached it');
    assert.ok(!all.includes(secret), 'nor the pairing key');
    assert.ok(!fake.seen.some((r) => r.url === '/v1/recordings' && r.method === 'POST'), 'no upload was sent');
    assert.ok(fake.seen.every((r) => r.body === ''), JSON.stringify(fake.seen.map((r) => [r.method, r.url])));
    // The recording is kept, with the reason.
    assert.ok((await recordingKeys(chrome.worker)).length > 0, 'the recording is still in chrome.storage');
    const pending = (await workerStatus(chrome.worker)).pending.find((p) => p.id === id);
    assert.ok(pending, 'listed as pending');
    assert.match(pending.last_error, /relay not running/);

    // Its captured credentials do not work on the real relay.
    await fake.close();
    await relay.restart();
    for (const r of fake.seen.filter((x) => x.headers.authorization)) {
      const replay = await fetch(`${relay.url}${r.url}`, { method: r.method, headers: { authorization: r.headers.authorization } });
      assert.equal(replay.status, 401, `${r.method} ${r.url} replayed`);
    }
  } finally {
    await fake.close().catch(() => {});
  }

  // The real relay is back: Retry delivers, and only then is it deleted.
  await relay.ensureRunning();
  // "Retry now" in the popup.
  await chrome.worker.evaluate(() => self.clawtrail.sweep({ force: true }));
  const rec = await waitFor(async () => {
    const { recordings } = await relay.list();
    return recordings.some((r) => r.id === id) ? relay.show(id) : null;
  }, { what: 'the recording at the real relay' });
  assert.ok(rec.events.some((e) => e.kind.type === 'input' && e.kind.value.text === TYPED));
  await waitFor(async () => (await recordingKeys(chrome.worker)).length === 0, {
    what: 'chrome.storage to be emptied after the real relay acknowledged',
  });
  await page.close();
});

test('pairing with an impostor that answers 2xx to everything does not replace the real key', async () => {
  const before = await chrome.worker.evaluate(async () => (await chrome.storage.local.get('relay_key')).relay_key);
  const port = relay.port;
  await relay.stop();
  const fake = await impostor(port);
  try {
    const code = await relay.pairCode();
    // What the popup's Pair button does.
    const reply = await chrome.worker.evaluate(async (c) => ({ reply: await self.clawtrail.pair(c) }), code)
      .catch((e) => ({ error: String(e) }));
    assert.equal(reply.reply?.ok, false, JSON.stringify(reply));
    assert.ok(fake.seen.some((r) => r.url === '/v1/pair'), 'it was asked');
    assert.ok(!JSON.stringify(fake.seen).includes(code.replace('-', '')), 'the code itself is never sent');
    const after = await chrome.worker.evaluate(async () => (await chrome.storage.local.get('relay_key')).relay_key);
    assert.equal(after, before, 'the key is unchanged');
  } finally {
    await fake.close();
    await relay.restart();
  }
  await waitFor(async () => (await relayState()) === 'connected', { what: 'the real relay connected again' });
});
