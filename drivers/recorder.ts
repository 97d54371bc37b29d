// Latency recording: an HDR histogram per metric (microsecond resolution, 3 significant digits),
// mergeable across worker processes, plus every raw sample for the metrics store.
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary, Sample } from '../analysis/results-schema.ts';

const HIGHEST_US = 3_600_000_000; // one hour

function newHistogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

export interface RecordedLatency {
  /** per metric, the histogram encoded for transport between processes */
  histograms: Record<string, string>;
  samples: Sample[];
}

export class LatencyRecorder {
  private readonly histograms = new Map<string, hdr.Histogram>();
  private readonly samples: Sample[] = [];

  constructor(
    private readonly model: string,
    /** epoch ms the model's run started, so sample times line up across workers */
    private readonly runStart: number,
  ) {}

  /** `atMs` (epoch ms) is when the sample was taken, for samples recorded after the fact (k6's output) */
  record(metric: string, valueMs: number, tags?: Record<string, string | number>, atMs: number = Date.now()): void {
    // a negative latency means clocks or schedules disagree: clamp, never drop the sample
    const value = Math.max(0, valueMs);
    let histogram = this.histograms.get(metric);
    if (!histogram) this.histograms.set(metric, (histogram = newHistogram()));
    histogram.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(value * 1000))));
    this.samples.push({
      model: this.model,
      metric,
      t_ms: Math.round((atMs - this.runStart) * 1000) / 1000,
      value_ms: Math.round(value * 1000) / 1000,
      tags: tags ? JSON.stringify(tags) : '{}',
    });
  }

  export(): RecordedLatency {
    return {
      histograms: Object.fromEntries([...this.histograms].map(([metric, histogram]) => [metric, hdr.encodeIntoCompressedBase64(histogram)])),
      samples: this.samples,
    };
  }
}

/** Merges encoded histograms from every worker and summarises each metric. */
export function mergeLatency(parts: RecordedLatency[]): Record<string, LatencySummary> {
  const merged = new Map<string, hdr.Histogram>();
  for (const part of parts) {
    for (const [metric, encoded] of Object.entries(part.histograms)) {
      const histogram = hdr.decodeFromCompressedBase64(encoded, 32, false);
      let total = merged.get(metric);
      if (!total) merged.set(metric, (total = newHistogram()));
      total.add(histogram);
    }
  }
  const summary: Record<string, LatencySummary> = {};
  for (const [metric, histogram] of merged) {
    const ms = (us: number) => Math.round(us) / 1000;
    summary[metric] = {
      count: histogram.totalCount,
      min: ms(histogram.minNonZeroValue),
      mean: ms(histogram.mean),
      p50: ms(histogram.getValueAtPercentile(50)),
      p95: ms(histogram.getValueAtPercentile(95)),
      p99: ms(histogram.getValueAtPercentile(99)),
      max: ms(histogram.maxValue),
    };
  }
  return summary;
}
