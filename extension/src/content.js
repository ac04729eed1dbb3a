// Content-script entry, bundled with the wasm2js recorder into one classic
// script (see scripts/build-extension). Thin glue: the recorder (Rust)
// captures, holds, orders and queues events; this file only carries
// messages to and from chrome.runtime.
import { t0 } from './t0.js';
import * as recorder from 'clawtrail-recorder';

// At document_start this is "loading"; the e2e tests check it.
const readyStateAtStart = document.readyState;

// Random per document: with the counter the recorder appends, it makes the
// `cid` of every event unique, so the worker can drop a resent duplicate.
// getRandomValues, unlike randomUUID, also works on plain-http pages.
const instance = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) =>
  b.toString(16).padStart(2, '0'),
).join('');

// Delivery: at most one `capture` message in flight (the outbox in Rust
// enforces it and batches what queued meanwhile); after a failure the
// outbox says how long to wait. Runs for as long as the document lives.
let sending = false;
let retryTimer = null;
function pump() {
  if (sending) return;
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
    (reply) => done(recorder.outbox_reply(JSON.stringify(reply ?? null))),
    () => done(recorder.outbox_failed()),
  );
}

// Stop and Pause wait for this: closing the gate emits whatever the
// recorder still held (a typed value, a click waiting to become a double
// click), and the worker must have those before it ends the recording. The
// answer to set_recording goes out once they are acknowledged, or after a
// bounded wait if the worker cannot take them.
const drainWaiters = [];
function checkDrained() {
  if (sending || recorder.outbox_len() > 0) return;
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

let initError = null;
try {
  // The recorder calls back synchronously from inside its own event
  // handlers; sending from a microtask keeps the two apart.
  recorder.start(() => queueMicrotask(pump), instance);
} catch (e) {
  initError = String(e);
}
const initMs = performance.now() - t0;
const frame = JSON.parse(recorder.frame_path());

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  // Only our own extension can reach this listener (there is no
  // externally_connectable), but say so explicitly.
  if (sender.id !== chrome.runtime.id || typeof msg !== 'object' || msg === null) return false;
  switch (msg.type) {
    case 'ping':
      sendResponse({
        ok: initError === null,
        recording: recorder.is_recording(),
        frame,
        ready_state_at_start: readyStateAtStart,
        init_ms: initMs,
        unacked: recorder.outbox_len(),
        error: initError,
      });
      return false;
    case 'set_recording':
      recorder.set_recording(msg.recording === true);
      if (msg.recording === true) {
        sendResponse({ ok: true, recording: true, frame });
        return false;
      }
      drained(3000).then(() => sendResponse({ ok: true, recording: recorder.is_recording(), frame }));
      return true; // answered once the last events are acknowledged
    default:
      return false;
  }
});

// A frame that loads while a recording runs must join it: ask the worker.
chrome.runtime
  .sendMessage({ type: 'hello', frame, url: location.href, ok: initError === null })
  .then((reply) => {
    if (reply && typeof reply.recording === 'boolean') recorder.hello_reply(reply.recording);
  })
  .catch(() => {});
