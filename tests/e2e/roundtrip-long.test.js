// One long, hostile workflow, recorded with trusted input in Debian Chromium
// with the real extension, replayed to its end by `clawtrail replay` and by
// @puppeteer/replay (and, under `scripts/test --with-openclaw`, plan by
// plan in a real OpenClaw gateway):
//
//   tab 1  /login (strict CSP: external scripts only) with a password
//          -> /notes: a contenteditable note, Save
//          -> a target=_blank link opens tab 2
//   tab 2  /help: Got it; a window.open button opens tab 3
//   tab 3  /top: a form in a cross-origin iframe
//   tab 1  a typed URL: /cups, two levels of open shadow roots
//          -> Back to /notes: Finish
//          -> Forward to /cups -> a link into an SPA (pushState, a
//             keyboard-chosen <select>, a hash route)
//
// Every page reports what it ended up with to its test server (see
// lib/reports.js), and the reports depend on the typed values, so a replay
// that skipped a step, went astray or typed the wrong value cannot pass.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { tabIdFor, waitForFrames } from './lib/extension.js';
import { reportScript, reports, withReports } from './lib/reports.js';
import { iframeRoutes, shadowRoutes, spaRoutes } from './lib/roundtrip-pages.js';
import { openclawSkip, roundTripSuite } from './lib/roundtrip.js';
import { STRICT_CSP, serve } from './lib/server.js';
import { waitFor } from './lib/wait.js';

const SECRET = 'S3cret-Pa55!';
const favicon = { '/favicon.ico': { body: '', status: 204, type: 'image/x-icon' } };
const js = (body) => ({ body, type: 'text/javascript' });
const html = (title, body, script = '') => ({
  body: `<!doctype html><html><head><title>${title}</title></head><body>${body}
<script>${reportScript('long')}
const user = sessionStorage.getItem('user');
${script}</script></body></html>`,
});

function routes(widgetOrigin, topOrigin) {
  const frame = iframeRoutes(topOrigin, widgetOrigin);
  // The shadow-DOM page, plus a plain link into the SPA.
  const cups = shadowRoutes()['/cups'].body.replace('</body>', '<p><a id="to-app" href="/app">Order a drink</a></p></body>');
  return {
    main: {
      ...favicon,
      // A page whose CSP allows no inline script and no eval: the content
      // script must work here, and the replay must log in through it.
      '/login': {
        body: `<!doctype html><html><head><title>Sign in</title></head><body>
<h1>Sign in</h1>
<form id="login">
  <label for="user">User name</label> <input id="user" name="user" autocomplete="username">
  <label for="pw">Password</label> <input id="pw" name="pw" type="password" autocomplete="current-password">
  <button id="signin" type="submit">Sign in</button>
</form>
<script src="/login.js"></script></body></html>`,
        headers: { 'content-security-policy': STRICT_CSP },
      },
      // The password never leaves the page: only its length does.
      '/login.js': js(`document.getElementById('login').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem('user', document.getElementById('user').value);
  sessionStorage.setItem('pwlen', String(document.getElementById('pw').value.length));
  location.href = '/notes';
});`),
      '/notes': html(
        'Notes',
        `<h1>Notes</h1>
<div id="note" contenteditable="true" role="textbox" aria-label="Note" style="min-height:3em;border:1px solid #888"></div>
<button id="save" type="button">Save note</button>
<a id="help" href="/help" target="_blank">Open help</a>
<button id="finish" type="button">Finish</button>`,
        `document.getElementById('save').addEventListener('click', () =>
  report('note:' + user + ':' + sessionStorage.getItem('pwlen') + ':' + document.getElementById('note').innerText.trim()));
document.getElementById('finish').addEventListener('click', () => report('finish:' + user));`,
      ),
      '/help': html(
        'Help',
        '<h1>Help</h1><button id="got" type="button">Got it</button> <button id="shop" type="button">Open shop</button>',
        `document.getElementById('got').addEventListener('click', () => report('help'));
document.getElementById('shop').addEventListener('click', () => window.open('/top'));`,
      ),
      ...frame.top,
      '/cups': { body: cups },
      ...spaRoutes(),
    },
    widget: { ...favicon, ...frame.widget },
  };
}

let main;
let widget;
let rec;
let exported;
const suite = roundTripSuite('clawtrail-roundtrip-long-');
const { ctx, recordOn, exportBoth, replay, runDevtools, runOpenClaw } = suite;

/** Resolves to the page of the tab the browser opens at `url`. */
async function tabAt(url) {
  const target = await ctx.chrome.browser.waitForTarget((t) => t.type() === 'page' && t.url() === url, { timeout: 10_000 });
  return target.page();
}

before(async () => {
  await suite.setUp();
  // The widget's origin must be known to the top page and the other way
  // round: start both servers, then fill in the routes.
  const mainRoutes = {};
  const widgetRoutes = {};
  main = await serve(withReports(mainRoutes));
  widget = await serve(withReports(widgetRoutes));
  const r = routes(widget.origin, main.origin);
  Object.assign(mainRoutes, r.main);
  Object.assign(widgetRoutes, r.widget);

  rec = await recordOn(main.url('/login'), 1, async (tab) => {
    await tab.click('#user');
    await tab.keyboard.type('ada');
    await tab.click('#pw');
    await tab.keyboard.type(SECRET);
    await Promise.all([tab.waitForNavigation(), tab.click('#signin')]);
    await tab.waitForSelector('#note');
    await tab.click('#note');
    await tab.keyboard.type('Buy milk');
    await tab.click('#save');

    let opened = tabAt(main.url('/help'));
    await tab.click('#help');
    const help = await opened;
    await waitFor(() => help.evaluate(() => document.readyState === 'complete' && !!document.getElementById('shop')), {
      what: 'the help tab',
    });
    await help.bringToFront();
    await help.click('#got');
    opened = tabAt(main.url('/top'));
    await help.click('#shop');
    const shop = await opened;
    await waitFor(() => shop.url() === main.url('/top'), { what: 'the shop tab' });
    await waitForFrames(ctx.chrome.worker, await tabIdFor(ctx.chrome.worker, main.url('/top')), 2);
    await shop.bringToFront();
    const frame = await waitFor(() => shop.frames().find((f) => f.url() === widget.url('/widget')), {
      what: 'the widget frame',
    });
    await frame.click('#city');
    await shop.keyboard.type('Basel');
    await frame.click('#express');
    await frame.click('#send');
    await waitFor(() => shop.evaluate(() => location.hash === '#delivered'), { what: 'the delivered shop' });

    // Back in tab 1: read for a while, then type a URL.
    await tab.bringToFront();
    await new Promise((r) => setTimeout(r, 3_500));
    await tab.goto(main.url('/cups'));
    const inner = async () => (await tab.$('cup-order')).evaluateHandle((o) => o.shadowRoot.querySelector('cup-label').shadowRoot);
    await tab.waitForFunction(() => document.querySelector('cup-order')?.shadowRoot?.querySelector('cup-label')?.shadowRoot);
    await (await (await inner()).evaluateHandle((r) => r.getElementById('name'))).click();
    await tab.keyboard.type('Grace');
    await (await (await inner()).evaluateHandle((r) => r.getElementById('add'))).click();
    await (await (await tab.$('cup-order')).evaluateHandle((o) => o.shadowRoot.getElementById('checkout'))).click();

    await tab.goBack();
    await waitFor(() => tab.evaluate(() => !!document.getElementById('finish')), { what: 'the notes page again' });
    await tab.click('#finish');
    await tab.goForward();
    await waitFor(() => tab.evaluate(() => !!document.getElementById('to-app')), { what: 'the cups page again' });
    await Promise.all([tab.waitForNavigation(), tab.click('#to-app')]);
    await tab.waitForSelector('#start');
    await tab.click('#start');
    await tab.waitForSelector('#drink');
    await tab.click('#drink');
    await tab.keyboard.type('Latte');
    await tab.focus('#size');
    await tab.keyboard.press('ArrowDown');
    await tab.click('#review');
    await tab.waitForSelector('#confirm');
    await tab.click('#confirm');
    await waitFor(() => tab.evaluate(() => document.getElementById('done')?.textContent), { what: 'the confirmed order' });
    await help.close();
    await shop.close();
  });
  exported = await exportBoth(rec, 'long');
});

after(async () => {
  await suite.tearDown();
  await main?.close();
  await widget?.close();
});

/** What every page reported since `seen` (counts from `mark()`). */
function mark() {
  const kinds = ['long', 'top', 'shadow', 'spa'];
  const at = Object.fromEntries(kinds.map((k) => [k, reports(main, k).length]));
  const w = reports(widget, 'widget').length;
  return () => ({
    ...Object.fromEntries(kinds.map((k) => [k, reports(main, k).slice(at[k])])),
    widget: reports(widget, 'widget').slice(w),
  });
}

const expected = ({ user, note, city, cup, drink }) => ({
  long: [`note:${user}:${SECRET.length}:${note}`, 'help', `finish:${user}`],
  top: [`Delivery to ${city} (express)`],
  widget: [`${city}|true`],
  shadow: [`Cup for ${cup}`],
  spa: [`Ordered ${drink} (medium)`],
});
const RECORDED = { user: 'ada', note: 'Buy milk', city: 'Basel', cup: 'Grace', drink: 'Latte' };

test('the recording holds the whole workflow, in order, and no secret', () => {
  const all = {
    long: reports(main, 'long'),
    top: reports(main, 'top'),
    widget: reports(widget, 'widget'),
    shadow: reports(main, 'shadow'),
    spa: reports(main, 'spa'),
  };
  assert.deepEqual(all, expected(RECORDED), 'the recorded session itself');
  assert.ok(!JSON.stringify(rec).includes(SECRET), 'no password in the recording');
  const tabs = new Set(rec.events.map((e) => e.tab_id));
  assert.ok(tabs.size >= 3, `three tabs: ${[...tabs]}`);
  const causes = rec.events.filter((e) => e.kind.type === 'navigate' && e.frame_path.length === 0).map((e) => `${e.kind.cause}:${new URL(e.url).pathname}`);
  for (const c of ['load:/notes', 'load:/cups', 'back_forward:/notes', 'back_forward:/cups', 'push_state:/app/order', 'hash_change:/app/review']) {
    assert.ok(causes.includes(c), `${c} in ${causes.join(', ')}`);
  }
});

test('the skill: typed URL, two new tabs, Back and Forward are steps of their own', () => {
  const md = exported.skillMd;
  const url = (p) => main.url(p).replaceAll('.', '\\.');
  assert.match(md, new RegExp(`open \`${url('/cups')}\` in tab 1`));
  assert.match(md, /switch to the new tab \(tab 2\) that step \d+ opened/);
  assert.match(md, /switch to the new tab \(tab 3\) that step \d+ opened/);
  assert.match(md, new RegExp(`go back in tab 1 \\(the browser's Back button\\) to \`${url('/notes')}\``));
  assert.match(md, new RegExp(`go forward in tab 1 \\(the browser's Forward button\\) to \`${url('/cups')}\``));
  assert.ok(!md.includes(SECRET));
  // The password is an input with no default, to be asked for.
  assert.match(md, /^- `\{\{\w+\}\}` \(textbox `"Password"`\)(?!.*default)/m);
});

test('clawtrail replay reaches the end with new values', async () => {
  const since = mark();
  const values = { user: 'grace', note: 'Call Bob', city: 'Zürich', cup: 'Ada', drink: 'Flat white' };
  const input = (label) => {
    const m = exported.skillMd.match(new RegExp(`^- \`\\{\\{(\\w+)\\}\\}\` \\(textbox \`"${label}"\`\\)`, 'm'));
    assert.ok(m, `an input for the textbox '${label}'`);
    return m[1];
  };
  const { json } = await replay(rec, 'long', [
    `${input('User name')}=${values.user}`,
    `${input('Password')}=${'x'.repeat(SECRET.length)}`,
    `${input('Note')}=${values.note}`,
    `${input('City')}=${values.city}`,
    `${input('Name on cup')}=${values.cup}`,
    `${input('Drink')}=${values.drink}`,
  ]);
  assert.deepEqual(since(), expected(values));
  assert.equal(json.final_check.actual_url, main.url('/app/review#confirmed'));
});

test('@puppeteer/replay reaches the end with the recorded values', async () => {
  const since = mark();
  const flow = structuredClone(exported.devtools);
  // The redacted password is a {{placeholder}}: fill it in as a user would.
  for (const step of flow.steps) {
    if (step.type === 'change' && /^\{\{.*\}\}$/.test(step.value)) step.value = SECRET;
  }
  await runDevtools(flow, async () => {});
  await waitFor(() => since().spa.length > 0, { what: 'the order under @puppeteer/replay' });
  assert.deepEqual(since(), expected(RECORDED));
});

test('a real OpenClaw gateway runs every plan of the skill to the same end', { skip: openclawSkip() }, async () => {
  const since = mark();
  const values = { user: 'linus', note: 'Water plants', city: 'Genève', cup: 'Alan', drink: 'Mocha' };
  const input = (label) => exported.skillMd.match(new RegExp(`^- \`\\{\\{(\\w+)\\}\\}\` \\(textbox \`"${label}"\`\\)`, 'm'))[1];
  const { total } = await runOpenClaw(exported, {
    [input('User name')]: values.user,
    [input('Password')]: SECRET,
    [input('Note')]: values.note,
    [input('City')]: values.city,
    [input('Name on cup')]: values.cup,
    [input('Drink')]: values.drink,
  });
  assert.ok(total >= 8, `${total} plans`);
  await waitFor(() => since().spa.length > 0, { what: 'the order under OpenClaw' });
  assert.deepEqual(since(), expected(values));
});
