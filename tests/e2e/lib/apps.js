// Shared by the roundtrip-app-*.test.js suites: round trips on real
// third-party web apps (installed from npm or PyPI) that we did not write.

import assert from 'node:assert/strict';

/** The inputs of an exported skill (its "## Inputs" list), in order. */
export function skillInputs(skillMd) {
  // The Inputs list ("- `{{name}}` (field ..."), not the review at the top
  // ("- `{{name}}` is a password ...").
  return [...skillMd.matchAll(/^- `\{\{(\w+)\}\}` \(/gm)].map((m) => m[1]);
}

/** The one input of an exported skill. */
export function onlyInput(skillMd) {
  const names = skillInputs(skillMd);
  assert.equal(names.length, 1, `one input: ${names.join(', ')}`);
  return names[0];
}
