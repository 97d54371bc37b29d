// Reading RSS opens /proc/self/stat: a node out of descriptors (EMFILE) must count that as a
// figure from its sampling timer, not die of an exception thrown in the timer.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resourceErrorCode, ServerMetrics } from '../../reference-server/metrics.ts';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('ServerMetrics under EMFILE', () => {
  it('counts a failed RSS read as server error emfile and keeps sampling', () => {
    vi.useFakeTimers();
    const metrics = new ServerMetrics();
    const rss = vi.spyOn(process.memoryUsage, 'rss').mockImplementation(() => {
      throw Object.assign(new Error('EMFILE: too many open files, uv_resident_set_memory'), { code: 'EMFILE' });
    });
    expect(() => vi.advanceTimersByTime(1000)).not.toThrow();
    expect(metrics.snapshot('node-1', 'watermark', {}).errors).toEqual({ emfile: 4 });
    rss.mockReturnValue(123);
    vi.advanceTimersByTime(250);
    expect(metrics.snapshot('node-1', 'watermark', {}).errors).toEqual({ emfile: 4 });
    metrics.stop();
  });

  it('names a system error by its code, anything else as resource', () => {
    expect(resourceErrorCode(Object.assign(new Error('x'), { code: 'ENFILE' }))).toBe('enfile');
    expect(resourceErrorCode(new Error('x'))).toBe('resource');
  });
});
