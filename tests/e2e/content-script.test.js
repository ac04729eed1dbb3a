// The content script runs at document_start in every frame of a page whose
// CSP forbids WebAssembly, and the page really does forbid it.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch } from './lib/browser.js';
import { ping, tabIdFor, waitForFrames } from './lib/extension.js';
import { strictPages, watchPage } from './lib/pages.js';
import { serve } from './lib/server.js';

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

for (const [path, childUrl] of [
  ['/strict', 'about:srcdoc'],
  ['/strict-framed', '/frame'],
]) {
  test(`runs at document_start in the top frame and the iframe of ${path}`, async (t) => {
    const page = await chrome.browser.newPage();
    const watch = await watchPage(page);
    try {
      const url = server.url(`${path}?case=start`);
      const response = await page.goto(url);
      assert.match(response.headers()['content-security-policy'], /^default-src 'none'; script-src 'self'/);
      const tabId = await tabIdFor(chrome.worker, url);
      const frames = await waitForFrames(chrome.worker, tabId, 2);
      assert.equal(frames.length, 2, 'one hello per frame, no duplicates');

      const answers = [];
      for (const f of frames) answers.push({ ...(await ping(chrome.worker, tabId, f.frame_id)), f });
      answers.sort((a, b) => a.frame.length - b.frame.length);
      const [top, child] = answers;

      assert.deepEqual(top.frame, []);
      assert.equal(top.f.frame_id, 0, 'the top frame is frame 0');
      assert.equal(top.f.url, url);
      assert.deepEqual(child.frame, [0]);
      assert.equal(child.f.url, childUrl.startsWith('/') ? server.url(childUrl) : childUrl);
      for (const a of answers) {
        assert.equal(a.ok, true, `init failed: ${a.error}`);
        assert.equal(a.error, null);
        assert.equal(a.recording, false);
        // document_start: the parser had not even finished the document.
        assert.equal(a.ready_state_at_start, 'loading');
        assert.equal(typeof a.init_ms, 'number');
        t.diagnostic(`content script init ${JSON.stringify(a.frame)}: ${a.init_ms.toFixed(1)} ms`);
      }

      // The page saw no violation in its main world, and no world reported
      // an exception, a CSP refusal or a wasm compile error.
      assert.deepEqual(await page.evaluate(() => window.__violations), []);
      assert.deepEqual(watch.problems, []);
    } finally {
      await watch.detach();
      await page.close();
    }
  });
}

// A minimal valid module: the magic number and version 1, nothing else.
async function instantiateInIsolatedWorld(tabId) {
  const [result] = await chrome.worker.evaluate(
    (id) =>
      chrome.scripting.executeScript({
        target: { tabId: id, frameIds: [0] },
        world: 'ISOLATED',
        func: async () => {
          try {
            await WebAssembly.instantiate(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
            return { ok: true };
          } catch (e) {
            return { ok: false, name: e.name, message: e.message };
          }
        },
      }),
    tabId,
  );
  return result.result;
}

test('the strict page really forbids WebAssembly in the content-script world', async () => {
  const page = await chrome.browser.newPage();
  try {
    const strictUrl = server.url('/strict?case=wasm');
    await page.goto(strictUrl);
    const strict = await instantiateInIsolatedWorld(await tabIdFor(chrome.worker, strictUrl));
    assert.equal(strict.ok, false, 'WebAssembly compiled despite the CSP');
    assert.equal(strict.name, 'CompileError');
    // Chromium's message is just "WebAssembly.instantiate(): "; the name
    // and the control below are what prove the policy blocked it.

    // Control: the very same call succeeds on a page without a CSP, so the
    // failure above is the policy and not the probe.
    const plainUrl = server.url('/plain?case=wasm');
    await page.goto(plainUrl);
    const plain = await instantiateInIsolatedWorld(await tabIdFor(chrome.worker, plainUrl));
    assert.deepEqual(plain, { ok: true });
  } finally {
    await page.close();
  }
});

test('a content script cannot start a recording', async () => {
  const page = await chrome.browser.newPage();
  try {
    const url = server.url('/plain?case=forbidden');
    await page.goto(url);
    const tabId = await tabIdFor(chrome.worker, url);
    const [{ result }] = await chrome.worker.evaluate(
      (id) =>
        chrome.scripting.executeScript({
          target: { tabId: id },
          world: 'ISOLATED',
          func: () => chrome.runtime.sendMessage({ type: 'record' }),
        }),
      tabId,
    );
    assert.deepEqual(result, { ok: false, error: 'forbidden' });
    assert.equal((await chrome.worker.evaluate(() => self.clawtrail.status())).status, 'idle');
  } finally {
    await page.close();
  }
});
