// Pages for roundtrip-pages.test.js: an SPA with pushState and hash routes,
// a top page with a cross-origin iframe form, and a two-level open shadow
// DOM. Each one reports its end state through lib/reports.js, so the test
// can tell what a replay (in a browser it does not control) really did.
// The reported text depends on what was typed and chosen, so a replay that
// skipped a step or typed the wrong value cannot report the expected text.

import { reportScript } from './reports.js';

/**
 * A café SPA: `/app` -> (pushState) `/app/order` -> (pushState)
 * `/app/review` -> (hash, set by the Confirm button) `/app/review#confirmed`. The order lives in
 * memory only, so the last view can show it only if every view before it
 * ran in the same document, i.e. the routes really were client-side.
 */
export function spaRoutes() {
  const app = `<!doctype html><html><head><title>Cafe</title></head><body>
<nav><a id="home" href="/app">Cafe</a></nav>
<main id="view"></main>
<script>
  ${reportScript('spa')}
  const order = { drink: '', size: '' };
  function go(path) { history.pushState(null, '', path); render(); }
  // A fragment navigation fires both popstate and hashchange: render once.
  let shown = null;
  function render() {
    if (location.href === shown) return;
    shown = location.href;
    const view = document.getElementById('view');
    if (location.pathname === '/app/order') {
      view.innerHTML = '<h1>Order</h1>' +
        '<label for="drink">Drink</label> <input id="drink" name="drink"> ' +
        '<label for="size">Size</label> <select id="size" name="size">' +
        '<option value="small">Small</option><option value="medium">Medium</option>' +
        '<option value="large">Large</option></select> ' +
        '<button id="review" type="button">Review order</button>';
      document.getElementById('review').addEventListener('click', () => {
        order.drink = document.getElementById('drink').value;
        order.size = document.getElementById('size').value;
        go('/app/review');
      });
    } else if (location.pathname === '/app/review' && location.hash === '#confirmed') {
      view.innerHTML = '<h1 id="done"></h1>';
      document.getElementById('done').textContent = 'Ordered ' + order.drink + ' (' + order.size + ')';
    } else if (location.pathname === '/app/review') {
      view.innerHTML = '<h1>Review</h1><p id="summary"></p><button id="confirm" type="button">Confirm order</button>';
      document.getElementById('summary').textContent = order.drink + ', ' + order.size;
      // Report before the route changes: the replayer is done once the
      // URL is the recorded one, so the report must already be in.
      document.getElementById('confirm').addEventListener('click', () => {
        report('Ordered ' + order.drink + ' (' + order.size + ')');
        location.hash = 'confirmed';
      });
    } else {
      view.innerHTML = '<h1>Welcome</h1><a id="start" href="/app/order">Start an order</a>';
      document.getElementById('start').addEventListener('click', (e) => {
        e.preventDefault();
        go('/app/order');
      });
    }
  }
  window.addEventListener('hashchange', render);
  window.addEventListener('popstate', render);
  render();
</script></body></html>`;
  // Every route serves the app, as an SPA host does; only /app is loaded.
  const route = { body: app };
  return { '/app': route, '/app/order': route, '/app/review': route };
}

/**
 * `/top` on `topOrigin` embeds `/widget` from `widgetOrigin`. The widget's
 * form posts its values to the top page with postMessage (the top page
 * checks the sender's origin) and reports them to its own server too.
 */
export function iframeRoutes(topOrigin, widgetOrigin) {
  return {
    top: {
      '/top': {
        body: `<!doctype html><html><head><title>Shop</title></head><body>
<h1>Delivery</h1>
<p id="status">Waiting for the widget</p>
<iframe id="widget" title="Delivery widget" src="${widgetOrigin}/widget" width="600" height="200"></iframe>
<script>
  ${reportScript('top')}
  window.addEventListener('message', (e) => {
    if (e.origin !== ${JSON.stringify(widgetOrigin)}) return;
    const text = 'Delivery to ' + e.data.city + (e.data.express ? ' (express)' : ' (standard)');
    document.getElementById('status').textContent = text;
    report(text);
    // A main-frame route change the replayer waits for (the message
    // arrives after the click in the widget has returned).
    location.hash = 'delivered';
  });
</script></body></html>`,
      },
    },
    widget: {
      '/widget': {
        body: `<!doctype html><html><head><title>Widget</title></head><body>
<form id="f">
  <label for="city">City</label> <input id="city" name="city">
  <label><input type="checkbox" id="express" name="express"> Express</label>
  <button id="send" type="submit">Send</button>
</form>
<p id="sent"></p>
<script>
  ${reportScript('widget')}
  document.getElementById('f').addEventListener('submit', (e) => {
    e.preventDefault();
    const data = {
      city: document.getElementById('city').value,
      express: document.getElementById('express').checked,
    };
    report(data.city + '|' + data.express);
    document.getElementById('sent').textContent = 'Sent';
    parent.postMessage(data, ${JSON.stringify(topOrigin)});
  });
</script></body></html>`,
      },
    },
  };
}

/**
 * `/cups`: `<cup-order>` (open shadow root) holds `<cup-label>` (open shadow
 * root) with an input and a button, next to its own Checkout button. The
 * inner button hands the name up with a composed event; Checkout shows and
 * reports it, so both shadow levels must have been driven.
 */
export function shadowRoutes() {
  return {
    '/cups': {
      body: `<!doctype html><html><head><title>Cups</title></head><body>
<h1>Personalised cup</h1>
<cup-order id="order"></cup-order>
<script>
  ${reportScript('shadow')}
  customElements.define('cup-label', class extends HTMLElement {
    connectedCallback() {
      const root = this.attachShadow({ mode: 'open' });
      root.innerHTML = '<label for="name">Name on cup</label> <input id="name"> ' +
        '<button id="add" type="button">Add name</button>';
      root.getElementById('add').addEventListener('click', () => {
        this.dispatchEvent(new CustomEvent('named', {
          detail: root.getElementById('name').value, bubbles: true, composed: true,
        }));
      });
    }
  });
  customElements.define('cup-order', class extends HTMLElement {
    connectedCallback() {
      const root = this.attachShadow({ mode: 'open' });
      root.innerHTML = '<section><cup-label class="label"></cup-label> ' +
        '<button id="checkout" type="button">Checkout</button> <output id="out"></output></section>';
      let name = '';
      root.addEventListener('named', (e) => {
        name = e.detail;
        root.getElementById('out').textContent = 'Name: ' + name;
      });
      root.getElementById('checkout').addEventListener('click', () => {
        const text = 'Cup for ' + name;
        root.getElementById('out').textContent = text;
        report(text);
      });
    }
  });
</script></body></html>`,
    },
  };
}
