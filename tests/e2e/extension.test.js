// The built extension loads as the user would load it, with the pinned id
// and exactly the permissions its manifest promises.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { EXTENSION_ID, launch } from './lib/browser.js';

let chrome;
before(async () => {
  chrome = await launch();
});
after(async () => {
  await chrome?.close();
});

test('the extension loads with the pinned id', async () => {
  assert.equal(chrome.extensionId, EXTENSION_ID);
  assert.equal(await chrome.worker.evaluate(() => chrome.runtime.id), EXTENSION_ID);
});

test('the loaded manifest grants exactly the six permissions and only localhost', async () => {
  const manifest = await chrome.worker.evaluate(() => chrome.runtime.getManifest());
  assert.deepEqual(
    [...manifest.permissions].sort(),
    ['activeTab', 'alarms', 'scripting', 'storage', 'tabs', 'unlimitedStorage'],
  );
  assert.deepEqual(manifest.host_permissions, ['http://localhost/*', 'http://127.0.0.1/*']);
  assert.equal(manifest.optional_permissions, undefined);
  assert.equal(manifest.externally_connectable, undefined);
  assert.equal(manifest.manifest_version, 3);
  const [cs, main] = manifest.content_scripts;
  assert.equal(manifest.content_scripts.length, 2);
  assert.deepEqual(cs.js, ['content.js']);
  assert.equal(cs.run_at, 'document_start');
  assert.equal(cs.all_frames, true);
  assert.equal(cs.world, undefined, 'the recorder runs in the isolated world');
  // The ElementInternals helper, the only script in the page's world.
  assert.deepEqual(main.js, ['internals.js']);
  assert.equal(main.world, 'MAIN');
  assert.equal(main.run_at, 'document_start');
  assert.equal(main.all_frames, true);
});

test('the worker answers status and the popup has its controls', async () => {
  // Point the worker at a loopback port where nothing listens.
  const closed = await new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
  await chrome.worker.evaluate((p) => self.clawtrail.setRelayPort(p), closed);
  const status = await chrome.worker.evaluate(() => self.clawtrail.status());
  assert.equal(status.ok, true);
  assert.equal(status.status, 'idle');
  assert.deepEqual(status.pending, []);
  assert.equal(status.relay, 'not_running');

  const popup = await chrome.browser.newPage();
  try {
    await popup.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
    for (const id of ['record', 'pause', 'stop', 'retry', 'pair-code', 'pair', 'events', 'elapsed', 'relay']) {
      assert.ok(await popup.$(`#${id}`), `#${id} exists`);
    }
    // popup.js asked the worker for its status on load.
    await popup.waitForFunction(() => document.body.dataset.status === 'idle');
    assert.equal(await popup.$eval('#record', (b) => b.disabled), false);
    assert.equal(await popup.$eval('#stop', (b) => b.disabled), true);
  } finally {
    await popup.close();
  }
});

test('the keyboard command is registered and its toggle starts and stops recording', async () => {
  const commands = await chrome.worker.evaluate(() => chrome.commands.getAll());
  const toggle = commands.find((c) => c.name === 'toggle-recording');
  assert.ok(toggle, 'the toggle-recording command is registered');
  assert.equal(toggle.description, 'Start or stop recording');
  // The suggested key is in the manifest; whether the browser binds it
  // (it does not for extensions loaded from the command line in headless
  // mode) is the browser's and the user's call (chrome://extensions/shortcuts).
  const manifest = await chrome.worker.evaluate(() => chrome.runtime.getManifest());
  assert.equal(manifest.commands['toggle-recording'].suggested_key.default, 'Alt+Shift+R');
  // CDP cannot press a browser-level shortcut in headless mode. The
  // command's listener calls the worker's toggle(), which extension pages
  // reach with {type: "toggle"}: drive that from the real popup page.
  const popup = await chrome.browser.newPage();
  try {
    await popup.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
    const send = (type) => popup.evaluate((t) => chrome.runtime.sendMessage({ type: t }), type);
    const on = await send('toggle');
    assert.equal(on.ok, true);
    assert.equal(on.status, 'active');
    const off = await send('toggle');
    assert.equal(off.status, 'idle');
  } finally {
    await popup.close();
  }
});
