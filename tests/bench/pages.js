// Pages for the browser benchmarks, served by tests/e2e/lib/server.js.

/** A page with `n` same-origin iframes, each a small real document. */
export function framedPages(n) {
  const frames = Array.from({ length: n }, (_, i) => `<iframe src="/child?i=${i}" width="120" height="60"></iframe>`).join('\n');
  return {
    '/favicon.ico': { body: '', type: 'image/x-icon', status: 204 },
    '/framed': {
      body: `<!doctype html><html><head><title>framed</title></head>
<body><h1>20 frames</h1><button id="b">Button</button>\n${frames}</body></html>`,
    },
    '/child': {
      body: `<!doctype html><html><head><title>child</title></head>
<body><p>child frame</p><button>Child</button><input name="q"></body></html>`,
    },
  };
}

/**
 * About 10,000 nodes: 100 targets (50 buttons, 50 text inputs), each at the
 * bottom of a chain of nested wrappers and inside two nested shadow roots,
 * every wrapper carrying filler siblings. Wrappers use `display: contents`,
 * so the targets lay out in one flex grid inside the viewport and can be
 * clicked with real (trusted) input. Scroll targets are small scrollers in the light DOM.
 * Served cross-origin isolated so that timers are fine-grained.
 */
export function bigDomPage() {
  const script = `
(() => {
  const DEPTH = 24, FILLER = 3;
  const grid = document.getElementById('grid');
  let nodes = 0;
  const el = (tag, parent) => { const e = document.createElement(tag); parent.appendChild(e); nodes++; return e; };
  function chain(parent, depth) {
    let cur = parent;
    for (let d = 0; d < depth; d++) {
      for (let f = 0; f < FILLER; f++) { const s = el('span', cur); s.className = 'f' + f; }
      cur = el('div', cur);
      cur.className = 'w' + (d % 5);
    }
    return cur;
  }
  window.__targets = []; window.__scrollers = [];
  for (let i = 0; i < 100; i++) {
    const outerHost = el('div', chain(grid, DEPTH / 2));
    outerHost.className = 'host';
    const outer = outerHost.attachShadow({ mode: 'open' });
    outer.innerHTML = '<style>div{display:contents}</style>';
    const innerHost = el('div', chain(outer, DEPTH / 4));
    const inner = innerHost.attachShadow({ mode: 'open' });
    inner.innerHTML = '<style>div{display:contents} button,input,.sc{width:70px;height:22px;margin:1px;box-sizing:border-box}.sc{display:inline-block;overflow:auto}</style>';
    const leafParent = chain(inner, DEPTH / 4);
    let t;
    if (i % 2 === 0) { t = el('button', leafParent); t.textContent = 'Action ' + i; t.id = 'b' + i; }
    else { t = el('input', leafParent); t.type = 'text'; t.name = 'field' + i; t.setAttribute('aria-label', 'Field ' + i); }
    window.__targets.push(t);
    // The scroller sits in the light DOM beside the widget, 12 wrappers
    // deep: a 'scroll' event is not composed, so from inside a shadow root it
    // would reach no listener of the recorder (nor of the baseline) and
    // the row would time nothing.
    const sc = el('div', outerHost.parentNode);
    sc.style.cssText = 'display:inline-block;overflow:auto;width:70px;height:22px;margin:1px';
    const tall = el('div', sc); tall.style.cssText = 'display:block;height:2000px';
    window.__scrollers.push(sc);
  }
  while (nodes < 10200) el('span', document.getElementById('rest'));
  // Elements in the light DOM and inside every shadow root.
  const count = (root) => [...root.querySelectorAll('*')].reduce((n, e) => n + 1 + (e.shadowRoot ? count(e.shadowRoot) : 0), 0);
  window.__nodes = count(document);
})();`;
  return {
    '/favicon.ico': { body: '', type: 'image/x-icon', status: 204 },
    '/dom': {
      headers: {
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
      },
      body: `<!doctype html><html><head><title>big dom</title>
<style>body{margin:0} #grid{display:flex;flex-wrap:wrap;width:800px} #grid div{display:contents} #rest{display:none}</style>
</head><body><div id="grid"></div><div id="rest"></div><script src="/dom.js"></script></body></html>`,
    },
    '/dom.js': {
      type: 'text/javascript',
      headers: { 'cross-origin-resource-policy': 'same-origin' },
      body: script,
    },
  };
}

