/**
 * The Agents Toolkit project and the Bicep templates, checked by what runs here: no Bicep
 * compiler could be installed on this machine (docs/operations.md), so the template's
 * structure is checked instead, against the code it deploys. The app settings must be exactly
 * a production configuration src/config/config.ts accepts (derived from its own validation, so
 * the two cannot drift), secrets must be Key Vault references, and every ${{VAR}} the toolkit
 * files use must come from env/.env.dev or from a step that writes it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { MICROSOFT_365_TAB_CLIENTS } from '../../src/auth/token-validator.js';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const bicep = read('infra/azure.bicep');
const parameters = JSON.parse(read('infra/azure.parameters.json')) as { parameters: Record<string, { value: unknown }> };
const lifecycle = read('m365agents.yml');
const localLifecycle = read('m365agents.local.yml');

/** The Bicep source without comments (so a commented-out line proves nothing); `//` inside 'https://...' is not one. */
const code = bicep.replace(/(^|\s)\/\/.*$/gm, '$1');

function declaredParams(): Map<string, { hasDefault: boolean; secure: boolean }> {
  const out = new Map<string, { hasDefault: boolean; secure: boolean }>();
  for (const m of code.matchAll(/((?:@\w+\([^)]*\)\s*)*)param (\w+) (\w+)( = [^\n]+)?/g)) out.set(m[2] ?? '', { hasDefault: m[4] !== undefined, secure: (m[1] ?? '').includes('@secure()') });
  return out;
}

/** The app settings of the web app: name -> value expression (Bicep source). */
function appSettings(): Map<string, string> {
  const block = /appSettings: \[([\s\S]*?)\n\s*\]/.exec(code)?.[1] ?? '';
  return new Map([...block.matchAll(/\{ name: '([A-Z0-9_]+)', value: (.+?) \}\s*$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

/** App Service's own settings (not Meent's): allowed besides what config.ts reads. */
const PLATFORM_SETTINGS = new Set(['SCM_DO_BUILD_DURING_DEPLOYMENT', 'WEBSITE_HEALTHCHECK_MAXPINGFAILURES']);

/** Every variable config.ts reads (its schema keys). */
function configVariables(): Set<string> {
  const source = read('src/config/config.ts');
  return new Set([...source.matchAll(/^\s{4}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1] ?? ''));
}

/** What config.ts demands in production with entra sign-in: the variables its own validation names when they are absent. */
function requiredInProduction(): string[] {
  try {
    loadConfig({ NODE_ENV: 'production', AUTH_MODE: 'entra' });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return [...new Set(error.problems.map((p) => p.split(' ')[0] ?? ''))];
  }
  throw new Error('an empty production configuration was accepted');
}

describe('infrastructure as code and the Agents Toolkit project', () => {
  describe('infra/azure.bicep', () => {
    it('declares every parameter it uses, uses every parameter it declares, and the parameters file gives each required one', () => {
      const params = declaredParams();
      assert.ok(params.size >= 8, 'found the parameters');
      for (const name of params.keys()) {
        const uses = code.split(new RegExp(`\\b${name}\\b`)).length - 1;
        assert.ok(uses >= 2, `parameter ${name} is used`);
      }
      for (const [name, p] of params) if (!p.hasDefault) assert.ok(name in parameters.parameters, `${name} (no default) is in azure.parameters.json`);
      for (const name of Object.keys(parameters.parameters)) assert.ok(params.has(name), `azure.parameters.json gives ${name}, which the template declares`);
      assert.ok(params.get('mongoDbConnectionString')?.secure && params.get('mongoDbAdminPassword')?.secure, 'secret parameters are @secure()');
      // Every resource symbol referenced is declared (a typo would only fail at deployment).
      const symbols = new Set([...code.matchAll(/^resource (\w+) '/gm)].map((m) => m[1]));
      for (const m of code.matchAll(/\b(\w+)\.(id|properties|name)\b/g)) {
        const symbol = m[1] ?? '';
        if (['resourceGroup', 'subscription', 'm', 'identity'].includes(symbol) && !symbols.has(symbol)) continue;
        assert.ok(symbols.has(symbol) || params.has(symbol), `${symbol} is a declared resource or parameter`);
      }
    });

    it('runs App Service on Linux with Node 20, two instances, always on and the /readyz health check', () => {
      assert.match(code, /linuxFxVersion: 'NODE\|20-lts'/);
      assert.match(code, /healthCheckPath: '\/readyz'/);
      assert.match(code, /alwaysOn: true/);
      assert.match(code, /param instanceCount int = 2/);
      assert.match(code, /capacity: instanceCount/);
      assert.match(code, /appCommandLine: 'node dist\/src\/main\.js'/);
      assert.match(code, /type: 'UserAssigned'/);
      assert.match(code, /keyVaultReferenceIdentity: identity\.id/);
    });

    it('has the resources the issue names and nothing else', () => {
      const types = [...code.matchAll(/^resource \w+ '([^@]+)@/gm)].map((m) => m[1]).sort();
      assert.deepEqual(types, [
        'Microsoft.Authorization/roleAssignments',
        'Microsoft.BotService/botServices',
        'Microsoft.BotService/botServices/channels',
        'Microsoft.DocumentDB/mongoClusters',
        'Microsoft.DocumentDB/mongoClusters/firewallRules',
        'Microsoft.Insights/components',
        'Microsoft.KeyVault/vaults',
        'Microsoft.KeyVault/vaults/secrets',
        'Microsoft.KeyVault/vaults/secrets',
        'Microsoft.ManagedIdentity/userAssignedIdentities',
        'Microsoft.OperationalInsights/workspaces',
        'Microsoft.Web/serverfarms',
        'Microsoft.Web/sites',
      ]);
      assert.match(code, /msaAppType: 'UserAssignedMSI'/);
      assert.match(code, /msaAppMSIResourceId: identity\.id/);
      assert.match(code, /channelName: 'MsTeamsChannel'/);
      // The database is created only when no Atlas connection string is given.
      assert.match(code, /resource mongoCluster '[^']+' = if \(useCosmos\)/);
    });

    it('sets the app settings config.ts requires in production, as a configuration it accepts, and nothing else', () => {
      const settings = appSettings();
      const known = configVariables();
      for (const name of settings.keys()) assert.ok(known.has(name) || PLATFORM_SETTINGS.has(name), `${name} is a variable Meent reads (or an App Service setting)`);
      const required = requiredInProduction();
      assert.ok(required.includes('MONGODB_URI') && required.includes('BOT_ID') && required.includes('ORGANISATION_NAME'), `derived: ${required.join(', ')}`);
      for (const name of required) {
        // "ENTRA_CLIENT_SECRET or ENTRA_CLIENT_CERTIFICATE_PATH or MANAGED_IDENTITY_CLIENT_ID": the identity is what Azure allows.
        const present = name === 'ENTRA_CLIENT_SECRET' ? settings.has('MANAGED_IDENTITY_CLIENT_ID') : settings.has(name);
        assert.ok(present, `${name} is an app setting`);
      }
      // The settings as App Service hands them to the process (Key Vault references resolved, Bicep expressions filled) pass config.ts.
      const sample: Record<string, string> = {
        publicUrl: 'https://meent-dev.azurewebsites.net',
        hostName: 'meent-dev.azurewebsites.net',
        entraTenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
        entraClientId: '11111111-2222-4333-8444-555555555555',
        'identity.properties.clientId': '66666666-7777-4888-9999-aaaaaaaaaaaa',
        teamsAppId: 'bbbbbbbb-cccc-4ddd-8eee-ffffffffffff',
        requireMfa: 'all',
        organisationName: 'Gemeente Voorbeeld',
        organisationContact: 'https://www.voorbeeld.nl/privacy',
        privacyOfficerContact: 'https://www.voorbeeld.nl/fg',
      };
      const env: Record<string, string> = {};
      for (const [name, expression] of settings) {
        if (expression.startsWith("'@Microsoft.KeyVault(")) {
          env[name] = name === 'MONGODB_URI' ? 'mongodb+srv://meent:pw@meent-dev-mongo.global.mongocluster.cosmos.azure.com/meent?tls=true' : 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/';
          continue;
        }
        const literal = /^'(.*)'$/.exec(expression)?.[1];
        const value = literal !== undefined ? literal.replace(/\$\{([^}]+)\}/g, (_, e: string) => sample[e] ?? `<${e}>`) : sample[expression];
        assert.ok(value !== undefined && !value.includes('<'), `${name}'s value ${expression} can be filled in`);
        env[name] = value;
      }
      const config = loadConfig(env);
      assert.equal(config.nodeEnv, 'production');
      assert.equal(config.authMode, 'entra');
      assert.equal(config.bot.type, 'UserAssignedMSI');
      assert.equal(config.bot.id, config.entra.managedIdentityClientId);
      assert.equal(config.entra.clientSecret, undefined, 'no client secret is deployed');
      assert.equal(config.entra.appIdUri, `api://meent-dev.azurewebsites.net/${sample.entraClientId}`);
      assert.ok(config.telemetry.applicationInsightsConnectionString);
    });

    it('keeps the secrets in Key Vault: the connection strings are Key Vault references, and no secret is a plain setting or output', () => {
      const settings = appSettings();
      for (const name of ['MONGODB_URI', 'APPLICATIONINSIGHTS_CONNECTION_STRING']) assert.match(settings.get(name) ?? '', /^'@Microsoft\.KeyVault\(SecretUri=\$\{\w+\.properties\.secretUri\}\)'$/, `${name} is a Key Vault reference`);
      for (const name of settings.keys()) assert.ok(!/SECRET|PASSWORD/.test(name), `${name}: no secret or password setting exists`);
      for (const m of code.matchAll(/^output (\w+) /gm)) assert.ok(!/SECRET|PASSWORD|CONNECTION/.test(m[1] ?? ''), `output ${m[1]} is not a secret`);
      assert.match(code, /enableRbacAuthorization: true/);
      // Key Vault Secrets User, the built-in role id: https://learn.microsoft.com/en-us/azure/role-based-access-control/built-in-roles/security#key-vault-secrets-user
      assert.match(code, /4633458b-17de-408a-b874-0445c86b69e6/);
    });
  });

  describe('m365agents.yml and m365agents.local.yml', () => {
    const steps = (text: string) => [...text.matchAll(/^\s+- uses: ([\w/]+)$/gm)].map((m) => m[1]);
    const section = (text: string, name: string) => new RegExp(`^${name}:\\n([\\s\\S]*?)(?=^\\w|(?![\\s\\S]))`, 'm').exec(text)?.[1] ?? '';

    it('has the provision, deploy and publish lifecycles: app registration, bot (Bicep), app package, zip deploy', () => {
      assert.match(lifecycle, /^version: v1\.\d+$/m);
      assert.deepEqual(steps(section(lifecycle, 'provision')), ['teamsApp/create', 'aadApp/create', 'arm/deploy', 'aadApp/update', 'script', 'teamsApp/validateManifest', 'teamsApp/zipAppPackage', 'teamsApp/validateAppPackage', 'teamsApp/update']);
      assert.deepEqual(steps(section(lifecycle, 'deploy')), ['cli/runNpmCommand', 'cli/runNpmCommand', 'azureAppService/zipDeploy']);
      assert.deepEqual(steps(section(lifecycle, 'publish')), ['teamsApp/validateManifest', 'teamsApp/zipAppPackage', 'teamsApp/validateAppPackage', 'teamsApp/update', 'teamsApp/publishAppPackage']);
      assert.match(section(lifecycle, 'deploy'), /args: run build:deploy[\s\S]*artifactFolder: deploy/);
      assert.ok(steps(section(localLifecycle, 'provision')).includes('teamsApp/validateAppPackage'));
    });

    it('names only files that exist', () => {
      for (const text of [lifecycle, localLifecycle]) {
        for (const m of text.matchAll(/(?:manifestPath|path|parameters): (\.\/[\w./-]+)$/gm)) assert.ok(existsSync(new URL(m[1] ?? '', root)), `${m[1]} exists`);
      }
    });

    it('uses only variables that env/.env.dev defines, a step writes, or the user file holds as SECRET_', () => {
      const envDev = read('env/.env.dev');
      const defined = new Set([...envDev.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
      const written = new Set([...lifecycle.matchAll(/^\s+\w+: ([A-Z][A-Z0-9_]+)$/gm)].map((m) => m[1]));
      for (const m of code.matchAll(/^output (\w+) /gm)) written.add(m[1]);
      const used = new Set<string>();
      for (const text of [lifecycle, read('infra/azure.parameters.json'), read('infra/aad.manifest.json'), read('appPackage/manifest.json')]) for (const m of text.matchAll(/\$\{\{([A-Z0-9_]+)\}\}/g)) used.add(m[1] ?? '');
      assert.ok(used.size > 10);
      for (const name of used) assert.ok(defined.has(name) || written.has(name) || name.startsWith('SECRET_'), `${name} comes from env/.env.dev or a step`);
      // Every Bicep output the toolkit writes back is declared in env/.env.dev (so the file shows the whole environment).
      for (const m of code.matchAll(/^output (\w+) /gm)) assert.ok(defined.has(m[1]), `${m[1]} is listed in env/.env.dev`);
    });

    it('pre-authorises the Microsoft 365 clients the token validator accepts, and declares the admin role config.ts defaults to', () => {
      const manifest = JSON.parse(read('infra/aad.manifest.json')) as { api: { preAuthorizedApplications: { appId: string; delegatedPermissionIds: string[] }[]; oauth2PermissionScopes: { id: string; value: string }[] }; appRoles: { value: string }[]; identifierUris: string[] };
      assert.deepEqual(manifest.api.preAuthorizedApplications.map((a) => a.appId).sort(), [...MICROSOFT_365_TAB_CLIENTS].sort());
      const scope = manifest.api.oauth2PermissionScopes.find((s) => s.value === 'access_as_user');
      assert.ok(scope);
      assert.ok(manifest.api.preAuthorizedApplications.every((a) => a.delegatedPermissionIds.includes(scope.id)));
      assert.deepEqual(manifest.appRoles.map((r) => r.value), [loadConfig({}).adminRole]);
      assert.deepEqual(manifest.identifierUris, ['api://${{PUBLIC_DOMAIN}}/${{ENTRA_CLIENT_ID}}']);
    });
  });
});
