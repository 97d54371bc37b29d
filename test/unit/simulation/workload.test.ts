// The shipped workload reproduces the design's back-of-envelope table, every input says where it
// comes from, and a bad workload fails on one line naming its key.
import { describe, expect, it } from 'vitest';
import { backOfEnvelope } from '../../../analysis/simulation/analytic.ts';
import { formatFigure } from '../../../analysis/simulation/format.ts';
import { parseWorkload, WORKLOAD_KEYS, type Workload } from '../../../analysis/simulation/workload.ts';
import whatsapp from '../../../workloads/whatsapp-500m.ts';

const MODELS = ['naive', 'watermark'];
const shipped = (): Workload => parseWorkload(whatsapp, 'whatsapp-500m.ts', MODELS);

describe('workloads/whatsapp-500m.ts', () => {
  it("reproduces the design's back-of-envelope table", () => {
    const table = backOfEnvelope(shipped());
    const value = (key: string) => table[key]!.value;
    expect(value('messagesPerDay')).toBe(100e9);
    expect(value('averageMessagesPerSecond')).toBeCloseTo(1_157_407.41, 1);
    expect(value('peakMessagesPerSecond')).toBeCloseTo(3_472_222.22, 1);
    expect(value('concurrentConnections')).toBe(50e6);
    expect(value('connectionMemory')).toBe(500e9);
    expect(value('chatServers')).toBe(100);
    expect(value('textPerDay')).toBe(15e12);
    expect(value('textPerYear')).toBe(5.475e15);
    expect(value('mediaPerDay')).toBe(5e15);
    expect(value('textIngress')).toBeCloseTo(173_611_111.1, 0);
    expect(value('mediaIngress')).toBeCloseTo(57_870_370_370.4, 0);
    // as the design rounds them
    const shown = Object.fromEntries(Object.entries(table).map(([key, figure]) => [key, formatFigure(figure.value, figure.unit)]));
    expect(shown).toMatchObject({
      averageMessagesPerSecond: '1.16 million messages/s',
      peakMessagesPerSecond: '3.47 million messages/s',
      concurrentConnections: '50 million connections',
      connectionMemory: '500 GB',
      chatServers: '100 servers',
      textPerDay: '15 TB/day',
      textPerYear: '5.47 PB/year',
      mediaPerDay: '5 PB/day',
      textIngress: '174 MB/s',
      mediaIngress: '57.9 GB/s',
    });
    for (const figure of Object.values(table)) expect(figure.basis).toBe('assumed');
  });

  it("labels the design's inputs as such and every other input as ours, with a reason", () => {
    const { inputs } = shipped();
    const design = Object.entries(inputs).filter(([, input]) => input.basis === 'design').map(([key]) => key).sort();
    expect(design).toEqual(['concurrentShare', 'connectionBytes', 'connectionsPerServer', 'dailyActiveUsers', 'mediaBytes', 'mediaShare', 'messageBytes', 'messagesPerUserPerDay', 'peakToAverage']);
    for (const [key, input] of Object.entries(inputs)) {
      expect({ key, basis: input.basis }).toEqual({ key, basis: input.basis === 'design' ? 'design' : 'ours' });
      expect(input.why.length, key).toBeGreaterThan(8);
    }
    expect(Object.keys(inputs).sort()).toEqual(Object.keys(WORKLOAD_KEYS).sort());
  });
});

describe('bad workloads', () => {
  const base = () => JSON.parse(JSON.stringify(whatsapp)) as Record<string, unknown>;
  const error = (data: unknown) => {
    try {
      parseWorkload(data, 'w.json', MODELS);
    } catch (e) {
      return (e as Error).message;
    }
    return 'accepted';
  };

  it.each([
    ['an unknown key', (w: Record<string, unknown>) => (w.dailyActiveUser = 5), /^workload w\.json: dailyActiveUser: unknown key; valid keys: /],
    ['shares that do not sum to 1', (w: Record<string, unknown>) => ((w.groupSizes as { value: Record<string, number> }).value = { 3: 0.5, 10: 0.4 }), /^workload w\.json: groupSizes: shares sum to 0\.9, not 1$/],
    ['a negative rate', (w: Record<string, unknown>) => (w.reconnectsPerUserPerDay = -2), /^workload w\.json: reconnectsPerUserPerDay: must not be negative, got -2$/],
    ['a share above 1', (w: Record<string, unknown>) => (w.directShare = 1.5), /^workload w\.json: directShare: is a share: from 0 to 1, got 1\.5$/],
    ['a model that is not registered', (w: Record<string, unknown>) => (w.models = ['naive', 'telepathy']), /^workload w\.json: models: unknown model "telepathy"; valid models: naive, watermark$/],
    ['a baseline outside its models', (w: Record<string, unknown>) => Object.assign(w, { models: ['naive'], baseline: 'watermark' }), /^workload w\.json: baseline: "watermark" is not among models \(naive\)$/],
    ['a missing input', (w: Record<string, unknown>) => delete w.peakToAverage, /^workload w\.json: peakToAverage: missing \(/],
    ['a group size beyond 1024', (w: Record<string, unknown>) => ((w.groupSizes as { value: Record<string, number> }).value = { 3: 0.5, 2048: 0.5 }), /^workload w\.json: groupSizes: "2048" must be an integer from 3 to 1024$/],
    ['a text where a number belongs', (w: Record<string, unknown>) => (w.messageBytes = '150'), /^workload w\.json: messageBytes: expected a number, got "150"$/],
    ['a zero where only positive makes sense', (w: Record<string, unknown>) => (w.connectionsPerServer = 0), /^workload w\.json: connectionsPerServer: must be greater than 0$/],
    ['an input without a reason', (w: Record<string, unknown>) => (w.peakToAverage = { value: 3, basis: 'ours', why: '' }), /^workload w\.json: peakToAverage: why must say where the value comes from$/],
  ])('refuses %s, naming the key in one line', (_name, change, message) => {
    const data = base();
    change(data);
    const text = error(data);
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
  });

  it('takes plain numbers as assumptions given without a reason', () => {
    const data = base();
    data.peakToAverage = 2.5;
    expect(parseWorkload(data, 'w.json', MODELS).inputs.peakToAverage).toEqual({ value: 2.5, basis: 'given', why: 'given in the workload file' });
  });

  it('refuses something that is not an object', () => {
    expect(error([1, 2])).toMatch(/^workload w\.json: \(root\): expected an object/);
  });
});
