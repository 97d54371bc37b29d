// The clock latencies are measured with. `Date.now()` has whole-millisecond steps, which turns a
// 1.4 ms ack into 1 or 2 ms and made sub-millisecond p50s unresolvable; `performance.now()` is
// monotonic with microsecond steps but counts from the process's start. Aligning the two once,
// at the instant `Date.now()` steps to its next millisecond, gives a wall clock on the same scale
// as schedules made with `Date.now()` in other processes, at sub-millisecond resolution.
// k6's runtime may have no `performance`; there it stays `Date.now()`. No Node or k6 imports.
type Performance = { now(): number };

const performanceClock = (globalThis as { performance?: Performance }).performance;

function alignedClock(perf: Performance): () => number {
  const before = Date.now();
  let stepped = before;
  // at most one millisecond of spinning, once per process
  while (stepped === before) stepped = Date.now();
  const offset = stepped - perf.now();
  return () => offset + perf.now();
}

/** Epoch milliseconds with sub-millisecond resolution where the runtime has it. */
export const nowMs: () => number = performanceClock && typeof performanceClock.now === 'function' ? alignedClock(performanceClock) : () => Date.now();
