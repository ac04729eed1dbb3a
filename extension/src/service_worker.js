// clawtrail service worker: glue between chrome.* APIs and worker-core
// (Rust, see worker-core/src). Rust decides: which seq an event gets, what a
// flush writes, how a recording is assembled and validated, what a delivery
// attempt came to, when to retry, when data expires, who may send which
// message, what the badge and the relay status say, how long to wait. This
// file only performs the storage writes, the messaging and the HTTP requests
// those decisions call for (`apply` runs worker-core's effects).
//
// Chromium may stop this worker at any moment. Nothing here lives only in
// memory: recording state is in chrome.storage.session, events are in
// chrome.storage.local (flushed before a content script gets its ack), and
// `ready` rebuilds the Rust session from storage on every start.
import * as core from 'clawtrail-worker-core';

const DEEP_LINK = 'multiclaw://wake';
const ALARM_KEEPALIVE = 'keepalive';
// The name worker-core's retry_alarm effects use (delivery::RETRY_ALARM).
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
// Timeouts and alarm periods, decided by worker-core (policy::TIMINGS).
const T = JSON.parse(core.timings());
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
    const metaKey = core.meta_key(state.id);
    const stored = await chrome.storage.local.get(metaKey);
    if (stored[metaKey]) {
      wc.restore(stored[metaKey], state.status);
    } else {
      await chrome.storage.session.set({ state: { status: 'idle' } });
    }
  }
  await chrome.alarms.create(ALARM_EXPIRY, { periodInMinutes: T.expiry_minutes });
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

// --- effects: what worker-core asks of chrome.* --------------------------------

async function apply(effectsJson) {
  for (const e of JSON.parse(effectsJson)) {
    if (e.set) await chrome.storage.local.set(e.set);
    else if (e.remove) await chrome.storage.local.remove(e.remove);
    else if (e.alarm) await chrome.alarms.create(e.alarm.name, { when: e.alarm.when_ms });
    else if (e.clear_alarm) await chrome.alarms.clear(e.clear_alarm);
    else if (e.badge) {
      await chrome.action.setBadgeText({ text: e.badge.text });
      await chrome.action.setBadgeBackgroundColor({ color: e.badge.color });
    } else throw new Error(`unknown effect ${JSON.stringify(e)}`);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- storage -----------------------------------------------------------------

function flush() {
  writes = writes.then(async () => {
    const w = wc.flush();
    if (w !== undefined) await chrome.storage.local.set(JSON.parse(w));
  });
  return writes;
}

// The stored metas (JSON) of the recordings waiting for delivery.
async function pendingMetas() {
  const metaKeys = core.pending_meta_keys(await chrome.storage.local.getKeys(), status().id);
  if (metaKeys.length === 0) return [];
  const stored = await chrome.storage.local.get(metaKeys);
  return metaKeys.map((k) => stored[k]).filter((json) => json !== undefined);
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
  const name = core.default_recording_name(now());
  const first = wc.start(id, name, chrome.runtime.getManifest().version, navigator.userAgent, now());
  await chrome.storage.local.set(JSON.parse(first));
  await chrome.storage.session.set({ state: { status: 'active', id } });
  // Alarms wake the worker every 30 s, so a long, quiet recording keeps
  // its worker (and its in-memory session) alive.
  await chrome.alarms.create(ALARM_KEEPALIVE, { periodInMinutes: T.keepalive_minutes });
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
  const began = Date.now();
  for (let wait; (wait = core.quiet_wait(Date.now(), began, lastCaptureAt)) !== undefined;) {
    await sleep(wait);
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
  return Array.from(core.candidate_ports(remembered ?? undefined, debugPort ?? undefined));
}

async function pairing() {
  const s = await chrome.storage.local.get([KEY_KEY, PORT_KEY]);
  return { key: s[KEY_KEY] || null, port: Number.isInteger(s[PORT_KEY]) ? s[PORT_KEY] : null };
}

// One signed request. Resolves {status, text, sig, nonce, verified}, or
// null when nothing answered on that port. `verified`: the answer is
// signed by the paired relay for this very request.
async function signedFetch(key, port, method, path, body = '', timeout = T.request_timeout_ms) {
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
    const r = await signedFetch(key, port, 'GET', '/v1/session', '', T.probe_timeout_ms);
    const probe = core.probe(r ? r.status : undefined, Boolean(r && r.verified));
    if (probe === 'ours') {
      if (port !== remembered) await chrome.storage.local.set({ [PORT_KEY]: port });
      return { port };
    }
    if (probe === 'refused') refused = true;
  }
  return { port: null, refused };
}

// Whether anything answers a health check on a candidate port: enough to
// offer pairing, never enough to send anything.
async function anyRelayUp() {
  const { port: remembered } = await pairing();
  for (const port of candidatePorts(remembered)) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/v1/health`, { signal: AbortSignal.timeout(T.probe_timeout_ms) });
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
  for (let tries = 0, wait; (wait = core.wake_wait(tries, up)) !== undefined; tries++) {
    await sleep(wait);
    up = await anyRelayUp();
  }
  if (tab) chrome.tabs.remove(tab.id).catch(() => {});
  return up;
}

// --- delivery --------------------------------------------------------------------

// Sends one finished recording. Its data leaves chrome.storage only after
// the paired relay acknowledged exactly it (worker-core's `acknowledges`:
// a 2xx signed for this request, naming the recording and the digest of
// the bytes sent); any other outcome keeps it for a later attempt.
// `wake`: open the multiclaw:// deep link if the relay is down. Stop and
// "Retry now" do; the background retries do not, or a user whose relay is
// off would get a new tab (and an OS prompt) at every retry.
// The JS only gathers what happened (`attempt`); worker-core's
// settle_delivery says what it means and what to store.
async function deliver(id, { wake = false } = {}) {
  const metaKey = core.meta_key(id);
  const metaJson = (await chrome.storage.local.get(metaKey))[metaKey];
  if (metaJson === undefined) return 'gone';
  const settled = JSON.parse(core.settle_delivery(metaJson, JSON.stringify(await attempt(id, metaJson, wake)), now()));
  await apply(JSON.stringify(settled.effects));
  await scheduleRetry();
  return settled.result;
}

// One delivery attempt, up to where it ended (worker-core's delivery::Attempt).
async function attempt(id, metaJson, wake) {
  const chunkKeys = core.chunk_keys(metaJson);
  const stored = await chrome.storage.local.get(chunkKeys);
  let body;
  try {
    body = core.assemble_recording(metaJson, chunkKeys.map((k) => stored[k]));
  } catch (e) {
    return { stage: 'unassemblable', reason: String(e.message || e) };
  }
  const { key } = await pairing();
  if (!key) return { stage: 'unpaired' };
  let found = await findRelay(key);
  if (!found.port && wake && (await wakeRelay())) found = await findRelay(key);
  // What was just learned is the relay's status now, not a cached one.
  wc.note_relay_search(Date.now(), found.port ?? undefined, Boolean(found.refused));
  if (!found.port) return { stage: 'no_relay', refused: Boolean(found.refused) };
  const r = await signedFetch(key, found.port, 'POST', '/v1/recordings', body, T.upload_timeout_ms);
  if (!r) return { stage: 'no_answer', port: found.port };
  return {
    stage: 'answered',
    port: found.port,
    status: r.status,
    verified: r.verified,
    acknowledged: core.acknowledges(key, r.nonce, r.status, r.text, r.sig, id, body),
    body: r.text,
  };
}

// Drops what is past its 7 days and delivers what is due (or everything,
// when the user asks to retry now).
async function sweep({ force = false } = {}) {
  await ready;
  const results = [];
  for (const json of await pendingMetas()) {
    const { id } = JSON.parse(core.pending_summary(json));
    const action = JSON.parse(core.sweep_action(json, now(), force));
    if (action.action === 'expire') {
      await chrome.storage.local.remove(action.remove);
      results.push({ id, result: 'expired' });
    } else if (action.action === 'deliver') {
      results.push({ id, result: await deliver(id, { wake: action.wake }) });
    }
  }
  await scheduleRetry();
  return results;
}

// The retry alarm (worker-core: the earliest next attempt, never sooner
// than Chromium allows, or none).
async function scheduleRetry() {
  await apply(core.retry_alarm(await pendingMetas(), clockOffset, Date.now()));
}

// --- relay status and pairing --------------------------------------------------------

// The relay's status: worker-core caches it for a few seconds and says
// what a search's result means.
async function relayStatus() {
  const cached = wc.relay_status_cached(Date.now());
  if (cached !== undefined) return cached;
  const { key } = await pairing();
  if (!key) return wc.note_relay_unpaired(Date.now(), await anyRelayUp());
  const found = await findRelay(key);
  return wc.note_relay_search(Date.now(), found.port ?? undefined, Boolean(found.refused));
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
        signal: AbortSignal.timeout(T.request_timeout_ms),
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
      wc.forget_relay();
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
  const pending = (await pendingMetas()).map((json) => JSON.parse(core.pending_summary(json)));
  const relay = await relayStatus();
  return { ok: true, ...status(), now: now(), relay, relay_port: wc.relay_port() ?? null, pending };
}

async function updateBadge() {
  await apply(wc.badge());
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

// Who may send what is worker-core's decision (policy::route): content
// scripts say hello and send captures; commands come only from our own
// extension pages (the popup, the viewer), told apart by sender.url.
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

function route(msg, sender) {
  const isObject = typeof msg === 'object' && msg !== null;
  return JSON.parse(core.route_message(
    isObject,
    isObject && typeof msg.type === 'string' ? msg.type : undefined,
    sender.id === chrome.runtime.id,
    Boolean(sender.tab),
    typeof sender.url === 'string' ? sender.url : undefined,
    chrome.runtime.getURL(''),
  ));
}

async function handle(r, msg, sender) {
  if (r.route === 'reject') return { ok: false, error: r.error };
  if (r.route === 'hello') {
    await ready;
    if (sender.tab) {
      // Diagnostics for the tests: which frames have a live content script.
      hellos.push({ tab_id: sender.tab.id, frame_id: sender.frameId, frame: msg.frame, url: msg.url });
      if (hellos.length > 500) hellos.shift();
    }
    return { ok: true, recording: recording() };
  }
  if (r.route === 'capture') return capture(msg, sender);
  const result = await pageCommands[r.command](msg);
  return result && result.ok !== undefined ? result : { ok: true, ...result };
}

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  const r = route(msg, sender);
  if (r.route === 'ignore') return false;
  handle(r, msg, sender).then(sendResponse, (e) => sendResponse({ ok: false, error: String(e && e.message || e) }));
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
      wc.forget_relay();
      await chrome.storage.local.set({ [RELAY_PORT_KEY]: port });
    },
    // Uploads a recording (JSON text) as the worker does; the tests' way to
    // put recordings on the relay with the extension's own key.
    async upload(text) {
      const { key } = await pairing();
      const found = await findRelay(key);
      const r = await signedFetch(key, found.port, 'POST', '/v1/recordings', text, T.upload_timeout_ms);
      return { status: r.status, verified: r.verified, text: r.text };
    },
    // Every event stored so far for the current (or given) recording.
    async storedEvents(id = status().id) {
      if (!id) return [];
      const metaKey = core.meta_key(id);
      const metaJson = (await chrome.storage.local.get(metaKey))[metaKey];
      if (!metaJson) return [];
      const keys = core.chunk_keys(metaJson);
      const stored = await chrome.storage.local.get(keys);
      return keys.flatMap((k) => JSON.parse(stored[k]));
    },
  };
}
