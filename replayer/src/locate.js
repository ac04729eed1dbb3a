// Runs in the page (WebDriver Execute Script) to find a step's element.
//
// arguments[0] = { hosts: [css...], alts: [{kind, role, value}],
//                 contentRoles: [role...] (roles named from content) }
// Returns one result per alternative, evaluated against the same DOM
// snapshot so that "which alternative worked" is not a race:
//   { outcome: "found" | "none" | "many" | "hidden" | "disabled" | "no_host"
//              | "error", count, element }
//
// "aria" here is a small approximation of the accessibility tree, the same
// one the recorder uses to name targets: the role is the first token of an
// explicit role attribute or the implicit role of a few tags; the name is
// aria-label, aria-labelledby, an associated <label>, the element's own
// text, then its placeholder/value/title/alt.
const spec = arguments[0];
const CONTENT_ROLES = new Set(spec.contentRoles);

const norm = (s) => (s || "").replace(/\s+/g, " ").trim();

function implicitRole(el) {
  const tag = el.localName;
  const type = (el.getAttribute("type") || "text").toLowerCase();
  switch (tag) {
    case "button": return "button";
    case "a": case "area": return el.hasAttribute("href") ? "link" : null;
    case "select": return el.multiple || el.size > 1 ? "listbox" : "combobox";
    case "textarea": return "textbox";
    case "input":
      switch (type) {
        case "button": case "submit": case "reset": case "image": return "button";
        case "checkbox": return "checkbox";
        case "radio": return "radio";
        case "range": return "slider";
        case "number": return "spinbutton";
        case "search": return "searchbox";
        case "text": case "email": case "tel": case "url": case "password": return "textbox";
        default: return null;
      }
    default: return null;
  }
}

function role(el) {
  const explicit = norm(el.getAttribute("role")).split(" ")[0];
  return (explicit || implicitRole(el) || "").toLowerCase();
}

function labelText(el) {
  if (el.labels && el.labels.length) {
    return norm(Array.from(el.labels).map((l) => l.innerText || l.textContent).join(" "));
  }
  return "";
}

function accessibleName(el) {
  const label = norm(el.getAttribute("aria-label"));
  if (label) return label;
  const by = el.getAttribute("aria-labelledby");
  if (by) {
    const root = el.getRootNode();
    const txt = norm(by.split(/\s+/).map((id) => {
      const n = root.getElementById ? root.getElementById(id) : null;
      return n ? n.textContent : "";
    }).join(" "));
    if (txt) return txt;
  }
  const lt = labelText(el);
  if (lt) return lt;
  const tag = el.localName;
  if (tag !== "input" && tag !== "textarea" && tag !== "select" && CONTENT_ROLES.has(role(el))) {
    const own = norm(el.innerText || el.textContent);
    if (own) return own;
  }
  if (tag === "input" && ["button", "submit", "reset"].includes((el.type || "").toLowerCase())) {
    const v = norm(el.value);
    if (v) return v;
  }
  return norm(el.getAttribute("placeholder")) || norm(el.getAttribute("title")) || norm(el.getAttribute("alt"));
}

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
    case "aria": {
      const want = norm(alt.value);
      const wantRole = (alt.role || "").toLowerCase();
      return allElements(document).filter((el) => role(el) === wantRole && accessibleName(el) === want);
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
