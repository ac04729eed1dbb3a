// Where events come from: a cross-origin iframe (frame path, its own URL),
// an open shadow root (shadow-host chain), and a page whose CSP forbids
// WebAssembly and inline script.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch } from './lib/browser.js';
import { openPage, startRecording, waitForEvents } from './lib/capture.js';
import { strictPages } from './lib/pages.js';
import { STRICT_CSP, serve } from './lib/server.js';

const strict = { 'content-security-policy': STRICT_CSP };

let chrome;
let main;
let other;
before(async () => {
  other = await serve({
    '/inner': {
      body: `<!doctype html><html><body>
<iframe src="about:blank" width="10" height="10"></iframe>
<label for="city">City</label><input id="city" name="city">
<button id="inner-btn">Inner</button></body></html>`,
    },
  });
  main = await serve({
    ...strictPages(),
    '/outer': {
      body: `<!doctype html><html><head><title>Outer</title></head><body>
<iframe src="about:blank" width="50" height="50"></iframe>
<iframe id="x" src="${other.url('/inner')}" width="400" height="200"></iframe></body></html>`,
    },
    '/shadow': {
      headers: strict,
      body: `<!doctype html><html><head><title>Shadow</title><script src="/shadow.js"></script></head>
<body><div><my-widget id="w"></my-widget></div></body></html>`,
    },
    '/shadow.js': {
      type: 'text/javascript',
      headers: strict,
      body: `customElements.define('my-widget', class extends HTMLElement {
  connectedCallback() {
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = '<section><inner-card data-testid="card"></inner-card></section>';
    const card = root.querySelector('inner-card');
    card.attachShadow({ mode: 'open' }).innerHTML =
      '<span>x</span><button>One</button><button class="deep">Deep</button>';
  }
});`,
    },
  });
  chrome = await launch();
  await startRecording(chrome);
});
after(async () => {
  await chrome?.close();
  await main?.close();
  await other?.close();
});

test('a cross-origin iframe reports its frame path and URL', async () => {
  const { page, tabId } = await openPage(chrome, main.url('/outer?case=xo'), 4);
  try {
    const frame = page.frames().find((f) => f.url().startsWith(other.origin));
    assert.ok(frame, 'the cross-origin frame is there');
    await frame.click('#city');
    await frame.type('#city', 'Lyon');
    await frame.click('#inner-btn');
    const events = await waitForEvents(
      chrome,
      tabId,
      (ev) => ev.filter((e) => e.kind.type === 'click').length >= 2,
      'two clicks in the iframe',
    );
    const fromFrame = events.filter((e) => e.url === other.url('/inner'));
    assert.deepEqual(
      fromFrame.map((e) => e.kind.type),
      ['click', 'input', 'click'],
    );
    for (const e of fromFrame) {
      // The second iframe of the top page.
      assert.deepEqual(e.frame_path, [1]);
      assert.deepEqual(e.kind.target.frame_path, [1]);
    }
    assert.deepEqual(fromFrame[1].kind.value, { kind: 'text', text: 'Lyon' });
    assert.equal(fromFrame[1].kind.target.label, 'City');
    assert.equal(fromFrame[2].kind.target.css, '#inner-btn');
    // Only the top frame records the document load.
    const loads = events.filter((e) => e.kind.type === 'navigate');
    assert.deepEqual(loads.map((e) => e.frame_path), [[]]);
  } finally {
    await page.close();
  }
});

test('a click in nested open shadow roots names the host chain, under a strict CSP', async () => {
  const { page, tabId } = await openPage(chrome, main.url('/shadow?case=shadow'));
  try {
    const button = await page.waitForSelector('my-widget >>> inner-card >>> button.deep');
    await button.click();
    const events = await waitForEvents(
      chrome,
      tabId,
      (ev) => ev.some((e) => e.kind.type === 'click'),
      'the click in the shadow root',
    );
    const click = events.find((e) => e.kind.type === 'click');
    const t = click.kind.target;
    assert.deepEqual(t.shadow_hosts, ['#w', 'inner-card[data-testid="card"]']);
    assert.equal(t.css, 'button:nth-of-type(2)');
    assert.equal(t.xpath, '/button[2]');
    assert.equal(t.text, 'Deep');
    assert.deepEqual(t.aria, { role: 'button', name: 'Deep' });
    assert.equal(click.kind.target.css_unique, true);
  } finally {
    await page.close();
  }
});

test('records on a page whose CSP forbids WebAssembly', async () => {
  const url = main.url('/strict-framed?case=csp');
  const { page, tabId } = await openPage(chrome, url, 2);
  try {
    await page.click('#go');
    const child = page.frames().find((f) => f.url().endsWith('/frame'));
    await child.click('#inner');
    const events = await waitForEvents(
      chrome,
      tabId,
      (ev) => ev.filter((e) => e.kind.type === 'click').length >= 2,
      'clicks in the strict page and its frame',
    );
    const clicks = events.filter((e) => e.kind.type === 'click');
    assert.deepEqual(
      clicks.map((e) => [e.frame_path, e.kind.target.css]),
      [
        [[], '#go'],
        [[0], '#inner'],
      ],
    );
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
  } finally {
    await page.close();
  }
});
