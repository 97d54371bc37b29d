// Charts become inline SVG here, in Node, so the report needs no script and no network to show
// them. Vega renders asynchronously, which is why this step sits outside the pure builder.
import { parse, View } from 'vega';
import { compile } from 'vega-lite';
import { CHARTS, type ChartSource, type ChartSpec } from './charts/index.ts';
import type { ReportInput } from './types.ts';

export interface PlannedChart {
  /** registry id */
  chart: string;
  /** the run the chart belongs to, or undefined for report-level charts (the sweep) */
  runId?: string;
  title: string;
  spec: ChartSpec;
}

export interface RenderedChart extends PlannedChart {
  svg: string;
}

/** Every chart the input has data for, per run and then once for the sweep. */
export function planCharts(input: ReportInput): PlannedChart[] {
  const planned: PlannedChart[] = [];
  const sources: Array<{ runId?: string; source: ChartSource }> = input.runs.map((run) => ({
    runId: run.results.runId,
    source: { run },
  }));
  if (input.sweep) sources.push({ source: { sweep: input.sweep } });
  if (input.simulation) sources.push({ runId: input.simulation.simulationId, source: { simulation: input.simulation } });
  for (const { runId, source } of sources) {
    for (const [chart, definition] of Object.entries(CHARTS)) {
      const spec = definition.build(source);
      if (spec) planned.push({ chart, runId, title: definition.title, spec });
    }
  }
  return planned;
}

export async function specToSvg(spec: ChartSpec): Promise<string> {
  const vegaSpec = compile(spec).spec;
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export async function renderCharts(planned: PlannedChart[]): Promise<RenderedChart[]> {
  const rendered: RenderedChart[] = [];
  // one at a time: vega views are cheap, and order must match the plan
  for (const chart of planned) rendered.push({ ...chart, svg: await specToSvg(chart.spec) });
  return rendered;
}
