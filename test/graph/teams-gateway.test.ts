import assert from 'node:assert/strict';
import { ForbiddenError } from '../../src/errors/domain-errors.js';
import { createGraphClient } from '../../src/graph/graph-client.js';
import { GraphUnavailableError } from '../../src/graph/graph-errors.js';
import { GraphTeamsGateway } from '../../src/graph/teams-gateway.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';

describe('GraphTeamsGateway', () => {
  let server: GraphServer;
  let teams: GraphTeamsGateway;
  const owner = '0c1d2e3f-0000-4000-8000-000000000001';
  const member = '0c1d2e3f-0000-4000-8000-000000000002';
  const teamGuest = '0c1d2e3f-0000-4000-8000-000000000003';
  const outsider = '0c1d2e3f-0000-4000-8000-000000000004';

  before(async () => {
    server = await startGraphServer({ pageSize: 2 });
    teams = new GraphTeamsGateway({ graph: createGraphClient({ baseUrl: server.baseUrl, getAccessToken: async () => 'token', retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 2 } }) });
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(() => server.reset());

  function team() {
    return server.addTeam({
      displayName: 'Waterkwaliteit',
      members: [{ userId: owner, roles: ['owner'] }, { userId: member }, { userId: teamGuest, roles: ['guest'] }],
      channels: [{ displayName: 'Bestuur', membershipType: 'private', members: [owner, teamGuest] }],
    });
  }

  it('finds one member by Entra object id with the documented $filter, and tells owners, members and guests apart', async () => {
    const t = team();
    assert.deepEqual(await teams.membershipOf(t.id, owner), { userId: owner, role: 'owner' });
    assert.deepEqual(await teams.membershipOf(t.id, member.toUpperCase()), { userId: member, role: 'member' });
    assert.deepEqual(await teams.membershipOf(t.id, teamGuest), { userId: teamGuest, role: 'guest' });
    assert.equal(await teams.membershipOf(t.id, outsider), null);
    assert.equal(server.requests[0]?.path, `/v1.0/teams/${t.id}/members`);
    assert.equal(server.requests[0]?.query.get('$filter'), `(microsoft.graph.aadUserConversationMember/userId eq '${owner}')`);
  });

  it('keeps a quote in an id inside its OData string literal', async () => {
    const t = team();
    assert.equal(await teams.membershipOf(t.id, `x' or userId eq '${member}`), null);
    assert.equal(server.requests[0]?.status, 200);
  });

  it('answers null for a team that does not exist, or an id that is none', async () => {
    assert.equal(await teams.membershipOf('6f1e2d3c-0000-4000-8000-00000000dead', member), null);
    assert.equal(server.requests[0]?.status, 404);
    server.failNext({ status: 400 });
    assert.equal(await teams.channel('not a team', '19:x@thread.tacv2'), null);
  });

  it('reads a channel of the team, and none of another team', async () => {
    const t = team();
    const other = server.addTeam({ members: [{ userId: member }] });
    const [general, bestuur] = t.channelIds as [string, string];
    assert.deepEqual(await teams.channel(t.id, general), { id: general, membershipType: 'standard' });
    assert.deepEqual(await teams.channel(t.id, bestuur), { id: bestuur, membershipType: 'private' });
    assert.equal(server.requests[0]?.path, `/v1.0/teams/${t.id}/channels/${encodeURIComponent(general)}`);
    assert.equal(await teams.channel(other.id, general), null);
  });

  it('walks the pages of a channel\'s members', async () => {
    const t = team();
    const [general, bestuur] = t.channelIds as [string, string];
    assert.equal(await teams.isChannelMember(t.id, bestuur, teamGuest), true);
    assert.equal(await teams.isChannelMember(t.id, bestuur, member), false);
    assert.equal(await teams.isChannelMember(t.id, general, teamGuest), true, 'on the second page of three members');
    assert.ok(server.count((r) => r.query.has('$skiptoken')) >= 1);
  });

  it('passes refusals and outages on as domain errors', async () => {
    const t = team();
    server.failNext({ status: 403 });
    await assert.rejects(teams.membershipOf(t.id, member), (e: unknown) => e instanceof ForbiddenError && e.code === 'graph_forbidden');
    server.failNext({ status: 503, times: 2 });
    await assert.rejects(teams.channel(t.id, t.channelIds[0] ?? ''), GraphUnavailableError);
  });
});
