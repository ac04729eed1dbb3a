// clawtrail service worker: glue between chrome.* APIs and worker-core
// (Rust, see crates/worker/src). Rust decides: which seq an event gets, what a
// flush writes, how a recording is assembled and validated, what a delivery
// attempt came to, when to retry, when data expires, who may send which
// message and what it runs, every reply and every HTTP request, what the
// badge and the relay status say, how long to wait, what each command and
// alarm does in which state, and every step of a delivery, a sweep, a relay
// search and a pairing. The messages and their replies are declared once,
// in clawtrail_protocol::messages. This file is an interpreter: `run`
// performs the steps of commands, alarms and startup (worker-core's
// control::Step), `drive` those of the step machines (delivery_run::Step),
// `apply` worker-core's effects, `actions` what a message asks for.
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
      case 'inject_tabs': await injectIntoOpenTabs(arg); break;
      case 'broadcast': await broadcast(arg); break;
      case 'close_gates': await closeGates(arg); break;
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

// `message`: worker-core's set_recording (clawtrail_protocol's ToContent).
async function broadcast(message) {
  const tabs = await chrome.tabs.query({});
  await Promise.all(tabs.map((tab) => chrome.tabs.sendMessage(tab.id, message).catch(() => {})));
}

// Tabs that were open before the extension was installed (or reloaded)
// have no content script. Inject it where the browser lets us: the active
// tab (activeTab, granted by the popup click) and localhost pages. Which
// tabs need it, given what their top frame answered `ping`: worker-core.
async function injectIntoOpenTabs(ping) {
  const tabs = await chrome.tabs.query({});
  await Promise.all(tabs.map(async (tab) => {
    const answer = await chrome.tabs.sendMessage(tab.id, ping, { frameId: 0 }).catch(() => null);
    if (!core.needs_script(JSON.stringify(answer ?? null))) return;
    await chrome.scripting.executeScript({ target: { tabId: tab.id, allFrames: true }, files: ['content.js'] })
      .catch(() => {});
  }));
}

// record, pause, resume, stop, toggle: worker-core says what each does in
// the current state (nothing, when the state does not allow it). `toggle`
// is decided on the state it finds, before the worker finished starting.
// Answers with the state it left (worker-core's messages::state_reply).
async function command(name) {
  const resolved = wc.resolve_command(name);
  await ready;
  await run(wc.command(resolved, crypto.randomUUID(), now()));
  return JSON.parse(wc.state_reply());
}

// Closing the gate in the pages comes first, while the session still
// accepts events: pages answer only after what they still held (a typed
// value, a pending click) was acknowledged. Frames other than a tab's top
// frame answer through no one, so also wait until captures fall quiet.
async function closeGates(message) {
  await broadcast(message);
  const began = Date.now();
  for (let wait; (wait = core.quiet_wait(Date.now(), began, lastCaptureAt)) !== undefined;) {
    await sleep(wait);
  }
}

// --- the relay: found by its signature, never by who answers -------------------

const randomBytes = (n) => crypto.getRandomValues(new Uint8Array(n));

// Every request is built whole by worker-core (request.rs): url, method,
// headers, body, timeout. Resolves the Response, or null when nothing
// answered on that port.
function send(requestJson) {
  const { url, method, headers, body, timeout_ms: timeout } = JSON.parse(requestJson);
  return fetch(url, { method, headers, body: body ?? undefined, signal: AbortSignal.timeout(timeout) })
    .catch(() => null);
}

// One signed request. Resolves {status, text, sig, nonce, verified}, or
// null when nothing answered on that port. `verified`: the answer is
// signed by the paired relay for this very request.
async function signedFetch(key, port, method, path, body, timeout) {
  const request = core.signed_request(key, port, method, path, body, timeout, Date.now(), randomBytes(16));
  const { nonce } = JSON.parse(request);
  const r = await send(request);
  if (r === null) return null;
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
  const r = await send(core.health_request(port, timeout));
  return r !== null && r.ok;
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
        case 'sweep': sweep({ force: arg.force }).catch(() => {}); break;
        case 'found': case 'up': case 'done': case 'results': case 'paired': return arg;
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
  return drive(new core.PairRun(code ?? undefined, debugPort ?? undefined));
}

// One unsigned JSON POST (pairing): {status, ok, body}, or null when
// nothing answered.
async function postJson(port, path, body, timeout) {
  const r = await send(core.post_request(port, path, body, timeout));
  if (r === null) return null;
  return { status: r.status, ok: r.ok, body: await r.json().catch(() => ({})) };
}

// The answer to `status` (worker-core's messages::status_reply).
async function fullStatus() {
  await ready;
  const pending = await pendingMetas();
  const relay = await relayStatus();
  return JSON.parse(wc.status_reply(pending, relay, now()));
}

async function updateBadge() {
  await apply(wc.badge());
}

// --- events from content scripts and the browser ------------------------------------

// Hands over the message and the raw sender; worker-core answers and says
// which frame this is, for the tests' diagnostics (messages::hello).
async function hello(msg, sender) {
  await ready;
  const { reply, seen } = JSON.parse(wc.hello(JSON.stringify(msg), JSON.stringify(sender)));
  if (seen) {
    hellos.push(seen);
    if (hellos.length > C.hellos_cap) hellos.shift();
  }
  return reply;
}

// Accepts a batch from a content script. The ack goes out only after the
// flush reached chrome.storage.local: a content script resends anything not
// acked, and the Rust side drops resent duplicates by their cid. Which
// items count, what became of each and the reply: worker-core
// (messages::capture); the raw tab goes with it.
async function capture(msg, sender) {
  await ready;
  const c = JSON.parse(wc.capture(JSON.stringify(msg), JSON.stringify(sender.tab)));
  received += c.received;
  for (const l of c.log) {
    captureLog.push(l);
    if (captureLog.length > C.capture_log_cap) captureLog.shift();
  }
  for (const w of c.warnings) console.warn('clawtrail: dropped an event:', w);
  if (c.flush) {
    lastCaptureAt = Date.now();
    await flush();
    updateBadge().catch(() => {});
  }
  return c.reply;
}

// Only while recording, and that is worker-core's to say: the steps it
// returns (none otherwise) flush the event and update the badge.
async function tabEvent(tab, kind) {
  await ready;
  await run(wc.tab_event(JSON.stringify(tab), kind, now()));
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

// Which shortcut runs which command: worker-core (control::keyboard_command).
chrome.commands.onCommand.addListener((name) => {
  const shortcut = core.keyboard_command(name);
  if (shortcut !== undefined) ready.then(() => command(shortcut)).catch((e) => console.warn('clawtrail:', e));
});

// Who may send what, and what each message runs, is worker-core's
// decision (messages::action over policy::route): content scripts say
// hello and send captures; commands come only from our own extension
// pages (the popup, the viewer), told apart by sender.url. Every reply is
// built in worker-core, in the shapes of clawtrail_protocol::messages.
const actions = {
  reply: async (refusal) => refusal,
  hello: (_, msg, sender) => hello(msg, sender),
  capture: (_, msg, sender) => capture(msg, sender),
  command: (name) => command(name),
  status: fullStatus,
  retry_now: async () => JSON.parse(core.retry_reply(JSON.stringify(await sweep({ force: true })))),
  pair: (code) => pair(code),
};

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  const action = JSON.parse(core.route_message(
    JSON.stringify(msg), JSON.stringify(sender), chrome.runtime.id, chrome.runtime.getURL('')));
  const [op, arg] = typeof action === 'string' ? [action, undefined] : Object.entries(action)[0];
  if (op === 'ignore') return false;
  actions[op](arg, msg, sender).then(sendResponse,
    (e) => sendResponse(JSON.parse(core.failure(String(e && e.message || e)))));
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
      const key = (await chrome.storage.local.get(KEY_KEY))[KEY_KEY];
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
