// Sensitive fields: passwords (also after a show-password toggle, whether
// it changes the input's type, replaces the input with a new one or hides
// it behind another), one-time codes, card data, hidden inputs, and the
// secrets no attribute announces: a PIN drawn as dots by
// `-webkit-text-security`, a card number known only by its name, an IBAN
// or a password known only by a label in German or French. Their values
// must appear nowhere: not in any stored event, not anywhere in
// chrome.storage.local, not in the recording the relay stored, not in any
// file `clawtrail export` writes. The events still say the field was
// filled (a redaction marker), and no keystroke on those fields is
// recorded.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { launch } from './lib/browser.js';
import { localStorageDump, pairThroughPopup, storedEvents, workerStatus } from './lib/extension.js';
import { openPage, startRecording, stopRecording, summary, waitForEvents } from './lib/capture.js';
import { startRelay } from './lib/relay.js';
import { clawtrail, readTree } from './lib/roundtrip.js';
import { serve } from './lib/server.js';
import { waitFor } from './lib/wait.js';

const SECRETS = {
  pw: 'Pw-s3cret-One',
  toggled: 'Tg-s3cret-Two',
  otp: '428133',
  cc: '4111111111111111',
  exp: '12/31',
  hidden: 'Hd-s3cret-Three',
  pin: '731904',
  cardnumber: '5500005555555559',
  iban: 'DE89370400440532013000',
  konto: '0532013000',
  motdepasse: 'Mdp-s3cret-Four',
  swapped: 'Sw-s3cret-Five',
  hiddenSwap: 'Hs-s3cret-Six',
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
<!-- Neutral ids and names (a1...): only the style, the name, the label or
     the swap can tell these are secrets. -->
<form id="pay">
  <input id="a1" name="field1" inputmode="numeric" style="-webkit-text-security: disc">
  <input id="a2" name="cardnumber">
  <label for="a3">IBAN</label> <input id="a3" name="field3">
  <label for="a4">Kontonummer</label> <input id="a4" name="field4">
  <label for="a5">Mot de passe</label> <input id="a5" name="field5">
</form>
<form id="swap">
  <!-- A toggle that replaces the password input with a new text input. -->
  <span class="wrap"><input type="password" id="a6" name="field6"><button type="button" id="eye">Show</button></span>
  <!-- One that hides the password input and shows a text input beside it. -->
  <span class="wrap"><input type="password" id="b1" name="field7"><input type="text" id="b2" name="field8" hidden><button type="button" id="eye2">Show</button></span>
</form>
<script>
  document.getElementById('token').value = ${JSON.stringify(SECRETS.hidden)};
  // A show-password toggle, as sites write it.
  document.getElementById('show').addEventListener('click', () => {
    document.getElementById('pw2').type = 'text';
  });
  document.getElementById('eye').addEventListener('click', () => {
    const old = document.getElementById('a6');
    const shown = document.createElement('input');
    shown.type = 'text';
    shown.id = 'a7';
    shown.name = 'field2';
    shown.value = old.value;
    old.replaceWith(shown);
  });
  document.getElementById('eye2').addEventListener('click', () => {
    const pw = document.getElementById('b1');
    const text = document.getElementById('b2');
    text.value = pw.value;
    pw.hidden = true;
    text.hidden = false;
  });
  for (const form of document.forms) form.addEventListener('submit', (e) => e.preventDefault());
</script>
</body></html>`;

let chrome;
let server;
let relay;
// The recording the first test makes; the second stops it and follows it
// to the relay and into the exports.
let recordingId;
before(async () => {
  server = await serve({
    '/login': { body: PAGE },
    '/favicon.ico': { body: '', status: 204, type: 'image/x-icon' },
  });
  relay = await startRelay();
  chrome = await launch();
  await pairThroughPopup(chrome, relay);
});
after(async () => {
  await chrome?.close();
  await relay?.stop();
  await server?.close();
  if (relay) await fs.rm(relay.dataDir, { recursive: true, force: true });
});

/** Names of the secrets that occur in `text`. */
function leaked(text) {
  return Object.entries(SECRETS)
    .filter(([, secret]) => text.includes(secret))
    .map(([name]) => name);
}

test('sensitive values never leave the page, but the fills are recorded', async () => {
  await startRecording(chrome);
  ({ id: recordingId } = await workerStatus(chrome.worker));
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
    // The PIN drawn as dots, the card number named cardnumber, the IBAN
    // and account number labelled "IBAN" and "Kontonummer", the password
    // labelled "Mot de passe".
    for (const [css, secret] of [
      ['#a1', SECRETS.pin],
      ['#a2', SECRETS.cardnumber],
      ['#a3', SECRETS.iban],
      ['#a4', SECRETS.konto],
      ['#a5', SECRETS.motdepasse],
    ]) {
      await page.click(css);
      await page.keyboard.type(secret);
      await page.keyboard.press('Enter'); // significant, but on a secret
    }
    // Replaced: half typed into the password input, half into the text
    // input that took its place.
    await page.click('#a6');
    await page.keyboard.type(SECRETS.swapped.slice(0, 6));
    await page.click('#eye');
    await page.click('#a7');
    await page.keyboard.type(SECRETS.swapped.slice(6));
    // Hidden: the same with a text input shown where the password was.
    await page.click('#b1');
    await page.keyboard.type(SECRETS.hiddenSwap.slice(0, 6));
    await page.click('#eye2');
    await page.click('#b2');
    await page.keyboard.type(SECRETS.hiddenSwap.slice(6));
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
    assert.deepEqual(byCss['#a1'].value, { kind: 'redacted', reason: 'masked' });
    assert.equal(byCss['#a1'].target.masked, true);
    assert.deepEqual(byCss['#a2'].value, { kind: 'redacted', reason: 'card_data' });
    assert.deepEqual(byCss['#a3'].value, { kind: 'redacted', reason: 'bank_account' });
    assert.deepEqual(byCss['#a4'].value, { kind: 'redacted', reason: 'bank_account' });
    assert.deepEqual(byCss['#a5'].value, { kind: 'redacted', reason: 'password' });
    assert.deepEqual(byCss['#a6'].value, { kind: 'redacted', reason: 'password' });
    // The replacements, named neutrally: redacted because they took a
    // password input's place, and marked so.
    for (const css of ['#a7', '#b2']) {
      assert.ok(byCss[css], `an input event for ${css}: ${summary(events).join(' ')}`);
      assert.deepEqual(byCss[css].value, { kind: 'redacted', reason: 'password' }, css);
      assert.equal(byCss[css].target.was_password, true, css);
      assert.equal(byCss[css].target.input_type, 'text', css);
    }
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
    assert.deepEqual(leaked(everything), [], 'secrets in chrome.storage.local');
    assert.ok(everything.includes('visible'), 'control: the plain value was stored');
  } finally {
    await page.close();
  }
});

test('the relay stores no secret, and no export contains one', async () => {
  assert.ok(recordingId, 'the first test recorded');
  await stopRecording(chrome);
  const stored = await waitFor(async () => {
    const { recordings } = await relay.list();
    return recordings.some((r) => r.id === recordingId) ? relay.show(recordingId) : null;
  }, { timeout: 15_000, what: `recording ${recordingId} at the relay` });
  assert.ok(stored.events.some((e) => e.kind.type === 'input'), 'the recording has its inputs');

  // Every file of the data directory: the recording as stored on disk.
  const onDisk = await readTree(relay.dataDir);
  const recordingFile = Object.keys(onDisk).find((p) => p.endsWith(`${recordingId}.json`));
  assert.ok(recordingFile, `the recording file among ${Object.keys(onDisk).join(', ')}`);
  for (const [file, text] of Object.entries(onDisk)) {
    assert.deepEqual(leaked(text), [], `secrets in ${file}`);
  }
  assert.ok(onDisk[recordingFile].includes('visible'), 'control: the plain value was stored');

  const outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'clawtrail-sensitive-export-'));
  try {
    for (const format of ['openclaw-skill', 'devtools']) {
      const r = await clawtrail(relay.dataDir, ['export', recordingId, '--format', format, '--out', outDir, '--json']);
      assert.equal(r.code, 0, `${format}: ${r.stderr}`);
      assert.deepEqual(leaked(r.stdout + r.stderr), [], `secrets in the output of export ${format}`);
    }
    const files = await readTree(outDir);
    const skillMd = Object.entries(files).find(([p]) => p.endsWith('SKILL.md'));
    assert.ok(skillMd, 'a SKILL.md was written');
    assert.ok(Object.keys(files).some((p) => p.endsWith('.devtools.json')), 'a DevTools flow was written');
    for (const [file, text] of Object.entries(files)) {
      assert.deepEqual(leaked(text), [], `secrets in ${file}`);
    }
    assert.ok(skillMd[1].includes('visible'), 'control: the plain value is a default in SKILL.md');
  } finally {
    await fs.rm(outDir, { recursive: true, force: true });
  }
});
