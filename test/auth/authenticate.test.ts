import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt } from 'jose';
import sinon from 'sinon';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit-entry.model.js';
import { UserModel } from '../../src/members/user.model.js';
import { useTestDatabase } from '../support/database.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';
import {
  TEST_APP_ID_URI,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  TEST_HOME_TENANT,
  TEST_PARTNER_TENANT,
  buildIdentityApp,
  entraEnvironment,
  type IdentityApp,
} from '../support/identity-app.js';
import { createSigningKey, startIdentityProvider, type IdentityProvider, type UserTokenOptions } from '../support/identity-provider.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('API authentication with Teams SSO tokens (AUTH_MODE=entra)', () => {
  useTestDatabase('authn');
  let idp: IdentityProvider;
  let graph: GraphServer;
  let env: Record<string, string>;

  before(async () => {
    idp = await startIdentityProvider();
    graph = await startGraphServer({ validToken: (t) => idp.issuedAccessTokens.has(t) });
    env = entraEnvironment(idp.baseUrl, graph.baseUrl);
  });
  after(async () => {
    await graph.stop();
    await idp.stop();
  });
  beforeEach(async () => {
    idp.reset();
    graph.reset();
    idp.registerClient({ clientId: TEST_CLIENT_ID, appIdUri: TEST_APP_ID_URI, secret: TEST_CLIENT_SECRET });
    await UserModel.deleteMany({});
    await AuditEntryModel.deleteMany({});
  });

  const token = (options: Partial<UserTokenOptions> = {}) =>
    idp.userToken({ tenantId: TEST_HOME_TENANT, apiClientId: TEST_CLIENT_ID, apiAppIdUri: TEST_APP_ID_URI, ...options });

  async function me(target: IdentityApp, authorization: string | undefined) {
    const req = request(target.app).get('/api/v1/me');
    const res = await (authorization === undefined ? req : req.set('Authorization', authorization));
    await target.identity.whenIdle();
    return res;
  }

  describe('hostile tokens: each is 401 problem+json with a challenge, and writes nothing but the audit entry of the denial', () => {
    let plain: IdentityApp;
    let guestsOff: IdentityApp;
    let mfaForAll: IdentityApp;
    before(() => {
      plain = buildIdentityApp(env);
      guestsOff = buildIdentityApp({ ...env, GUESTS_ALLOWED: 'false' });
      mfaForAll = buildIdentityApp({ ...env, REQUIRE_MFA: 'all' });
    });

    interface HostileCase {
      name: string;
      app?: () => IdentityApp;
      authorization: () => Promise<string | undefined>;
      code: string;
      reason: string;
      challenge: RegExp;
    }

    const cases: HostileCase[] = [
      { name: 'no token', authorization: async () => undefined, code: 'unauthenticated', reason: 'missing_token', challenge: /^Bearer realm="meent"$/ },
      { name: 'another scheme (Basic)', authorization: async () => 'Basic dXNlcjpwYXNz', code: 'unauthenticated', reason: 'missing_token', challenge: /^Bearer realm="meent"$/ },
      { name: 'malformed (not a JWT)', authorization: async () => 'Bearer not-a-jwt', code: 'invalid_token', reason: 'malformed_token', challenge: /error="invalid_token"/ },
      { name: 'malformed (garbage in three parts)', authorization: async () => 'Bearer abc.def.ghi', code: 'invalid_token', reason: 'malformed_token', challenge: /error="invalid_token"/ },
      {
        name: 'alg: none',
        authorization: async () => {
          const claims = decodeJwt(await token());
          return `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
        },
        code: 'invalid_token',
        reason: 'unsupported_algorithm',
        challenge: /error="invalid_token"/,
      },
      {
        name: 'HS256 signed with the public key',
        authorization: async () => {
          const claims = decodeJwt(await token());
          const secret = new TextEncoder().encode(await idp.activePublicKeyPem());
          return `Bearer ${await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: idp.activeKey.kid }).sign(secret)}`;
        },
        code: 'invalid_token',
        reason: 'unsupported_algorithm',
        challenge: /error="invalid_token"/,
      },
      {
        name: 'signed by an unknown key',
        authorization: async () => `Bearer ${await token({ key: await createSigningKey() })}`,
        code: 'invalid_token',
        reason: 'unknown_signing_key',
        challenge: /error="invalid_token"/,
      },
      {
        name: 'signed by the attacker under a published kid, with the attacker key embedded (jwk) and a jku',
        authorization: async () => {
          const attacker = await createSigningKey();
          const claims = decodeJwt(await token());
          const forged = await new SignJWT(claims)
            .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: idp.activeKey.kid, jwk: attacker.publicJwk, jku: 'https://attacker.example/keys' })
            .sign(attacker.privateKey);
          return `Bearer ${forged}`;
        },
        code: 'invalid_token',
        reason: 'invalid_signature',
        challenge: /error="invalid_token"/,
      },
      { name: 'expired (beyond the 5 minutes of skew)', authorization: async () => `Bearer ${await token({ expiresIn: -400, notBefore: -4000 })}`, code: 'token_expired', reason: 'token_expired', challenge: /error="invalid_token"/ },
      { name: 'not yet valid (beyond the 5 minutes of skew)', authorization: async () => `Bearer ${await token({ notBefore: 600 })}`, code: 'invalid_token', reason: 'token_not_yet_valid', challenge: /error="invalid_token"/ },
      {
        name: 'wrong issuer (another host)',
        authorization: async () => `Bearer ${await token({ version: 2, extra: { iss: `https://evil.example/${TEST_HOME_TENANT}/v2.0` } })}`,
        code: 'invalid_token',
        reason: 'wrong_issuer',
        challenge: /error="invalid_token"/,
      },
      {
        name: 'wrong issuer (the partner tenant issuing for the home tenant)',
        authorization: async () => `Bearer ${await token({ extra: { iss: idp.issuerV1(TEST_PARTNER_TENANT) } })}`,
        code: 'invalid_token',
        reason: 'wrong_issuer',
        challenge: /error="invalid_token"/,
      },
      { name: 'wrong audience', authorization: async () => `Bearer ${await token({ audience: 'api://other-app.example/0000' })}`, code: 'invalid_token', reason: 'wrong_audience', challenge: /error="invalid_token"/ },
      { name: 'a tenant not allowed', authorization: async () => `Bearer ${await token({ tenantId: randomUUID() })}`, code: 'tenant_not_allowed', reason: 'tenant_not_allowed', challenge: /error="invalid_token"/ },
      { name: 'missing scope (User.Read only)', authorization: async () => `Bearer ${await token({ scope: 'User.Read' })}`, code: 'insufficient_scope', reason: 'missing_scope', challenge: /error="insufficient_scope"/ },
      { name: 'a token another app obtained for Meent (v2.0 azp not a Microsoft 365 tab host)', authorization: async () => `Bearer ${await token({ version: 2, extra: { azp: '11111111-2222-4333-8444-555555555555' } })}`, code: 'invalid_token', reason: 'client_not_allowed', challenge: /error="invalid_token"/ },
      { name: 'a token another app obtained for Meent (v1.0 appid)', authorization: async () => `Bearer ${await token({ version: 1, extra: { appid: '11111111-2222-4333-8444-555555555555' } })}`, code: 'invalid_token', reason: 'client_not_allowed', challenge: /error="invalid_token"/ },
      { name: 'a token without azp', authorization: async () => `Bearer ${await token({ version: 2, extra: { azp: undefined } })}`, code: 'invalid_token', reason: 'client_not_allowed', challenge: /error="invalid_token"/ },
      { name: 'missing scope (an app-only token)', authorization: async () => `Bearer ${await token({ scope: null, roles: ['Meent.Admin'], extra: { idtyp: 'app' } })}`, code: 'insufficient_scope', reason: 'missing_scope', challenge: /error="insufficient_scope"/ },
      {
        name: 'tampered payload (made admin after signing)',
        authorization: async () => {
          const [header, payload, signature] = (await token()).split('.');
          const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
          return `Bearer ${header}.${b64({ ...claims, roles: ['Meent.Admin'] })}.${signature}`;
        },
        code: 'invalid_token',
        reason: 'invalid_signature',
        challenge: /error="invalid_token"/,
      },
      { name: 'a guest (acct=1) when guests are off', app: () => guestsOff, authorization: async () => `Bearer ${await token({ acct: 1 })}`, code: 'guests_not_allowed', reason: 'guests_not_allowed', challenge: /error="invalid_token"/ },
      {
        name: 'a B2B guest (#EXT# in the UPN) when guests are off',
        app: () => guestsOff,
        authorization: async () => `Bearer ${await token({ upn: 'piet_adviesbureau.nl#EXT#@waterschap.onmicrosoft.com' })}`,
        code: 'guests_not_allowed',
        reason: 'guests_not_allowed',
        challenge: /error="invalid_token"/,
      },
      {
        name: 'a guest from another home tenant (idp) when guests are off',
        app: () => guestsOff,
        authorization: async () => `Bearer ${await token({ idp: `https://sts.windows.net/${randomUUID()}/` })}`,
        code: 'guests_not_allowed',
        reason: 'guests_not_allowed',
        challenge: /error="invalid_token"/,
      },
      { name: 'no MFA when MFA is required', app: () => mfaForAll, authorization: async () => `Bearer ${await token({ amr: ['pwd'] })}`, code: 'step_up_required', reason: 'mfa_required', challenge: /error="insufficient_user_authentication"/ },
    ];

    for (const c of cases) {
      it(c.name, async () => {
        const target = c.app?.() ?? plain;
        const authorization = await c.authorization();

        const res = await me(target, authorization);

        assert.equal(res.status, 401);
        assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/);
        assert.equal(res.body.code, c.code);
        assert.match(res.headers['www-authenticate'] ?? '', c.challenge);
        assert.equal(res.body.status, 401);
        assert.equal(await UserModel.countDocuments({}), 0, 'no user written');
        const entries = await AuditEntryModel.find({}).lean();
        assert.equal(entries.length, 1, 'exactly the audit entry of the denial');
        assert.equal(entries[0]?.kind, 'access.denied');
        assert.equal(entries[0]?.reason, c.reason);
        assert.equal(entries[0]?.path, '/api/v1/me');
        const stored = JSON.stringify(entries);
        const raw = authorization?.replace(/^\S+\s+/, '');
        if (raw) assert.ok(!stored.includes(raw), 'the token is not stored');
        assert.ok(!JSON.stringify(res.body).includes('eyJ'), 'the token is not echoed');
      });
    }

    it('asks the step-up in the body, so the tab can ask for a multi-factor sign-in', async () => {
      const res = await me(mfaForAll, `Bearer ${await token({ amr: ['pwd'] })}`);
      assert.deepEqual(res.body.stepUp, { required: 'mfa' });
    });

    it('fetches nothing for a tenant that is not allowed', async () => {
      const stranger = randomUUID();
      await me(plain, `Bearer ${await token({ tenantId: stranger })}`);
      assert.equal(idp.requests.filter((r) => r.path.includes(stranger)).length, 0);
    });

    it('keeps the claimed tenant of a rejected token in the audit entry, under the home tenant', async () => {
      const stranger = randomUUID();
      await me(plain, `Bearer ${await token({ tenantId: stranger })}`);
      const entry = await AuditEntryModel.findOne({}).lean();
      assert.equal(entry?.tenantId, TEST_HOME_TENANT);
      assert.deepEqual(entry?.details, { claimedTenantId: stranger });
    });

    it('adds up repeated denials in one entry instead of one per request', async () => {
      for (let i = 0; i < 3; i++) await me(plain, 'Bearer not-a-jwt');
      const entries = await AuditEntryModel.find({}).lean();
      assert.equal(entries.length, 1);
      assert.equal(entries[0]?.count, 3);
    });
  });

  describe('valid tokens', () => {
    let target: IdentityApp;
    before(() => {
      target = buildIdentityApp(env);
    });

    it('a v1.0 token from the home tenant passes; GET /me returns the actor', async () => {
      const oid = randomUUID();
      const res = await me(target, `Bearer ${await token({ oid, name: 'Anna de Vries', upn: 'anna@waterschap.example', roles: ['Meent.Admin'] })}`);

      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.id, oid);
      assert.equal(res.body.tenantId, TEST_HOME_TENANT);
      assert.equal(res.body.name, 'Anna de Vries');
      assert.equal(res.body.userPrincipalName, 'anna@waterschap.example');
      assert.equal(res.body.isGuest, false);
      assert.equal(res.body.isOrgAdmin, true);
      assert.equal(res.body.mfa, true);
      assert.deepEqual(res.body.roles, ['Meent.Admin']);
      assert.equal(res.headers['cache-control'], 'no-store');
    });

    it('a v2.0 token (audience the client id) passes', async () => {
      const res = await me(target, `Bearer ${await token({ version: 2 })}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.mfa, false, 'v2.0 tokens carry no amr');
    });

    it('a token from an allowed partner tenant passes, as a member of that tenant', async () => {
      const res = await me(target, `Bearer ${await token({ tenantId: TEST_PARTNER_TENANT })}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.tenantId, TEST_PARTNER_TENANT);
      assert.equal(res.body.isGuest, false);
    });

    it('a B2B guest passes when guests are allowed, marked as guest with their home tenant', async () => {
      const home = randomUUID();
      const res = await me(target, `Bearer ${await token({ acct: 1, idp: `https://sts.windows.net/${home}/`, upn: 'gerrit_lto.nl#EXT#@waterschap.onmicrosoft.com' })}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.isGuest, true);
      assert.equal(res.body.homeTenantId, home);
    });

    it('accepts the skew Entra allows: expired 2 minutes ago is still fine', async () => {
      const res = await me(target, `Bearer ${await token({ expiresIn: -120 })}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
    });

    it('creates the person on first sight and audits the first sign-in once', async () => {
      const oid = randomUUID();
      const bearer = `Bearer ${await token({ oid })}`;
      await me(target, bearer);
      await me(target, bearer);
      assert.equal(await UserModel.countDocuments({ tenantId: TEST_HOME_TENANT, userId: oid }), 1);
      assert.equal(await AuditEntryModel.countDocuments({ kind: 'user.first_sign_in', subjectId: oid }), 1);
    });
  });

  describe('failures after the token is accepted', () => {
    const sandbox = sinon.createSandbox();
    afterEach(() => sandbox.restore());

    it('a database failure while recording the person is a 500 problem, not a hang, and leaks nothing', async () => {
      const target = buildIdentityApp(env);
      sandbox.stub(target.identity.users, 'signedIn').rejects(new Error('connection to 10.0.0.5:27017 closed'));
      const res = await me(target, `Bearer ${await token()}`);
      assert.equal(res.status, 500);
      assert.equal(res.body.code, 'internal_error');
      assert.ok(!JSON.stringify(res.body).includes('10.0.0.5'));
    });
  });

  describe('key rotation at the identity provider', () => {
    it('is followed without restart: new keys are fetched on an unknown kid, retired keys stop working', async () => {
      let offsetMs = 0;
      const target = buildIdentityApp(env, { now: () => new Date(Date.now() + offsetMs) });
      const oldToken = `Bearer ${await token()}`;
      assert.equal((await me(target, oldToken)).status, 200);

      await idp.rotateKeys({ retireOld: true });
      offsetMs = 60_000; // past the 30 s cool-down between key fetches
      const newToken = `Bearer ${await token()}`;

      assert.equal((await me(target, newToken)).status, 200, 'a token signed with the new key passes');
      const again = await me(target, oldToken);
      assert.equal(again.status, 401, 'the retired key no longer verifies');
      assert.equal(again.body.code, 'invalid_token');
    });

    it('does not let a stream of unknown kids hammer the identity provider', async () => {
      const target = buildIdentityApp(env);
      await me(target, `Bearer ${await token()}`);
      const keyFetches = () => idp.requests.filter((r) => r.path.endsWith('/keys')).length;
      const before = keyFetches();
      for (let i = 0; i < 5; i++) {
        const res = await me(target, `Bearer ${await token({ key: await createSigningKey() })}`);
        assert.equal(res.status, 401);
      }
      assert.equal(keyFetches() - before, 0, 'within the cool-down, unknown kids cause no fetch');
    });
  });

  describe('when Entra cannot be reached', () => {
    it('answers 503 identity_provider_unavailable, not 401, and writes nothing', async () => {
      const target = buildIdentityApp({ ...env, ENTRA_AUTHORITY_HOST: 'https://127.0.0.1:9' });
      const res = await me(target, `Bearer ${await token()}`);
      assert.equal(res.status, 503);
      assert.equal(res.body.code, 'identity_provider_unavailable');
      assert.equal(await UserModel.countDocuments({}), 0);
    });
  });
});
