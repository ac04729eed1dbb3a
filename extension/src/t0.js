// Imported first by content.js, so this runs before anything else of the
// content script: the difference to "ready" is its whole start-up cost.
export const t0 = performance.now();
