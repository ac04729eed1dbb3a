// Clicks become events only while recording, only when the user made them
// (trusted input), and arrive at the worker in workflow-format shape.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch } from './lib/browser.js';
import { ping, pressPopupButton, received, storedEvents, tabIdFor, waitForFrames } from './lib/extension.js';
import { strictPages } from './lib/pages.js';
import { serve } from './lib/server.js';
import { waitFor } from './lib/wait.js';

let chrome;
let server;
before(async () => {
  server = await serve(strictPages());
  chrome = await launch();
});
after(async () => {
  await chrome?.close();
  await server?.close();
});

/** A trusted click (CDP Input.dispatchMouseEvent) in the middle of `selector`. */
async function trustedClick(frame, selector) {
  const handle = await frame.$(selector);
  assert.ok(handle, `${selector} exists`);
  await handle.click(); // scrolls into view, then page.mouse: trusted input
  await handle.dispose();
}

test('clicks are recorded only while recording, only when trusted, from every frame', async () => {
  const page = await chrome.browser.newPage();
  try {
    const url = server.url('/strict-framed?case=record');
    await page.goto(url);
    const tabId = await tabIdFor(chrome.worker, url);
    const frames = await waitForFrames(chrome.worker, tabId, 2);
    const child = frames.find((f) => f.frame_id !== 0);
    const childFrame = page.frames().find((f) => f.url() === server.url('/frame'));
    // Ping round trips below prove a frame finished handling earlier input:
    // the click listener runs synchronously and its message is sent before
    // the ping answer.
    const settle = async () => {
      await ping(chrome.worker, tabId, 0);
      await ping(chrome.worker, tabId, child.frame_id);
    };

    // Not recording: a trusted click sends nothing at all.
    await trustedClick(page, '#go');
    await trustedClick(childFrame, '#inner');
    await settle();
    const base = await received(chrome.worker);
    assert.equal(base, 0, 'nothing was sent while not recording');

    await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'record', 'active');
    await page.bringToFront();
    for (const f of frames) {
      await waitFor(async () => (await ping(chrome.worker, tabId, f.frame_id)).recording === true, {
        what: `frame ${f.frame_id} to start recording`,
      });
    }

    // A page script's synthetic click is not the user: refused.
    await page.evaluate(() => document.getElementById('other').click());
    await page.evaluate(() =>
      document.getElementById('other').dispatchEvent(new MouseEvent('click', { bubbles: true })));
    await trustedClick(page, '#go');
    await trustedClick(childFrame, '#inner');
    // Clicks only: the worker also records the tab being activated.
    const clicks = async () => (await storedEvents(chrome.worker)).filter((e) => e.kind.type === 'click');
    const sentClicks = async () =>
      (await chrome.worker.evaluate(() => self.clawtrail.captureLog())).filter((c) => c.type === 'click').length;
    const events = await waitFor(async () => {
      const e = await clicks();
      return e.length >= 2 ? e : null;
    }, { what: 'two recorded clicks' });
    await settle();
    assert.equal(await sentClicks(), 2, 'exactly the two trusted clicks were sent');
    assert.equal((await clicks()).length, 2);

    const [topEvent, innerEvent] = events;
    const top = { event: topEvent };
    const inner = { event: innerEvent };
    assert.equal(topEvent.tab_id, tabId);
    assert.ok(innerEvent.seq > topEvent.seq, 'seq follows the order of the clicks');
    assert.equal(top.event.url, url);
    assert.deepEqual(top.event.frame_path, []);
    assert.ok(Math.abs(Date.parse(top.event.at) - Date.now()) < 60_000, `at = ${top.event.at}`);
    const kind = top.event.kind;
    assert.equal(kind.type, 'click');
    assert.equal(kind.button, 'primary');
    assert.deepEqual(kind.modifiers, { alt: false, ctrl: false, meta: false, shift: false });
    assert.equal(kind.target.css, '#go');
    assert.equal(kind.target.css_unique, true);
    assert.equal(kind.target.xpath, '/html/body/button[1]');
    assert.equal(kind.target.tag, 'button');
    assert.equal(kind.target.text, 'Go');
    assert.deepEqual(kind.target.aria, { role: 'button', name: 'Go' });
    assert.deepEqual(kind.target.frame_path, []);
    const box = await (await page.$('#go')).boundingBox();
    assert.ok(Math.abs(kind.target.bounds.width - box.width) < 1, 'bounds match the button');
    // puppeteer clicks the middle of the element.
    assert.ok(Math.abs(kind.offset.x - box.width / 2) <= 1, `offset.x ${kind.offset.x}`);
    assert.ok(Math.abs(kind.offset.y - box.height / 2) <= 1, `offset.y ${kind.offset.y}`);

    assert.equal(innerEvent.tab_id, tabId);
    assert.deepEqual(inner.event.frame_path, [0]);
    assert.equal(inner.event.url, server.url('/frame'));
    assert.equal(inner.event.kind.target.css, '#inner');
    assert.deepEqual(inner.event.kind.target.frame_path, [0]);

    // Stop: the gate closes again in every frame.
    await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'stop', 'idle');
    await page.bringToFront();
    for (const f of frames) {
      await waitFor(async () => (await ping(chrome.worker, tabId, f.frame_id)).recording === false, {
        what: `frame ${f.frame_id} to stop recording`,
      });
    }
    await trustedClick(page, '#go');
    await settle();
    assert.equal(await sentClicks(), 2, 'nothing more was sent after Stop');
  } finally {
    await page.close();
  }
});

test('a frame that loads during a recording joins it', async () => {
  const page = await chrome.browser.newPage();
  try {
    await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'record', 'active');
    const url = server.url('/strict?case=join');
    await page.goto(url);
    const tabId = await tabIdFor(chrome.worker, url);
    const frames = await waitForFrames(chrome.worker, tabId, 2);
    for (const f of frames) {
      await waitFor(async () => (await ping(chrome.worker, tabId, f.frame_id)).recording === true, {
        what: `new frame ${f.frame_id} to be recording`,
      });
    }
  } finally {
    await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'stop', 'idle');
    await page.close();
  }
});
