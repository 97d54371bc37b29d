import { describe, expect, it } from 'vitest';
import { loadText } from '../../../cli/simulate/render.ts';

describe('loadText', () => {
  it('judges the machine by the load before the measurement, since the load after includes its own runs', () => {
    expect(loadText({ before: 0.36, after: 2.96 }, 2)).toContain('quiet machine');
    expect(loadText({ before: 7.5, after: 2.9 }, 2)).toContain('busy machine (under load)');
  });
  it('says when no load was recorded', () => {
    expect(loadText({ before: -1, after: -1 }, 2)).toBe('load average not recorded (refitted from stored runs)');
  });
});
