// Imported first by content.js, so this runs before the recorder module is
// evaluated: the difference to "ready" is the content script's whole cost.
export const t0 = performance.now();
