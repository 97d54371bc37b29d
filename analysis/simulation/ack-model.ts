// Ack latency from the queues: a plan's sends, on their schedule, through the node and database
// model; what the queues leave out (client, network, the ws library) is one constant overhead
// fitted on runs the prediction did not see.
import type { Plan } from '../../scenarios/plan.ts';
import type { ModelCalibration } from './calibration.ts';
import { simulateNode, type Arrival } from './latency-model.ts';

/** Every send of a plan at its scheduled time (ms after its phase starts, phases one after another). */
export function sendArrivals(plan: Plan, statementsPerSend: number, framesOutPerSend: number): Arrival[] {
  const arrivals: Arrival[] = [];
  let offset = 0;
  for (const phase of plan.phases) {
    let last = 0;
    for (const script of phase.scripts) {
      for (const step of script.steps) {
        if (step.op !== 'send') continue;
        for (const at of step.at) {
          arrivals.push({ atMs: offset + at, kind: 'send', framesOut: framesOutPerSend, statements: statementsPerSend });
          last = Math.max(last, at);
        }
      }
    }
    offset += last + 1;
  }
  return arrivals.sort((a, b) => a.atMs - b.atMs);
}

export function simulatedAckP50(fitted: ModelCalibration, arrivals: Arrival[], seed: number): number {
  return simulateNode(fitted, arrivals, { seed, databaseServers: fitted.capacity.databaseCores, warmUp: false }).latency.send?.p50 ?? 0;
}
