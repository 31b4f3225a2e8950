import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import JSZip from 'jszip';
import request from 'supertest';
import { privacyPagesRouter } from '../../src/privacy/privacy-pages.js';
import { PNG } from 'pngjs';
import {
  AppPackageError,
  LOCAL_PLACEHOLDERS,
  MANIFEST_SCHEMA_VERSION,
  buildAppPackage,
  checkIcon,
  fillPlaceholders,
  findPlaceholders,
  packageVariables,
  readEnvironmentFiles,
  validateAgainstSchema,
  type BuiltAppPackage,
} from '../../src/app-package/app-package.js';

const appPackageDir = fileURLToPath(new URL('../../appPackage/', import.meta.url));
const envDir = fileURLToPath(new URL('../../env/', import.meta.url));

/** The parts of a manifest these tests look at. */
interface ManifestView {
  name: { short: string };
  staticTabs: { entityId: string; name?: string; contentUrl?: string; scopes: string[] }[];
  configurableTabs: { configurationUrl: string; scopes: string[]; context: string[] }[];
  bots: { botId: string; scopes: string[]; commandLists: { commands: { title: string }[] }[] }[];
  composeExtensions: {
    botId: string;
    commands: { id: string; type: string; fetchTask?: boolean; context?: string[]; description?: string }[];
    messageHandlers: unknown;
  }[];
  validDomains: string[];
  webApplicationInfo: { id: string; resource: string };
  authorization: { permissions: { resourceSpecific: { name: string; type: string }[] } };
  activities: { activityTypes: { type: string }[] };
}

/** The single element of a list. */
function only<T>(items: T[]): T {
  assert.equal(items.length, 1);
  return items[0] as T;
}

const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Values for every variable the manifest uses, as a production environment would give them. */
const prodVariables = packageVariables(
  {
    TEAMS_APP_ID: '5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b',
    PUBLIC_URL: 'https://meent.example.org',
    BOT_ID: '11111111-2222-4333-8444-555555555555',
    ENTRA_CLIENT_ID: '66666666-7777-4888-9999-aaaaaaaaaaaa',
    ENTRA_APP_ID_URI: 'api://meent.example.org/66666666-7777-4888-9999-aaaaaaaaaaaa',
  },
  'prod',
);

/** A copy of appPackage/ in a temporary folder, to break things in. */
function copyOfAppPackage(): string {
  const dir = mkdtempSync(join(tmpdir(), 'meent-app-package-'));
  for (const name of readdirSync(appPackageDir, { withFileTypes: true })) {
    if (name.isFile()) copyFileSync(join(appPackageDir, name.name), join(dir, name.name));
  }
  return dir;
}

function png(width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number]): Buffer {
  const image = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) image.data.set(pixel(x, y), (y * width + x) * 4);
  }
  return PNG.sync.write(image);
}

async function rejectsWithProblems(promise: Promise<unknown>): Promise<string[]> {
  let caught: unknown;
  await promise.catch((err: unknown) => {
    caught = err;
  });
  assert.ok(caught instanceof AppPackageError, `expected an AppPackageError, got ${String(caught)}`);
  return caught.problems;
}

describe('Teams app package', () => {
  const temporaryDirs: string[] = [];
  const tempPackage = (): string => {
    const dir = copyOfAppPackage();
    temporaryDirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
  });

  describe('the committed manifest filled for local', () => {
    let localVariables: Record<string, string>;
    let built: BuiltAppPackage;

    before(async () => {
      localVariables = packageVariables(readEnvironmentFiles(envDir, 'local'), 'local');
      built = await buildAppPackage({ appPackageDir, variables: localVariables });
    });

    it('uses exactly the documented variables, and every one of them is filled', () => {
      const template = readJson(join(appPackageDir, 'manifest.json'));
      assert.deepEqual(findPlaceholders(template), ['BOT_ID', 'ENTRA_APP_ID_URI', 'ENTRA_CLIENT_ID', 'PUBLIC_DOMAIN', 'PUBLIC_URL', 'TEAMS_APP_ID']);
      assert.deepEqual(findPlaceholders(built.manifest), []);
      assert.doesNotMatch(JSON.stringify(built.manifest), /\$\{\{/);
      assert.equal(built.manifest.id, localVariables.TEAMS_APP_ID);
      assert.match(String(built.manifest.id), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    });

    it(`validates against the official ${MANIFEST_SCHEMA_VERSION} schema`, () => {
      assert.deepEqual(validateAgainstSchema(built.manifest), []);
      assert.equal(built.manifest.manifestVersion, MANIFEST_SCHEMA_VERSION);
      assert.equal(built.manifest.$schema, `https://developer.microsoft.com/json-schemas/teams/v${MANIFEST_SCHEMA_VERSION}/MicrosoftTeams.schema.json`);
      assert.ok(Number(MANIFEST_SCHEMA_VERSION.split('.')[1]) >= 19, 'a current schema, 1.19 or newer');
    });

    it('points privacyUrl and termsOfUseUrl at the privacy statement and terms the server serves', async () => {
      const developer = (built.manifest as unknown as { developer: { privacyUrl: string; termsOfUseUrl: string } }).developer;
      assert.equal(developer.privacyUrl, `${localVariables.PUBLIC_URL}/privacy`);
      assert.equal(developer.termsOfUseUrl, `${localVariables.PUBLIC_URL}/terms`);
      const pages = express().use(privacyPagesRouter({ organisation: { name: 'Gemeente Test' } }));
      for (const url of [developer.privacyUrl, developer.termsOfUseUrl]) {
        const res = await request(pages).get(new URL(url).pathname);
        assert.equal(res.status, 200, url);
        assert.match(res.text, /Gemeente Test/);
      }
    });

    it('validates its Dutch localization file against the official localization schema', () => {
      assert.deepEqual(validateAgainstSchema(readJson(join(appPackageDir, 'nl.json')), 'localization'), []);
    });

    it('declares the tabs, the bot, the message extension, SSO, meeting RSC and activity types', () => {
      const m = built.manifest as unknown as ManifestView;
      const url = localVariables.PUBLIC_URL;
      const home = m.staticTabs.find((t) => t.entityId === 'home');
      assert.deepEqual([home?.name, home?.contentUrl, home?.scopes], ['Home', `${url}/tab/index.html#/`, ['personal']]);
      const configurable = only(m.configurableTabs);
      assert.equal(configurable.configurationUrl, `${url}/tab/index.html#/config`);
      assert.deepEqual(configurable.scopes, ['team', 'groupChat']);
      assert.deepEqual(configurable.context, ['channelTab', 'privateChatTab', 'meetingChatTab', 'meetingDetailsTab', 'meetingSidePanel']);

      const bot = only(m.bots);
      assert.equal(bot.botId, localVariables.BOT_ID);
      assert.deepEqual(bot.scopes, ['personal', 'team', 'groupChat']);
      assert.deepEqual(
        only(bot.commandLists).commands.map((c) => c.title),
        ['help', 'events', 'my events', 'discussions', 'ask', 'search', 'settings'],
      );

      const extension = only(m.composeExtensions);
      assert.equal(extension.botId, bot.botId);
      const command = (id: string) => {
        const found = extension.commands.find((c) => c.id === id);
        assert.ok(found, `command ${id}`);
        return found;
      };
      assert.equal(command('searchMeent').type, 'query');
      const startDiscussion = command('startDiscussion');
      assert.deepEqual([startDiscussion.type, startDiscussion.fetchTask, startDiscussion.context], ['action', true, ['message']]);
      assert.equal(startDiscussion.description, 'Start a discussion from this message');
      const shareEvent = command('shareEvent');
      assert.deepEqual([shareEvent.type, shareEvent.fetchTask, shareEvent.context], ['action', true, ['compose']]);
      assert.deepEqual(extension.messageHandlers, [{ type: 'link', value: { domains: [localVariables.PUBLIC_DOMAIN] } }]);

      assert.deepEqual(m.validDomains, [localVariables.PUBLIC_DOMAIN]);
      assert.deepEqual(m.webApplicationInfo, { id: localVariables.ENTRA_CLIENT_ID, resource: localVariables.ENTRA_APP_ID_URI });
      const rsc = m.authorization.permissions.resourceSpecific.map((p) => `${p.name}/${p.type}`);
      assert.ok(rsc.includes('OnlineMeeting.ReadBasic.Chat/Application'));
      assert.ok(rsc.includes('ChannelMeeting.ReadBasic.Group/Application'));
      assert.deepEqual(
        m.activities.activityTypes.map((a) => a.type),
        ['eventPromoted', 'eventChanged', 'eventCancelled', 'reply', 'mention', 'reminder'],
      );
    });

    it('zips manifest.json, the icons and the localization file at the root, the manifest equal to the filled one', async () => {
      const zip = await JSZip.loadAsync(built.zip);
      assert.deepEqual(Object.keys(zip.files).sort(), ['color.png', 'manifest.json', 'nl.json', 'outline.png']);
      assert.ok(Object.values(zip.files).every((f) => !f.dir));
      const manifestText = await zip.file('manifest.json')?.async('string');
      assert.ok(manifestText !== undefined);
      assert.deepEqual(JSON.parse(manifestText), built.manifest);
      for (const icon of ['color.png', 'outline.png']) {
        const bytes = await zip.file(icon)?.async('nodebuffer');
        assert.ok(bytes?.equals(readFileSync(join(appPackageDir, icon))), `${icon} is zipped unchanged`);
      }
      assert.deepEqual(JSON.parse((await zip.file('nl.json')?.async('string')) ?? 'null'), readJson(join(appPackageDir, 'nl.json')));
    });

    it('zips the same bytes for the same inputs', async () => {
      const again = await buildAppPackage({ appPackageDir, variables: localVariables });
      assert.ok(again.zip.equals(built.zip));
    });
  });

  describe('icons', () => {
    it('color.png is 192x192 and outline.png 32x32, white on a transparent background', () => {
      const color = PNG.sync.read(readFileSync(join(appPackageDir, 'color.png')));
      assert.deepEqual([color.width, color.height], [192, 192]);
      const outline = PNG.sync.read(readFileSync(join(appPackageDir, 'outline.png')));
      assert.deepEqual([outline.width, outline.height], [32, 32]);
      let transparent = 0;
      let white = 0;
      for (let i = 0; i < outline.data.length; i += 4) {
        const [r, g, b, a] = outline.data.subarray(i, i + 4);
        if (a === 0) transparent++;
        else if (r === 255 && g === 255 && b === 255) white++;
        else assert.fail(`outline.png pixel ${i / 4} is rgba(${r}, ${g}, ${b}, ${a})`);
      }
      assert.ok(transparent > 0 && white > 0, 'the outline has both a transparent background and a white shape');
      assert.deepEqual(checkIcon(readFileSync(join(appPackageDir, 'color.png')), 'color'), []);
      assert.deepEqual(checkIcon(readFileSync(join(appPackageDir, 'outline.png')), 'outline'), []);
    });

    it('rejects an icon of the wrong size', () => {
      assert.deepEqual(checkIcon(png(100, 100, () => [0, 128, 0, 255]), 'color'), ['color.png is 100x100; the color icon must be 192x192']);
      assert.deepEqual(checkIcon(png(192, 192, () => [255, 255, 255, 255]), 'outline'), ['outline.png is 192x192; the outline icon must be 32x32']);
    });

    it('rejects an outline icon with a coloured pixel, or one with nothing visible', () => {
      const oneGreen = png(32, 32, (x, y) => (x === 3 && y === 4 ? [0, 128, 0, 255] : x > 10 ? [255, 255, 255, 255] : [0, 0, 0, 0]));
      assert.deepEqual(checkIcon(oneGreen, 'outline'), ['outline.png has 1 pixel(s) that are neither white nor fully transparent']);
      const greyEdge = png(32, 32, (x) => (x === 0 ? [200, 200, 200, 128] : [255, 255, 255, 0]));
      assert.equal(checkIcon(greyEdge, 'outline').length, 1);
      assert.deepEqual(checkIcon(png(32, 32, () => [255, 255, 255, 0]), 'outline'), ['outline.png is fully transparent; it must show a white outline']);
    });

    it('rejects a file that is not a PNG', () => {
      const [problem, ...rest] = checkIcon(Buffer.from('GIF89a'), 'color');
      assert.match(problem ?? '', /^color\.png is not a readable PNG/);
      assert.deepEqual(rest, []);
    });

    it('fails the package when an icon is wrong', async () => {
      const dir = tempPackage();
      writeFileSync(join(dir, 'outline.png'), png(32, 32, () => [30, 30, 30, 255]));
      const problems = await rejectsWithProblems(buildAppPackage({ appPackageDir: dir, variables: prodVariables }));
      assert.deepEqual(problems, ['outline.png has 1024 pixel(s) that are neither white nor fully transparent']);
    });
  });

  describe('a broken manifest', () => {
    let valid: Record<string, unknown>;
    before(async () => {
      valid = (await buildAppPackage({ appPackageDir, variables: prodVariables })).manifest;
      assert.deepEqual(validateAgainstSchema(valid), [], 'the starting point is valid');
    });

    it('fails validation without an id', () => {
      const { id: _id, ...withoutId } = clone(valid);
      assert.deepEqual(validateAgainstSchema(withoutId), [{ path: '/', message: "must have required property 'id'" }]);
    });

    it('fails validation with a manifestVersion that is not a string', () => {
      const broken = { ...clone(valid), manifestVersion: 1.3 };
      assert.deepEqual(validateAgainstSchema(broken), [
        { path: '/manifestVersion', message: 'must be string' },
        { path: '/manifestVersion', message: `must be equal to constant "${MANIFEST_SCHEMA_VERSION}"` },
      ]);
    });

    it('fails validation with a bot scope Teams does not know', () => {
      const broken = clone(valid) as unknown as ManifestView;
      only(broken.bots).scopes = ['personal', 'everyone'];
      assert.deepEqual(validateAgainstSchema(broken), [
        { path: '/bots/0/scopes/1', message: 'must be equal to one of the allowed values (team, personal, groupChat, copilot)' },
      ]);
    });

    it('fails validation with a field the schema does not have, a bad GUID and a too long short name', () => {
      const broken = clone(valid) as unknown as ManifestView & { tabs: unknown[] };
      broken.tabs = [];
      broken.webApplicationInfo.id = 'not-a-guid';
      broken.name.short = 'Meent, the common land of local government';
      const paths = validateAgainstSchema(broken).map((p) => `${p.path} ${p.message}`);
      assert.deepEqual(paths, [
        '/ must NOT have additional properties ("tabs")',
        '/name/short must NOT have more than 30 characters',
        '/webApplicationInfo/id must match pattern "^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$"',
      ]);
    });

    it('fails the package, naming each schema error', async () => {
      const dir = tempPackage();
      const { id: _id, ...template } = readJson(join(dir, 'manifest.json'));
      only((template as unknown as ManifestView).bots).scopes = ['personal', 'everyone'];
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...template, manifestVersion: 1.3 }));
      const problems = await rejectsWithProblems(buildAppPackage({ appPackageDir: dir, variables: prodVariables }));
      assert.deepEqual(problems, [
        "manifest.json /: must have required property 'id'",
        'manifest.json /manifestVersion: must be string',
        `manifest.json /manifestVersion: must be equal to constant "${MANIFEST_SCHEMA_VERSION}"`,
        'manifest.json /bots/0/scopes/1: must be equal to one of the allowed values (team, personal, groupChat, copilot)',
      ]);
    });

    it('fails the package when the localization file breaks its schema or is missing', async () => {
      const dir = tempPackage();
      writeFileSync(join(dir, 'nl.json'), JSON.stringify({ ...readJson(join(dir, 'nl.json')), 'name.short': 'Meent, de gedeelde grond van de overheid' }));
      assert.deepEqual(await rejectsWithProblems(buildAppPackage({ appPackageDir: dir, variables: prodVariables })), [
        'nl.json /name.short: must NOT have more than 30 characters',
      ]);
      rmSync(join(dir, 'nl.json'));
      const [missing] = await rejectsWithProblems(buildAppPackage({ appPackageDir: dir, variables: prodVariables }));
      assert.match(missing ?? '', /^nl\.json is named in the manifest but .*nl\.json does not exist$/);
    });
  });

  describe('variables', () => {
    it('names every variable left unfilled, empty counting as unset', () => {
      const template = { id: '${{TEAMS_APP_ID}}', bots: [{ botId: '${{BOT_ID}}' }], url: '${{PUBLIC_URL}}/tab', domain: '${{ PUBLIC_DOMAIN }}' };
      let caught: unknown;
      try {
        fillPlaceholders(template, { TEAMS_APP_ID: 'x', PUBLIC_URL: '', PUBLIC_DOMAIN: 'meent.example.org' });
      } catch (err) {
        caught = err;
      }
      assert.ok(caught instanceof AppPackageError);
      assert.deepEqual(caught.problems, ['${{BOT_ID}} is not set', '${{PUBLIC_URL}} is not set']);
      assert.match(caught.message, /\$\{\{BOT_ID\}\} is not set/);
    });

    it('fills placeholders inside longer strings, leaving the JSON intact whatever the value', () => {
      const filled = fillPlaceholders({ a: ['${{X}}/tab#/', { b: 'pre ${{X}} ${{Y}}' }], n: 3, t: true, z: null }, { X: 'say "hi"\\', Y: 'y' });
      assert.deepEqual(filled, { a: ['say "hi"\\/tab#/', { b: 'pre say "hi"\\ y' }], n: 3, t: true, z: null });
    });

    it('fails the package when a variable is unset, naming it', async () => {
      const { BOT_ID: _bot, ...withoutBot } = prodVariables;
      assert.deepEqual(await rejectsWithProblems(buildAppPackage({ appPackageDir, variables: withoutBot })), ['${{BOT_ID}} is not set']);
    });

    it('derives PUBLIC_DOMAIN from PUBLIC_URL and keeps only the origin', () => {
      const vars = packageVariables({ PUBLIC_URL: 'https://meent-3978.euw.devtunnels.ms:8443/' }, 'dev');
      assert.equal(vars.PUBLIC_URL, 'https://meent-3978.euw.devtunnels.ms:8443');
      assert.equal(vars.PUBLIC_DOMAIN, 'meent-3978.euw.devtunnels.ms:8443');
      assert.equal(prodVariables.PUBLIC_DOMAIN, 'meent.example.org');
      assert.equal(vars.BOT_ID, undefined, 'no stand-ins outside local');
    });

    it('refuses a PUBLIC_URL that Teams could not load outside local', () => {
      assert.throws(() => packageVariables({ PUBLIC_URL: 'http://meent.example.org' }, 'prod'), /must be an https:\/\/ URL/);
      assert.throws(() => packageVariables({ PUBLIC_URL: 'https://meent.example.org/app' }, 'prod'), /without path/);
      assert.throws(() => packageVariables({ PUBLIC_URL: 'meent.example.org' }, 'prod'), /absolute https/);
    });

    it('gives local its stand-ins and default PUBLIC_URL, but never over a value that is set', () => {
      const defaults = packageVariables({ TEAMS_APP_ID: 'x', PORT: '4000' }, 'local');
      assert.equal(defaults.PUBLIC_URL, 'http://127.0.0.1:4000');
      assert.equal(defaults.BOT_ID, LOCAL_PLACEHOLDERS.BOT_ID);
      const real = packageVariables({ BOT_ID: 'b', ENTRA_CLIENT_ID: 'c', PUBLIC_URL: 'https://t.example.net' }, 'local');
      assert.deepEqual([real.BOT_ID, real.ENTRA_CLIENT_ID, real.ENTRA_APP_ID_URI], ['b', 'c', 'api://t.example.net/c']);
    });

    it('reads env/.env.<name>, overridden by env/.env.<name>.user', () => {
      const dir = mkdtempSync(join(tmpdir(), 'meent-env-'));
      temporaryDirs.push(dir);
      writeFileSync(join(dir, '.env.dev'), '# comment\nTEAMS_APP_ID=aaa\nBOT_ID=from-main\n');
      assert.deepEqual(readEnvironmentFiles(dir, 'dev'), { TEAMS_APP_ID: 'aaa', BOT_ID: 'from-main' });
      writeFileSync(join(dir, '.env.dev.user'), 'BOT_ID=from-user\n');
      assert.deepEqual(readEnvironmentFiles(dir, 'dev'), { TEAMS_APP_ID: 'aaa', BOT_ID: 'from-user' });
      assert.throws(() => readEnvironmentFiles(dir, 'prod'), /\.env\.prod does not exist/);
      assert.throws(() => readEnvironmentFiles(dir, '../secrets'), /lower-case letters/);
    });
  });
});
