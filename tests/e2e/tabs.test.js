// Tabs during a recording: a link with target=_blank and a window.open()
// both open tabs that are recorded too (with their opener), switching tabs
// and closing one become events, and the whole thing arrives at the relay
// as one recording that lists every tab.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch } from './lib/browser.js';
import { pairThroughPopup, pressPopupButton, storedEvents, tabIdFor, waitForFrames, workerStatus } from './lib/extension.js';
import { startRelay } from './lib/relay.js';
import { serve } from './lib/server.js';
import { waitFor } from './lib/wait.js';

const FIRST = `<!doctype html><html><head><title>First</title></head><body>
<a id="blank" href="/second" target="_blank">Open the second page</a>
<button id="popup" type="button">Open the third page</button>
<script src="/first.js"></script>
</body></html>`;
// window.open from the page's own click handler (the user's click is trusted).
const FIRST_JS = `document.getElementById('popup').addEventListener('click', () => { window.open('/third'); });`;
const page = (title, id) => `<!doctype html><html><head><title>${title}</title></head><body>
<button id="${id}" type="button">${title} button</button></body></html>`;

let chrome;
let server;
let relay;
before(async () => {
  server = await serve({
    '/first': { body: FIRST },
    '/first.js': { body: FIRST_JS, type: 'text/javascript' },
    '/second': { body: page('Second', 'in-second') },
    '/third': { body: page('Third', 'in-third') },
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

/** Resolves with the page of the next tab the browser opens. */
function nextTab() {
  return new Promise((resolve) => {
    chrome.browser.once('targetcreated', async (t) => resolve(await t.page()));
  });
}

async function clickIn(p, selector) {
  const h = await p.$(selector);
  await h.click();
  await h.dispose();
}

const clicks = (events) => events.filter((e) => e.kind.type === 'click');

test('tabs opened by target=_blank and window.open are recorded, with switches and closing', async () => {
  const first = await chrome.browser.newPage();
  const firstUrl = server.url('/first');
  await first.goto(firstUrl);
  const firstTab = await tabIdFor(chrome.worker, firstUrl);
  await waitForFrames(chrome.worker, firstTab, 1);

  await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'record', 'active');
  const { id } = await workerStatus(chrome.worker);
  await first.bringToFront();

  // target=_blank
  const opening = nextTab();
  await clickIn(first, '#blank');
  const second = await opening;
  await second.waitForSelector('#in-second');
  const secondTab = await tabIdFor(chrome.worker, server.url('/second'));
  await waitFor(async () => (await second.evaluate(() => document.readyState)) === 'complete', { what: 'second page' });
  await waitForFrames(chrome.worker, secondTab, 1);
  await waitFor(async () => {
    const s = await chrome.worker.evaluate((t) => chrome.tabs.sendMessage(t, { type: 'ping' }, { frameId: 0 }), secondTab);
    return s.recording === true;
  }, { what: 'the new tab to be recording' });
  await clickIn(second, '#in-second');
  await waitFor(async () => clicks(await storedEvents(chrome.worker)).some((e) => e.tab_id === secondTab), {
    what: 'the click in the second tab',
  });
  await second.close();

  // window.open
  await first.bringToFront();
  const popping = nextTab();
  await clickIn(first, '#popup');
  const third = await popping;
  await third.waitForSelector('#in-third');
  const thirdTab = await tabIdFor(chrome.worker, server.url('/third'));
  await waitForFrames(chrome.worker, thirdTab, 1);
  await waitFor(async () => {
    const s = await chrome.worker.evaluate((t) => chrome.tabs.sendMessage(t, { type: 'ping' }, { frameId: 0 }), thirdTab);
    return s.recording === true;
  }, { what: 'the window.open tab to be recording' });
  await clickIn(third, '#in-third');
  await waitFor(async () => clicks(await storedEvents(chrome.worker)).some((e) => e.tab_id === thirdTab), {
    what: 'the click in the third tab',
  });

  await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'stop', 'idle');
  const rec = await waitFor(async () => {
    const { recordings } = await relay.list();
    return recordings.some((r) => r.id === id) ? relay.show(id) : null;
  }, { timeout: 20_000, what: 'the recording at the relay' });

  const byTab = (tab, type) => rec.events.filter((e) => e.tab_id === tab && e.kind.type === type);
  // Every tab is listed; the new ones name the first as their opener.
  const tabs = new Map(rec.tabs.map((t) => [t.tab_id, t]));
  assert.ok(tabs.has(firstTab) && tabs.has(secondTab) && tabs.has(thirdTab), JSON.stringify(rec.tabs));
  assert.equal(tabs.get(secondTab).opener_tab_id, firstTab);
  assert.equal(tabs.get(thirdTab).opener_tab_id, firstTab);
  // Opened, clicked in, and for the second one closed.
  for (const tab of [secondTab, thirdTab]) {
    assert.equal(byTab(tab, 'tab_opened').length, 1, `tab ${tab} opened once`);
    assert.equal(byTab(tab, 'tab_opened')[0].kind.opener_tab_id, firstTab);
  }
  assert.deepEqual(clicks(rec.events).map((e) => [e.tab_id, e.kind.target.css]), [
    [firstTab, '#blank'],
    [secondTab, '#in-second'],
    [firstTab, '#popup'],
    [thirdTab, '#in-third'],
  ]);
  assert.equal(byTab(secondTab, 'tab_closed').length, 1, 'closing the second tab is an event');
  assert.ok(byTab(firstTab, 'tab_activated').length >= 1, 'switching back to the first tab is an event');
  // The events come in the order they happened: open before the click there.
  const seqOf = (tab, type) => byTab(tab, type)[0].seq;
  assert.ok(seqOf(secondTab, 'tab_opened') < seqOf(secondTab, 'click'));
  assert.ok(seqOf(secondTab, 'click') < seqOf(secondTab, 'tab_closed'));
  assert.deepEqual(rec.events.map((e) => e.seq), rec.events.map((_, i) => i));

  await third.close();
  await first.close();
});
