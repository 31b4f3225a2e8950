/** Deep links into the tab: Teams' `subPageId` becomes a route only when it is one of ours. */
import assert from 'node:assert/strict';
import { routeForSubPageId, subPageIdFor } from '../../tab/src/teams/deep-link.js';

describe('tab deep links', () => {
  it('maps discussion, event and community sub-pages to their routes', () => {
    assert.equal(routeForSubPageId('discussion:6650a1b2c3d4e5f601234570'), '/discussion/6650a1b2c3d4e5f601234570');
    assert.equal(routeForSubPageId('event:6650a1b2c3d4e5f601234569'), '/event/6650a1b2c3d4e5f601234569');
    assert.equal(routeForSubPageId('community:6650a1b2c3d4e5f601234567'), '/community/6650a1b2c3d4e5f601234567');
  });

  it('round-trips with subPageIdFor', () => {
    assert.equal(routeForSubPageId(subPageIdFor('event', 'abc_123-x')), '/event/abc_123-x');
  });

  it('ignores anything else: unknown kinds, empty or odd ids, no separator', () => {
    for (const value of [undefined, '', 'home', 'event:', 'admin:1', 'event:../../admin', 'event:a/b', 'event:a?x=1', 'event:a#b', `event:${'x'.repeat(65)}`, 'Event:1']) {
      assert.equal(routeForSubPageId(value), undefined, String(value));
    }
  });
});
