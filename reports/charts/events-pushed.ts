import { perActionBars } from './per-action.ts';
import type { ChartDefinition } from './common.ts';

/** Status traffic to clients: WebSocket events pushed per action, by model. */
export const eventsPushed: ChartDefinition = {
  title: 'Events pushed per action',
  build: ({ run }) => (run ? perActionBars(run, 'ws.events_pushed', 'events pushed') : undefined),
};
