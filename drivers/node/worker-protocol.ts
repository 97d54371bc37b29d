// Messages between the Node driver and its worker processes (over the fork IPC channel).
import type { RecordedLatency } from '../recorder.ts';

export interface WorkerConfig {
  scenario: string;
  params: Record<string, number>;
  seed: number;
  model: string;
  cachesSettings: boolean;
  /** one URL per server node; clients spread over them by scenarios/placement.ts */
  serverUrls: string[];
  secret: string;
  shardIndex: number;
  shardCount: number;
  runStart: number;
}

export type ParentMessage =
  | { type: 'init'; config: WorkerConfig }
  | { type: 'phase'; index: number; startAt: number }
  | { type: 'finish' };

export interface TickReport {
  /** own messages acked per conversation, summed by the parent against the plan */
  ownMessages: Record<string, number>;
  checked: number;
  mismatches: string[];
}

export type WorkerMessage =
  | { type: 'ready'; clients: number }
  | { type: 'progress'; index: number; done: number; total: number }
  | { type: 'phaseDone'; index: number; actions: Record<string, number>; error?: string }
  | {
      type: 'final';
      actions: Record<string, number>;
      errors: Record<string, number>;
      latency: RecordedLatency;
      ticks: TickReport;
      /** failovers: when each dropped client lost its socket and was synced again (epoch ms) */
      recoveries?: { droppedAt: number; syncedAt: number }[];
      memory: { rssBytes: number; cpuMs: number };
    };
