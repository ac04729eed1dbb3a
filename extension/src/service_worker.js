// clawtrail service worker: glue between chrome.* APIs and worker-core
// (Rust, see crates/worker/src). Rust decides: which seq an event gets, what a
// flush writes, how a recording is assembled and validated, what a delivery
// attempt came to, when to retry, when data expires, who may send which
// message, what the badge and the relay status say, how long to wait, what
// each command and alarm does in which state, and every step of a
// delivery, a sweep, a relay search and a pairing. This file is an
// interpreter: `run` performs the steps of commands, alarms and startup
// (worker-core's control::Step), `drive` those of the step machines
// (delivery_run::Step), `apply` worker-core's effects.
//
// Chromium may stop this worker at any moment. Nothing here lives only in
// memory: recording state is in chrome.storage.session, events are in
// chrome.storage.local (flushed before a content script gets its ack), and
// `ready` rebuilds the Rust session from storage on every start.
import * as core from 'clawtrail-worker-core';

// Storage key names and diagnostics caps (worker-core's control::CONSTANTS).
const C = JSON.parse(core.constants());
// The pairing key (JSON, from worker-core) and the port our relay last
// proved itself on. The key is never sent anywhere: requests carry an HMAC
// made with it (crates/worker/src/relay.rs).
const KEY_KEY = C.relay_key;
const PORT_KEY = C.relay_port;
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
  // worker-core decides what to restore and what startup does (restore,
  // the expiry alarm, the badge, a first sweep: control::startup).
  const { state } = await chrome.storage.session.get('state');
  const stateJson = JSON.stringify(state ?? null);
  const metaKey = core.restore_key(stateJson);
  const metaJson = metaKey === undefined ? undefined : (await chrome.storage.local.get(metaKey))[metaKey];
  await run(wc.startup(stateJson, metaJson));
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

// The steps of a command, an alarm or startup (worker-core's control::Step).
async function run(stepsJson) {
  for (const step of JSON.parse(stepsJson)) {
    const [op, arg] = typeof step === 'string' ? [step, undefined] : Object.entries(step)[0];
    switch (op) {
      case 'begin_session':
        await chrome.storage.local.set(JSON.parse(
          wc.start(arg.id, arg.name, chrome.runtime.getManifest().version, navigator.userAgent, now())));
        break;
      case 'pause_session': wc.pause(); break;
      case 'resume_session': wc.resume(); break;
      case 'stop_session': {
        const done = JSON.parse(wc.stop(now()));
        writes = writes.then(() => chrome.storage.local.set(done.writes));
        await writes;
        break;
      }
      case 'session_state': await chrome.storage.session.set({ state: arg }); break;
      case 'periodic_alarm': await chrome.alarms.create(arg.name, { periodInMinutes: arg.period_minutes }); break;
      case 'clear_alarm': await chrome.alarms.clear(arg); break;
      case 'inject_tabs': await injectIntoOpenTabs(); break;
      case 'broadcast': await broadcast(arg); break;
      case 'close_gates': await closeGates(); break;
      case 'flush': await flush(); break;
      case 'update_badge': await updateBadge(); break;
      // In the background: the popup gets its answer now.
      case 'deliver':
        deliver(arg.id, { wake: arg.wake }).catch((e) => console.warn('clawtrail: delivery failed', e));
        break;
      case 'sweep': sweep().catch((e) => console.warn('clawtrail: sweep failed', e)); break;
      default: throw new Error(`unknown step ${JSON.stringify(step)}`);
    }
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

// record, pause, resume, stop, toggle: worker-core says what each does in
// the current state (nothing, when the state does not allow it). `toggle`
// is decided on the state it finds, before the worker finished starting.
async function command(name) {
  const resolved = wc.resolve_command(name);
  await ready;
  await run(wc.command(resolved, crypto.randomUUID(), now()));
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

// --- the relay: found by its signature, never by who answers -------------------

const randomBytes = (n) => crypto.getRandomValues(new Uint8Array(n));

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

// Our relay is the one that signs its answer to our signed handshake; the
// search (port by port, remembering where it answered) is worker-core's
// relay_run::RelayRun. {port} when found; otherwise {refused}.
function findRelay() {
  return drive(new core.RelayRun('find', debugPort ?? undefined));
}

// A health check (unsigned): enough to offer pairing, never enough to send
// anything.
async function healthy(port, timeout) {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/v1/health`, { signal: AbortSignal.timeout(timeout) });
    return r.ok;
  } catch {
    return false; // nothing there
  }
}

// --- delivery --------------------------------------------------------------------

// Sends one finished recording. Its data leaves chrome.storage only after
// the paired relay acknowledged exactly it (worker-core's `acknowledges`:
// a 2xx signed for this request, naming the recording and the digest of
// the bytes sent); any other outcome keeps it for a later attempt.
// `wake`: open the multiclaw:// deep link if the relay is down. Stop and
// "Retry now" do; the background retries do not, or a user whose relay is
// off would get a new tab (and an OS prompt) at every retry.
// The whole sequence (read, assemble, find the relay, wake, find again,
// upload, settle, reschedule) is worker-core's delivery_run::DeliveryRun;
// this loop performs each step and hands back what came of it.
function deliver(id, { wake = false } = {}) {
  return drive(new core.DeliveryRun(id, wake, debugPort ?? undefined));
}

// Runs one of worker-core's machines (DeliveryRun, RelayRun, SweepRun,
// PairRun): performs each
// step it asks for and hands back what came of it, until its result.
async function drive(run) {
  try {
    let outcome = null;
    for (;;) {
      const step = JSON.parse(run.next(JSON.stringify(outcome ?? null), now()));
      const [op, arg] = typeof step === 'string' ? [step, undefined] : Object.entries(step)[0];
      outcome = null;
      switch (op) {
        case 'read': outcome = await chrome.storage.local.get(arg); break;
        case 'fetch': outcome = await signedFetch(arg.key, arg.port, arg.method, arg.path, arg.body, arg.timeout_ms); break;
        case 'health': outcome = await healthy(arg.port, arg.timeout_ms); break;
        case 'remember_port': await chrome.storage.local.set({ [PORT_KEY]: arg }); break;
        // The wake deep link (worker-core's delivery_run::DEEP_LINK).
        case 'open_tab': outcome = await chrome.tabs.create({ url: arg, active: false }).then((t) => t.id ?? null, () => null); break;
        case 'sleep': await sleep(arg); break;
        case 'close_tab': chrome.tabs.remove(arg).catch(() => {}); break;
        case 'note_relay_search': wc.note_relay_search(Date.now(), arg.port ?? undefined, arg.refused); break;
        case 'note_relay_unpaired': wc.note_relay_unpaired(Date.now(), arg.up); break;
        case 'apply': await apply(JSON.stringify(arg)); break;
        case 'schedule_retry': await scheduleRetry(); break;
        case 'pending_keys': outcome = { keys: await chrome.storage.local.getKeys(), active: status().id ?? null }; break;
        case 'deliver_now': outcome = await deliver(arg.id, { wake: arg.wake }); break;
        case 'random': outcome = Array.from(randomBytes(arg)); break;
        case 'post': outcome = await postJson(arg.port, arg.path, arg.body, arg.timeout_ms); break;
        case 'store_pairing':
          await chrome.storage.local.set({ [KEY_KEY]: arg.key, [PORT_KEY]: arg.port });
          await chrome.storage.local.remove(arg.remove);
          break;
        case 'forget_relay': wc.forget_relay(); break;
        case 'paired':
          if (arg.sweep) sweep({ force: true }).catch(() => {});
          return arg.ok ? { ok: true } : { ok: false, error: arg.error };
        case 'found': case 'up': case 'done': case 'results': return arg;
        default: throw new Error(`unknown step ${JSON.stringify(step)}`);
      }
    }
  } finally {
    run.free();
  }
}

// Drops what is past its 7 days and delivers what is due (or everything,
// when the user asks to retry now).
// worker-core's sweep_run::SweepRun.
async function sweep({ force = false } = {}) {
  await ready;
  return drive(new core.SweepRun(force));
}

// The retry alarm (worker-core: the earliest next attempt, never sooner
// than Chromium allows, or none).
async function scheduleRetry() {
  await apply(core.retry_alarm(await pendingMetas(), clockOffset, Date.now()));
}

// --- relay status and pairing --------------------------------------------------------

// The relay's status: worker-core caches it for a few seconds, looks for
// the relay and says what the result means.
async function relayStatus() {
  const cached = wc.relay_status_cached(Date.now());
  if (cached !== undefined) return cached;
  return drive(new core.RelayRun('status', debugPort ?? undefined));
}

// Pairs with the relay: SPAKE2 with the code, on every candidate port
// (worker-core's pair_run::PairRun), so the code itself is never sent, and
// the relay must prove it knew it.
function pair(code) {
  return drive(new core.PairRun(typeof code === 'string' ? code : undefined, debugPort ?? undefined));
}

// One unsigned JSON POST (pairing): {status, ok, body}, or null when
// nothing answered.
async function postJson(port, path, body, timeout) {
  try {
    const r = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
      signal: AbortSignal.timeout(timeout),
    });
    return { status: r.status, ok: r.ok, body: await r.json().catch(() => ({})) };
  } catch {
    return null;
  }
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
  // Which items count and what became of each: worker-core (control::capture_items).
  const c = JSON.parse(wc.capture(JSON.stringify(msg.events ?? null), tabContext(sender.tab)));
  if (c.error) return { ok: false, error: c.error };
  received += c.received;
  lastCaptureAt = Date.now();
  for (const l of c.log) {
    captureLog.push({ tab_id: sender.tab.id, type: l.type, outcome: l.outcome });
    if (captureLog.length > C.capture_log_cap) captureLog.shift();
    if (l.outcome === 'invalid') console.warn('clawtrail: dropped an event:', l.reason);
  }
  await flush();
  updateBadge().catch(() => {});
  return { ok: true, acked: c.acked };
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

// Which alarm triggers what: worker-core (control::on_alarm).
chrome.alarms.onAlarm.addListener((alarm) => {
  run(core.on_alarm(alarm.name)).catch(() => {});
});

chrome.commands.onCommand.addListener((name) => {
  if (name === 'toggle-recording') ready.then(() => command('toggle')).catch((e) => console.warn('clawtrail:', e));
});

// Who may send what is worker-core's decision (policy::route): content
// scripts say hello and send captures; commands come only from our own
// extension pages (the popup, the viewer), told apart by sender.url.
const pageCommands = {
  record: () => command('record'),
  pause: () => command('pause'),
  resume: () => command('resume'),
  stop: () => command('stop'),
  toggle: () => command('toggle'),
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
      if (hellos.length > C.hellos_cap) hellos.shift();
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
      const found = await findRelay();
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
