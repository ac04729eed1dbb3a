// Recorded targets against Chromium's accessibility tree, for tests on
// pages we did not write.
//
// `click()` clicks like page.click and, between press and release, takes
// what the browser says about every element on the event's composed path
// (innermost first, shadow roots and slots included): its tag, its box and
// its role and name in the accessibility tree (CDP, through puppeteer).
// After the recording, `match()` finds, for each recorded click, the path
// element the recorder chose (same tag, same box) and pairs the recorded
// role and name with the browser's. Taking the browser's answer at click
// time matters: a dropdown's option is gone from the tree once chosen.

/** `[role, name]` as Chromium's accessibility tree has it; role `null` for
 * an element without one worth recording (generic, none, ignored, or one
 * of Chromium's internal CamelCase roles such as LabelText). */
export async function browserSays(page, handle) {
  const node = await page.accessibility.snapshot({ root: handle, interestingOnly: false });
  return axOf(node && { role: { value: node.role }, name: { value: node.name } });
}

/** The same from a CDP AXNode. */
export function axOf(node) {
  const role = node?.ignored ? null : (node?.role?.value ?? null);
  if (role === null || ['generic', 'none', 'presentation'].includes(role) || /^[A-Z]/.test(role)) {
    return [null, ''];
  }
  return [role, (node.name?.value ?? '').replace(/\s+/g, ' ').trim()];
}

/** What a recorded target says: `[role, name]`. */
export function recordedSays(target) {
  return target.aria ? [target.aria.role, target.aria.name] : [null, ''];
}

export function axProbes(page) {
  const probes = [];
  return {
    probes,
    /** Clicks the centre of `selector` (in the main frame) as page.click
     * does, and takes the browser's answer for every element of the event's
     * composed path between the press and the release. */
    async click(selector) {
      const el = await page.waitForSelector(selector, { visible: true });
      // Where it settles: a dropdown opens with an animation, and the
      // recorder reads the box at the click, after it.
      const { x, y } = await el.evaluate(async (e) => {
        e.scrollIntoView({ block: 'center', inline: 'center' });
        let last = '';
        for (let i = 0; i < 50; i++) {
          const r = e.getBoundingClientRect();
          const now = [r.x, r.y, r.width, r.height].join();
          if (now === last) return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
          last = now;
          await new Promise((ok) => setTimeout(ok, 50));
        }
        throw new Error('the element never stopped moving');
      });
      // The press's composed path, as the page itself sees it (shadow
      // roots and slots included), kept for the probe.
      await page.evaluate(() => {
        window.__axPath = null;
        addEventListener('pointerdown', (e) => {
          window.__axPath = e.composedPath().filter((n) => n.nodeType === 1 && n !== document.body
            && n !== document.documentElement);
        }, { capture: true, once: true });
      });
      await page.mouse.move(x, y);
      await page.mouse.down();
      const path = await page.evaluateHandle(() => window.__axPath ?? []);
      const count = await path.evaluate((p) => p.length);
      const entries = [];
      for (let i = 0; i < count; i++) {
        const handle = await path.evaluateHandle((p, j) => p[j], i);
        const [tag, rect] = await handle.evaluate((e) => {
          const r = e.getBoundingClientRect();
          return [e.localName, [r.x, r.y, r.width, r.height]];
        });
        entries.push({ tag, rect, ax: await browserSays(page, handle) });
      }
      await page.mouse.up();
      probes.push(entries);
    },
    /** For each recorded click (in order, one per probe), the browser's and
     * the recording's `[role, name]`; throws when the recorder chose no
     * element of the probed path. */
    match(clickTargets) {
      if (clickTargets.length !== probes.length) {
        throw new Error(`${clickTargets.length} recorded clicks for ${probes.length} probes`);
      }
      return clickTargets.map((t, i) => {
        const b = t.bounds;
        const near = (a, c) => Math.abs(a - c) < 1.5;
        const hit = probes[i].find((p) => p.tag === t.tag
          && near(p.rect[0], b.x) && near(p.rect[1], b.y) && near(p.rect[2], b.width) && near(p.rect[3], b.height));
        if (!hit) {
          throw new Error(`click ${i + 1}: the recorded <${t.tag}> ${JSON.stringify(b)} is not on the clicked path `
            + JSON.stringify(probes[i].map((p) => [p.tag, p.rect])));
        }
        return { tag: t.tag, recorded: recordedSays(t), browser: hit.ax, path: probes[i].map((p) => p.tag) };
      });
    },
  };
}
