// Reading Chromium traces (CDP Tracing, JSON trace events) for the browser
// benchmarks. Only complete events ('X', with `dur` in microseconds) are
// used: RunTask, EvaluateScript, v8.compile, FunctionCall and EventDispatch
// are all emitted that way by current Chromium.

const EXT_SCRIPT = /^chrome-extension:\/\/[a-p]{32}\/content\.js/;

function urlOf(e) {
  const d = e.args?.data ?? e.args?.beginData ?? {};
  return d.url ?? d.stackTrace?.[0]?.url ?? '';
}

/** pid:tid keys of renderer main threads that parsed a document of `origin`. */
export function pageThreads(events, origin) {
  const threads = new Set();
  for (const e of events) {
    if (e.name === 'ParseHTML' && urlOf(e).startsWith(origin)) threads.add(`${e.pid}:${e.tid}`);
  }
  return threads;
}

/** Sum of the union of [start, end) intervals (no double counting of nesting). */
export function unionMicros(intervals) {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const [s, e] of sorted) {
    if (s > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = s;
      curEnd = e;
    } else if (e > curEnd) {
      curEnd = e;
    }
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}

const SCRIPT_EVENTS = new Set(['EvaluateScript', 'v8.compile', 'v8.compileModule', 'FunctionCall', 'v8.callFunction']);

/** Main-thread time (ms) of the page's threads: all tasks, and the part spent in content.js. */
export function loadCost(events, origin) {
  const threads = pageThreads(events, origin);
  const tasks = [];
  const script = [];
  for (const e of events) {
    if (e.ph !== 'X' || !threads.has(`${e.pid}:${e.tid}`)) continue;
    if (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') tasks.push([e.ts, e.ts + e.dur]);
    if (SCRIPT_EVENTS.has(e.name) && EXT_SCRIPT.test(urlOf(e))) script.push([e.ts, e.ts + e.dur]);
  }
  return { threads: threads.size, taskMs: unionMicros(tasks) / 1000, scriptMs: unionMicros(script) / 1000 };
}

/**
 * Per dispatched DOM event of the given types: the time (ms) spent in
 * content.js listeners inside that dispatch, and under `timer` the time in
 * content.js of every timer task that ran some. Returns {type: [ms, ...]}.
 */
export function handlerTimes(events, types) {
  // Only the page dispatches these DOM events, so no thread filter is
  // needed (the trace starts after the page loaded: no ParseHTML to go by).
  const byThread = new Map();
  for (const e of events) {
    if (e.ph !== 'X') continue;
    const key = `${e.pid}:${e.tid}`;
    if (!byThread.has(key)) byThread.set(key, { dispatches: [], timers: [], calls: [] });
    const t = byThread.get(key);
    if (e.name === 'EventDispatch' && types.includes(e.args?.data?.type)) t.dispatches.push(e);
    // What the recorder held (typing, a scroll) is released from a timer:
    // that work belongs to no dispatch, and is counted under `timer`.
    if (e.name === 'TimerFire' && e.dur !== undefined) t.timers.push(e);
    if (e.name === 'FunctionCall' && EXT_SCRIPT.test(urlOf(e))) t.calls.push([e.ts, e.ts + e.dur]);
  }
  const out = Object.fromEntries([...types, 'timer'].map((t) => [t, []]));
  for (const { dispatches, timers, calls } of byThread.values()) {
    calls.sort((a, b) => a[0] - b[0]);
    const within = (d) => unionMicros(calls.filter(([s, e]) => s >= d.ts && e <= d.ts + d.dur)) / 1000;
    for (const d of dispatches) out[d.args.data.type].push(within(d));
    for (const d of timers) {
      const ms = within(d);
      if (ms > 0) out.timer.push(ms);
    }
  }
  return out;
}

export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}

export const median = (values) => percentile(values, 50);
