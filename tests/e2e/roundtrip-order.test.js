// The order of a recording is the order the user acted in, across frames
// and tabs: clicks in two iframes, then a click whose handler calls
// window.open, then a click in the new tab. Each click is held in its own
// frame for the double-click interval and reaches the worker over its own
// channel, so arrival order is not action order. Recorded with trusted
// input and the real extension, then replayed by `clawtrail replay`, which
// must act in the same order (the pages report each click).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { reportScript, reports, withReports } from './lib/reports.js';
import { openclawSkip, roundTripSuite } from './lib/roundtrip.js';
import { serve } from './lib/server.js';
import { waitFor } from './lib/wait.js';

const page = (title, body, script = '') => ({
  body: `<!doctype html><html><head><title>${title}</title></head><body>${body}
<script>${reportScript('order')}
${script}</script></body></html>`,
});
const button = (id, label) =>
  page(label, `<button id="${id}" type="button">${label}</button>`,
    `document.getElementById('${id}').addEventListener('click', () => report('${id}'));`);

const routes = {
  '/favicon.ico': { body: '', status: 204, type: 'image/x-icon' },
  '/top': page(
    'Top',
    '<iframe id="one" src="/f1" title="First frame"></iframe><iframe id="two" src="/f2" title="Second frame"></iframe>' +
      '<button id="pop" type="button">Open a window</button>',
    `document.getElementById('pop').addEventListener('click', () => { report('pop'); window.open('/w'); });`,
  ),
  '/f1': button('in-one', 'First'),
  '/f2': button('in-two', 'Second'),
  '/w': button('in-window', 'Window'),
};

const suite = roundTripSuite('clawtrail-roundtrip-order-');
let server;
let rec;
let exported;

before(async () => {
  await suite.setUp();
  server = await serve(withReports(routes));
  rec = await suite.recordOn(server.url('/top'), 3, async (tab) => {
    const frame = (p) => waitFor(() => tab.frames().find((f) => f.url() === server.url(p)), { what: p });
    await (await frame('/f1')).click('#in-one');
    await (await frame('/f2')).click('#in-two');
    const opened = new Promise((resolve) => suite.ctx.chrome.browser.once('targetcreated', resolve));
    await tab.click('#pop');
    const win = await (await opened).page();
    await waitFor(() => win.evaluate(() => !!document.getElementById('in-window')), { what: 'the new window' });
    await win.bringToFront();
    await win.click('#in-window');
    await win.close();
  });
  exported = await suite.exportBoth(rec, 'order');
});

after(async () => {
  await suite.tearDown();
  await server?.close();
});

test('events are in the order the user acted, across frames and tabs', () => {
  assert.deepEqual(reports(server, 'order'), ['in-one', 'in-two', 'pop', 'in-window'], 'the recorded session itself');
  const order = rec.events
    .filter((e) => e.kind.type === 'click' || e.kind.type === 'tab_opened')
    .map((e) => (e.kind.type === 'click' ? new URL(e.url).pathname : 'tab_opened'));
  // (Stop is pressed in the popup, opened in a tab of its own: that last
  // tab_opened is the harness's.)
  assert.deepEqual(order.slice(0, 5), ['/f1', '/f2', '/top', 'tab_opened', '/w']);
  assert.deepEqual(rec.events.map((e) => e.seq), rec.events.map((_, i) => i));
});

test('the skill names the click that opened the window as its opener', () => {
  assert.match(exported.skillMd, /switch to the new tab \(tab 2\) that step 3 opened/);
});

test('clawtrail replay clicks in the same order and ends in the new window', async () => {
  const seen = reports(server, 'order').length;
  await suite.replay(rec, 'order', []);
  assert.deepEqual(reports(server, 'order').slice(seen), ['in-one', 'in-two', 'pop', 'in-window']);
});

test('a real OpenClaw gateway runs the plans in the same order', { skip: openclawSkip() }, async () => {
  const seen = reports(server, 'order').length;
  await suite.runOpenClaw(exported);
  assert.deepEqual(reports(server, 'order').slice(seen), ['in-one', 'in-two', 'pop', 'in-window']);
});
