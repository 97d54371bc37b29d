import { perActionBars } from './per-action.ts';
import type { ChartDefinition } from './common.ts';

/** The headline cost: database rows written per action, by model. */
export const rowsWritten: ChartDefinition = {
  title: 'Rows written per action',
  build: ({ run }) => (run ? perActionBars(run, 'db.rows_written', 'rows written') : undefined),
};
