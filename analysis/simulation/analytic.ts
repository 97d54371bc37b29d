// The analytic layer: a workload's day priced by each model's fitted costs. Averages and peaks
// per second and per day, stored bytes by table, servers and database nodes. Every figure says
// what it rests on: assumptions only, or measured costs applied to an assumed mix.
import type { Calibration } from './calibration.ts';
import { evaluateExact } from './exact-fit.ts';
import { cpuFeatures } from './fit-run.ts';
import { evaluateFloat } from './least-squares.ts';
import { modelCalibration, priceGroups, type PricedKind } from './predict.ts';
import { values, type Workload } from './workload.ts';
import { workloadDay } from './workload-actions.ts';

export type FigureBasis = 'assumed' | 'simulated' | 'measured';

export interface Figure {
  value: number;
  unit: string;
  basis: FigureBasis;
  /** how it was computed, in a line */
  from: string;
}

export interface Rate {
  perDay: number;
  averagePerSecond: number;
  peakPerSecond: number;
  unit: string;
}

export const RATE_FIGURES = ['statements', 'rowsWritten', 'rowsRead', 'walBytes', 'statusEvents', 'bytesPushed'] as const;
export type RateFigure = (typeof RATE_FIGURES)[number];

export interface ModelFigures {
  /** measured costs x the assumed workload */
  rates: Record<RateFigure, Rate>;
  /** ratio of each rate to the baseline model's */
  ratioToBaseline: Record<RateFigure, number | null>;
  storedBytesPerDay: Record<string, { rowsPerDay: number; bytesPerRow: number; bytesPerDay: number }>;
  storedBytesPerDayTotal: number;
  databaseNodes: { peakStatementsPerSecond: number; statementsPerSecondPerNode: number; capacityBasis: FigureBasis; capacityHow: string; nodes: number };
  chatServers: { peakFramesPerSecond: number; cpuMsPerFrame: number; coresAtPeak: number; byCpu: number; byConnections: number; needed: number };
  /** per action kind: how the day's actions were priced (exact fits or estimates) */
  actions: Record<string, PricedKind>;
  notes: string[];
}

const DAY = 86_400;

function rate(perDay: number, peak: number, unit: string): Rate {
  return { perDay, averagePerSecond: perDay / DAY, peakPerSecond: (perDay / DAY) * peak, unit };
}

/** The design's back-of-envelope table, from the workload's assumptions alone. */
export function backOfEnvelope(workload: Workload): Record<string, Figure> {
  const v = values(workload);
  const messages = v.dailyActiveUsers * v.messagesPerUserPerDay;
  const concurrent = v.dailyActiveUsers * v.concurrentShare;
  const text = messages * v.messageBytes;
  const media = messages * v.mediaShare * v.mediaBytes;
  const assumed = (value: number, unit: string, from: string): Figure => ({ value, unit, basis: 'assumed', from });
  return {
    messagesPerDay: assumed(messages, 'messages/day', 'dailyActiveUsers x messagesPerUserPerDay'),
    averageMessagesPerSecond: assumed(messages / DAY, 'messages/s', 'messages a day / 86,400'),
    peakMessagesPerSecond: assumed((messages / DAY) * v.peakToAverage, 'messages/s', 'average x peakToAverage'),
    concurrentConnections: assumed(concurrent, 'connections', 'dailyActiveUsers x concurrentShare'),
    connectionMemory: assumed(concurrent * v.connectionBytes, 'bytes', 'connections x connectionBytes'),
    chatServers: assumed(Math.ceil(concurrent / v.connectionsPerServer), 'servers', 'connections / connectionsPerServer'),
    textPerDay: assumed(text, 'bytes/day', 'messages a day x messageBytes'),
    textPerYear: assumed(text * 365, 'bytes/year', 'text a day x 365'),
    mediaPerDay: assumed(media, 'bytes/day', 'messages a day x mediaShare x mediaBytes'),
    textIngress: assumed(text / DAY, 'bytes/s', 'text a day / 86,400'),
    mediaIngress: assumed(media / DAY, 'bytes/s', 'media a day / 86,400'),
  };
}

export interface AnalyticOptions {
  /** statements per second one database node serves; default: measured per model in calibration */
  dbNodeCapacity?: number;
}

export function modelFigures(calibration: Calibration, model: string, workload: Workload, options: AnalyticOptions = {}): ModelFigures {
  const v = values(workload);
  const fitted = modelCalibration(calibration, model);
  const day = workloadDay(workload);
  const priced = priceGroups(calibration, model, day.groups);
  const sum = (figure: keyof PricedKind['figures']) => Object.values(priced.actions).reduce((total, kind) => total + (kind.figures[figure] ?? 0), 0);
  const peak = v.peakToAverage;
  const rates: Record<RateFigure, Rate> = {
    statements: rate(sum('db.statements'), peak, 'statements'),
    rowsWritten: rate(sum('db.rows_written'), peak, 'rows'),
    rowsRead: rate(sum('db.rows_read'), peak, 'rows'),
    walBytes: rate(priced.walBytes, peak, 'bytes'),
    statusEvents: rate(sum('ws.events_pushed'), peak, 'events'),
    bytesPushed: rate(sum('ws.bytes_pushed'), peak, 'bytes'),
  };
  const notes: string[] = [];
  const stored: ModelFigures['storedBytesPerDay'] = {};
  for (const [table, fit] of Object.entries(fitted.tables)) {
    const rows = evaluateExact(fit.rows, day.population, 2);
    if (!rows.ok) {
      notes.push(`${table}: rows per day unknown (${rows.reason})`);
      continue;
    }
    if (rows.value <= 0) continue;
    stored[table] = { rowsPerDay: rows.value, bytesPerRow: fit.bytesPerRow, bytesPerDay: rows.value * fit.bytesPerRow };
  }
  // a node's capacity for this model's statements: the calibration machine's cores, each busy
  // for the measured time per statement of each kind, weighted by this workload's statements
  const dbMs = Object.entries(priced.actions).reduce(
    (total, [kind, p]) => total + p.figures['db.statements'] * (fitted.service.dbMsPerStatement[kind] ?? fitted.service.dbMsPerStatementAll),
    0,
  );
  const msPerStatement = rates.statements.perDay > 0 ? dbMs / rates.statements.perDay : 0;
  const measuredCapacity = msPerStatement > 0 ? (fitted.capacity.databaseCores * 1000) / msPerStatement : 0;
  const capacity = options.dbNodeCapacity ?? measuredCapacity;
  const peakStatements = rates.statements.peakPerSecond;
  const actionsPerDay = Object.values(priced.actions).reduce((total, kind) => total + kind.figures.count, 0);
  const cpuPerDay = evaluateFloat(fitted.service.cpu.coefficients, cpuFeatures({ actions: actionsPerDay, events: rates.statusEvents.perDay, sends: day.messages, copies: day.copies, statements: rates.statements.perDay }));
  const cores = (cpuPerDay / DAY / 1000) * peak;
  const peakFrames = ((actionsPerDay + rates.statusEvents.perDay + day.messages + day.copies) / DAY) * peak;
  const byConnections = Math.ceil((v.dailyActiveUsers * v.concurrentShare) / v.connectionsPerServer);
  const byCpu = Math.ceil(cores / (v.chatServerCores * v.targetUtilisation));
  for (const [kind, p] of Object.entries(priced.actions)) if (p.basis === 'estimated') notes.push(`${kind}: ${p.notes.join('; ') || 'estimated'}`);
  return {
    rates,
    ratioToBaseline: Object.fromEntries(RATE_FIGURES.map((figure) => [figure, null])) as ModelFigures['ratioToBaseline'],
    storedBytesPerDay: stored,
    storedBytesPerDayTotal: Object.values(stored).reduce((total, table) => total + table.bytesPerDay, 0),
    databaseNodes: {
      peakStatementsPerSecond: peakStatements,
      statementsPerSecondPerNode: capacity,
      capacityBasis: options.dbNodeCapacity === undefined ? 'measured' : 'assumed',
      capacityHow:
        options.dbNodeCapacity === undefined
          ? `${fitted.capacity.databaseCores} cores (the calibration machine's) each running one statement at a time, ${msPerStatement.toFixed(3)} ms per statement: this workload's statements weighted by the time the query layer measured per statement of each action kind`
          : 'given with --db-node-capacity',
      nodes: capacity > 0 ? Math.ceil(peakStatements / (capacity * v.targetUtilisation)) : 0,
    },
    chatServers: { peakFramesPerSecond: peakFrames, cpuMsPerFrame: peakFrames > 0 ? (cores * 1000) / peakFrames : 0, coresAtPeak: cores, byCpu, byConnections, needed: Math.max(byCpu, byConnections) },
    actions: priced.actions,
    notes,
  };
}

/** Every model's figures, with ratios to the baseline's. */
export function allModelFigures(calibration: Calibration, models: string[], baseline: string, workload: Workload, options: AnalyticOptions = {}): Record<string, ModelFigures> {
  const figures = Object.fromEntries(models.map((model) => [model, modelFigures(calibration, model, workload, options)]));
  const base = figures[baseline]!;
  for (const model of models) {
    for (const figure of RATE_FIGURES) {
      const denominator = base.rates[figure].perDay;
      figures[model]!.ratioToBaseline[figure] = denominator > 0 ? figures[model]!.rates[figure].perDay / denominator : null;
    }
  }
  return figures;
}
