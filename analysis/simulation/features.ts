// The shape of an action, as numbers a cost can be linear in. Each action kind has one feature
// vocabulary, shared by every storage model: the fit decides which features a model's cost
// depends on, never code per model. Features are sums over actions, so the features of a whole
// run are the sums of its actions' features and a run's totals are fitted directly.
import { ACTION_FIGURES, ACTION_KINDS, type ActionKind } from '../metric-names.ts';
import { actionFiguresSchema } from '../results-schema.ts';

/**
 * Every per-action figure of the results contract, read from its schema: the spec's five, then
 * extras the contract carries only when not zero (explicit transactions), fitted the same way.
 */
export const FITTED_FIGURES: readonly string[] = Object.keys(actionFiguresSchema.shape).filter((key) => key !== 'count');
/** Figures the contract always carries; the others appear in a prediction only when not 0. */
export const REQUIRED_FIGURES: readonly string[] = ACTION_FIGURES;

/** Statuses a cumulative ack or a reconnect's catch-up covers, and the frames that carry them. */
const ACK_FEATURES = [
  'actions',
  /** messages of others whose status this ack moves */
  'covered',
  /** sum over covered messages of the digits of their seq (status frames name each seq) */
  'coveredSeqDigits',
  'coveredConvDigits',
  'coveredUserDigits',
  'convDigits',
  'userDigits',
  /** digits of the delivered and read marks after the ack (a watermark frame carries both) */
  'deliveredMarkDigits',
  'readMarkDigits',
  'groupActions',
  /** distinct senders of the covered messages: who hears about the ack */
  'senders',
  'senderFrameDigits',
] as const;

const SYNC_FEATURES = [
  'actions',
  /** conversations the user is in */
  'conversations',
  /** the node had not loaded this user's memberships yet */
  'coldUsers',
  'coldUserConversations',
  /** the node had to load some of the user's conversations, and how many */
  'coldConversationLoads',
  'coldConversations',
  /** conversations with messages the client does not hold, and those messages */
  'behindActions',
  'behindMessages',
  /** conversations where another member's status moved since the client's cursor */
  'changedConversations',
  /** messages whose status moved since the cursor, those last moved to delivered, and frame digits */
  'changedMessages',
  'changedDelivered',
  'changedMessageDigits',
  'changedConvDigits',
] as const;

export const FEATURES: Partial<Record<ActionKind, readonly string[]>> = {
  send: ['actions', 'groupActions', 'groupRecipients'],
  deliver: ACK_FEATURES,
  read: ACK_FEATURES,
  reconnect: SYNC_FEATURES,
  connect: SYNC_FEATURES,
  /** conversations: those the toggling user is in */
  toggle: ['actions', 'conversations'],
  /** withUnread: opens that send a read ack (something unread); receiptsOff: of those, by users with receipts off */
  open: ['actions', 'withUnread', 'receiptsOff'],
  read_by: ['actions', 'groupActions'],
};

/** A kind no vocabulary describes (a model's background work, say) is fitted on its count only. */
export const DEFAULT_FEATURES: readonly string[] = ['actions'];

export function featuresOf(kind: string): readonly string[] {
  return FEATURES[kind as ActionKind] ?? DEFAULT_FEATURES;
}

/**
 * The features a figure may depend on. Digits of ids and seqs change the bytes of a frame, never
 * how many statements, rows or events an action costs: counts are fitted without them, so a
 * count does not become unknown just because ids grew a digit.
 */
export function featuresFor(kind: string, figure: string): string[] {
  const all = featuresOf(kind);
  return figure === 'ws.bytes_pushed' ? [...all] : all.filter((name) => !name.endsWith('Digits'));
}

/**
 * Run-level quantities that decide how many rows each table holds at the end of a run; the
 * stored-bytes fit is linear in these.
 */
export const POPULATION_FEATURES = ['constant', 'users', 'conversations', 'memberships', 'messages', 'groupReceiptSlots', 'ackedMemberships'] as const;
export type PopulationFeature = (typeof POPULATION_FEATURES)[number];
export type Population = Record<PopulationFeature, number>;

/** Actions of one kind, in conversations of one size, with their summed features. */
export interface ActionGroup {
  kind: ActionKind;
  members: number;
  count: number;
  features: Record<string, number>;
  /** false: the shape depends on timing (live acks), so figures are estimates, never exact */
  exact: boolean;
}

export function digits(value: number): number {
  return value <= 0 ? 1 : Math.floor(Math.log10(value)) + 1;
}

/** Sum of digits(s) for s = from+1 .. to, in O(digits). */
export function digitSum(from: number, to: number): number {
  const upTo = (n: number) => {
    let total = 0;
    for (let d = 1, low = 1; low <= n; d++, low *= 10) total += d * (Math.min(n, low * 10 - 1) - low + 1);
    return total;
  };
  return to <= from ? 0 : upTo(to) - upTo(from);
}

/** Accumulates actions into groups by (kind, conversation size, exactness). */
export class Tally {
  private readonly groups = new Map<string, ActionGroup>();

  add(kind: ActionKind, members: number, features: Record<string, number>, times = 1, exact = true): void {
    if (times === 0) return;
    const key = `${kind}\t${members}\t${exact}`;
    let group = this.groups.get(key);
    if (!group) this.groups.set(key, (group = { kind, members, count: 0, features: Object.fromEntries(featuresOf(kind).map((name) => [name, 0])), exact }));
    group.count += times;
    for (const name of featuresOf(kind)) {
      const value = name === 'actions' ? 1 : (features[name] ?? 0);
      group.features[name] = group.features[name]! + value * times;
    }
    for (const name of Object.keys(features)) {
      if (!featuresOf(kind).includes(name)) throw new Error(`${kind}: "${name}" is not a feature of this action kind (${featuresOf(kind).join(', ')})`);
    }
  }

  result(): ActionGroup[] {
    const order = (group: ActionGroup) => ACTION_KINDS.indexOf(group.kind);
    return [...this.groups.values()].sort((a, b) => order(a) - order(b) || a.members - b.members || Number(b.exact) - Number(a.exact));
  }
}

/** The features of one ack (direct or group) from what it covers. */
export function ackFeatures(ack: {
  conversationId: number;
  userId: number;
  /** seqs whose status moves for this user, from others */
  coveredSeqs: { from: number; to: number; count?: number };
  deliveredMark: number;
  readMark: number;
  senders: number;
  group: boolean;
}): Record<string, number> {
  const covered = ack.coveredSeqs.count ?? ack.coveredSeqs.to - ack.coveredSeqs.from;
  const frame = digits(ack.conversationId) + digits(ack.userId) + digits(ack.deliveredMark) + digits(ack.readMark);
  return {
    covered,
    coveredSeqDigits: digitSum(ack.coveredSeqs.from, ack.coveredSeqs.to),
    coveredConvDigits: covered * digits(ack.conversationId),
    coveredUserDigits: covered * digits(ack.userId),
    convDigits: digits(ack.conversationId),
    userDigits: digits(ack.userId),
    deliveredMarkDigits: digits(ack.deliveredMark),
    readMarkDigits: digits(ack.readMark),
    groupActions: ack.group ? 1 : 0,
    senders: ack.senders,
    senderFrameDigits: ack.senders * frame,
  };
}
