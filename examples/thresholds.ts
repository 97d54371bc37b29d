// A thresholds file as a TypeScript module: `defineThresholds` makes tsc reject a misspelt
// metric. Gate a run with: chatbench gate --results DIR --thresholds examples/thresholds.ts
// (--baseline latest|<runId>|DIR for the baseline expression). The workload is the small
// vacation-backlog that test/fixtures/runs/vacation-small describes.
import { defineThresholds } from '../analysis/gates/thresholds.ts';

const backlog = 5;

export default {
  scenario: 'vacation-backlog',
  params: { pairs: 4, backlog },
  seed: 1,
  thresholds: defineThresholds({
    naive: {
      // one status write and one event per message, for delivery and again for read
      'deliver.rows_written_per_action': [`== ${backlog}`],
      'read.rows_written_per_action': [`== ${backlog}`],
      'read.events_pushed_per_action': [`== ${backlog}`],
      'latency.receipt': ['p99 < 50'],
      'check.ticks_consistent': ['== true'],
      'db.consistent': ['== true'],
    },
    watermark: {
      // one upsert and one event per ack, however long the backlog
      'deliver.rows_written_per_action': ['== 1'],
      'read.rows_written_per_action': ['== 1'],
      'read.events_pushed_per_action': ['== 1'],
      'latency.receipt': ['p99 < 50', 'p99 < baseline * 1.10'],
      'check.ticks_consistent': ['== true'],
      'db.consistent': ['== true'],
    },
  }),
};
