// Content-script entry, bundled with the wasm2js recorder into one classic
// script (see scripts/build-extension). Thin glue: the recorder (Rust)
// captures, holds, orders and queues events; this file only carries
// messages to and from chrome.runtime.
//
// This script runs at document_start in every frame of every page, and
// almost all of them are never recorded. So the recorder is loaded lazily:
// the first time recording turns on in this frame. Until then this file
// registers no DOM listener at all, and the recorder's code (the wasm2js
// module and its glue) sits inside a function that is never called, which
// V8 only pre-parses. `require` makes esbuild wrap the ES modules in such
// a lazily evaluated function (its `__esm` wrapper).
import { t0 } from './t0.js';

// At document_start this is "loading"; the e2e tests check it.
const readyStateAtStart = document.readyState;

// Random per document: with the counter the recorder appends, it makes the
// `cid` of every event unique, so the worker can drop a resent duplicate.
// getRandomValues, unlike randomUUID, also works on plain-http pages.
const instance = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) =>
  b.toString(16).padStart(2, '0'),
).join('');

// workflow_format::limits::DEPTH: a deeper path would fail validation.
const MAX_DEPTH = 32;

// Index path from the top frame, following `window.frames` order. Cross-
// origin parents still expose `frames`, `length` and `parent`, so this works
// in every frame the content script is injected into. The recorder puts
// exactly this path into every event (it is handed over at start).
function framePath() {
  const path = [];
  let current = window;
  for (;;) {
    const parent = current.parent;
    if (parent === null || parent === undefined || parent === current) break;
    if (path.length >= MAX_DEPTH) throw new Error('frames nested too deeply');
    const frames = parent.frames;
    let index = -1;
    for (let i = 0; i < frames.length; i++) {
      if (frames[i] === current) {
        index = i;
        break;
      }
    }
    if (index < 0) throw new Error('frame not found in its parent');
    path.push(index);
    current = parent;
  }
  return path.reverse();
}

let initError = null;
let frame = null;
try {
  frame = framePath();
} catch (e) {
  initError = String(e);
}

// The recorder module once loaded and started, else null.
let recorder = null;
let loadMs = null;
function loadRecorder() {
  if (recorder !== null || initError !== null) return recorder;
  const start = performance.now();
  try {
    const module = require('clawtrail-recorder');
    // The recorder calls back synchronously from inside its own event
    // handlers; sending from a microtask keeps the two apart.
    module.start(() => queueMicrotask(pump), instance, frame);
    recorder = module;
    // Registered after the recorder's own pagehide listener, which emits
    // what it held: whatever then waits behind the message in flight goes
    // now, or it would die with the document (the click that submitted
    // the form, the submit itself).
    window.addEventListener('pagehide', () => {
      const text = recorder.outbox_unload_message();
      if (text === undefined || text === null) return;
      try {
        chrome.runtime.sendMessage(JSON.parse(text)).catch(() => {});
      } catch {
        // The extension context is gone; nothing can be sent any more.
      }
    });
  } catch (e) {
    initError = String(e);
  }
  loadMs = performance.now() - start;
  return recorder;
}

// Delivery: at most one `capture` message in flight (the outbox in Rust
// enforces it and batches what queued meanwhile); after a failure the
// outbox says how long to wait. Runs for as long as the document lives.
let sending = false;
let retryTimer = null;
function pump() {
  if (sending || recorder === null) return;
  const text = recorder.outbox_take();
  if (text === undefined || text === null) return;
  sending = true;
  const done = (delay) => {
    sending = false;
    queueMicrotask(checkDrained);
    if (delay > 0) {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(pump, delay);
    } else {
      pump();
    }
  };
  let sent;
  try {
    sent = chrome.runtime.sendMessage(JSON.parse(text));
  } catch {
    // Throws synchronously once the extension context is gone.
    sent = Promise.reject();
  }
  sent.then(
    (reply) => done(recorder.outbox_reply(reply)),
    () => done(recorder.outbox_failed()),
  );
}

const isRecording = () => recorder !== null && recorder.is_recording();
const unacked = () => (recorder === null ? 0 : recorder.outbox_len());

// Stop and Pause wait for this: closing the gate emits whatever the
// recorder still held (a typed value, a click waiting to become a double
// click), and the worker must have those before it ends the recording. The
// answer to set_recording goes out once they are acknowledged, or after a
// bounded wait if the worker cannot take them.
const drainWaiters = [];
function checkDrained() {
  if (sending || unacked() > 0) return;
  while (drainWaiters.length > 0) drainWaiters.shift()();
}
function drained(timeoutMs) {
  return new Promise((resolve) => {
    drainWaiters.push(resolve);
    setTimeout(resolve, timeoutMs);
    queueMicrotask(() => {
      pump();
      checkDrained();
    });
  });
}

// Turning recording on loads the recorder; turning it off in a frame that
// never recorded has nothing to close.
function setRecording(on) {
  if (on) loadRecorder();
  recorder?.set_recording(on);
}

const initMs = performance.now() - t0;

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  // Only our own extension can reach this listener (there is no
  // externally_connectable), but say so explicitly.
  if (sender.id !== chrome.runtime.id || typeof msg !== 'object' || msg === null) return false;
  switch (msg.type) {
    case 'ping':
      sendResponse({
        ok: initError === null,
        recording: isRecording(),
        frame,
        ready_state_at_start: readyStateAtStart,
        init_ms: initMs,
        recorder_loaded: recorder !== null,
        recorder_load_ms: loadMs,
        unacked: unacked(),
        error: initError,
      });
      return false;
    case 'set_recording':
      setRecording(msg.recording === true);
      if (msg.recording === true) {
        sendResponse({ ok: initError === null, recording: isRecording(), frame });
        return false;
      }
      drained(3000).then(() => sendResponse({ ok: true, recording: isRecording(), frame }));
      return true; // answered once the last events are acknowledged
    default:
      return false;
  }
});

// A frame that loads while a recording runs must join it: ask the worker.
chrome.runtime
  .sendMessage({ type: 'hello', frame, url: location.href, ok: initError === null })
  .then((reply) => {
    if (reply && reply.recording === true && loadRecorder() !== null) recorder.hello_reply(true);
  })
  .catch(() => {});
