// The accessible-name conformance page: one element per case, each with
// `data-case` (and a unique id, which the recording keeps in Target.id).
// tests/e2e/accname-conformance.test.js clicks every case with the real
// extension recording and compares the recorded role and name with
// Chromium's own accessibility tree. Cases come from the accname and
// HTML-AAM rules Chromium implements: where our recorder and the browser
// disagree, the browser is right.

const PIXEL = 'data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==';

export const ACCNAME_PAGE = `<!doctype html><html><head><title>accname conformance</title>
<style>
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  .cart::before { content: "Cart: "; }
  .case { display: block; margin: 4px 0; }
  fieldset.case { min-height: 40px; padding: 12px; }
  img.case { width: 20px; height: 20px; }
  /* No content of their own: a box to click. */
  x-switch, #c54 { display: inline-block; width: 30px; height: 16px; background: #ccc; }
</style>
<script>
  // ElementInternals roles and labels: the page's own class holds the
  // internals object; nothing outside it can read them from the DOM.
  customElements.define('x-switch', class extends HTMLElement {
    constructor() { super(); const i = this.attachInternals(); i.role = 'switch'; i.ariaLabel = 'Airplane mode'; i.ariaChecked = 'false'; }
    // A parser-made element may not gain attributes in its constructor.
    connectedCallback() { this.tabIndex = 0; }
  });
  customElements.define('x-chip', class extends HTMLElement {
    constructor() { super(); this.attachInternals().role = 'button'; }
    connectedCallback() { this.tabIndex = 0; }
  });
  customElements.define('x-submit', class extends HTMLElement {
    constructor() { super(); this.attachShadow({ mode: 'open' }).innerHTML = '<button id="inner" data-case><slot></slot></button>'; }
  });
  customElements.define('x-field', class extends HTMLElement {
    constructor() { super(); this.attachShadow({ mode: 'open' }).innerHTML =
      '<label for="nick">Nickname</label><input id="nick" data-case>' +
      '<span id="hint">Your</span> <span id="hint2">city</span><input id="city" aria-labelledby="hint hint2" data-case>'; }
  });
  customElements.define('x-card', class extends HTMLElement {
    constructor() { super(); this.attachShadow({ mode: 'open' }).innerHTML =
      '<div role="button" tabindex="0" id="open" data-case><span aria-hidden="true">→</span> <slot name="title"></slot></div>'; }
  });
</script>
</head><body>
<div id="cases">
<label class="case">Email <input id="c1" type="email" data-case></label>
<label class="case" for="c2">First name</label><input id="c2" class="case" data-case>
<label class="case">Country <select id="c3" data-case><option>France</option><option selected>Peru</option></select></label>
<label class="case"><input id="c4" type="checkbox" data-case> Send <select><option>daily</option><option>weekly</option></select> mails</label>
<span id="l1">Billing</span> <span id="l2">address</span><input id="c5" class="case" aria-labelledby="l1 l2" data-case>
<span id="hid" hidden>Secret name</span><button id="c6" class="case" aria-labelledby="hid" data-case>X</button>
<button id="c7" class="case" aria-label="Close" data-case>×</button>
<button id="c8" class="case" title="Settings" data-case><svg aria-hidden="true" width="10" height="10"><rect width="10" height="10"/></svg></button>
<input id="c9" class="case" title="Search terms" data-case>
<img id="c10" class="case" alt="Company logo" src="${PIXEL}" data-case>
<a id="c11" class="case" href="#home" data-case><img alt="Home" src="${PIXEL}" width="20" height="20"></a>
<input id="c12" class="case" type="submit" value="Apply" data-case>
<input id="c13" class="case" type="reset" data-case>
<input id="c14" class="case" type="button" value="Preview" data-case>
<input id="c15" class="case" type="submit" data-case>
<input id="c16" class="case" type="image" alt="Go" src="${PIXEL}" width="20" height="20" data-case>
<fieldset id="c17" class="case" data-case><legend>Shipping</legend></fieldset>
<button id="c18" class="case" data-case><span aria-hidden="true">✕</span><span class="sr-only">Close dialog</span></button>
<select id="c19" class="case" multiple aria-label="Toppings" data-case><option>Cheese</option><option>Ham</option></select>
<select id="c20" class="case" size="3" data-case><option>Small</option><option>Large</option></select>
<div id="c22" class="case" role="button" tabindex="0" data-case>Save draft</div>
<a id="c23" class="case" href="#profile" role="tab" data-case>Profile</a>
<span id="c24" class="case" role="switch checkbox" aria-checked="false" tabindex="0" data-case>Dark mode</span>
<div id="c25" class="case" role="bogus button" tabindex="0" data-case>Fallback role</div>
<x-submit id="c26" class="case">Submit order</x-submit>
<x-field id="c27" class="case"></x-field>
<x-switch id="c28" class="case" data-case></x-switch>
<x-chip id="c29" class="case" data-case>Remove tag</x-chip>
<x-card id="c30" class="case"><span slot="title">Quarterly report</span></x-card>
<textarea id="c31" class="case" data-case>print(6*7)</textarea>
<input id="c32" class="case" placeholder="Search docs" data-case>
<a id="c33" class="case" href="#more" data-case>Read <b>more</b></a>
<a id="c34" class="case" href="#pricing" data-case><div>Pricing</div><div>plans</div></a>
<button id="c35" class="case" data-case>Save<span>all</span></button>
<button id="c36" class="case cart" data-case>Checkout</button>
<button id="c37" class="case" data-case>  Many
   spaces   here </button>
<button id="c38" class="case" aria-label="  " data-case>Real name</button>
<select id="c39" class="case" data-case><option>One</option><option selected>Two</option></select>
<button id="c40" class="case" data-case>Go<span style="display:none"> hidden</span></button>
<button id="c41" class="case" data-case><img alt="Print" src="${PIXEL}" width="10" height="10"></button>
<button id="c42" class="case" aria-labelledby="c42 dfile" data-case>Download</button><span id="dfile">report.pdf</span>
<input id="c43" class="case" type="checkbox" aria-label="Select row 3" data-case>
<label class="case">Volume <input id="c44" type="range" data-case></label>
<button id="c45" class="case" role="none" data-case>Presentational but focusable</button>
<a id="c46" class="case" data-case>No href</a>
<div id="c47" class="case" tabindex="0" data-case>Clickable div</div>
<h2 id="c48" class="case" data-case>Account <small>settings</small></h2>
<div id="c49" class="case" contenteditable="true" role="textbox" aria-label="Message" data-case>Hello</div>
<input id="c50" class="case" type="text" aria-label="Code" placeholder="ignored" title="also ignored" data-case>
<label class="case" for="c51">Quantity</label><input id="c51" class="case" type="number" title="How many" data-case>
<button id="c52" class="case" title="Tooltip only" data-case>Text wins</button>
<input id="c53" class="case" type="search" placeholder="Filter" title="Filter rows" data-case>
<a id="c54" class="case" href="#terms" title="Terms of service" data-case></a>
<label class="case"><span>Remember</span> <input id="c55" type="radio" name="r" data-case> me</label>
<button id="c56" class="case" aria-labelledby="nope" data-case>Missing reference</button>
<div id="c57" class="case" role="link" tabindex="0" data-case><span style="visibility:hidden">Invisible </span>Visible</div>
<ul><li id="c58" class="case" role="menuitem" tabindex="0" data-case>Rename <kbd>F2</kbd></li></ul>
</div>
</body></html>`;
