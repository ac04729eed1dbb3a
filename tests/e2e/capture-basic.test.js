// What the content script records from trusted input (CDP) on a real page,
// as stored by the real service worker: typing merged into one input event
// in the right order, state changes without double clicks, key shortcuts,
// debounced scrolling, double clicks, SPA navigations, and nothing at all
// when not recording.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch } from './lib/browser.js';
import { received } from './lib/extension.js';
import { contentEvents, openPage, startRecording, summary, waitForEvents } from './lib/capture.js';
import { serve } from './lib/server.js';
import { waitFor } from './lib/wait.js';

const FORM = `<!doctype html><html><head><title>Capture form</title></head>
<body style="margin:0">
<h1 id="title">Form</h1>
<form id="f" action="/never">
  <label for="q">Query</label> <input id="q" name="q">
  <select id="size" name="size"><option value="s">Small</option><option value="m">Medium</option></select>
  <label><input type="checkbox" id="agree" name="agree"> Agree</label>
  <input type="radio" name="color" value="red"> <input type="radio" name="color" value="blue" id="blue">
  <button id="go" data-testid="go-btn">Go</button>
</form>
<div contenteditable="true" id="notes" style="width:200px;height:40px;border:1px solid"></div>
<button type="button" id="dbl">Double me</button>
<div id="scroller" style="height:100px;width:200px;overflow:auto"><div style="height:2000px">long</div></div>
<div style="height:4000px"></div>
<script>
  // An SPA form: the page handles the submit itself.
  document.getElementById('f').addEventListener('submit', (e) => e.preventDefault());
</script>
</body></html>`;

let chrome;
let server;
before(async () => {
  server = await serve({
    '/form': { body: FORM },
    '/favicon.ico': { body: '', status: 204, type: 'image/x-icon' },
  });
  chrome = await launch();
});
after(async () => {
  await chrome?.close();
  await server?.close();
});

test('nothing is captured or sent while not recording', async () => {
  const { page } = await openPage(chrome, server.url('/form?case=idle'));
  try {
    const before = await received(chrome.worker);
    await page.click('#q');
    await page.keyboard.type('idle text');
    await page.keyboard.press('Enter');
    await page.click('#agree');
    await page.mouse.wheel({ deltaY: 200 });
    await new Promise((r) => setTimeout(r, 800)); // longer than any hold
    assert.equal(await received(chrome.worker), before);
  } finally {
    await page.close();
  }
});

test('records a form session in order, merged and without duplicates', async () => {
  await startRecording(chrome);
  const url = server.url('/form?case=session');
  const { page, tabId } = await openPage(chrome, url);
  try {
    // The load of a page opened while recording.
    await waitForEvents(chrome, tabId, (ev) => ev.some((e) => e.kind.type === 'navigate'), 'the load event');

    await page.click('#q');
    await page.keyboard.type('hello world');
    await page.keyboard.press('Enter'); // implicit submission
    await page.click('#agree');
    await page.click('#blue');
    await page.focus('#size');
    await page.keyboard.press('ArrowDown'); // trusted change of a closed select
    await page.click('#notes');
    await page.keyboard.type('note text');
    await page.click('#title');
    await page.keyboard.down('Control');
    await page.keyboard.press('k');
    await page.keyboard.up('Control');
    await page.click('#dbl', { count: 2 });

    const events = await waitForEvents(
      chrome,
      tabId,
      (ev) => ev.some((e) => e.kind.type === 'double_click'),
      'the double click',
    );
    assert.deepEqual(summary(events), [
      'navigate:load',
      'click', // into #q
      'input:hello world', // one event for eleven keystrokes, before the Enter
      'key:Enter', // not also the click Chromium sends to the submit button
      'submit',
      'checkbox', // no click events for the checkbox, radio or select
      'radio',
      'key:ArrowDown',
      'select',
      'click', // into #notes
      'content_edit',
      'click', // #title, which ended the contenteditable edit
      'key:k',
      'double_click', // not click + click + dblclick
    ]);
    const by = (type) => events.filter((e) => e.kind.type === type);
    const [load] = by('navigate');
    assert.equal(load.url, url);
    assert.equal(load.kind.title, 'Capture form');
    assert.deepEqual(load.frame_path, []);

    const [input] = by('input');
    assert.equal(input.kind.target.css, '#q');
    assert.equal(input.kind.target.css_unique, true);
    assert.equal(input.kind.target.label, 'Query');
    assert.deepEqual(input.kind.target.aria, { role: 'textbox', name: 'Query' });
    assert.equal(input.kind.target.name, 'q');

    const [submit] = by('submit');
    assert.equal(submit.kind.target.css, '#f');
    assert.equal(by('checkbox')[0].kind.checked, true);
    assert.equal(by('checkbox')[0].kind.target.label, 'Agree');
    assert.equal(by('radio')[0].kind.value, 'blue');
    assert.deepEqual(by('select')[0].kind.values, ['m']);
    assert.deepEqual(by('select')[0].kind.labels, ['Medium']);
    assert.deepEqual(by('content_edit')[0].kind.text, { kind: 'text', text: 'note text' });

    const shortcut = by('key').find((e) => e.kind.key === 'k');
    assert.deepEqual(shortcut.kind.modifiers, { alt: false, ctrl: true, meta: false, shift: false });
    assert.equal(shortcut.kind.code, 'KeyK');

    const [dbl] = by('double_click');
    assert.equal(dbl.kind.target.css, '#dbl');
    assert.equal(dbl.kind.button, 'primary');
    const box = dbl.kind.target.bounds;
    assert.ok(dbl.kind.offset.x > 0 && dbl.kind.offset.x < box.width, JSON.stringify(dbl.kind));

    // Capture order is seq order, and time never runs backwards.
    const seqs = events.map((e) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    const times = events.map((e) => Date.parse(e.at));
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
  } finally {
    await page.close();
  }
});

test('scrolling is one event with the final position, per target', async () => {
  const { page, tabId } = await openPage(chrome, server.url('/form?case=scroll'));
  try {
    // The element first: scrolling the window moves it out of view.
    const box = await (await page.$('#scroller')).boundingBox();
    await page.mouse.move(box.x + 50, box.y + 50);
    for (let i = 0; i < 3; i++) await page.mouse.wheel({ deltaY: 100 });
    await page.mouse.move(400, 600);
    for (let i = 0; i < 5; i++) await page.mouse.wheel({ deltaY: 120 });
    await waitFor(async () => (await page.evaluate(() => window.scrollY)) >= 600, { what: 'the window to scroll' });
    const windowY = await page.evaluate(() => window.scrollY);

    const events = await waitForEvents(
      chrome,
      tabId,
      (ev) => ev.filter((e) => e.kind.type === 'scroll').length >= 2,
      'two scroll events',
    );
    // Settle: no more scroll events trickle in after the quiet period.
    await new Promise((r) => setTimeout(r, 600));
    const scrolls = (await contentEvents(chrome, tabId)).filter((e) => e.kind.type === 'scroll');
    assert.equal(scrolls.length, 2, JSON.stringify(summary(events)));
    const [el, win] = scrolls;
    assert.equal(win.kind.target, null);
    assert.equal(win.kind.y, windowY);
    assert.ok(win.kind.y > 0);
    assert.equal(el.kind.target.css, '#scroller');
    assert.equal(el.kind.y, await page.$eval('#scroller', (s) => s.scrollTop));
    assert.ok(el.kind.y > 0);
  } finally {
    await page.close();
  }
});

test('SPA navigations: pushState, replaceState and hash changes', async () => {
  const url = server.url('/form?case=spa');
  const { page, tabId } = await openPage(chrome, url);
  try {
    await page.evaluate(() => history.pushState({}, '', '/form/next?x=1'));
    await page.evaluate(() => history.replaceState({}, '', '/form/replaced'));
    await page.evaluate(() => {
      location.hash = '#section';
    });
    const origin = new URL(url).origin;
    const events = await waitForEvents(
      chrome,
      tabId,
      (ev) => ev.some((e) => e.kind.type === 'navigate' && e.kind.cause === 'hash_change'),
      'the hash change',
    );
    const navs = events.filter((e) => e.kind.type === 'navigate');
    assert.deepEqual(
      navs.map((e) => [e.kind.cause, e.url, e.kind.from_url]),
      [
        ['load', url, null],
        ['push_state', `${origin}/form/next?x=1`, url],
        ['replace_state', `${origin}/form/replaced`, `${origin}/form/next?x=1`],
        ['hash_change', `${origin}/form/replaced#section`, `${origin}/form/replaced`],
      ],
    );
    await page.goBack();
    await waitForEvents(
      chrome,
      tabId,
      (ev) => ev.some((e) => e.kind.type === 'navigate' && e.kind.cause === 'back_forward'),
      'the back navigation',
    );
  } finally {
    await page.close();
  }
});
