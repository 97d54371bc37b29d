// Streaming sample sink: producers call add() from hot paths, so it only appends to a buffer and
// never awaits; full batches are written in the background, one insert at a time, in order.
// Backpressure is advisory: add() returns false above the high-water mark and a producer that can
// wait (saveRun reading a file) awaits drain(); one that cannot (a live driver) keeps adding.
import type { Sample } from '../results-schema.ts';
import type { SqlEngine } from './engine.ts';
import { SAMPLE_COLUMNS } from './schema.ts';
import { RowBinaryWriter, SAMPLE_STRUCTURE } from './row-binary.ts';
import { tsvEscape } from './sql.ts';

export const SINK_DEFAULTS = {
  /** rows per INSERT: large enough that per-insert overhead vanishes, small enough to bound memory */
  batchRows: 250_000,
  /** batches waiting to be written before add() asks the producer to wait */
  highWaterBatches: 4,
  /** a partly filled batch is written after this long, so a slow trickle still lands */
  flushIntervalMs: 1_000,
} as const;

export type SinkOptions = Partial<Record<keyof typeof SINK_DEFAULTS, number>>;

export interface SampleSink {
  start(): void;
  /** Buffers one sample; false when the producer should await drain() if it can. */
  add(sample: Sample): boolean;
  /** Resolves when the backlog is below the high-water mark (or the sink failed). */
  drain(): Promise<void>;
  /** Writes everything buffered so far; rejects with the first write error. */
  flush(): Promise<void>;
  /** Flushes and stops the timer; returns how many rows were written. */
  stop(): Promise<{ rows: number }>;
}

export function validateSinkOptions(options: SinkOptions): Required<SinkOptions> {
  const merged = { ...SINK_DEFAULTS, ...options };
  for (const key of Object.keys(SINK_DEFAULTS) as (keyof typeof SINK_DEFAULTS)[]) {
    const value = merged[key];
    if (!Number.isInteger(value) || value <= 0) throw new RangeError(`sink option ${key} must be a positive integer, got ${String(value)}`);
  }
  return merged;
}

export class BatchingSampleSink implements SampleSink {
  private readonly options: Required<SinkOptions>;
  private readonly runIdField: string;
  private lines: string[] = [];
  /** RowBinary rows, where the engine takes them (chDB): no float formatted as text on either side */
  private readonly binary: RowBinaryWriter | undefined;
  private pendingBatches = 0;
  private tail: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private written = 0;
  private timer: NodeJS.Timeout | undefined;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly engine: SqlEngine,
    runId: string,
    options: SinkOptions = {},
  ) {
    this.options = validateSinkOptions(options);
    this.runIdField = tsvEscape(runId);
    this.runId = runId;
    this.binary = engine.insertRowBinary ? new RowBinaryWriter() : undefined;
  }

  private readonly runId: string;

  private get buffered(): number {
    return this.binary ? this.binary.rows : this.lines.length;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.cut(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  add(sample: Sample): boolean {
    if (this.failure) return false;
    if (this.binary) {
      this.binary.addSample(this.runId, sample);
      if (this.binary.rows >= this.options.batchRows) this.cut();
      return this.pendingBatches < this.options.highWaterBatches;
    }
    const tags = sample.tags === '{}' ? '{}' : tsvEscape(sample.tags);
    this.lines.push(`${this.runIdField}\t${this.name(sample.model)}\t${this.name(sample.metric)}\t${sample.t_ms}\t${sample.value_ms}\t${tags}\n`);
    if (this.lines.length >= this.options.batchRows) this.cut();
    return this.pendingBatches < this.options.highWaterBatches;
  }

  drain(): Promise<void> {
    if (this.failure || this.pendingBatches < this.options.highWaterBatches) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async flush(): Promise<void> {
    this.cut();
    await this.tail;
    if (this.failure) throw this.failure;
  }

  async stop(): Promise<{ rows: number }> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
    return { rows: this.written };
  }

  // A run has a handful of distinct models and metrics: escape each once, not once per sample.
  private readonly escaped = new Map<string, string>();
  private name(value: string): string {
    let escaped = this.escaped.get(value);
    if (escaped === undefined) this.escaped.set(value, (escaped = tsvEscape(value)));
    return escaped;
  }

  /** Moves the buffered lines into a batch queued behind the previous writes. */
  private cut(): void {
    if (this.buffered === 0 || this.failure) return;
    const { payload, rows } = this.binary ? this.binary.take() : { payload: Buffer.from(this.lines.join('')), rows: this.lines.length };
    this.lines = [];
    const binary = this.binary !== undefined;
    this.pendingBatches++;
    this.tail = this.tail.then(async () => {
      try {
        if (!this.failure) {
          if (binary) await this.engine.insertRowBinary!('samples', SAMPLE_STRUCTURE, payload);
          else await this.engine.insertTsv('samples', SAMPLE_COLUMNS, payload);
          this.written += rows;
        }
      } catch (error) {
        this.failure ??= error instanceof Error ? error : new Error(String(error));
      } finally {
        this.pendingBatches--;
        if (this.failure || this.pendingBatches < this.options.highWaterBatches) {
          for (const wake of this.waiters.splice(0)) wake();
        }
      }
    });
  }
}
