/**
 * The one rate governor every proactive send passes through. Each send names the lanes it
 * uses (its conversation, the app's budget in the tenant, or the activity-feed budget) and
 * waits until every lane has room in each of its sliding windows. The defaults are Teams'
 * documented limits:
 *
 * - per bot per conversation ("thread"): 7 per second, 8 per 2 seconds, 60 per 30 seconds,
 *   1800 per hour;
 * - per app per tenant: 50 requests per second (configurable, `NOTIFY_TENANT_RATE_PER_SECOND`);
 * - activity-feed notifications: 5 per second (configurable).
 *
 * https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/rate-limit
 *
 * A 429 pauses the lane it came from for its Retry-After: Teams does not say which limit was
 * hit, and pausing the whole tenant on each one would stall a fan-out behind one busy chat.
 * Every instance runs a governor; `setShare(n)` divides the budgets among the `n` instances
 * currently delivering, so together they stay within the limits.
 */

export interface RateWindow {
  count: number;
  windowMs: number;
}

export interface GovernorLimits {
  perConversation: RateWindow[];
  perTenant: RateWindow[];
  activityFeed: RateWindow[];
  /**
   * Installing the app for a person through Graph (POST installedApps: 30 requests per second
   * per app per tenant, https://learn.microsoft.com/en-us/graph/throttling-limits#microsoft-teams-service-limits).
   */
  appInstall?: RateWindow[];
  /**
   * E-mail from one mailbox: Exchange Online sends 30 messages a minute per mailbox
   * (https://learn.microsoft.com/en-us/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#sending-limits).
   */
  mailbox?: RateWindow[];
}

// 27, not 30: Graph counts requests as they arrive, and evenly spaced sends at exactly 30 a
// second leave no room for latency jitter (one request delayed by a few milliseconds puts 31
// in Graph's second). A tenth of headroom absorbs jitter up to 100 ms.
const APP_INSTALL_LIMIT: RateWindow[] = [{ count: 27, windowMs: 1_000 }];
const MAILBOX_LIMIT: RateWindow[] = [{ count: 30, windowMs: 60_000 }];

export const TEAMS_LIMITS: GovernorLimits = {
  perConversation: [
    { count: 7, windowMs: 1_000 },
    { count: 8, windowMs: 2_000 },
    { count: 60, windowMs: 30_000 },
    { count: 1800, windowMs: 3_600_000 },
  ],
  perTenant: [{ count: 50, windowMs: 1_000 }],
  activityFeed: [{ count: 5, windowMs: 1_000 }],
};

/** The documented limits with the per-second budgets from the configuration. */
export function limitsFromConfig(rates: { conversationPerSecond: number; tenantPerSecond: number; activityFeedPerSecond: number }): GovernorLimits {
  return {
    perConversation: TEAMS_LIMITS.perConversation.map((w) => (w.windowMs === 1_000 ? { ...w, count: rates.conversationPerSecond } : w)),
    perTenant: [{ count: rates.tenantPerSecond, windowMs: 1_000 }],
    activityFeed: [{ count: rates.activityFeedPerSecond, windowMs: 1_000 }],
  };
}

export type Lane =
  | { kind: 'conversation'; conversationId: string }
  | { kind: 'tenant'; tenantId: string }
  | { kind: 'activityFeed'; tenantId: string }
  | { kind: 'appInstall'; tenantId: string }
  | { kind: 'mailbox'; mailbox: string };

export interface RateGovernorOptions {
  limits?: GovernorLimits;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Told of every send granted, at the governor's own time (telemetry; tests check the pacing with it). */
  onGrant?: (lanes: readonly Lane[], at: number) => void;
}

interface LaneState {
  windows: RateWindow[];
  /** Start times of the sends in the longest window, oldest first. */
  log: number[];
  pausedUntil: number;
  lastUsed: number;
}

const IDLE_LANE_MS = 3_600_000;

export class RateGovernor {
  private readonly limits: GovernorLimits;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly onGrant: ((lanes: readonly Lane[], at: number) => void) | undefined;
  private readonly lanes = new Map<string, LaneState>();
  private share = 1;
  private acquisitions = 0;

  constructor(options: RateGovernorOptions = {}) {
    this.limits = options.limits ?? TEAMS_LIMITS;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.onGrant = options.onGrant;
  }

  /** How many instances share the budgets (at least 1). */
  setShare(instances: number): void {
    this.share = Math.max(1, Math.floor(instances));
  }

  get currentShare(): number {
    return this.share;
  }

  /** Waits until every lane has room, then counts the send in all of them. */
  async acquire(lanes: Lane[]): Promise<void> {
    const states = lanes.map((lane) => this.state(lane));
    for (;;) {
      const t = this.now();
      let wait = 0;
      for (const s of states) wait = Math.max(wait, this.waitFor(s, t));
      if (wait <= 0) {
        for (const s of states) {
          s.log.push(t);
          s.lastUsed = t;
        }
        if (++this.acquisitions % 1000 === 0) this.forgetIdleLanes(t);
        this.onGrant?.(lanes, t);
        return;
      }
      await this.sleep(wait);
    }
  }

  /** A 429 from this lane: nothing goes through it for `ms`. */
  pause(lane: Lane, ms: number): void {
    const s = this.state(lane);
    s.pausedUntil = Math.max(s.pausedUntil, this.now() + ms);
  }

  /** Milliseconds until a send through `s` may start at time `t` (0 or less: now). */
  private waitFor(s: LaneState, t: number): number {
    let until = s.pausedUntil;
    // Evenly spaced within the shortest window rather than in bursts: a burst reaches the
    // channel bunched up with the sends before it (their latency varies), and goes over its window.
    const shortest = s.windows.reduce((a, w) => (w.windowMs < a.windowMs ? w : a));
    const last = s.log[s.log.length - 1];
    if (last !== undefined) until = Math.max(until, last + shortest.windowMs / Math.max(1, Math.floor(shortest.count / this.share)));
    const longest = Math.max(...s.windows.map((w) => w.windowMs));
    while (s.log.length > 0 && (s.log[0] ?? 0) <= t - longest) s.log.shift();
    for (const w of s.windows) {
      const count = Math.max(1, Math.floor(w.count / this.share));
      // Sends inside (t - windowMs, t]: the log is ascending, so count from the end.
      let inside = 0;
      for (let i = s.log.length - 1; i >= 0 && (s.log[i] ?? 0) > t - w.windowMs; i--) inside++;
      if (inside >= count) {
        // Room again when the oldest of the last `count` sends leaves the window.
        const oldest = s.log[s.log.length - count] ?? t;
        until = Math.max(until, oldest + w.windowMs);
      }
    }
    return until - t;
  }

  private state(lane: Lane): LaneState {
    const key = laneKey(lane);
    let s = this.lanes.get(key);
    if (!s) {
      const windows = this.windowsOf(lane);
      s = { windows, log: [], pausedUntil: 0, lastUsed: this.now() };
      this.lanes.set(key, s);
    }
    return s;
  }

  private windowsOf(lane: Lane): RateWindow[] {
    switch (lane.kind) {
      case 'conversation': return this.limits.perConversation;
      case 'tenant': return this.limits.perTenant;
      case 'activityFeed': return this.limits.activityFeed;
      case 'appInstall': return this.limits.appInstall ?? APP_INSTALL_LIMIT;
      case 'mailbox': return this.limits.mailbox ?? MAILBOX_LIMIT;
    }
  }

  private forgetIdleLanes(t: number): void {
    for (const [key, s] of this.lanes) {
      if (t - s.lastUsed > IDLE_LANE_MS && s.pausedUntil < t) this.lanes.delete(key);
    }
  }
}

function laneKey(lane: Lane): string {
  switch (lane.kind) {
    case 'conversation': return `c:${lane.conversationId}`;
    case 'tenant': return `t:${lane.tenantId}`;
    case 'activityFeed': return `f:${lane.tenantId}`;
    case 'appInstall': return `i:${lane.tenantId}`;
    case 'mailbox': return `m:${lane.mailbox.toLowerCase()}`;
  }
}
