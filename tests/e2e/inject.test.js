// A tab that was open before the extension was installed has no content
// script: manifest content scripts only reach documents loaded afterwards.
// Record injects the recorder into such tabs where the browser lets it (the
// active tab, localhost pages), so they are recorded too.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EXTENSION_ID, launch } from './lib/browser.js';
import { pressPopupButton, storedEvents, tabIdFor } from './lib/extension.js';
import { serve } from './lib/server.js';
import { waitFor } from './lib/wait.js';

const PAGE = `<!doctype html><html><head><title>Open before</title></head>
<body><button id="old">Old tab button</button></body></html>`;

let chrome;
let server;
before(async () => {
  server = await serve({ '/open-before': { body: PAGE }, '/favicon.ico': { body: '', status: 204, type: 'image/x-icon' } });
});
after(async () => {
  await chrome?.close();
  await server?.close();
});

test('Record reaches a tab that was open before the extension was installed', async () => {
  const launched = await launch({ installLater: true });
  chrome = launched;
  const page = await launched.browser.newPage();
  const url = server.url('/open-before');
  await page.goto(url);

  const { id, worker } = await launched.install();
  assert.equal(id, EXTENSION_ID);
  Object.assign(chrome, { worker, extensionId: id });
  await worker.evaluate(async () => self.clawtrail.ready);
  const tabId = await tabIdFor(worker, url);
  const ping = (t) => worker.evaluate((x) => chrome.tabs.sendMessage(x, { type: 'ping' }, { frameId: 0 })
    .then((r) => r, () => null), t);
  assert.equal(await ping(tabId), null, 'no content script in the tab before Record');

  await pressPopupButton(launched.browser, worker, id, 'record', 'active');
  const answer = await waitFor(() => ping(tabId), { what: 'the injected content script to answer' });
  assert.equal(answer.ok, true);
  await waitFor(async () => (await ping(tabId))?.recording === true, { what: 'the injected recorder to record' });

  await page.bringToFront();
  const h = await page.$('#old');
  await h.click();
  await h.dispose();
  const clicks = await waitFor(async () => {
    const e = (await storedEvents(worker)).filter((x) => x.kind.type === 'click');
    return e.length >= 1 ? e : null;
  }, { what: 'the click in the tab that was open before' });
  assert.equal(clicks[0].tab_id, tabId);
  assert.equal(clicks[0].url, url);
  assert.equal(clicks[0].kind.target.css, '#old');
  await pressPopupButton(launched.browser, worker, id, 'stop', 'idle');
  await page.close();
});
