// Messages between the Node driver and its worker processes (over the fork IPC channel).
import type { TickReport } from '../client/fleet.ts';
import type { ReceiptLogPart } from '../client/receipts.ts';
import type { RecordedLatency } from '../recorder.ts';
import type { GeneratorConfig } from '../types.ts';

export interface WorkerConfig extends GeneratorConfig {
  shardIndex: number;
  shardCount: number;
  runStart: number;
}

export type ParentMessage =
  | { type: 'init'; config: WorkerConfig }
  | { type: 'phase'; index: number; startAt: number }
  | { type: 'finish' };

export type WorkerMessage =
  | { type: 'ready'; clients: number }
  | { type: 'progress'; index: number; done: number; total: number }
  /** error: the phase could not finish (later phases would lack its state); failure: some clients failed, the rest finished */
  | { type: 'phaseDone'; index: number; actions: Record<string, number>; error?: string; failure?: string }
  | {
      type: 'final';
      actions: Record<string, number>;
      errors: Record<string, number>;
      latency: RecordedLatency;
      ticks: TickReport;
      /** what receipt latency needs, matched across every worker by the driver */
      receipts: ReceiptLogPart;
      /** failovers: when each dropped client lost its socket and was synced again (epoch ms) */
      recoveries?: { droppedAt: number; syncedAt: number }[];
      /** frames sent again after a failover, per action */
      resends?: Record<string, number>;
      memory: { rssBytes: number; cpuMs: number };
    };
