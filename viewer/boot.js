// Starts the viewer's wasm. Trunk's own loader is an inline <script>, which
// the extension's Content-Security-Policy refuses; this file is the same
// loader as an external module. File names are fixed (Trunk.toml filehash =
// false) because this script cannot be rewritten by trunk.
import init from './clawtrail-viewer.js';

init({ module_or_path: new URL('clawtrail-viewer_bg.wasm', import.meta.url) }).catch((e) => {
  const error = document.getElementById('error');
  error.textContent = `The viewer failed to start: ${e && e.message ? e.message : e}`;
  error.hidden = false;
});
