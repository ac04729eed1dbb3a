// clawtrail service worker: glue between chrome.* APIs and worker-core
// (Rust, see worker-core/src). Rust decides: which seq an event gets, what a
// flush writes, how a recording is assembled and validated, when to retry,
// when data expires. This file only performs the storage writes, the
// messaging and the HTTP requests those decisions call for.
//
// Chromium may stop this worker at any moment. Nothing here lives only in
// memory: recording state is in chrome.storage.session, events are in
// chrome.storage.local (flushed before a content script gets its ack), and
// `ready` rebuilds the Rust session from storage on every start.
import * as core from 'clawtrail-worker-core';

const DEEP_LINK = 'multiclaw://wake';
const ALARM_KEEPALIVE = 'keepalive';
const ALARM_RETRY = 'retry';
const ALARM_EXPIRY = 'expiry';
// The pairing key (JSON, from worker-core) and the port our relay last
// proved itself on. The key is never sent anywhere: requests carry an HMAC
// made with it (worker-core/src/relay.rs).
const KEY_KEY = 'relay_key';
const PORT_KEY = 'relay_port';
// Where earlier versions kept a bearer token; dropped on pairing.
const LEGACY_TOKEN_KEY = 'relay_token';
// Tests move the clock forward to exercise the 7-day expiry (setClockOffset)
// and run their relay on a free port (setRelayPort). Both are reachable only
// through DevTools, never through a message, and only in a test build:
// scripts/build-extension defines CLAWTRAIL_TEST_HOOKS as false for
// --release, and esbuild drops every block it guards, so what users install
// neither reads these keys nor exposes `self.clawtrail`.
/* global CLAWTRAIL_TEST_HOOKS */
const CLOCK_KEY = CLAWTRAIL_TEST_HOOKS ? 'debug_clock_offset_ms' : null;
const RELAY_PORT_KEY = CLAWTRAIL_TEST_HOOKS ? 'debug_relay_port' : null;
let debugPort = null;

let clockOffset = 0;
const now = () => Date.now() + clockOffset;

const wc = new core.WorkerCore();
let lastRelayStatus = { at: 0, value: null };
const hellos = [];
// Events content scripts sent since this worker started (tests: idle = 0).
let received = 0;
let lastCaptureAt = 0;
// What arrived lately and what became of it (tests print it on failure).
const captureLog = [];
// Storage writes are chained so that chunks land in order and a flush
// never races another.
let writes = Promise.resolve();
const ready = init();

async function init() {
  if (CLAWTRAIL_TEST_HOOKS) {
    const local = await chrome.storage.local.get([CLOCK_KEY, RELAY_PORT_KEY]);
    clockOffset = Number(local[CLOCK_KEY] || 0);
    if (Number.isInteger(local[RELAY_PORT_KEY])) debugPort = local[RELAY_PORT_KEY];
  }
  const { state } = await chrome.storage.session.get('state');
  if (state && state.id && (state.status === 'active' || state.status === 'paused')) {
    const metaKey = `rec:${state.id}:meta`;
    const stored = await chrome.storage.local.get(metaKey);
    if (stored[metaKey]) {
      wc.restore(stored[metaKey], state.status);
    } else {
      await chrome.storage.session.set({ state: { status: 'idle' } });
    }
  }
  await chrome.alarms.create(ALARM_EXPIRY, { periodInMinutes: 60 });
  await updateBadge();
  // Expiry and delivery run at every start, not only on their alarms: a
  // browser that was closed for a week must not wait an hour to clean up.
  sweep().catch((e) => console.warn('clawtrail: sweep failed', e));
}

function status() {
  return JSON.parse(wc.status());
}

function recording() {
  return status().status === 'active';
}

// --- storage -----------------------------------------------------------------

function flush() {
  writes = writes.then(async () => {
    const w = wc.flush();
    if (w !== undefined) await chrome.storage.local.set(JSON.parse(w));
  });
  return writes;
}

async function pendingMetas() {
  const keys = await chrome.storage.local.getKeys();
  const metaKeys = keys.filter((k) => core.meta_key_id(k) !== undefined);
  if (metaKeys.length === 0) return [];
  const stored = await chrome.storage.local.get(metaKeys);
  const active = status().id;
  return metaKeys
    .filter((k) => stored[k] !== undefined && core.meta_key_id(k) !== active)
    .map((k) => ({ id: core.meta_key_id(k), json: stored[k] }));
}

async function removeRecording(metaJson) {
  await chrome.storage.local.remove(core.recording_keys(metaJson));
}

// --- recording control ---------------------------------------------------------

async function broadcast(isRecording) {
  const tabs = await chrome.tabs.query({});
  await Promise.all(tabs.map((tab) =>
    chrome.tabs.sendMessage(tab.id, { type: 'set_recording', recording: isRecording }).catch(() => {})));
}

// Tabs that were open before the extension was installed (or reloaded)
// have no content script. Inject it where the browser lets us: the active
// tab (activeTab, granted by the popup click) and localhost pages.
async function injectIntoOpenTabs() {
  const tabs = await chrome.tabs.query({});
  await Promise.all(tabs.map(async (tab) => {
    const alive = await chrome.tabs.sendMessage(tab.id, { type: 'ping' }, { frameId: 0 }).catch(() => null);
    if (alive) return;
    await chrome.scripting.executeScript({ target: { tabId: tab.id, allFrames: true }, files: ['content.js'] })
      .catch(() => {});
  }));
}

async function start() {
  await ready;
  if (status().status !== 'idle') return status();
  const id = crypto.randomUUID();
  const name = `Recording ${new Date(now()).toISOString().slice(0, 16).replace('T', ' ')}`;
  const first = wc.start(id, name, chrome.runtime.getManifest().version, navigator.userAgent, now());
  await chrome.storage.local.set(JSON.parse(first));
  await chrome.storage.session.set({ state: { status: 'active', id } });
  // Alarms wake the worker every 30 s, so a long, quiet recording keeps
  // its worker (and its in-memory session) alive.
  await chrome.alarms.create(ALARM_KEEPALIVE, { periodInMinutes: 0.5 });
  await injectIntoOpenTabs();
  await broadcast(true);
  await updateBadge();
  return status();
}

// Closing the gate in the pages comes first, while the session still
// accepts events: pages answer only after what they still held (a typed
// value, a pending click) was acknowledged. Frames other than a tab's top
// frame answer through no one, so also wait until captures fall quiet.
async function closeGates() {
  await broadcast(false);
  const deadline = Date.now() + 2000;
  while (Date.now() - lastCaptureAt < 300 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function pause() {
  await ready;
  const s = status();
  if (s.status !== 'active') return s;
  await closeGates();
  wc.pause();
  await flush();
  await chrome.storage.session.set({ state: { status: 'paused', id: s.id } });
  await updateBadge();
  return status();
}

async function resume() {
  await ready;
  const s = status();
  if (s.status !== 'paused') return s;
  wc.resume();
  await chrome.storage.session.set({ state: { status: 'active', id: s.id } });
  await broadcast(true);
  await updateBadge();
  return status();
}

async function stop() {
  await ready;
  if (status().status === 'idle') return status();
  if (status().status === 'active') await closeGates();
  await flush();
  const done = JSON.parse(wc.stop(now()));
  writes = writes.then(() => chrome.storage.local.set(done.writes));
  await writes;
  await chrome.storage.session.set({ state: { status: 'idle' } });
  await chrome.alarms.clear(ALARM_KEEPALIVE);
  await updateBadge();
  // Deliver in the background: the popup gets its answer now.
  deliver(done.id, { wake: true }).catch((e) => console.warn('clawtrail: delivery failed', e));
  return status();
}

async function toggle() {
  return status().status === 'idle' ? start() : stop();
}

// --- the relay: found by its signature, never by who answers -------------------

const randomBytes = (n) => crypto.getRandomValues(new Uint8Array(n));

// The ports to look on: the one our relay last proved itself on, then the
// others of the documented list (worker-core decides which).
function candidatePorts(remembered) {
  if (debugPort) return [debugPort];
  const ports = Array.from(core.relay_ports());
  return ports.includes(remembered) ? [remembered, ...ports.filter((p) => p !== remembered)] : ports;
}

async function pairing() {
  const s = await chrome.storage.local.get([KEY_KEY, PORT_KEY]);
  return { key: s[KEY_KEY] || null, port: Number.isInteger(s[PORT_KEY]) ? s[PORT_KEY] : null };
}

// One signed request. Resolves {status, text, sig, nonce, verified}, or
// null when nothing answered on that port. `verified`: the answer is
// signed by the paired relay for this very request.
async function signedFetch(key, port, method, path, body = '', timeout = 5000) {
  const host = `127.0.0.1:${port}`;
  const { authorization, nonce } = JSON.parse(core.sign_request(key, method, path, host, Date.now(), randomBytes(16), body));
  const headers = { Authorization: authorization };
  if (body) headers['Content-Type'] = 'application/json';
  let r;
  try {
    r = await fetch(`http://${host}${path}`, { method, headers, body: body || undefined, signal: AbortSignal.timeout(timeout) });
  } catch {
    return null;
  }
  const text = await r.text().catch(() => '');
  const sig = r.headers.get('x-clawtrail-signature') ?? undefined;
  return { status: r.status, text, sig, nonce, verified: core.answer_verifies(key, nonce, r.status, text, sig) };
}

// Our relay is the one that signs its answer to our signed handshake.
// {port} when found (remembered for next time); otherwise {refused}:
// whether something answered 401 (our relay after `clawtrail unpair`, or
// anything else: an unsigned answer proves nothing either way).
async function findRelay(key) {
  const { port: remembered } = await pairing();
  let refused = false;
  for (const port of candidatePorts(remembered)) {
    const r = await signedFetch(key, port, 'GET', '/v1/session', '', 1500);
    if (r && r.verified && r.status === 200) {
      if (port !== remembered) await chrome.storage.local.set({ [PORT_KEY]: port });
      return { port };
    }
    if (r && r.status === 401) refused = true;
  }
  return { port: null, refused };
}

// Whether anything answers a health check on a candidate port: enough to
// offer pairing, never enough to send anything.
async function anyRelayUp() {
  const { port: remembered } = await pairing();
  for (const port of candidatePorts(remembered)) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/v1/health`, { signal: AbortSignal.timeout(1500) });
      if (r.ok) return true;
    } catch { /* nothing there */ }
  }
  return false;
}

// The deep link asks the OS to start the native side (`clawtrail
// install-handler` registers it). Give it a few seconds to come up.
async function wakeRelay() {
  const tab = await chrome.tabs.create({ url: DEEP_LINK, active: false }).catch(() => null);
  let up = false;
  for (let i = 0; i < 10 && !up; i++) {
    await new Promise((r) => setTimeout(r, 500));
    up = await anyRelayUp();
  }
  if (tab) chrome.tabs.remove(tab.id).catch(() => {});
  return up;
}

// --- delivery --------------------------------------------------------------------

async function fail(metaKey, metaJson, error) {
  const updated = core.record_failure(metaJson, error, now());
  await chrome.storage.local.set({ [metaKey]: updated });
  await scheduleRetry();
}

// Sends one finished recording. Its data leaves chrome.storage only after
// the paired relay acknowledged exactly it (worker-core's `acknowledges`:
// a 2xx signed for this request, naming the recording and the digest of
// the bytes sent); any other outcome keeps it for a later attempt.
// `wake`: open the multiclaw:// deep link if the relay is down. Stop and
// "Retry now" do; the background retries do not, or a user whose relay is
// off would get a new tab (and an OS prompt) at every retry.
async function deliver(id, { wake = false } = {}) {
  const metaKey = `rec:${id}:meta`;
  const metaJson = (await chrome.storage.local.get(metaKey))[metaKey];
  if (metaJson === undefined) return 'gone';
  const chunkKeys = core.chunk_keys(metaJson);
  const stored = await chrome.storage.local.get(chunkKeys);
  let body;
  try {
    body = core.assemble_recording(metaJson, chunkKeys.map((k) => stored[k]));
  } catch (e) {
    await fail(metaKey, metaJson, `cannot assemble: ${e.message || e}`);
    return 'invalid';
  }
  const { key } = await pairing();
  if (!key) {
    await fail(metaKey, metaJson, 'not paired: run `clawtrail pair` and enter the code in the popup');
    return 'not-paired';
  }
  let found = await findRelay(key);
  if (!found.port && wake && (await wakeRelay())) found = await findRelay(key);
  // What was just learned is the relay's status now, not a cached one.
  lastRelayStatus = { at: Date.now(), value: relayStateOf(found), port: found.port };
  if (!found.port) {
    await fail(metaKey, metaJson, found.refused
      ? 'no relay accepted the pairing key: pair again with `clawtrail pair`'
      : 'relay not running');
    return 'relay-down';
  }
  const r = await signedFetch(key, found.port, 'POST', '/v1/recordings', body, 60_000);
  if (!r) {
    await fail(metaKey, metaJson, 'upload failed: the relay stopped answering');
    return 'network';
  }
  if (core.acknowledges(key, r.nonce, r.status, r.text, r.sig, id, body)) {
    await removeRecording(metaJson);
    await scheduleRetry();
    return 'delivered';
  }
  if (!r.verified) {
    await fail(metaKey, metaJson, `the answer on port ${found.port} was not signed by your relay; the recording is kept`);
    return 'unverified';
  }
  let detail = '';
  try {
    detail = JSON.parse(r.text).error.message;
  } catch { /* no message */ }
  await fail(metaKey, metaJson, `relay answered ${r.status}${detail ? `: ${detail}` : ''}`);
  return `http-${r.status}`;
}

// Drops what is past its 7 days and delivers what is due (or everything,
// when the user asks to retry now).
async function sweep({ force = false } = {}) {
  await ready;
  const results = [];
  for (const { id, json } of await pendingMetas()) {
    if (core.is_expired(json, now())) {
      await removeRecording(json);
      results.push({ id, result: 'expired' });
    } else if (force || core.is_due(json, now())) {
      results.push({ id, result: await deliver(id, { wake: force }) });
    }
  }
  await scheduleRetry();
  return results;
}

async function scheduleRetry() {
  const metas = await pendingMetas();
  const times = metas
    .map(({ json }) => JSON.parse(core.pending_summary(json)).next_attempt_at)
    .filter(Boolean)
    .map((t) => Date.parse(t) - clockOffset);
  if (times.length === 0) {
    await chrome.alarms.clear(ALARM_RETRY);
    return;
  }
  // Chromium fires alarms at most every 30 s; earlier times are rounded up.
  await chrome.alarms.create(ALARM_RETRY, { when: Math.max(Math.min(...times), Date.now() + 30_000) });
}

// --- relay status and pairing --------------------------------------------------------

function relayStateOf(found) {
  return found.port ? 'connected' : found.refused ? 'not_paired' : 'not_running';
}

async function relayStatus() {
  if (Date.now() - lastRelayStatus.at < 3000 && lastRelayStatus.value) return lastRelayStatus.value;
  const { key } = await pairing();
  let value;
  let port = null;
  if (!key) {
    value = (await anyRelayUp()) ? 'not_paired' : 'not_running';
  } else {
    const found = await findRelay(key);
    port = found.port;
    value = relayStateOf(found);
  }
  lastRelayStatus = { at: Date.now(), value, port };
  return value;
}

// Pairs with the relay on one port: SPAKE2 with the code (worker-core), so
// the code itself is never sent, and the relay must prove it knew it.
async function pairAt(port, code) {
  const post = async (path, payload) => {
    try {
      const r = await fetch(`http://127.0.0.1:${port}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(5000),
      });
      return { status: r.status, ok: r.ok, body: await r.json().catch(() => ({})) };
    } catch {
      return null;
    }
  };
  const attempt = new core.RelayPairing(code, randomBytes(64));
  try {
    const first = await post('/v1/pair', { msg: attempt.message() });
    if (!first) return { ok: false, down: true, error: 'the relay is not running: start it with `clawtrail serve`' };
    const refused = (r) => (r.body.error && r.body.error.message) || `relay answered ${r.status}`;
    if (!first.ok || typeof first.body.msg !== 'string') return { ok: false, error: refused(first) };
    let confirm;
    try {
      confirm = attempt.confirm(first.body.msg);
    } catch (e) {
      return { ok: false, error: String(e.message || e) };
    }
    const { key: old } = await pairing();
    let replaces;
    try {
      replaces = old ? JSON.parse(old).id : undefined;
    } catch { /* unreadable: nothing to replace */ }
    const second = await post('/v1/pair/confirm', { session: first.body.session, confirm, ...(replaces ? { replaces } : {}) });
    if (!second) return { ok: false, down: true, error: 'the relay stopped answering' };
    if (!second.ok) return { ok: false, error: refused(second) };
    let key;
    try {
      key = attempt.accept(String(second.body.key_id), String(second.body.confirm));
    } catch (e) {
      return { ok: false, error: String(e.message || e) };
    }
    await chrome.storage.local.set({ [KEY_KEY]: key, [PORT_KEY]: port });
    await chrome.storage.local.remove(LEGACY_TOKEN_KEY);
    return { ok: true, port };
  } finally {
    attempt.free();
  }
}

async function pair(code) {
  if (typeof code !== 'string' || code.trim() === '') return { ok: false, error: 'enter the code that `clawtrail pair` printed' };
  const { port: remembered } = await pairing();
  // Every candidate port: another program (OpenClaw's relay, an impostor)
  // on the first one must not keep us from ours on the next.
  let error = null;
  for (const port of candidatePorts(remembered)) {
    const r = await pairAt(port, code.trim());
    if (r.ok) {
      lastRelayStatus = { at: 0, value: null };
      // Anything that waited for pairing can go now.
      sweep({ force: true }).catch(() => {});
      return { ok: true };
    }
    if (!r.down && !error) error = r.error;
  }
  return { ok: false, error: error || 'the relay is not running: start it with `clawtrail serve`' };
}

async function fullStatus() {
  await ready;
  const pending = (await pendingMetas()).map(({ json }) => JSON.parse(core.pending_summary(json)));
  const relay = await relayStatus();
  return { ok: true, ...status(), now: now(), relay, relay_port: lastRelayStatus.port ?? null, pending };
}

async function updateBadge() {
  const s = status();
  const text = s.status === 'active' ? String(s.events) : s.status === 'paused' ? '||' : '';
  await chrome.action.setBadgeText({ text });
  await chrome.action.setBadgeBackgroundColor({ color: s.status === 'active' ? '#c62828' : '#757575' });
}

// --- events from content scripts and the browser ------------------------------------

function tabContext(tab) {
  return JSON.stringify({
    tab_id: tab.id,
    opener_tab_id: tab.openerTabId ?? null,
    url: tab.url || tab.pendingUrl || '',
    title: tab.title || '',
  });
}

// Accepts a batch from a content script. The ack goes out only after the
// flush reached chrome.storage.local: a content script resends anything not
// acked, and the Rust side drops resent duplicates by their cid.
async function capture(msg, sender) {
  await ready;
  const acked = [];
  if (!Array.isArray(msg.events)) return { ok: false, error: 'events must be an array' };
  received += msg.events.length;
  lastCaptureAt = Date.now();
  for (const item of msg.events) {
    if (!item || typeof item.cid !== 'string') continue;
    const outcome = JSON.parse(wc.accept(item.cid, tabContext(sender.tab), JSON.stringify(item.event)));
    captureLog.push({ tab_id: sender.tab.id, type: item.event && item.event.kind && item.event.kind.type, outcome: outcome.outcome });
    if (captureLog.length > 200) captureLog.shift();
    if (outcome.outcome === 'invalid') console.warn('clawtrail: dropped an event:', outcome.reason);
    acked.push(item.cid);
  }
  await flush();
  updateBadge().catch(() => {});
  return { ok: true, acked };
}

async function tabEvent(tab, kind) {
  await ready;
  if (!recording()) return;
  wc.tab_event(tabContext(tab), kind, now());
  await flush();
  updateBadge().catch(() => {});
}

chrome.tabs.onCreated.addListener((tab) => {
  tabEvent(tab, 'opened').catch((e) => console.warn('clawtrail:', e));
});
chrome.tabs.onActivated.addListener(({ tabId }) => {
  chrome.tabs.get(tabId).then((tab) => tabEvent(tab, 'activated')).catch(() => {});
});
chrome.tabs.onRemoved.addListener((tabId) => {
  tabEvent({ id: tabId }, 'closed').catch(() => {});
});

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === ALARM_KEEPALIVE) flush().catch(() => {});
  if (alarm.name === ALARM_RETRY || alarm.name === ALARM_EXPIRY) sweep().catch(() => {});
});

chrome.commands.onCommand.addListener((command) => {
  if (command === 'toggle-recording') ready.then(toggle).catch((e) => console.warn('clawtrail:', e));
});

// Commands that change the recording come only from our own extension pages
// (the popup, the viewer), never from a content script: content scripts run
// inside arbitrary pages. An extension page opened in a tab has sender.tab
// too; its URL tells it apart, because the browser fills in sender.url and
// for a content script it is the web page's. No web page can load one of our
// pages (there are no web_accessible_resources).
function fromExtensionPage(sender) {
  return sender.id === chrome.runtime.id &&
    typeof sender.url === 'string' && sender.url.startsWith(chrome.runtime.getURL(''));
}

const pageCommands = {
  record: start,
  pause,
  resume,
  stop,
  toggle,
  status: fullStatus,
  retry_now: async () => ({ ok: true, results: await sweep({ force: true }) }),
  pair: (msg) => pair(msg.code),
};

async function handle(msg, sender) {
  if (typeof msg !== 'object' || msg === null) return { ok: false, error: 'not a message' };
  if (msg.type === 'hello') {
    await ready;
    if (sender.tab) {
      // Diagnostics for the tests: which frames have a live content script.
      hellos.push({ tab_id: sender.tab.id, frame_id: sender.frameId, frame: msg.frame, url: msg.url });
      if (hellos.length > 500) hellos.shift();
    }
    return { ok: true, recording: recording() };
  }
  if (msg.type === 'capture') {
    if (!sender.tab) return { ok: false, error: 'capture comes from a tab' };
    return capture(msg, sender);
  }
  const command = pageCommands[msg.type];
  if (!command) return { ok: false, error: 'unknown message type' };
  if (!fromExtensionPage(sender)) return { ok: false, error: 'forbidden' };
  const result = await command(msg);
  return result && result.ok !== undefined ? result : { ok: true, ...result };
}

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id) return false;
  handle(msg, sender).then(sendResponse, (e) => sendResponse({ ok: false, error: String(e && e.message || e) }));
  return true; // answered asynchronously
});

// For the end-to-end tests, reachable only through DevTools/CDP evaluation
// inside this worker (no message reaches it), and only in a test build.
if (CLAWTRAIL_TEST_HOOKS) {
  self.clawtrail = {
    ready,
    frames: () => hellos,
    received: () => received,
    captureLog: () => captureLog,
    status: fullStatus,
    sweep,
    pair,
    // Moves the worker's clock; persisted so that it survives a worker restart.
    async setClockOffset(ms) {
      clockOffset = ms;
      await chrome.storage.local.set({ [CLOCK_KEY]: ms });
    },
    // Points the worker at a relay on another loopback port (the only
    // candidate then); persisted.
    async setRelayPort(port) {
      if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error('bad port');
      debugPort = port;
      lastRelayStatus = { at: 0, value: null };
      await chrome.storage.local.set({ [RELAY_PORT_KEY]: port });
    },
    // Uploads a recording (JSON text) as the worker does; the tests' way to
    // put recordings on the relay with the extension's own key.
    async upload(text) {
      const { key } = await pairing();
      const found = await findRelay(key);
      const r = await signedFetch(key, found.port, 'POST', '/v1/recordings', text, 60_000);
      return { status: r.status, verified: r.verified, text: r.text };
    },
    // Every event stored so far for the current (or given) recording.
    async storedEvents(id = status().id) {
      const metaKey = `rec:${id}:meta`;
      const metaJson = (await chrome.storage.local.get(metaKey))[metaKey];
      if (!metaJson) return [];
      const keys = core.chunk_keys(metaJson);
      const stored = await chrome.storage.local.get(keys);
      return keys.flatMap((k) => JSON.parse(stored[k]));
    },
  };
}
