// Record -> export -> replay, end to end, on the page shapes that break
// naive recorders: an SPA (pushState and hash routes), a cross-origin
// iframe form, and controls two open shadow roots deep. Each recording is
// made with trusted input in Debian Chromium with the real extension and
// delivered to a real relay; `clawtrail export` writes both formats and
// `clawtrail replay` runs it in a fresh Chromium with a NEW typed value.
// The pages report their end state to the test servers (lib/reports.js),
// and that state depends on the typed value, so a replay that skipped or
// mistyped a step cannot pass. The SPA's DevTools export is also run by
// the real @puppeteer/replay.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { reports, withReports } from './lib/reports.js';
import { iframeRoutes, shadowRoutes, spaRoutes } from './lib/roundtrip-pages.js';
import { openclawSkip, roundTripSuite } from './lib/roundtrip.js';
import { serve } from './lib/server.js';
import { waitFor } from './lib/wait.js';

const favicon = { '/favicon.ico': { body: '', status: 204, type: 'image/x-icon' } };

const suite = roundTripSuite('clawtrail-roundtrip-pages-');
const { recordOn, exportBoth, replay, runDevtools, runOpenClaw } = suite;
before(suite.setUp);
after(suite.tearDown);
const navigations = (rec) => rec.events.filter((e) => e.kind.type === 'navigate');

describe('SPA with pushState and hash routes', () => {
  let server;
  let rec;
  let exported;

  before(async () => {
    server = await serve(withReports({ ...favicon, ...spaRoutes() }));
    rec = await recordOn(server.url('/app'), 1, async (page) => {
      await page.click('#start');
      await page.waitForSelector('#drink');
      await page.click('#drink');
      await page.keyboard.type('Latte');
      // A user picks with the keyboard; page.select() is untrusted input.
      await page.focus('#size');
      await page.keyboard.press('ArrowDown');
      await page.click('#review');
      await page.waitForSelector('#confirm');
      await page.click('#confirm');
      await waitFor(() => page.evaluate(() => document.getElementById('done')?.textContent), {
        what: 'the confirmed view while recording',
      });
    });
    exported = await exportBoth(rec, 'spa');
  });
  after(() => server?.close());

  test('the recording holds the client-side route changes', () => {
    assert.deepEqual(reports(server, 'spa'), ['Ordered Latte (medium)'], 'the recorded session itself');
    // The page was loaded before Record, so no `load` navigation.
    const navs = navigations(rec).map((e) => [e.kind.cause, e.url]);
    assert.deepEqual(navs, [
      ['push_state', server.url('/app/order')],
      ['push_state', server.url('/app/review')],
      ['hash_change', server.url('/app/review#confirmed')],
    ]);
    assert.ok(rec.events.some((e) => e.kind.type === 'input' && e.kind.value.kind === 'text' && e.kind.value.text === 'Latte'));
  });

  test('the skill names the typed drink as an input', () => {
    assert.match(exported.skillMd, /\bdrink\b/);
  });

  test('clawtrail replay ends on the same route with the replayed order', async () => {
    const before = reports(server, 'spa').length;
    const { json } = await replay(rec, 'spa', ['drink=Flat white']);
    assert.equal(json.final_check.expected_url, server.url('/app/review#confirmed'));
    assert.equal(json.final_check.actual_url, server.url('/app/review#confirmed'));
    // The step model of docs/EXPORTS.md: the keyboard pick of the size is
    // a focus + press (an arrow key) and then the select it caused.
    assert.deepEqual(json.steps.map((s) => s.action), [
      "click link 'Start an order'",
      "type {{drink}} into textbox 'Drink'",
      "focus combobox 'Size'",
      'press ArrowDown',
      'select "Medium" in combobox \'Size\'',
      "click button 'Review order'",
      "click button 'Confirm order'",
    ]);
    // The last view exists only if all routes ran in one document, and it
    // shows the NEW drink and the size chosen in the recording.
    assert.deepEqual(reports(server, 'spa').slice(before), ['Ordered Flat white (medium)']);
    // Only /app was loaded from the server, once per run: the routes are
    // pushState/hash, not page loads.
    assert.ok(!server.requests.includes('/app/order'), 'no page load of /app/order');
    assert.ok(!server.requests.includes('/app/review'), 'no page load of /app/review');
  });

  test('@puppeteer/replay runs the DevTools export to the same route and content', async () => {
    const seen = reports(server, 'spa').length;
    await runDevtools(exported.devtools, async (page) => {
      const done = await waitFor(() => page.evaluate(() => document.getElementById('done')?.textContent), {
        what: 'the confirmed view under @puppeteer/replay',
      });
      assert.equal(page.url(), server.url('/app/review#confirmed'));
      // The flow carries the recorded value (Latte) as the change step's value.
      assert.equal(done, 'Ordered Latte (medium)');
    });
    assert.deepEqual(reports(server, 'spa').slice(seen), ['Ordered Latte (medium)']);
  });

  test('a real OpenClaw gateway runs the plans to the same route with a new drink', { skip: openclawSkip() }, async () => {
    const seen = reports(server, 'spa').length;
    await runOpenClaw(exported, { drink: 'Cortado' });
    assert.deepEqual(reports(server, 'spa').slice(seen), ['Ordered Cortado (medium)']);
  });
});

describe('cross-origin iframe form', () => {
  let top;
  let widget;
  let rec;
  let exported;

  before(async () => {
    // Two servers, two ports: two origins. Each page names the other's
    // origin, known only once both listen; serve() looks routes up per
    // request, so they are filled in afterwards.
    const topRoutes = { ...favicon };
    const widgetRoutes = { ...favicon };
    top = await serve(withReports(topRoutes));
    widget = await serve(withReports(widgetRoutes));
    const routes = iframeRoutes(top.origin, widget.origin);
    Object.assign(topRoutes, routes.top);
    Object.assign(widgetRoutes, routes.widget);
    rec = await recordOn(top.url('/top'), 2, async (page) => {
      const frame = await waitFor(() => page.frames().find((f) => f.url() === widget.url('/widget')), {
        what: 'the widget frame',
      });
      await frame.click('#city');
      await page.keyboard.type('Lyon');
      await frame.click('#express');
      await frame.click('#send');
      await waitFor(() => page.evaluate(() => location.hash === '#delivered'), {
        what: 'the top page to get the widget message while recording',
      });
    });
    exported = await exportBoth(rec, 'iframe');
  });
  after(async () => {
    await top?.close();
    await widget?.close();
  });

  test('the recording holds the frame path of every widget event', () => {
    assert.deepEqual(reports(top, 'top'), ['Delivery to Lyon (express)'], 'the recorded session itself');
    assert.deepEqual(reports(widget, 'widget'), ['Lyon|true']);
    const inFrame = rec.events.filter((e) => e.url === widget.url('/widget'));
    assert.ok(inFrame.length >= 3, JSON.stringify(rec.events.map((e) => [e.kind.type, e.url])));
    for (const e of inFrame) assert.deepEqual(e.frame_path, [0]);
    assert.deepEqual(navigations(rec).map((e) => [e.kind.cause, e.url]), [
      ['hash_change', top.url('/top#delivered')],
    ]);
  });

  test('clawtrail replay drives the cross-origin form and the top page receives it', async () => {
    const seenTop = reports(top, 'top').length;
    const seenWidget = reports(widget, 'widget').length;
    const { json } = await replay(rec, 'iframe', ['city=Nantes']);
    assert.equal(json.final_check.expected_url, top.url('/top#delivered'));
    assert.equal(json.final_check.actual_url, top.url('/top#delivered'));
    assert.deepEqual(json.steps.map((s) => s.action), [
      "type {{city}} into textbox 'City'",
      "check checkbox 'Express'",
      "click button 'Send'",
    ]);
    assert.deepEqual(reports(widget, 'widget').slice(seenWidget), ['Nantes|true']);
    // The message crossed origins to the top page, which checks the sender.
    assert.deepEqual(reports(top, 'top').slice(seenTop), ['Delivery to Nantes (express)']);
  });

  // The Send click happens in the iframe but changes the top page's URL:
  // the export checks that with a top-frame waitForExpression rather than
  // an assertedEvents navigation on the iframe step, which @puppeteer/replay
  // would wait for in the iframe (where it never comes).
  test('@puppeteer/replay runs the DevTools export through the cross-origin iframe', async () => {
    const flow = exported.devtools;
    const send = flow.steps.findIndex((st) => st.type === 'click' && JSON.stringify(st.selectors).includes('Send'));
    assert.ok(send > 0, 'the Send click is in the flow');
    assert.deepEqual(flow.steps[send].frame, [0]);
    assert.equal(flow.steps[send].assertedEvents, undefined);
    assert.equal(flow.steps[send + 1].type, 'waitForExpression');
    assert.equal(flow.steps[send + 1].frame, undefined, 'checked in the top frame');
    const seenTop = reports(top, 'top').length;
    await runDevtools(exported.devtools, async (page) => {
      await waitFor(() => page.evaluate(() => location.hash === '#delivered'), {
        what: 'the top page to receive the widget message under @puppeteer/replay',
      });
    });
    assert.deepEqual(reports(top, 'top').slice(seenTop), ['Delivery to Lyon (express)']);
  });

  test('a real OpenClaw gateway drives the cross-origin form', { skip: openclawSkip() }, async () => {
    const seenTop = reports(top, 'top').length;
    const seenWidget = reports(widget, 'widget').length;
    await runOpenClaw(exported, { city: 'Lille' });
    assert.deepEqual(reports(widget, 'widget').slice(seenWidget), ['Lille|true']);
    assert.deepEqual(reports(top, 'top').slice(seenTop), ['Delivery to Lille (express)']);
  });
});

describe('two levels of open shadow roots', () => {
  let server;
  let rec;
  let exported;

  before(async () => {
    server = await serve(withReports({ ...favicon, ...shadowRoutes() }));
    rec = await recordOn(server.url('/cups'), 1, async (page) => {
      await page.click('cup-order >>> cup-label >>> #name');
      await page.keyboard.type('Grace');
      await page.click('cup-order >>> cup-label >>> #add');
      await page.click('cup-order >>> #checkout');
      await waitFor(() => reports(server, 'shadow').length === 1, { what: 'the checkout while recording' });
    });
    exported = await exportBoth(rec, 'shadow');
  });
  after(() => server?.close());

  test('the recording names the shadow host chain of each control', () => {
    assert.deepEqual(reports(server, 'shadow'), ['Cup for Grace'], 'the recorded session itself');
    const input = rec.events.find((e) => e.kind.type === 'input');
    const inner = ['#order', 'section > cup-label'];
    assert.deepEqual(input.kind.target.shadow_hosts, inner);
    const clicks = rec.events.filter((e) => e.kind.type === 'click').map((e) => e.kind.target.shadow_hosts);
    assert.deepEqual(clicks.slice(-2), [inner, ['#order']]);
  });

  test('clawtrail replay types and clicks inside both shadow roots', async () => {
    const seen = reports(server, 'shadow').length;
    const { json } = await replay(rec, 'shadow', ['name_on_cup=Alan']);
    assert.equal(json.final_check.actual_url, server.url('/cups'));
    // type name, add, checkout.
    assert.deepEqual(json.steps.map((s) => s.action), [
      "type {{name_on_cup}} into textbox 'Name on cup'",
      "click button 'Add name'",
      "click button 'Checkout'",
    ]);
    assert.deepEqual(reports(server, 'shadow').slice(seen), ['Cup for Alan']);
  });

  test('@puppeteer/replay runs the DevTools export through both shadow roots', async () => {
    const seen = reports(server, 'shadow').length;
    await runDevtools(exported.devtools, async (page) => {
      const out = await page.$eval('cup-order >>> #out', (o) => o.textContent);
      assert.equal(out, 'Cup for Grace');
    });
    assert.deepEqual(reports(server, 'shadow').slice(seen), ['Cup for Grace']);
  });

  test('a real OpenClaw gateway types and clicks inside both shadow roots', { skip: openclawSkip() }, async () => {
    const seen = reports(server, 'shadow').length;
    await runOpenClaw(exported, { name_on_cup: 'Barbara' });
    assert.deepEqual(reports(server, 'shadow').slice(seen), ['Cup for Barbara']);
  });
});
