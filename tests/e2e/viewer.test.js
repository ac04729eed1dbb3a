// The Recordings page (viewer.html, Rust/WASM built by scripts/build-extension) in the real
// headless Chromium with the extension loaded, against a real relay process.
// Assertions are on the DOM, on the relay's files (through the CLI) and on
// the downloaded files on disk.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { launch, REPO_ROOT } from './lib/browser.js';
import { pairThroughPopup, storedEvents } from './lib/extension.js';
import { strictPages } from './lib/pages.js';
import { startRelay } from './lib/relay.js';
import { serve } from './lib/server.js';
import { waitFor } from './lib/wait.js';

const run = promisify(execFile);
const EXAMPLES = path.join(REPO_ROOT, 'crates/format/examples');
const ARTIFACTS = path.join(REPO_ROOT, 'target/test-artifacts');
/** Rows the viewer adds per lazy-rendering step (crates/viewer/src/timeline.rs CHUNK). */
const CHUNK = 100;

let chrome;
let relay;
let server;
let token;
let downloads;

async function example(name) {
  return JSON.parse(await fs.readFile(path.join(EXAMPLES, `${name}.json`), 'utf8'));
}

/** Uploads as the extension does: signed by the worker with its key. */
async function upload(rec) {
  const r = await chrome.worker.evaluate((text) => self.clawtrail.upload(text), JSON.stringify(rec));
  assert.equal(r.status, 201, r.text);
  assert.ok(r.verified, 'the relay signed its answer');
}

/** Sets (or, with null, removes) the pairing key the viewer reads. */
async function setToken(value) {
  await chrome.worker.evaluate(async (t) => {
    if (t === null) await chrome.storage.local.remove('relay_key');
    else await chrome.storage.local.set({ relay_key: t });
  }, value);
}

async function openViewer() {
  const page = await chrome.browser.newPage();
  await page.setViewport({ width: 1200, height: 900 });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`chrome-extension://${chrome.extensionId}/viewer.html`);
  page.errors = errors;
  return page;
}

const rowNames = (page) => page.$$eval('tr.recording button.open', (bs) => bs.map((b) => b.textContent));
const rowCount = (page, selector) => page.$$eval(selector, (els) => els.length);

async function waitForRows(page, n) {
  return waitFor(async () => (await rowCount(page, 'tr.recording')) === n, { what: `${n} recording rows` });
}

/** The row of the recording with `id`. */
const row = (id) => `tr.recording[data-id="${id}"]`;

async function downloaded(suffix) {
  return waitFor(async () => {
    const names = await fs.readdir(downloads);
    const done = names.find((n) => n.endsWith(suffix));
    return done && !names.some((n) => n.endsWith('.crdownload')) ? path.join(downloads, done) : null;
  }, { what: `a downloaded *${suffix}` });
}

before(async () => {
  relay = await startRelay();
  server = await serve(strictPages());
  chrome = await launch();
  downloads = await fs.mkdtemp(path.join(os.tmpdir(), 'clawtrail-downloads-'));
  await fs.mkdir(ARTIFACTS, { recursive: true });
  // Pair through the popup with a real code; the viewer reads the key the
  // worker stored.
  await pairThroughPopup(chrome, relay);
  token = await chrome.worker.evaluate(async () => (await chrome.storage.local.get('relay_key')).relay_key);
  assert.ok(token);
  // Downloads land in a folder the test reads.
  const cdp = await chrome.browser.target().createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
});

after(async () => {
  await chrome?.close();
  await relay?.close();
  await server?.close();
  if (downloads) await fs.rm(downloads, { recursive: true, force: true });
});

test('list, search, rename, timeline, exports and delete', async () => {
  const form = await example('multi-page-form');
  const redacted = await example('redacted-fields');
  const frames = await example('iframes-and-shadow-dom');
  for (const rec of [form, redacted, frames]) await upload(rec);

  const page = await openViewer();
  try {
    await waitForRows(page, 3);
    assert.deepEqual(new Set(await rowNames(page)), new Set([form.name, redacted.name, frames.name]));
    // Columns: date, duration, events, tabs.
    const cells = await page.$eval(row(form.id), (tr) =>
      Object.fromEntries([...tr.querySelectorAll('td')].map((td) => [td.className, td.textContent])));
    assert.equal(cells['events num'], String(form.events.length));
    assert.equal(cells['tabs num'], String(form.tabs.length));
    assert.match(cells.date, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    assert.match(cells.duration, /^\d+ (s|min \d{2} s|h \d{2} min)$/);
    assert.equal(await page.$eval('#recordings-status', (e) => e.textContent), '3 recording(s)');

    // Search narrows the list, case-insensitively; clearing restores it.
    const word = form.name.split(/\s+/)[0].toUpperCase();
    await page.type('#search', word);
    await waitFor(async () => (await rowNames(page)).every((n) => n.toUpperCase().includes(word)) &&
      (await rowNames(page)).includes(form.name), { what: 'the search to filter' });
    assert.ok((await rowCount(page, 'tr.recording')) < 3);
    await page.$eval('#search', (i) => { i.value = 'no-such-recording-xyz'; i.dispatchEvent(new Event('input')); });
    await waitForRows(page, 0);
    assert.equal(await page.$eval('#recordings-status', (e) => e.textContent), '0 of 3 recording(s)');
    await page.$eval('#search', (i) => { i.value = ''; i.dispatchEvent(new Event('input')); });
    await waitForRows(page, 3);

    // Rename through the relay; the CLI sees the new name on disk.
    await page.click(`${row(frames.id)} button.rename`);
    await page.$eval(`${row(frames.id)} input.rename-input`, (i) => { i.value = ''; });
    await page.type(`${row(frames.id)} input.rename-input`, 'Renamed from the viewer');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await rowNames(page)).includes('Renamed from the viewer'), { what: 'the renamed row' });
    const listed = (await relay.list()).recordings.find((r) => r.id === frames.id);
    assert.equal(listed.name, 'Renamed from the viewer');
    // A name the format refuses is refused with the relay's message, and
    // nothing changes.
    await page.click(`${row(frames.id)} button.rename`);
    await page.$eval(`${row(frames.id)} input.rename-input`, (i) => { i.value = '   '; });
    await page.click(`${row(frames.id)} button.save`);
    await waitFor(() => page.$eval('#error', (e) => !e.hidden && e.textContent.includes('422')), {
      what: 'the rename error',
    });
    assert.equal((await relay.list()).recordings.find((r) => r.id === frames.id).name, 'Renamed from the viewer');
    await page.click(`${row(frames.id)} button.cancel`);

    // Timeline of the redacted recording: redacted fields say so, and no
    // typed value is invented.
    await page.click(`${row(redacted.id)} button.open`);
    await waitFor(() => page.$eval('#timeline-view', (e) => !e.hidden), { what: 'the timeline view' });
    await waitFor(async () => (await rowCount(page, 'li.step')) === redacted.events.length, { what: 'every step' });
    const isRedacted = (e) => ['input', 'content_edit'].includes(e.kind.type) &&
      (e.kind.value ?? e.kind.text)?.kind === 'redacted';
    const want = redacted.events.filter(isRedacted).map((e) => String(e.seq));
    assert.ok(want.length > 0);
    const shown = await page.$$eval('li.step.redacted', (lis) => lis.map((li) => ({
      seq: li.dataset.seq, what: li.querySelector('.what').textContent, badge: li.querySelector('.badge').textContent,
    })));
    assert.deepEqual(shown.map((s) => s.seq), want);
    for (const s of shown) {
      assert.match(s.what, /\[redacted: [a-z_]+\]/);
      assert.equal(s.badge, 'redacted');
    }
    await page.click('#back');
    await waitFor(() => page.$eval('#list-view', (e) => !e.hidden), { what: 'the list view' });
    assert.equal(await rowCount(page, 'li.step'), 0, 'leaving the timeline drops its rows');

    // Timeline of the multi-page form: one section per page, each step with
    // an icon, a description, its tab, URL and time offset.
    await page.click(`${row(form.id)} button.open`);
    await waitFor(async () => (await rowCount(page, 'li.step')) === form.events.length, { what: 'every step' });
    assert.equal(await page.$eval('#timeline-name', (e) => e.textContent), form.name);
    const sections = await page.$$eval('section.page', (ss) => ss.map((s) => ({
      title: s.querySelector('.page-title').textContent,
      url: s.querySelector('.page-url').textContent,
      first: s.querySelector('li.step').dataset.kind,
      steps: s.querySelectorAll('li.step').length,
    })));
    const navigations = form.events.filter((e) => e.kind.type === 'navigate' && e.frame_path.length === 0);
    assert.ok(navigations.length >= 2);
    assert.ok(sections.length >= navigations.length, JSON.stringify(sections));
    for (const nav of navigations) {
      assert.ok(sections.some((s) => s.url === nav.url && s.first === 'navigate'), `a section for ${nav.url}`);
    }
    assert.equal(sections.reduce((n, s) => n + s.steps, 0), form.events.length);
    const steps = await page.$$eval('li.step', (lis) => lis.map((li) => ({
      kind: li.dataset.kind,
      icon: li.querySelector('.icon').textContent,
      what: li.querySelector('.what').textContent,
      tab: li.querySelector('.tab').textContent,
      url: li.querySelector('.url').textContent,
      offset: li.querySelector('.offset').textContent,
    })));
    form.events.forEach((e, i) => {
      assert.equal(steps[i].kind, e.kind.type);
      assert.ok(steps[i].icon.length > 0);
      assert.equal(steps[i].tab, `tab ${e.tab_id}`);
      assert.equal(steps[i].url, e.url);
      const ms = Date.parse(e.at) - Date.parse(form.started_at);
      const mm = Math.floor(ms / 60000);
      const ss = String(Math.floor(ms / 1000) % 60).padStart(2, '0');
      assert.equal(steps[i].offset, `+${mm}:${ss}.${String(ms % 1000).padStart(3, '0')}`);
    });
    const click = steps.find((s) => s.kind === 'click');
    assert.match(click.what, /^Click \S+ /);
    await page.screenshot({ path: path.join(ARTIFACTS, 'viewer.png'), fullPage: false });

    // Exports: real downloads on disk.
    await page.click('#export-devtools');
    const flowFile = await downloaded('.devtools.json');
    const flow = JSON.parse(await fs.readFile(flowFile, 'utf8'));
    assert.equal(flow.title, form.name);
    assert.ok(Array.isArray(flow.steps) && flow.steps.length > 0);
    assert.ok(flow.steps.some((s) => s.type === 'navigate' && s.url === navigations[0].url), JSON.stringify(flow.steps[0]));
    await page.click('#export-skill');
    const zipFile = await downloaded('.zip');
    const slug = path.basename(zipFile, '.zip');
    const { stdout } = await run('python3', ['-c', `
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps({"names": z.namelist(), "skill": z.read(sys.argv[2] + "/SKILL.md").decode()}))
`, zipFile, slug]);
    const zip = JSON.parse(stdout);
    assert.ok(zip.names.includes(`${slug}/SKILL.md`), zip.names.join(', '));
    assert.ok(zip.names.some((n) => n.startsWith(`${slug}/references/plan-`)), zip.names.join(', '));
    assert.match(zip.skill, /^---\n/);
    await page.click('#back');

    // Delete: the first click only arms the button.
    await page.click(`${row(redacted.id)} button.delete`);
    assert.equal(await page.$eval(`${row(redacted.id)} button.delete`, (b) => b.textContent), 'Really delete?');
    assert.equal((await relay.list()).recordings.length, 3);
    await page.click(`${row(redacted.id)} button.delete`);
    await waitForRows(page, 2);
    const left = (await relay.list()).recordings.map((r) => r.id);
    assert.deepEqual(new Set(left), new Set([form.id, frames.id]));
    await assert.rejects(fs.access(path.join(relay.dataDir, 'recordings', `${redacted.id}.json`)));
    await page.screenshot({ path: path.join(ARTIFACTS, 'viewer-list.png') });
    // The only console error is Chromium logging the refused rename's 422.
    assert.deepEqual(page.errors.filter((e) => !/status of 422/.test(e)), []);
  } finally {
    await page.close();
  }
});

test('a 10,000-event recording opens with a bounded number of rows and loads more lazily', async () => {
  const base = await example('multi-page-form');
  const id = '6f1c2a52-1b1e-4c55-9a55-0d2b6c1e0a10';
  const t0 = Date.parse(base.started_at);
  const events = [];
  for (let i = 0; i < 10_000; i++) {
    const e = structuredClone(base.events[i % base.events.length]);
    e.seq = i;
    e.at = new Date(t0 + i * 10).toISOString();
    events.push(e);
  }
  const big = { ...base, id, name: 'Ten thousand steps', events, ended_at: new Date(t0 + 10_000 * 10).toISOString() };
  await upload(big);

  const page = await openViewer();
  try {
    await waitFor(async () => (await rowNames(page)).includes('Ten thousand steps'), { what: 'the big recording' });
    await page.click(`${row(id)} button.open`);
    await waitFor(async () => (await rowCount(page, 'li.step')) >= CHUNK, { what: 'the first steps', timeout: 20_000 });
    // Only the first chunk is in the DOM, plus a way to get more.
    assert.equal(await rowCount(page, 'li.step'), CHUNK);
    assert.equal(await page.$eval('#timeline-more', (b) => b.hidden), false);
    assert.equal(await page.$eval('#timeline-more', (b) => b.textContent), `Show more (${CHUNK} of 10000 steps shown)`);
    assert.match(await page.$eval('#timeline-meta', (e) => e.textContent), /10000 events/);

    // Scrolling to the end of what is shown renders the next chunk.
    await page.$eval('#timeline-more', (b) => b.scrollIntoView());
    await waitFor(async () => (await rowCount(page, 'li.step')) >= 2 * CHUNK, { what: 'the next chunk on scroll' });
    const afterScroll = await rowCount(page, 'li.step');
    assert.ok(afterScroll <= 3 * CHUNK, `${afterScroll} rows after one scroll`);
    // The button works too, one chunk per click.
    await page.$eval('#timeline-more', (b) => b.click());
    await waitFor(async () => (await rowCount(page, 'li.step')) >= afterScroll + CHUNK, { what: 'a chunk per click' });
    // Steps stay in recording order across chunks and page groups.
    const seqs = await page.$$eval('li.step', (lis) => lis.map((li) => Number(li.dataset.seq)));
    assert.deepEqual(seqs, seqs.map((_, i) => i));
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('pending uploads show their age, next retry and error, and leave once delivered', async () => {
  const page = await openViewer();
  const site = await chrome.browser.newPage();
  try {
    await waitFor(() => page.$eval('#pending-count', (e) => e.textContent === '0'), { what: 'no pending uploads' });
    // Unpaired: the finished recording must wait in chrome.storage.
    await setToken(null);
    const send = (m) => page.evaluate((msg) => chrome.runtime.sendMessage(msg), m);
    assert.equal((await send({ type: 'record' })).status, 'active');
    await site.goto(server.url('/strict?case=viewer-pending'));
    await waitFor(async () => (await storedEvents(chrome.worker)).length > 0, { what: 'a recorded event' });
    const stopped = await send({ type: 'stop' });
    assert.equal(stopped.status, 'idle');

    await page.bringToFront();
    const item = await waitFor(async () => {
      const items = await page.$$eval('li.pending-item', (lis) => lis.map((li) => ({
        text: li.textContent,
        age: li.querySelector('.age')?.textContent,
        next: li.querySelector('.next')?.textContent,
        error: li.querySelector('.last-error')?.textContent,
      })));
      return items.length === 1 && items[0].error ? items[0] : null;
    }, { what: 'the pending upload with its error', timeout: 20_000 });
    assert.equal(await page.$eval('#pending-count', (e) => e.textContent), '1');
    assert.match(item.age, /^recorded \d+ (s|min) ago$/);
    assert.match(item.next, /^(next try in \d+ (s|min)|retrying now)$/);
    assert.match(item.error, /not paired/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'viewer-pending.png') });

    // Paired again and retried: it reaches the relay and leaves the list.
    await setToken(token);
    const before = (await relay.list()).recordings.length;
    await send({ type: 'retry_now' });
    await waitFor(() => page.$eval('#pending-count', (e) => e.textContent === '0'), {
      what: 'the pending list to empty', timeout: 20_000,
    });
    assert.equal((await relay.list()).recordings.length, before + 1);
    assert.deepEqual(page.errors, []);
  } finally {
    await site.close();
    await page.close();
  }
});

test('without a token the viewer says how to pair instead of failing silently', async () => {
  await setToken(null);
  const page = await openViewer();
  try {
    await waitFor(() => page.$eval('#error', (e) => !e.hidden), { what: 'the pairing hint' });
    assert.match(await page.$eval('#error', (e) => e.textContent), /clawtrail pair/);
    assert.equal(await rowCount(page, 'tr.recording'), 0);
  } finally {
    await page.close();
    await setToken(token);
  }
});

test('the popup opens the viewer', async () => {
  const popup = await chrome.browser.newPage();
  try {
    await popup.goto(`chrome-extension://${chrome.extensionId}/popup.html`);
    const opened = chrome.browser.waitForTarget((t) => t.url().endsWith('/viewer.html'), { timeout: 10_000 });
    await popup.click('#open-viewer');
    const target = await opened;
    const viewer = await target.page();
    await waitFor(async () => (await rowCount(viewer, 'tr.recording')) > 0, { what: 'the viewer list' });
    await viewer.close();
  } finally {
    await popup.close();
  }
});
