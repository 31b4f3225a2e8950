/**
 * Pinning a community to a Teams channel (its announcements are then posted there by the
 * bot) through the whole app: real Teams SSO tokens from the local identity provider, the
 * composition root's wiring, and the team and channel membership read from the local Graph
 * with the app's own token. In local mode (no Graph) only organisation admins may pin.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { buildApplication, type Application } from '../../src/composition.js';
import { CommunityModel } from '../../src/communities/community.model.js';
import { loadConfig } from '../../src/config/config.js';
import { DEMO_PEOPLE } from '../../src/local/demo-people.js';
import { createLogger } from '../../src/logging/logger.js';
import { useTestDatabase } from '../support/database.js';
import { startGraphServer, type GraphServer, type StandInTeam } from '../support/graph-server.js';
import { entraEnvironment, TEST_APP_ID_URI, TEST_CLIENT_ID, TEST_CLIENT_SECRET, TEST_HOME_TENANT } from '../support/identity-app.js';
import { startIdentityProvider, type IdentityProvider } from '../support/identity-provider.js';

describe('pinning a community to a Teams channel', function () {
  this.timeout(60_000);
  useTestDatabase('pin');
  const logger = createLogger('silent');

  describe('with Microsoft Graph (AUTH_MODE=entra)', () => {
    let idp: IdentityProvider;
    let graph: GraphServer;
    let application: Application;
    let team: StandInTeam;
    let otherTeam: StandInTeam;
    const owner = randomUUID();
    const member = randomUUID();
    const teamGuest = randomUUID();
    const outsider = randomUUID();

    before(async () => {
      idp = await startIdentityProvider();
      // Graph accepts only tokens the identity provider handed out (the app's own, here).
      graph = await startGraphServer({ validToken: (t) => idp.issuedAccessTokens.has(t) });
      idp.registerClient({ clientId: TEST_CLIENT_ID, appIdUri: TEST_APP_ID_URI, secret: TEST_CLIENT_SECRET });
      application = await buildApplication(loadConfig(entraEnvironment(idp.baseUrl, graph.baseUrl, { RATE_LIMIT_USER_WRITES: '0', RATE_LIMIT_IP_WRITES: '0' })), logger);
    });
    after(async () => {
      await application.close();
      await graph.stop();
      await idp.stop();
    });
    beforeEach(async () => {
      graph.reset();
      await CommunityModel.deleteMany({});
      team = graph.addTeam({
        displayName: 'Waterkwaliteit',
        tenantId: TEST_HOME_TENANT,
        members: [{ userId: owner, roles: ['owner'] }, { userId: member }, { userId: teamGuest, roles: ['guest'] }],
        channels: [{ displayName: 'Bestuur', membershipType: 'private', members: [owner] }],
      });
      otherTeam = graph.addTeam({ displayName: 'Bestuursadvies', tenantId: TEST_HOME_TENANT, members: [{ userId: owner, roles: ['owner'] }] });
    });

    const bearer = async (oid: string, admin = false) =>
      `Bearer ${await idp.userToken({ tenantId: TEST_HOME_TENANT, oid, apiClientId: TEST_CLIENT_ID, apiAppIdUri: TEST_APP_ID_URI, ...(admin ? { roles: ['Meent.Admin'] } : {}) })}`;
    const general = () => team.channelIds[0] ?? '';
    const privateChannel = () => team.channelIds[1] ?? '';

    async function create(oid: string, pin: Record<string, unknown>, admin = false) {
      const res = await request(application.app)
        .post('/api/v1/communities')
        .set('Authorization', await bearer(oid, admin))
        .send({ name: `Community ${randomUUID().slice(0, 6)}`, ...pin });
      await application.identity.whenIdle();
      return res;
    }

    async function patch(oid: string, id: string, body: Record<string, unknown>) {
      const res = await request(application.app).patch(`/api/v1/communities/${id}`).set('Authorization', await bearer(oid)).send(body);
      await application.identity.whenIdle();
      return res;
    }

    function refused(res: request.Response, status: number, code: string): void {
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.body.code, code);
    }

    it('lets a member of the team pin to one of its channels, read with the app\'s token', async () => {
      const res = await create(member, { teamId: team.id, channelId: general() });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.deepEqual([res.body.teamId, res.body.channelId], [team.id, general()]);
      const asked = graph.requests.find((r) => r.path === `/v1.0/teams/${team.id}/members`);
      assert.equal(asked?.query.get('$filter'), `(microsoft.graph.aadUserConversationMember/userId eq '${member}')`);
      assert.ok(asked?.headers.authorization && idp.issuedAccessTokens.has(asked.headers.authorization.replace(/^Bearer /, '')));
    });

    it('refuses someone outside the team, and a guest of the team, storing nothing', async () => {
      refused(await create(outsider, { teamId: team.id, channelId: general() }), 403, 'not_team_member');
      refused(await create(teamGuest, { teamId: team.id, channelId: general() }), 403, 'not_team_member');
      refused(await create(outsider, { teamId: team.id }), 403, 'not_team_member');
      refused(await create(member, { teamId: randomUUID(), channelId: general() }), 403, 'not_team_member');
      assert.equal(await CommunityModel.countDocuments(), 0);
    });

    it('refuses a channel of another team, and a channel without its team', async () => {
      const res = await create(owner, { teamId: otherTeam.id, channelId: general() });
      refused(res, 400, 'channel_not_in_team');
      assert.deepEqual(res.body.errors, [{ path: 'body.channelId', message: 'not a channel of this team', code: 'invalid' }]);
      refused(await create(owner, { channelId: general() }), 400, 'channel_without_team');
      assert.equal(await CommunityModel.countDocuments(), 0);
    });

    it('lets only the private channel\'s own members pin to it', async () => {
      refused(await create(member, { teamId: team.id, channelId: privateChannel() }), 403, 'not_channel_member');
      assert.equal(await CommunityModel.countDocuments(), 0);
      assert.equal((await create(owner, { teamId: team.id, channelId: privateChannel() })).status, 201);
    });

    it('checks a change of pin on update too, and leaves the rest of the community editable', async () => {
      const created = await create(owner, { teamId: team.id, channelId: general() });
      assert.equal(created.status, 201);
      const id = created.body.id as string;
      // The outsider becomes a manager: managing the community is no right over the team.
      await request(application.app).post(`/api/v1/communities/${id}/members`).set('Authorization', await bearer(outsider)).send({}).expect(201);
      await request(application.app).patch(`/api/v1/communities/${id}/members/${outsider}`).set('Authorization', await bearer(owner)).send({ role: 'manager' }).expect(200);

      refused(await patch(outsider, id, { channelId: privateChannel() }), 403, 'not_team_member');
      refused(await patch(owner, id, { teamId: otherTeam.id }), 400, 'channel_not_in_team');
      refused(await patch(owner, id, { teamId: null }), 400, 'channel_without_team');
      const stored = await CommunityModel.findById(id).lean();
      assert.deepEqual([stored?.teamId, stored?.channelId], [team.id, general()], 'nothing changed');

      const renamed = await patch(outsider, id, { name: 'Waterkwaliteit Achterhoek', teamId: team.id });
      assert.equal(renamed.status, 200, 'the same pin again is no new pin');
      assert.equal(renamed.body.name, 'Waterkwaliteit Achterhoek');
      const moved = await patch(owner, id, { teamId: otherTeam.id, channelId: otherTeam.channelIds[0] });
      assert.deepEqual([moved.status, moved.body.teamId], [200, otherTeam.id]);
      const unpinned = await patch(outsider, id, { teamId: null, channelId: null });
      assert.deepEqual([unpinned.status, unpinned.body.teamId, unpinned.body.channelId], [200, null, null], 'anyone who manages it may unpin');
    });

    it('answers 503 and stores nothing while Graph is down', async () => {
      graph.failNext({ status: 503, times: 10, match: (r) => r.path.startsWith('/v1.0/teams/') });
      refused(await create(member, { teamId: team.id, channelId: general() }), 503, 'graph_unavailable');
      assert.equal(await CommunityModel.countDocuments(), 0);
    });
  });

  describe('without Microsoft Graph (local mode)', () => {
    let application: Application;
    let publicUrl: string;

    before(async () => {
      const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_MODE: 'local', RATE_LIMIT_USER_WRITES: '0', RATE_LIMIT_IP_WRITES: '0' });
      publicUrl = config.publicUrl;
      application = await buildApplication(config, logger);
    });
    after(async () => {
      await application.close();
    });

    async function signIn(role: 'org-admin' | 'civil-servant'): Promise<string> {
      const person = DEMO_PEOPLE.find((p) => (role === 'org-admin' ? p.isOrgAdmin : !p.isOrgAdmin && !p.isGuest));
      assert.ok(person);
      const res = await request(application.app).post('/auth/local').set('Origin', publicUrl).type('form').send({ person: person.id });
      return ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0]?.split(';')[0] ?? '';
    }

    const create = async (cookie: string, pin: Record<string, unknown>) =>
      request(application.app).post('/api/v1/communities').set('Cookie', cookie).set('Origin', publicUrl).send({ name: `Lokaal ${randomUUID().slice(0, 6)}`, ...pin });

    it('lets only organisation admins pin, since nobody\'s team membership can be known', async () => {
      const pin = { teamId: randomUUID(), channelId: '19:general@thread.tacv2' };
      const before = await CommunityModel.countDocuments();
      const member = await create(await signIn('civil-servant'), pin);
      assert.deepEqual([member.status, member.body.code], [403, 'pin_requires_admin']);
      assert.equal(await CommunityModel.countDocuments(), before);
      assert.equal((await create(await signIn('civil-servant'), {})).status, 201, 'creating without a pin is unchanged');
      const admin = await create(await signIn('org-admin'), pin);
      assert.deepEqual([admin.status, admin.body.teamId], [201, pin.teamId]);
    });
  });
});
