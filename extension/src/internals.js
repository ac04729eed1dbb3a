// Main-world content script (manifest: "world": "MAIN", document_start,
// every frame). The one thing the recorder cannot read from its isolated
// world: the role and label a custom element gave itself through
// ElementInternals (`this.attachInternals().role = 'switch'`). Only the
// page's own class holds that object, and Chromium's accessibility tree
// uses it, so a recorded name must too (clawtrail_accname::Internals).
//
// Thin glue, no decisions: remember each element's internals; when the
// recorder (only while recording, only for custom elements) dispatches
// `clawtrail-internals` on an element, answer on the same element with
// `clawtrail-internals-reply` carrying `[role, ariaLabel]` as a JSON
// string (a string crosses the world boundary in `detail`; an object
// would not). Both events are synchronous: the answer has arrived when
// the recorder's dispatchEvent returns.
//
// The wrapper is a Proxy: `attachInternals` still reports itself as native
// code, keeps its name and length, and behaves exactly as before, so a
// page cannot tell the extension from its absence by looking at it.
const held = new WeakMap();
const proto = HTMLElement.prototype;
const original = proto.attachInternals;
if (typeof original === 'function') {
  proto.attachInternals = new Proxy(original, {
    apply(target, self, args) {
      const internals = Reflect.apply(target, self, args);
      held.set(self, internals);
      return internals;
    },
  });
}
addEventListener('clawtrail-internals', (event) => {
  const el = event.target;
  const internals = held.get(el);
  if (!internals) return;
  const detail = JSON.stringify([internals.role ?? null, internals.ariaLabel ?? null]);
  el.dispatchEvent(new CustomEvent('clawtrail-internals-reply', { detail }));
}, true);
