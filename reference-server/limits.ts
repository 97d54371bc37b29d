// What one client may cost the server: every bound in one place, with defaults generous enough
// for the shipped scenarios at their sizes (mass-reconnect at 30,000 users, group-1000), and
// per user or per connection, never global, so one abuser cannot starve the honest ones.
// The close codes these limits end a connection with are listed in protocol.ts (CLOSE_CODES).

export const LIMIT_DEFAULTS = {
  /** sustained frames per second per user, across all of that user's connections on this node */
  framesPerSecond: 2000,
  /** frames a user may send above the sustained rate before being refused */
  burst: 5000,
  /**
   * frames refused for rate before the connection is closed as abusive, counted until the user
   * backs off long enough to refill the whole burst (a frame let through now and then by the
   * refill does not reset it, or a client staying over the rate would never be closed)
   */
  floodCloseAfter: 500,
  /** frames (and their bytes) waiting behind a slow one before the connection counts as flooding */
  maxQueuedFrames: 10_000,
  maxQueuedBytes: 4 * 1024 * 1024,
  /** bytes written to a connection and not yet taken by the client before it is closed as slow */
  maxBufferedBytes: 8 * 1024 * 1024,
  /** how long a paged sync waits for the client to take a page before closing it as slow */
  slowConsumerMs: 30_000,
  /** a full sync is answered in pages of at most this many messages and message bytes */
  syncPageMessages: 2000,
  syncPageBytes: 1024 * 1024,
  /** one sync_batch frame carries at most about this many bytes of messages */
  syncFrameBytes: 256 * 1024,
  /** open connections of one user on this node; the next one is refused */
  maxConnectionsPerUser: 8,
  /** from TCP accept to a completed, authorised WebSocket upgrade */
  handshakeTimeoutMs: 20_000,
  /** no frame and no answer to the server's ping for this long: the connection is dropped */
  idleTimeoutMs: 120_000,
};

export type Limits = typeof LIMIT_DEFAULTS;

/** The limits with defaults filled in; throws one line naming the first bad option. */
export function resolveLimits(given: Partial<Record<keyof Limits, unknown>>): Limits {
  const limits = { ...LIMIT_DEFAULTS };
  for (const name of Object.keys(LIMIT_DEFAULTS) as (keyof Limits)[]) {
    const value = given[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      throw new Error(`server option ${name} must be a positive integer (got ${JSON.stringify(value)})`);
    }
    limits[name] = value;
  }
  return limits;
}

interface Budget {
  tokens: number;
  refilledAt: number;
  connections: number;
}

/**
 * Per-user frame budgets (token buckets) and connection counts. A user opening more connections
 * shares one budget among them, so 20 connections buy no more frames than one.
 */
export class UserBudgets {
  private readonly budgets = new Map<number, Budget>();

  constructor(private readonly limits: Limits) {}

  /** counts a new connection of `userId`; false (and nothing counted) when over the cap */
  connect(userId: number): boolean {
    let budget = this.budgets.get(userId);
    if (!budget) this.budgets.set(userId, (budget = { tokens: this.limits.burst, refilledAt: Date.now(), connections: 0 }));
    if (budget.connections >= this.limits.maxConnectionsPerUser) return false;
    budget.connections += 1;
    return true;
  }

  disconnect(userId: number): void {
    const budget = this.budgets.get(userId);
    if (!budget) return;
    budget.connections -= 1;
    if (this.forgettable(budget, Date.now())) this.budgets.delete(userId);
  }

  /** takes one frame from the user's budget: `ok` if there was one, `full` if it was untouched */
  take(userId: number, now = Date.now()): { ok: boolean; full: boolean } {
    const budget = this.budgets.get(userId);
    if (!budget) return { ok: false, full: false };
    const full = this.refill(budget, now) >= this.limits.burst;
    if (budget.tokens < 1) return { ok: false, full };
    budget.tokens -= 1;
    return { ok: true, full };
  }

  /** forgets users with no connection whose budget has refilled (called now and then) */
  sweep(now = Date.now()): void {
    for (const [userId, budget] of this.budgets) {
      if (this.forgettable(budget, now)) this.budgets.delete(userId);
    }
  }

  /** a user with no connection keeps the budget until it refills, so reconnecting buys nothing */
  private forgettable(budget: Budget, now: number): boolean {
    return budget.connections <= 0 && this.refill(budget, now) >= this.limits.burst;
  }

  get users(): number {
    return this.budgets.size;
  }

  private refill(budget: Budget, now: number): number {
    budget.tokens = Math.min(this.limits.burst, budget.tokens + ((now - budget.refilledAt) / 1000) * this.limits.framesPerSecond);
    budget.refilledAt = now;
    return budget.tokens;
  }
}
