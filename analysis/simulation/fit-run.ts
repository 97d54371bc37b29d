// Fits what a run measures as a whole rather than per action: WAL bytes (per phase), the rows
// and bytes each table ends with, server CPU per frame, database time per statement, and the
// highest statement rate a phase sustained. All measured on the machine that ran calibration.
import { ACTION_KINDS } from '../metric-names.ts';
import type { ModelResult } from '../results-schema.ts';
import { SCENARIOS } from '../../scenarios/registry.ts';
import type { CapacityFit, ServiceFit, TableFit, WalFit } from './calibration.ts';
import { fitExact } from './exact-fit.ts';
import { POPULATION_FEATURES } from './features.ts';
import { fitFloat, type FloatPoint } from './least-squares.ts';
import { numericParams, type ShapedRun } from './fit-actions.ts';
import { SHAPES } from './shapes/index.ts';

export const FIT_RUN_DEFAULTS = {
  /** a phase counts towards capacity only with at least this many statements over this long */
  capacityMinStatements: 500,
  capacityMinMs: 300,
  /** a run's mean time per statement of a kind counts only over at least this many statements */
  serviceMinStatements: 20,
};

export function walFeatures(kinds: readonly string[] = ACTION_KINDS): string[] {
  return kinds.flatMap((kind) => [`${kind}:actions`, `${kind}:rows`]);
}

/** The WAL features of actions: their count and the rows they wrote. */
export function walPoint(counts: Record<string, number>, rows: Record<string, number>): Record<string, number> {
  const features: Record<string, number> = {};
  for (const [kind, count] of Object.entries(counts)) {
    features[`${kind}:actions`] = count;
    features[`${kind}:rows`] = rows[kind] ?? 0;
  }
  return features;
}

/** A phase's share of each kind's measured totals, by its share of the kind's actions. */
function phaseShare(result: ModelResult, phaseActions: Record<string, number>, figure: 'db.rows_written' | 'db.statements'): Record<string, number> {
  const share: Record<string, number> = {};
  for (const [kind, count] of Object.entries(phaseActions)) {
    const total = result.actions[kind as 'send'];
    share[kind] = total && total.count > 0 ? (total[figure] * count) / total.count : 0;
  }
  return share;
}

/** Phases whose WAL is the actions' own: not a bulk history import, which is setup. */
function measuredPhases(run: ShapedRun, model: string) {
  const result = run.results.models[model];
  if (!result?.phases) return [];
  const definition = SCENARIOS[run.results.scenario];
  const plan = definition?.plan(numericParams(run.results.params) as never, run.results.seed);
  return result.phases.filter((phase, index) => !plan?.phases[index]?.history && Object.values(phase.actions).some((count) => count > 0));
}

/** WAL bytes of a run's measured phases (not a bulk history import): what the WAL fit predicts. */
export function measuredWal(run: ShapedRun, model: string): number {
  return measuredPhases(run, model).reduce((sum, phase) => sum + phase.wal_bytes, 0);
}

export function fitWal(model: string, runs: ShapedRun[]): WalFit {
  const features = walFeatures([...new Set([...ACTION_KINDS, ...runs.flatMap((run) => Object.keys(run.results.models[model]?.actions ?? {}))])]);
  const points: FloatPoint[] = [];
  for (const run of runs) {
    const result = run.results.models[model];
    if (!result) continue;
    for (const phase of measuredPhases(run, model)) {
      points.push({ features: walPoint(phase.actions, phaseShare(result, phase.actions, 'db.rows_written')), target: phase.wal_bytes });
    }
  }
  return { ...fitFloat(points, features, { nonNegative: true }), features };
}

export function fitTables(model: string, runs: ShapedRun[]): Record<string, TableFit> {
  const tables = new Set(runs.flatMap((run) => Object.keys(run.results.models[model]?.db.tables ?? {})));
  const fits: Record<string, TableFit> = {};
  for (const table of [...tables].sort()) {
    const rowPoints = [];
    const bytePoints: FloatPoint[] = [];
    for (const run of runs) {
      const counters = run.results.models[model]?.db.tables?.[table];
      if (!counters || counters.rows === undefined) continue;
      const population = SHAPES[run.results.scenario]!.population(numericParams(run.results.params), run.results.seed);
      rowPoints.push({ features: population, target: counters.rows, members: 2, source: `${run.results.runId} ${table}` });
      if (counters.bytes !== undefined) bytePoints.push({ features: { constant: 1, rows: counters.rows }, target: counters.bytes });
    }
    const bytesFit = fitFloat(bytePoints, ['constant', 'rows'], { nonNegative: true });
    fits[table] = { rows: fitExact(rowPoints, [...POPULATION_FEATURES], 1), bytesPerRow: bytesFit.coefficients.rows ?? 0, bytesFit };
  }
  return fits;
}

export const CPU_FEATURES = ['framesIn', 'framesOut', 'statements'] as const;

/** What a server's CPU went on: client frames, frames written (events, acks, message copies), statements. */
export function cpuFeatures(counts: { actions: number; events: number; sends: number; copies: number; statements: number }): Record<string, number> {
  return { framesIn: counts.actions, framesOut: counts.events + counts.sends + counts.copies, statements: counts.statements };
}

function runCpuFeatures(result: ModelResult, copies: number): Record<string, number> {
  const figures = Object.values(result.actions);
  const total = (pick: (f: NonNullable<(typeof figures)[number]>) => number) => figures.reduce((sum, f) => sum + (f ? pick(f) : 0), 0);
  return cpuFeatures({ actions: total((f) => f.count), events: total((f) => f['ws.events_pushed']), sends: result.actions.send?.count ?? 0, copies, statements: total((f) => f['db.statements']) });
}

/** Frames a server handled: every client frame, every status event, and each message's ack and copies. */
export function framesOf(result: ModelResult, recipients: number): number {
  const features = runCpuFeatures(result, recipients);
  return features.framesIn! + features.framesOut!;
}

/** Message copies pushed: one per other member of each send's conversation. */
export function sendRecipients(run: ShapedRun): number {
  return run.groups.filter((group) => group.kind === 'send').reduce((sum, group) => sum + group.count * (group.members - 1), 0);
}

/**
 * Service demands. Statement times rise with load (Postgres shares the cores), so each kind's
 * time per statement is the lowest per-run mean over runs with enough statements: the run with
 * the least contention is the closest to the statement's own cost.
 */
export function fitService(model: string, runs: ShapedRun[]): ServiceFit {
  let cpu = 0;
  let frames = 0;
  const lowest: Record<string, number> = {};
  let allTime = 0;
  let allStatements = 0;
  const cpuPoints: FloatPoint[] = [];
  for (const run of runs) {
    const result = run.results.models[model];
    if (!result?.server) continue;
    cpu += result.server.cpu_ms;
    frames += framesOf(result, sendRecipients(run));
    cpuPoints.push({ features: runCpuFeatures(result, sendRecipients(run)), target: result.server.cpu_ms });
    for (const [kind, ms] of Object.entries(result.server.db_ms ?? {})) {
      const count = result.actions[kind as 'send']?.['db.statements'] ?? 0;
      if (count === 0) continue;
      allTime += ms;
      allStatements += count;
      if (count < FIT_RUN_DEFAULTS.serviceMinStatements) continue;
      lowest[kind] = Math.min(lowest[kind] ?? Number.POSITIVE_INFINITY, ms / count);
    }
  }
  const perKind = Object.fromEntries(Object.keys(lowest).sort().map((kind) => [kind, lowest[kind]!]));
  return {
    cpu: { ...fitFloat(cpuPoints, [...CPU_FEATURES], { nonNegative: true }), features: [...CPU_FEATURES] },
    cpuMsPerFrame: frames ? cpu / frames : 0,
    frames,
    dbMsPerStatement: perKind,
    dbMsPerStatementAll: allStatements ? allTime / allStatements : 0,
  };
}

export function fitCapacity(model: string, runs: ShapedRun[]): CapacityFit {
  let best = { rate: 0, where: 'no calibration phase was long enough to say' };
  for (const run of runs) {
    const result = run.results.models[model];
    if (!result) continue;
    for (const phase of measuredPhases(run, model)) {
      const statements = Object.values(phaseShare(result, phase.actions, 'db.statements')).reduce((a, b) => a + b, 0);
      const ms = phase.endMs - phase.startMs;
      if (statements < FIT_RUN_DEFAULTS.capacityMinStatements || ms < FIT_RUN_DEFAULTS.capacityMinMs) continue;
      const rate = (statements * 1000) / ms;
      if (rate > best.rate) best = { rate, where: `${run.results.scenario} "${phase.name}" (run ${run.results.runId})` };
    }
  }
  const cores = runs.find((run) => run.results.machine)?.results.machine?.cores ?? 1;
  return {
    databaseCores: cores,
    statementsPerSecond: Math.round(best.rate),
    how: `highest statement rate one server node and its Postgres sustained over a calibration phase: ${best.where}; a lower bound, since that phase may not have saturated Postgres`,
  };
}
