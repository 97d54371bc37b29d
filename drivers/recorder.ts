// Latency recording: every raw sample (the source of every quantile chatbench prints, see
// analysis/quantiles.ts), plus an HDR histogram per metric (microsecond resolution, 3 significant
// digits) kept in the results as a labelled extra for tools that merge HDR histograms.
import * as hdr from 'hdr-histogram-js';
import { roundSampleMs } from '../analysis/quantiles.ts';
import type { Sample } from '../analysis/results-schema.ts';

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
      t_ms: roundSampleMs(atMs - this.runStart),
      value_ms: roundSampleMs(value),
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

export const HDR_FORMAT = 'HdrHistogram, compressed base64, microseconds, 3 significant digits (not used for any quantile chatbench prints)';

/** Merges every worker's encoded histogram per metric into one, still encoded. */
export function mergeHistograms(parts: RecordedLatency[]): Record<string, string> {
  const merged = new Map<string, hdr.Histogram>();
  for (const part of parts) {
    for (const [metric, encoded] of Object.entries(part.histograms)) {
      const histogram = hdr.decodeFromCompressedBase64(encoded, 32, false);
      let total = merged.get(metric);
      if (!total) merged.set(metric, (total = newHistogram()));
      total.add(histogram);
    }
  }
  return Object.fromEntries([...merged].sort(([a], [b]) => a.localeCompare(b)).map(([metric, histogram]) => [metric, hdr.encodeIntoCompressedBase64(histogram)]));
}
