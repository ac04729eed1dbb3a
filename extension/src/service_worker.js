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

const DEFAULT_RELAY = 'http://127.0.0.1:18799';
const DEEP_LINK = 'multiclaw://wake';
const ALARM_KEEPALIVE = 'keepalive';
const ALARM_RETRY = 'retry';
const ALARM_EXPIRY = 'expiry';
const TOKEN_KEY = 'relay_token';
// Tests move the clock forward to exercise the 7-day expiry (setClockOffset)
// and run their relay on a free port (setRelayPort). Both are reachable only
// through DevTools, never through a message.
const CLOCK_KEY = 'debug_clock_offset_ms';
const RELAY_PORT_KEY = 'debug_relay_port';
let RELAY = DEFAULT_RELAY;

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
  const local = await chrome.storage.local.get([CLOCK_KEY, RELAY_PORT_KEY]);
  clockOffset = Number(local[CLOCK_KEY] || 0);
  if (Number.isInteger(local[RELAY_PORT_KEY])) RELAY = `http://127.0.0.1:${local[RELAY_PORT_KEY]}`;
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

// --- delivery --------------------------------------------------------------------

async function relayHealthy() {
  try {
    const r = await fetch(`${RELAY}/v1/health`, { signal: AbortSignal.timeout(1500) });
    return r.ok;
  } catch {
    return false;
  }
}

// The deep link asks the OS to start the native side (`clawtrail
// install-handler` registers it). Give it a few seconds to come up.
async function wakeRelay() {
  const tab = await chrome.tabs.create({ url: DEEP_LINK, active: false }).catch(() => null);
  let up = false;
  for (let i = 0; i < 10 && !up; i++) {
    await new Promise((r) => setTimeout(r, 500));
    up = await relayHealthy();
  }
  if (tab) chrome.tabs.remove(tab.id).catch(() => {});
  return up;
}

async function fail(metaKey, metaJson, error) {
  const updated = core.record_failure(metaJson, error, now());
  await chrome.storage.local.set({ [metaKey]: updated });
  await scheduleRetry();
}

// Sends one finished recording. Its data leaves chrome.storage only after
// the relay answers 2xx; any other outcome keeps it for a later attempt.
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
  if (!(await relayHealthy()) && !(wake && (await wakeRelay()))) {
    await fail(metaKey, metaJson, 'relay not running');
    return 'relay-down';
  }
  const token = (await chrome.storage.local.get(TOKEN_KEY))[TOKEN_KEY];
  if (!token) {
    await fail(metaKey, metaJson, 'not paired: run `clawtrail pair` and enter the code in the popup');
    return 'not-paired';
  }
  let response;
  try {
    response = await fetch(`${RELAY}/v1/recordings`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body,
      signal: AbortSignal.timeout(60_000),
    });
  } catch (e) {
    await fail(metaKey, metaJson, `upload failed: ${e.message || e}`);
    return 'network';
  }
  if (response.ok) {
    await removeRecording(metaJson);
    await scheduleRetry();
    return 'delivered';
  }
  let detail = '';
  try {
    detail = (await response.json()).error.message;
  } catch { /* not our relay's JSON */ }
  await fail(metaKey, metaJson, `relay answered ${response.status}${detail ? `: ${detail}` : ''}`);
  return `http-${response.status}`;
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

async function relayStatus() {
  if (Date.now() - lastRelayStatus.at < 3000 && lastRelayStatus.value) return lastRelayStatus.value;
  let value;
  if (!(await relayHealthy())) {
    value = 'not_running';
  } else {
    const token = (await chrome.storage.local.get(TOKEN_KEY))[TOKEN_KEY];
    if (!token) {
      value = 'not_paired';
    } else {
      const r = await fetch(`${RELAY}/v1/session`, {
        headers: { Authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(3000),
      }).catch(() => null);
      value = r && r.ok ? 'connected' : r && r.status === 401 ? 'not_paired' : 'not_running';
    }
  }
  lastRelayStatus = { at: Date.now(), value };
  return value;
}

async function pair(code) {
  if (typeof code !== 'string' || code.trim() === '') return { ok: false, error: 'enter the code that `clawtrail pair` printed' };
  let r;
  try {
    r = await fetch(`${RELAY}/v1/pair`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code: code.trim() }),
      signal: AbortSignal.timeout(5000),
    });
  } catch {
    return { ok: false, error: 'the relay is not running: start it with `clawtrail serve`' };
  }
  const body = await r.json().catch(() => ({}));
  if (!r.ok || typeof body.token !== 'string') {
    return { ok: false, error: (body.error && body.error.message) || `relay answered ${r.status}` };
  }
  await chrome.storage.local.set({ [TOKEN_KEY]: body.token });
  lastRelayStatus = { at: 0, value: null };
  // Anything that waited for pairing can go now.
  sweep({ force: true }).catch(() => {});
  return { ok: true };
}

async function fullStatus() {
  await ready;
  const pending = (await pendingMetas()).map(({ json }) => JSON.parse(core.pending_summary(json)));
  return { ok: true, ...status(), now: now(), relay: await relayStatus(), pending };
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
// inside this worker (no message reaches it).
self.clawtrail = {
  ready,
  frames: () => hellos,
  received: () => received,
  captureLog: () => captureLog,
  status: fullStatus,
  sweep,
  // Moves the worker's clock; persisted so that it survives a worker restart.
  async setClockOffset(ms) {
    clockOffset = ms;
    await chrome.storage.local.set({ [CLOCK_KEY]: ms });
  },
  // Points the worker at a relay on another loopback port; persisted.
  async setRelayPort(port) {
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error('bad port');
    RELAY = `http://127.0.0.1:${port}`;
    lastRelayStatus = { at: 0, value: null };
    await chrome.storage.local.set({ [RELAY_PORT_KEY]: port });
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
