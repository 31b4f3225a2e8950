import assert from 'node:assert/strict';
import sinon from 'sinon';
import { limitsFromConfig, RateGovernor, TEAMS_LIMITS, type Lane } from '../../src/notifications/rate-governor.js';

/** The largest number of `times` inside any window of `windowMs` (a window is (t - windowMs, t]). */
function peak(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[start] ?? 0) <= (sorted[end] ?? 0) - windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

describe('rate governor (Teams bot limits)', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['Date', 'setTimeout', 'clearTimeout'] });
  });
  afterEach(() => clock.restore());

  async function run(governor: RateGovernor, lanes: Lane[][], untilMs: number): Promise<number[][]> {
    const started: number[][] = lanes.map(() => []);
    const all = lanes.map(async (l, i) => {
      await governor.acquire(l);
      started[i]?.push(Date.now());
    });
    await clock.tickAsync(untilMs);
    await Promise.all(all);
    return started;
  }

  it('keeps one conversation within 7 per second, 8 per 2 seconds and 60 per 30 seconds', async () => {
    const governor = new RateGovernor();
    const lane: Lane = { kind: 'conversation', conversationId: 'a:1' };
    const starts = (await run(governor, Array.from({ length: 70 }, () => [lane]), 120_000)).flat();
    assert.equal(starts.length, 70);
    assert.ok(peak(starts, 1_000) <= 7, `peak per second ${peak(starts, 1_000)}`);
    assert.ok(peak(starts, 2_000) <= 8, `peak per 2 seconds ${peak(starts, 2_000)}`);
    assert.ok(peak(starts, 30_000) <= 60, `peak per 30 seconds ${peak(starts, 30_000)}`);
    assert.equal(peak(starts, 2_000), 8, 'and uses the budget it has');
  });

  it('keeps the tenant within its budget across many conversations, and uses it', async () => {
    const governor = new RateGovernor({ limits: limitsFromConfig({ conversationPerSecond: 7, tenantPerSecond: 50, activityFeedPerSecond: 5 }) });
    const lanes = Array.from({ length: 500 }, (_, i): Lane[] => [{ kind: 'conversation', conversationId: `a:${i}` }, { kind: 'tenant', tenantId: 't' }]);
    const starts = (await run(governor, lanes, 20_000)).flat();
    assert.equal(starts.length, 500);
    assert.equal(peak(starts, 1_000), 50);
    // 500 sends at 50 per second take about ten seconds, not much more.
    assert.ok(Math.max(...starts) - Math.min(...starts) < 10_500);
  });

  it('divides the budgets among the instances sharing them', async () => {
    const governor = new RateGovernor();
    governor.setShare(2);
    const lanes = Array.from({ length: 100 }, (_, i): Lane[] => [{ kind: 'conversation', conversationId: `a:${i}` }, { kind: 'tenant', tenantId: 't' }]);
    const starts = (await run(governor, lanes, 20_000)).flat();
    assert.equal(peak(starts, 1_000), 25);
  });

  it('keeps activity-feed notifications within 5 per second', async () => {
    const governor = new RateGovernor();
    const lanes = Array.from({ length: 20 }, (): Lane[] => [{ kind: 'activityFeed', tenantId: 't' }, { kind: 'tenant', tenantId: 't' }]);
    const starts = (await run(governor, lanes, 10_000)).flat();
    assert.equal(peak(starts, 1_000), TEAMS_LIMITS.activityFeed[0]?.count);
  });

  it('holds a lane paused by a 429 until Retry-After has passed, and only that lane', async () => {
    const governor = new RateGovernor();
    const throttled: Lane = { kind: 'conversation', conversationId: 'a:busy' };
    const other: Lane = { kind: 'conversation', conversationId: 'a:quiet' };
    governor.pause(throttled, 3_000);
    const [busy, quiet] = await run(governor, [[throttled], [other]], 5_000);
    const [busyStart, quietStart] = [busy?.[0], quiet?.[0]];
    assert.equal(quietStart, 1_000_000);
    assert.equal(busyStart, 1_003_000);
  });
});
