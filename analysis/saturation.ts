// Whether a latency figure measures the model or a queue. Every latency sample runs from when the
// plan scheduled its action to when it completed, so the samples give both rates: offered (the
// actions over the span they were scheduled in) and sustained (the same actions over the span
// until the last one completed). When the server completes markedly slower than the plan offers,
// the latency is mostly waiting in line, and a reader must not take it for the model's cost.

export interface LoadFigures {
  offered_per_s: number;
  sustained_per_s: number;
  /** sustained below SATURATION.sustainedShare of offered: the figure is queueing */
  queueing: boolean;
}

export const SATURATION = {
  /** below this share of the offered rate, the server fell behind the schedule */
  sustainedShare: 0.8,
  /** fewer samples, or a shorter schedule, say nothing about a rate */
  minSamples: 50,
  minScheduleMs: 1000,
};

/** Offered and sustained rates of one metric's samples; undefined when they cannot tell (too few, or all at once). */
export function loadOf(samples: readonly { t_ms: number; value_ms: number }[]): LoadFigures | undefined {
  if (samples.length < SATURATION.minSamples) return undefined;
  let firstScheduled = Infinity;
  let lastScheduled = -Infinity;
  let lastDone = -Infinity;
  for (const sample of samples) {
    const scheduled = sample.t_ms - sample.value_ms;
    if (scheduled < firstScheduled) firstScheduled = scheduled;
    if (scheduled > lastScheduled) lastScheduled = scheduled;
    if (sample.t_ms > lastDone) lastDone = sample.t_ms;
  }
  const scheduleMs = lastScheduled - firstScheduled;
  if (scheduleMs < SATURATION.minScheduleMs) return undefined;
  const offered = (samples.length * 1000) / scheduleMs;
  const sustained = (samples.length * 1000) / Math.max(scheduleMs, lastDone - firstScheduled);
  return { offered_per_s: round(offered), sustained_per_s: round(sustained), queueing: sustained < SATURATION.sustainedShare * offered };
}

/** `latency.ack` → "ack latency here is queueing (offered 2,000/s, the server sustained 1,150/s)" */
export function queueingSentence(metric: string, load: LoadFigures): string {
  const what = metric.replace(/^latency\./, '');
  const rate = (value: number) => `${Math.round(value).toLocaleString('en-US')}/s`;
  return `${what} latency here is queueing: the plan offered ${rate(load.offered_per_s)}, the server sustained ${rate(load.sustained_per_s)}`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
