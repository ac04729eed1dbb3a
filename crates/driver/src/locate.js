// Runs in the page (WebDriver Execute Script) to find a step's element.
//
// arguments[0] = { hosts: [css...], alts: [{kind, role, value}], cap }
// Returns one result per alternative, evaluated against the same DOM
// snapshot so that "which alternative worked" is not a race:
//   { outcome: "found" | "none" | "many" | "hidden" | "disabled" | "no_host"
//              | "error", count, element }
// except for "aria" alternatives, which this script does not decide:
//   { outcome: "candidates", count, candidates: [{element, enabled}] }
//   { outcome: "too_many", count }
//
// This script has no idea of roles or accessible names. For a role + name
// it only gathers CANDIDATES, a superset of the elements the browser could
// give that name, and the replayer asks the browser (WebDriver's Get
// Computed Role and Get Computed Label) which of them has the role and the
// name: where the page's view and the browser's differ, the browser wins.
// False positives cost a question each, never a wrong match; more than
// `cap` candidates is "too_many", not a guess among the first ones.
const spec = arguments[0];

const norm = (s) => (s || "").replace(/\s+/g, " ").trim();

// Every element under `root`, descending into open shadow roots.
function allElements(root) {
  const out = [];
  const walk = (r) => {
    for (const el of r.querySelectorAll("*")) {
      out.push(el);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(root);
  return out;
}

function visible(el) {
  if (!el.isConnected) return false;
  if (typeof el.checkVisibility === "function" &&
      !el.checkVisibility({ visibilityProperty: true })) return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
}

function enabled(el) {
  if (typeof el.matches === "function" && el.matches(":disabled")) return false;
  return el.getAttribute("aria-disabled") !== "true";
}

// The root the recorder's CSS and XPath are relative to.
function recordedRoot() {
  let root = document;
  for (const host of spec.hosts) {
    const h = root.querySelector(host);
    if (!h || !h.shadowRoot) return null;
    root = h.shadowRoot;
  }
  return root;
}

// The element (or shadow host) a node hangs from in the composed tree.
function composedParent(n) {
  if (n.parentNode instanceof ShadowRoot) return n.parentNode.host;
  return n.parentElement;
}

// The elements whose accessible name COULD hold `name`: those where the
// longest word of it shows up, in any case, in what a name is computed
// from, and every composed ancestor of them (a name from content takes in
// the names of descendants, also across shadow roots and slots):
//   - the element's text (textContent), the text of its shadow root and
//     the text slotted into its slots;
//   - any attribute value (aria-label, alt, title, placeholder, value...);
//   - its current value;
//   - any of these in its <label>s or in the elements its aria-labelledby
//     or aria-owns point at (by id in its root, or by element reference);
// plus every custom element that is focusable (a tabindex) or
// form-associated: ElementInternals (`internals.ariaLabel`) can name it
// with words no page script can read. Only visible elements are kept: a
// hidden element has no role in the browser (Get Computed Role says
// "none"), so "hidden" is never an outcome here.
//
// Not gathered, so never found by role + name: a name made only of CSS
// generated content (::before/::after), or given by ElementInternals to a
// custom element that is neither focusable nor form-associated.
function ariaCandidates(name) {
  const words = norm(name).toLowerCase().split(" ").filter(Boolean);
  const word = words.reduce((a, b) => (b.length > a.length ? b : a), "");
  const has = (s) => typeof s === "string" && s.toLowerCase().includes(word);
  const textOf = (n) => (n ? n.textContent || "" : "");
  const marked = new Set();
  const markUp = (n) => {
    for (let e = n; e && !marked.has(e); e = composedParent(e)) marked.add(e);
  };
  const all = allElements(document);
  // What the element itself holds.
  for (const el of all) {
    if (marked.has(el)) continue;
    let hit = has(textOf(el));
    for (let i = 0; !hit && i < el.attributes.length; i++) hit = has(el.attributes[i].value);
    if (!hit && "value" in el) hit = has(String(el.value));
    if (!hit && el.localName === "slot" && typeof el.assignedNodes === "function") {
      hit = el.assignedNodes({ flatten: true }).some((n) => has(textOf(n)));
    }
    if (!hit && el.shadowRoot) hit = has(textOf(el.shadowRoot));
    if (!hit && el.localName.includes("-")) {
      const ctor = customElements.get(el.localName);
      hit = !!ctor && (el.hasAttribute("tabindex") || ctor.formAssociated === true);
    }
    if (hit) markUp(el);
  }
  // What names it from elsewhere: an element that carries the word is
  // marked by now (it, or a descendant of it, holds it).
  const refs = (el, attr, prop) => {
    const out = [];
    const root = el.getRootNode();
    for (const id of (el.getAttribute(attr) || "").split(/\s+/).filter(Boolean)) {
      const n = root.getElementById ? root.getElementById(id) : null;
      if (n) out.push(n);
    }
    if (Array.isArray(el[prop])) out.push(...el[prop]);
    return out;
  };
  const carriers = [];
  for (const el of all) {
    if (marked.has(el)) continue;
    if ((el.labels && Array.from(el.labels).some((l) => marked.has(l))) ||
        refs(el, "aria-labelledby", "ariaLabelledByElements").some((n) => marked.has(n)) ||
        refs(el, "aria-owns", "ariaOwnsElements").some((n) => marked.has(n))) {
      carriers.push(el);
    }
  }
  carriers.forEach(markUp);
  return all.filter((el) => marked.has(el) && visible(el));
}

function candidates(alt, root) {
  switch (alt.kind) {
    case "css":
      return Array.from(root.querySelectorAll(alt.value));
    case "xpath": {
      const res = document.evaluate(alt.value, root, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
      const out = [];
      for (let i = 0; i < res.snapshotLength; i++) {
        const n = res.snapshotItem(i);
        if (n.nodeType === 1) out.push(n);
      }
      return out;
    }
    case "text": {
      const want = norm(alt.value);
      const hits = allElements(document).filter((el) => norm(el.innerText || el.textContent) === want);
      // The innermost element carrying the text, not every ancestor of it.
      return hits.filter((el) => !hits.some((o) => o !== el && el.contains(o)));
    }
    default:
      return [];
  }
}

const root = recordedRoot();
return spec.alts.map((alt) => {
  try {
    if (alt.kind === "aria") {
      const found = ariaCandidates(alt.value);
      if (found.length === 0) return { outcome: "none", count: 0, element: null };
      if (found.length > spec.cap) return { outcome: "too_many", count: found.length, element: null };
      return {
        outcome: "candidates",
        count: found.length,
        candidates: found.map((el) => ({ element: el, enabled: enabled(el) })),
      };
    }
    if (!root && (alt.kind === "css" || alt.kind === "xpath")) {
      return { outcome: "no_host", count: 0, element: null };
    }
    const all = candidates(alt, root);
    if (all.length === 0) return { outcome: "none", count: 0, element: null };
    const shown = all.filter(visible);
    if (shown.length === 0) return { outcome: "hidden", count: all.length, element: null };
    if (shown.length > 1) return { outcome: "many", count: shown.length, element: null };
    const el = shown[0];
    if (!enabled(el)) return { outcome: "disabled", count: 1, element: null };
    return { outcome: "found", count: 1, element: el };
  } catch (e) {
    return { outcome: "error", count: 0, element: null, message: String(e && e.message || e) };
  }
});
