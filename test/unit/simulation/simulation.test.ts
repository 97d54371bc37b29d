// The workload simulation: deterministic to the byte, consistent with its own parts, sized by
// what it says it is sized by, and honest about what it rests on.
import { describe, expect, it } from 'vitest';
import { modelFigures, RATE_FIGURES } from '../../../analysis/simulation/analytic.ts';
import { reconnectStorm, workloadDynamics } from '../../../analysis/simulation/dynamics.ts';
import { priceGroups } from '../../../analysis/simulation/predict.ts';
import { sensitivity } from '../../../analysis/simulation/sensitivity.ts';
import { workloadDay } from '../../../analysis/simulation/workload-actions.ts';
import { renderSimulation } from '../../../cli/simulate/render.ts';
import { fixtureCalibration, fixtureSimulation, shippedWorkload } from '../../support/simulation-fixtures.ts';

describe('simulation', () => {
  it('same inputs and seed: byte-identical JSON and text; another seed: another queue sample', () => {
    const a = fixtureSimulation({ seed: 3 });
    const b = fixtureSimulation({ seed: 3 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(renderSimulation(b)).toBe(renderSimulation(a));
    const c = fixtureSimulation({ seed: 4 });
    expect(c.simulationId).not.toBe(a.simulationId);
    // only the seeded queue layer moves; the arithmetic does not
    expect(c.perModel.naive!.rates).toEqual(a.perModel.naive!.rates);
    expect(c.perModel.naive!.dynamics).not.toEqual(a.perModel.naive!.dynamics);
  });

  it('rates are the priced day: per day = sum over actions, peak = average x peakToAverage', () => {
    const calibration = fixtureCalibration();
    const workload = shippedWorkload();
    const figures = modelFigures(calibration, 'naive', workload);
    const priced = priceGroups(calibration, 'naive', workloadDay(workload).groups);
    const statements = Object.values(priced.actions).reduce((sum, kind) => sum + kind.figures['db.statements'], 0);
    expect(figures.rates.statements.perDay).toBe(statements);
    for (const figure of RATE_FIGURES) {
      const rate = figures.rates[figure];
      expect(rate.averagePerSecond).toBeCloseTo(rate.perDay / 86_400, 6);
      expect(rate.peakPerSecond).toBeCloseTo(rate.averagePerSecond * 3, 6);
    }
  });

  it('a day of the workload sends its messages and copies each to every recipient', () => {
    const day = workloadDay(shippedWorkload());
    const sends = day.groups.filter((group) => group.kind === 'send').reduce((sum, group) => sum + group.count, 0);
    expect(sends).toBeCloseTo(100e9, 0);
    // 70% 1:1 (one copy each), 30% in groups of the size distribution (size - 1 copies)
    const groupCopies = 30e9 * (0.2 * 2 + 0.25 * 4 + 0.25 * 9 + 0.15 * 29 + 0.1 * 99 + 0.04 * 255 + 0.01 * 1023);
    expect(day.copies).toBeCloseTo(70e9 + groupCopies, -3);
  });

  it('compares every model with the baseline, and the baseline with itself as 1', () => {
    const simulation = fixtureSimulation();
    for (const figure of RATE_FIGURES) expect(simulation.perModel.naive!.ratioToBaseline[figure]).toBe(1);
    const watermark = simulation.perModel.watermark!;
    expect(watermark.ratioToBaseline.rowsWritten).toBeCloseTo(watermark.rates.rowsWritten.perDay / simulation.perModel.naive!.rates.rowsWritten.perDay, 12);
    // watermark writes fewer receipt rows than per-message status: the design's point
    expect(watermark.ratioToBaseline.rowsWritten!).toBeLessThan(1);
  });

  it('sizes servers by the larger of connections and CPU at the target utilisation, and database nodes by its capacity', () => {
    const simulation = fixtureSimulation();
    for (const model of simulation.models) {
      const { chatServers, databaseNodes } = simulation.perModel[model]!;
      expect(chatServers.byConnections).toBe(100);
      expect(chatServers.byCpu).toBe(Math.ceil(chatServers.coresAtPeak / (16 * 0.7)));
      expect(chatServers.needed).toBe(Math.max(chatServers.byConnections, chatServers.byCpu));
      expect(databaseNodes.nodes).toBe(Math.ceil(databaseNodes.peakStatementsPerSecond / (databaseNodes.statementsPerSecondPerNode * 0.7)));
      expect(databaseNodes.capacityBasis).toBe('measured');
    }
    const overridden = modelFigures(fixtureCalibration(), 'naive', shippedWorkload(), { dbNodeCapacity: 50_000 });
    expect(overridden.databaseNodes).toMatchObject({ statementsPerSecondPerNode: 50_000, capacityBasis: 'assumed', capacityHow: 'given with --db-node-capacity' });
  });

  it('queues at peak run at about the utilisation the sizing leaves, below saturation', () => {
    const simulation = fixtureSimulation();
    for (const model of simulation.models) {
      const { peak } = simulation.perModel[model]!.dynamics;
      expect(peak.utilisation.node).toBeLessThan(0.8);
      expect(peak.utilisation.node).toBeGreaterThan(0.3);
      expect(peak.actionsPerSecond).toBeLessThan(peak.saturatesAt.perSecond);
      expect(peak.ackMs.p99).toBeGreaterThanOrEqual(peak.ackMs.p50);
    }
  });

  it('a storm within a longer window spreads out: lower time to synced, lower peak rows per second', () => {
    const calibration = fixtureCalibration();
    const reconnect = { kind: 'reconnect', perDay: 1, framesOut: 5, statements: 5, rowsRead: 250 };
    const fitted = calibration.models.naive!;
    const tight = reconnectStorm(fitted, reconnect, 5000, 2, 1);
    const loose = reconnectStorm(fitted, reconnect, 5000, 60, 1);
    expect(loose.syncedMs.p99).toBeLessThan(tight.syncedMs.p99);
    expect(loose.peakRowsReadPerSecond).toBeLessThan(tight.peakRowsReadPerSecond);
    expect(reconnectStorm(fitted, reconnect, 5000, 2, 1)).toEqual(tight);
  });

  it('sensitivity: bars widest first, each input moved both ways, the base inside every bar', () => {
    const result = sensitivity(fixtureCalibration(), ['naive'], shippedWorkload());
    const { base, bars } = result.models.naive!;
    expect(bars.length).toBeGreaterThan(5);
    const widths = bars.map((bar) => Math.abs(bar.high - bar.low));
    expect([...widths].sort((a, b) => b - a)).toEqual(widths);
    const users = bars.find((bar) => bar.input === 'dailyActiveUsers')!;
    // statements scale linearly with users: half and one and a half times
    expect(users.low).toBeCloseTo(base * 0.5, 0);
    expect(users.high).toBeCloseTo(base * 1.5, 0);
    // the storm size does not change daily statements: no bar
    expect(bars.some((bar) => bar.input === 'stormUsers')).toBe(false);
  });

  it('says what it rests on: assumptions, measured costs, and the estimates', () => {
    const simulation = fixtureSimulation();
    expect(Object.values(simulation.backOfEnvelope).every((figure) => figure.basis === 'assumed')).toBe(true);
    expect(simulation.legend.assumed).toContain('assumptions');
    expect(simulation.validation).toBeNull();
    const text = renderSimulation(simulation);
    expect(text).toContain('[assumed: the workload');
    expect(text).toContain('[simulated: costs measured per action');
    expect(text).toContain('by CPU [measured ms/frame]');
    expect(text).toContain('Validation: none with this calibration');
    expect(fixtureSimulation({ validation: true }).validation?.scenario).toBe('vacation-backlog');
    expect(renderSimulation(fixtureSimulation({ validation: true }))).toContain('OFF BY MORE THAN ITS TOLERANCE: watermark WAL -20.0% (tolerance 10%)');
  });

  it('dynamics are deterministic for a seed', () => {
    const calibration = fixtureCalibration();
    const workload = shippedWorkload();
    const figures = modelFigures(calibration, 'watermark', workload);
    const day = workloadDay(workload);
    expect(workloadDynamics(calibration.models.watermark!, figures, workload, day, 9)).toEqual(workloadDynamics(calibration.models.watermark!, figures, workload, day, 9));
  });
});
