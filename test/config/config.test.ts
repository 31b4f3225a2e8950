import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const entra = {
  AUTH_MODE: 'entra',
  ENTRA_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  ENTRA_CLIENT_ID: '11111111-2222-4333-8444-555555555555',
  ENTRA_CLIENT_SECRET: 'not-a-real-secret',
  ENTRA_APP_ID_URI: 'api://meent.example.org/11111111-2222-4333-8444-555555555555',
  MONGODB_URI: 'mongodb://db.example.org:27017/meent',
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, 'a wrong environment raises ConfigError');
    return err.problems;
  }
  assert.fail('expected the configuration to be refused');
}

describe('configuration', () => {
  it('gives local-mode defaults for an empty environment', () => {
    const config = loadConfig({});
    assert.equal(config.authMode, 'local');
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 3978);
    assert.equal(config.guestsAllowed, true);
    assert.equal(config.requireMfa, 'none');
    assert.equal(config.teamsConditionalAccess, false, 'the bot trusts no one else\'s sign-in checks unless told to');
    assert.equal(config.entra.authorityHost, 'https://login.microsoftonline.com');
    assert.equal(config.graphBaseUrl, 'https://graph.microsoft.com');
  });

  it('reads a full production configuration', () => {
    const config = loadConfig({
      ...entra,
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://meent.example.org/',
      BOT_ID: '22222222-2222-4333-8444-555555555555',
      BOT_PASSWORD: 'secret',
      BOT_TYPE: 'SingleTenant',
      BOT_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      IP_ALLOWLIST: '10.0.0.0/8, 2001:db8::/32',
      TRUST_PROXY: '1',
      REQUIRE_MFA: 'all',
      TEAMS_CONDITIONAL_ACCESS: 'true',
      GUESTS_ALLOWED: 'false',
      ENTRA_ALLOWED_TENANTS: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
      ORGANISATION_NAME: 'Gemeente Voorbeeld',
      ORGANISATION_CONTACT: 'privacy@voorbeeld.nl',
      PRIVACY_OFFICER_CONTACT: 'https://www.voorbeeld.nl/fg',
    });
    assert.equal(config.host, '0.0.0.0');
    assert.deepEqual(config.organisation, { name: 'Gemeente Voorbeeld', contact: 'privacy@voorbeeld.nl', privacyOfficer: 'https://www.voorbeeld.nl/fg' });
    assert.equal(config.publicUrl, 'https://meent.example.org');
    assert.deepEqual(config.ipAllowlist, ['10.0.0.0/8', '2001:db8::/32']);
    assert.equal(config.trustProxy, 1);
    assert.equal(config.guestsAllowed, false, 'the string "false" is false');
    assert.equal(config.teamsConditionalAccess, true);
    assert.deepEqual(config.entra.allowedTenants, ['aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee']);
  });

  it('accepts CIDR ranges for TRUST_PROXY', () => {
    assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8,::1/128' }).trustProxy, ['10.0.0.0/8', '::1/128']);
  });

  const wrong: Array<[string, NodeJS.ProcessEnv, RegExp]> = [
    ['a port that is not a number', { PORT: 'eighty' }, /^PORT is "eighty"; it must be a port number/],
    ['a port out of range', { PORT: '70000' }, /^PORT .*0-65535/],
    ['an unknown AUTH_MODE', { AUTH_MODE: 'saml' }, /^AUTH_MODE is "saml"; it must be local or entra/],
    ['a boolean that is not one', { GUESTS_ALLOWED: 'maybe' }, /^GUESTS_ALLOWED is "maybe"; it must be true or false/],
    ['a TEAMS_CONDITIONAL_ACCESS that is not a boolean', { TEAMS_CONDITIONAL_ACCESS: 'yes please' }, /^TEAMS_CONDITIONAL_ACCESS is "yes please"; it must be true or false/],
    ['an unknown REQUIRE_MFA', { REQUIRE_MFA: 'some' }, /^REQUIRE_MFA .*none, admins, members or all/],
    ['a malformed CIDR', { IP_ALLOWLIST: '10.0.0.0/33' }, /^IP_ALLOWLIST must be IPv4 or IPv6 CIDR ranges/],
    ['a bad TRUST_PROXY', { TRUST_PROXY: 'the load balancer' }, /^TRUST_PROXY must be a hop count/],
    ['a tenant that is not a GUID', { ENTRA_TENANT_ID: 'contoso' }, /^ENTRA_TENANT_ID is "contoso"; it must be a GUID/],
    ['an http authority host', { ENTRA_AUTHORITY_HOST: 'http://login.example.org' }, /^ENTRA_AUTHORITY_HOST .*https/],
    ['a database URI of another kind', { MONGODB_URI: 'postgres://x' }, /^MONGODB_URI is set; it must be a mongodb:\/\//],
    ['a FerretDB PostgreSQL URL of another kind, without showing it', { FERRETDB_POSTGRES_URL: 'mysql://root:hunter2@db' }, /^FERRETDB_POSTGRES_URL is set; it must be a postgres:\/\/ or postgresql:\/\/ connection string$/],
    ['local mode in production', { NODE_ENV: 'production', AUTH_MODE: 'local', PUBLIC_URL: 'https://x.example.org' }, /^AUTH_MODE must be entra when NODE_ENV=production/],
    ['local mode on a public address', { AUTH_MODE: 'local', HOST: '0.0.0.0' }, /^HOST must be a loopback address/],
    ['entra without its registration', { AUTH_MODE: 'entra' }, /^ENTRA_TENANT_ID is required when AUTH_MODE=entra/],
    ['a bot without its password', { BOT_ID: '22222222-2222-4333-8444-555555555555' }, /^BOT_PASSWORD is required when BOT_ID is set/],
    ['production without the organisation named on the privacy statement', { ...entra, NODE_ENV: 'production', BOT_ID: '22222222-2222-4333-8444-555555555555', BOT_PASSWORD: 'x', PUBLIC_URL: 'https://meent.example.org' }, /^PRIVACY_OFFICER_CONTACT is required in production/],
    ['a privacy contact that is neither an address nor an https page', { ORGANISATION_CONTACT: 'call us' }, /^ORGANISATION_CONTACT must be an e-mail address or an https:\/\/ web address/],
    ['an organisation name with markup', { ORGANISATION_NAME: '<b>Gemeente</b>' }, /^ORGANISATION_NAME must not contain < or >/],
    ['production without an https PUBLIC_URL', { ...entra, NODE_ENV: 'production', BOT_ID: '22222222-2222-4333-8444-555555555555', BOT_PASSWORD: 'x', PUBLIC_URL: 'http://meent.example.org' }, /^PUBLIC_URL must be an https:\/\/ URL/],
  ];
  for (const [what, env, expected] of wrong) {
    it(`refuses ${what}, naming the variable and what it should be`, () => {
      const problems = problemsOf(env);
      assert.ok(problems.some((p) => expected.test(p)), `got: ${problems.join(' | ')}`);
    });
  }

  it('names every wrong variable at once, and never prints a secret value', () => {
    const problems = problemsOf({ PORT: 'x', REQUIRE_MFA: 'y', MONGODB_URI: 'http://user:hunter2@db' });
    assert.equal(problems.length, 3);
    assert.ok(!problems.join('\n').includes('hunter2'));
    const err = (() => {
      try {
        loadConfig({ PORT: 'x' });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    assert.match(err?.message ?? '', /Meent cannot start[\s\S]*PORT[\s\S]*env\/\.env\.example/);
  });

  it('documents every variable it reads in env/.env.example', () => {
    const example = readFileSync(new URL('../../env/.env.example', import.meta.url), 'utf8');
    const source = readFileSync(new URL('../../src/config/config.ts', import.meta.url), 'utf8');
    const names = [...source.matchAll(/^\s{4}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]);
    assert.ok(names.length > 20, 'found the schema keys');
    for (const name of names) assert.match(example, new RegExp(`^${name}=`, 'm'), `${name} is documented`);
  });

  it('starts local mode from the committed env/.env.local', async () => {
    const { withEnvironmentFiles } = await import('../../src/config/env-files.js');
    const root = new URL('../..', import.meta.url).pathname;
    const config = loadConfig(withEnvironmentFiles({}, root));
    assert.equal(config.localMode, true);
    assert.equal(config.host, '127.0.0.1');
    // The process environment wins over the file; production ignores the files.
    assert.equal(loadConfig(withEnvironmentFiles({ PORT: '4000' }, root)).port, 4000);
    assert.deepEqual(withEnvironmentFiles({ NODE_ENV: 'production' }, root), { NODE_ENV: 'production' });
  });
});
