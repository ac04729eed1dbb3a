// Sensitive fields: passwords (also after a show-password toggle), one-time
// codes, card data and hidden inputs. Their values must appear nowhere: not
// in any stored event, not anywhere in chrome.storage.local. The events
// still say the field was filled (a redaction marker), and no keystroke on
// those fields is recorded.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch } from './lib/browser.js';
import { localStorageDump, storedEvents } from './lib/extension.js';
import { openPage, startRecording, summary, waitForEvents } from './lib/capture.js';
import { serve } from './lib/server.js';

const SECRETS = {
  pw: 'Pw-s3cret-One',
  toggled: 'Tg-s3cret-Two',
  otp: '428133',
  cc: '4111111111111111',
  exp: '12/31',
  hidden: 'Hd-s3cret-Three',
};

const PAGE = `<!doctype html><html><head><title>Sign in</title></head><body>
<form id="login">
  <label for="pw">Password</label> <input type="password" id="pw" name="pw">
  <input type="password" id="pw2" name="pw2" aria-label="New password">
  <button type="button" id="show">Show</button>
  <input id="otp" name="otp" autocomplete="one-time-code">
  <input id="cc" name="cc" autocomplete="billing cc-number">
  <input id="exp" name="exp" autocomplete="cc-exp">
  <input type="hidden" id="token" name="token">
  <input id="plain" name="plain">
</form>
<script>
  document.getElementById('token').value = ${JSON.stringify(SECRETS.hidden)};
  // A show-password toggle, as sites write it.
  document.getElementById('show').addEventListener('click', () => {
    document.getElementById('pw2').type = 'text';
  });
  document.getElementById('login').addEventListener('submit', (e) => e.preventDefault());
</script>
</body></html>`;

let chrome;
let server;
before(async () => {
  server = await serve({
    '/login': { body: PAGE },
    '/favicon.ico': { body: '', status: 204, type: 'image/x-icon' },
  });
  chrome = await launch();
});
after(async () => {
  await chrome?.close();
  await server?.close();
});

test('sensitive values never leave the page, but the fills are recorded', async () => {
  await startRecording(chrome);
  const { page, tabId } = await openPage(chrome, server.url('/login?case=secrets'));
  try {
    await page.click('#pw');
    await page.keyboard.type(SECRETS.pw);
    await page.keyboard.press('ArrowLeft'); // significant, but on a password field
    await page.click('#pw2');
    await page.keyboard.type(SECRETS.toggled.slice(0, 6));
    await page.click('#show'); // pw2 becomes type=text
    await page.click('#pw2');
    await page.keyboard.type(SECRETS.toggled.slice(6));
    await page.click('#otp');
    await page.keyboard.type(SECRETS.otp);
    await page.keyboard.down('Control');
    await page.keyboard.press('a'); // a shortcut on a sensitive field
    await page.keyboard.up('Control');
    await page.click('#cc');
    await page.keyboard.type(SECRETS.cc);
    await page.click('#exp');
    await page.keyboard.type(SECRETS.exp);
    await page.click('#plain');
    await page.keyboard.type('visible');
    await page.keyboard.press('Tab');

    const events = await waitForEvents(
      chrome,
      tabId,
      (ev) => ev.some((e) => e.kind.type === 'key' && e.kind.key === 'Tab'),
      'the Tab key',
    );
    const inputs = events.filter((e) => e.kind.type === 'input');
    const byCss = Object.fromEntries(inputs.map((e) => [e.kind.target.css, e.kind]));
    assert.deepEqual(byCss['#pw'].value, { kind: 'redacted', reason: 'password' });
    assert.deepEqual(byCss['#otp'].value, { kind: 'redacted', reason: 'one_time_code' });
    assert.deepEqual(byCss['#cc'].value, { kind: 'redacted', reason: 'card_data' });
    assert.deepEqual(byCss['#exp'].value, { kind: 'redacted', reason: 'card_data' });
    assert.deepEqual(byCss['#plain'].value, { kind: 'text', text: 'visible' });
    // Both halves of the toggled field: redacted, and marked as once a password.
    const toggled = inputs.filter((e) => e.kind.target.css === '#pw2');
    assert.equal(toggled.length, 2, summary(events).join(' '));
    for (const e of toggled) {
      assert.deepEqual(e.kind.value, { kind: 'redacted', reason: 'password' });
      assert.equal(e.kind.target.was_password, true);
    }
    assert.equal(toggled[1].kind.target.input_type, 'text');

    // Keys: only the Tab from the plain field; nothing from sensitive ones.
    const keys = events.filter((e) => e.kind.type === 'key');
    assert.deepEqual(
      keys.map((e) => [e.kind.key, e.kind.target?.css]),
      [['Tab', '#plain']],
    );

    // The secrets are nowhere: not in the stored events, not anywhere in
    // chrome.storage.local (which holds every chunk the worker wrote).
    const everything = JSON.stringify(await storedEvents(chrome.worker)) + (await localStorageDump(chrome.worker));
    for (const [name, secret] of Object.entries(SECRETS)) {
      assert.ok(!everything.includes(secret), `the ${name} secret leaked`);
    }
    assert.ok(everything.includes('visible'), 'control: the plain value was stored');
  } finally {
    await page.close();
  }
});
