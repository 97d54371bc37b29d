// Samples as ClickHouse RowBinary: strings length-prefixed (LEB128), floats as 8 little-endian
// bytes. chDB reads it without parsing a number from text, which is where TSV ingestion spent
// most of its time (both formatting floats here and parsing them there).
import type { Sample } from '../results-schema.ts';

/** The samples table's columns and types, in the order rows are encoded. */
export const SAMPLE_STRUCTURE = 'run_id String, model String, metric String, t_ms Float64, value_ms Float64, tags String';

export class RowBinaryWriter {
  private buffer: Buffer;
  private offset = 0;
  rows = 0;
  /** a run has a handful of distinct models, metrics and tags: each encoded once */
  private readonly encoded = new Map<string, Buffer>();

  constructor(initialBytes = 1 << 20) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  addSample(runId: string, sample: Sample): void {
    this.reserve(64 + sample.tags.length * 3 + runId.length * 3);
    this.string(runId);
    this.string(sample.model);
    this.string(sample.metric);
    this.offset = this.buffer.writeDoubleLE(sample.t_ms, this.offset);
    this.offset = this.buffer.writeDoubleLE(sample.value_ms, this.offset);
    this.string(sample.tags);
    this.rows += 1;
  }

  /** The rows so far, and a fresh writer state (the returned bytes are no longer touched). */
  take(): { payload: Buffer; rows: number } {
    const taken = { payload: this.buffer.subarray(0, this.offset), rows: this.rows };
    this.buffer = Buffer.allocUnsafe(this.buffer.length);
    this.offset = 0;
    this.rows = 0;
    return taken;
  }

  private string(value: string): void {
    let bytes = this.encoded.get(value);
    if (!bytes) {
      const text = Buffer.from(value);
      const prefix: number[] = [];
      for (let length = text.length; ; ) {
        const low = length & 0x7f;
        length >>>= 7;
        if (length === 0) {
          prefix.push(low);
          break;
        }
        prefix.push(low | 0x80);
      }
      bytes = Buffer.concat([Buffer.from(prefix), text]);
      if (this.encoded.size < 1024) this.encoded.set(value, bytes);
      this.reserve(bytes.length);
    }
    this.offset += bytes.copy(this.buffer, this.offset);
  }

  private reserve(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.offset + bytes));
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }
}
