// Starts the viewer's wasm. The extension's Content-Security-Policy refuses
// inline scripts, so the loader is this external module. The file names are
// the ones scripts/build-extension gives wasm-bindgen's output.
import init from './clawtrail-viewer.js';

init({ module_or_path: new URL('clawtrail-viewer_bg.wasm', import.meta.url) }).catch((e) => {
  const error = document.getElementById('error');
  error.textContent = `The viewer failed to start: ${e && e.message ? e.message : e}`;
  error.hidden = false;
});
