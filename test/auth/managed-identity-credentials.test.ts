/**
 * GraphCredentials with a user-assigned managed identity (App Service): app-only tokens of the
 * home tenant from the MSI endpoint; with no secret, the app registration signs in with the
 * identity's token as a federated client assertion, on behalf of a person and in a partner
 * tenant; with a secret as well, on-behalf-of keeps using the secret.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { GraphCredentials } from '../../src/auth/graph-credentials.js';
import { startIdentityProvider, TOKEN_EXCHANGE_AUDIENCE, type IdentityProvider, type ManagedIdentity } from '../support/identity-provider.js';

describe('GraphCredentials with a managed identity (App Service MSI endpoint of the local identity provider)', () => {
  const tenantId = '0b9c8d7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e';
  const partnerTenant = '7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918';
  const clientId = '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f';
  const appIdUri = `api://meent.example.nl/${clientId}`;
  let idp: IdentityProvider;
  let identity: ManagedIdentity;
  const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };

  before(async () => {
    idp = await startIdentityProvider();
    identity = idp.registerManagedIdentity({ clientId: 'd4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f70', tenantId });
    // What App Service sets in the process environment (read by @azure/identity's MSAL when a credential is made).
    process.env.IDENTITY_ENDPOINT = idp.managedIdentityEndpoint;
    process.env.IDENTITY_HEADER = idp.identityHeader;
  });
  after(async () => {
    for (const [name, value] of [['IDENTITY_ENDPOINT', saved.endpoint], ['IDENTITY_HEADER', saved.header]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await idp.stop();
  });
  beforeEach(() => idp.reset());

  const credentials = (secret?: string) =>
    new GraphCredentials({ tenantId, clientId, authorityHost: idp.baseUrl, managedIdentityClientId: identity.clientId, ...(secret ? { clientSecret: secret } : {}) });

  it('gets app-only tokens for the home tenant from the managed identity endpoint, never from the token endpoint', async () => {
    idp.registerClient({ clientId, appIdUri, secret: 'unused-secret-0123456789' });
    const creds = credentials('unused-secret-0123456789');
    const token = await creds.appToken();
    assert.ok(idp.managedIdentityTokens.has(token));
    assert.equal(await creds.appToken(), token, 'cached');
    assert.equal(idp.managedIdentityRequests.length, 1);
    assert.deepEqual(idp.tokenRequests, []);
    const request = idp.managedIdentityRequests[0];
    assert.equal(request?.resource, 'https://graph.microsoft.com');
    assert.equal(request?.clientId, identity.clientId);
  });

  it('without a secret, exchanges a person token on behalf of them with the identity token as federated client assertion', async () => {
    idp.registerClient({ clientId, appIdUri, trustedManagedIdentity: identity });
    const creds = credentials();
    const assertion = await idp.userToken({ tenantId, apiClientId: clientId, apiAppIdUri: appIdUri });
    const token = await creds.onBehalfOf(tenantId, assertion);
    assert.ok(idp.issuedAccessTokens.has(token));
    const obo = idp.tokenRequests.find((r) => r.grantType === 'urn:ietf:params:oauth:grant-type:jwt-bearer');
    assert.equal(obo?.clientAuth, 'assertion');
    assert.equal(obo?.status, 200);
    assert.ok(idp.managedIdentityRequests.some((r) => r.resource === TOKEN_EXCHANGE_AUDIENCE && r.status === 200), 'the assertion is a token for the exchange audience');
  });

  it('without a secret, signs in to a partner tenant as the app registration through the federated credential', async () => {
    idp.registerClient({ clientId, appIdUri, trustedManagedIdentity: identity });
    const token = await credentials().appToken(partnerTenant);
    assert.ok(idp.issuedAccessTokens.has(token));
    assert.ok(!idp.managedIdentityTokens.has(token), 'the partner tenant token comes from the token endpoint');
    const grant = idp.tokenRequests.find((r) => r.grantType === 'client_credentials');
    assert.deepEqual(grant && [grant.tenantId, grant.clientAuth, grant.status], [partnerTenant, 'assertion', 200]);
  });

  it('is refused when the app registration does not trust this identity', async () => {
    idp.registerClient({ clientId, appIdUri, trustedManagedIdentity: { principalId: randomUUID(), tenantId } });
    await assert.rejects(credentials().appToken(partnerTenant));
    assert.equal(idp.tokenRequests.find((r) => r.grantType === 'client_credentials')?.error, 'invalid_client');
  });

  it('with a secret as well, on-behalf-of uses the secret', async () => {
    idp.registerClient({ clientId, appIdUri, secret: 'a-secret-0123456789abcdef' });
    const assertion = await idp.userToken({ tenantId, apiClientId: clientId, apiAppIdUri: appIdUri });
    await credentials('a-secret-0123456789abcdef').onBehalfOf(tenantId, assertion);
    assert.equal(idp.tokenRequests[0]?.clientAuth, 'secret');
  });
});
