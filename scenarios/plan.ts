// A plan is what a scenario produces and a driver executes: pure data, deterministic from
// (params, seed), no Node imports (the k6 driver runs the same plans in its own engine).
import type { Tick } from '../reference-server/protocol.ts';

export interface PlanConversation {
  id: number;
  kind: 'direct' | 'group';
  members: number[];
}

/** One step of one simulated user's script. Times are ms after the phase starts (open model). */
export type Step =
  /** connect and sync; a client that synced before resumes from its cursor (a reconnect) */
  | { op: 'connect'; at?: number }
  | { op: 'disconnect' }
  /** send one message per entry of `at`, on schedule, without waiting for acks in between */
  | { op: 'send'; conversationId: number; at: number[] }
  /** wait until this many messages of others have arrived in the conversation */
  | { op: 'awaitReceived'; conversationId: number; count: number }
  /** open the chat: a read ack up to the last message held, unless a settings cache says no */
  | { op: 'open'; conversationId: number; at?: number }
  | { op: 'toggle'; readReceipts: boolean }
  | { op: 'readBy'; conversationId: number }
  /** wait until every message this user sent in the conversations holds the tick */
  | { op: 'awaitTicks'; tick: Tick; conversationIds?: number[] }
  /**
   * This device synced before a bulk history and went offline: it knows its conversations and
   * holds its own messages 1..own of each, with the status cursor a sync before any status change
   * gives (0): what logging in, sending them and logging out would leave on the device, without
   * the connections (setup, not measured: the storm after it is)
   */
  | { op: 'restore'; conversations: RestoredConversation[] };

export interface RestoredConversation {
  id: number;
  kind: 'direct' | 'group';
  /** member count, as a sync's conversation list gives it */
  members: number;
  /** own messages 1..own held on the device */
  own: number;
}

/**
 * History imported by the model itself instead of being driven message by message: the sender's
 * `messages` messages, each delivered to and read by every other member. Its writes count as
 * setup, not as actions, and it leaves the stored state the live path would leave.
 */
export interface HistoryItem {
  conversationId: number;
  senderId: number;
  messages: number;
}

export interface ClientScript {
  userId: number;
  steps: Step[];
  /** opens the chat after every N messages seen in a conversation (the group scenario's readers) */
  readEvery?: { conversationId: number; every: number };
}

export interface PlanPhase {
  name: string;
  /** phases run one after another; every script of a phase finishes before the next starts */
  scripts: ClientScript[];
  /** a phase that has not finished by then fails the run */
  timeoutMs: number;
  /** imported before the phase's scripts run (see HistoryItem) */
  history?: HistoryItem[];
}

/** The end state the plan implies: every message of a conversation holds `tick` for its sender. */
export interface ExpectedConversation {
  conversationId: number;
  messages: number;
  tick: Tick;
}

export interface Plan {
  scenario: string;
  seed: number;
  params: Record<string, number>;
  users: number[];
  conversations: PlanConversation[];
  phases: PlanPhase[];
  expected: ExpectedConversation[];
  /** what the scenario wants the report to say about its figures */
  notes?: string[];
}

/** Small, fast, seedable PRNG (mulberry32): the same seed makes the same plan everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every client that appears in any phase, in a stable order (drivers shard by this order). */
export function planClients(plan: Plan): number[] {
  const seen = new Set<number>();
  for (const phase of plan.phases) for (const script of phase.scripts) seen.add(script.userId);
  return [...seen];
}
