/**
 * The Teams app package: fill the `${{VAR}}` placeholders of `appPackage/manifest.json`
 * (the Teams Toolkit convention), validate the result offline against the official JSON
 * schema shipped in `@microsoft/app-manifest`, check the icons, and zip it.
 *
 * Build-time only (used by `scripts/package-app.ts` and the tests); the server never
 * imports it, so its dependencies may stay devDependencies.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { parse as parseDotenv } from 'dotenv';
import JSZip from 'jszip';
import { PNG } from 'pngjs';

/** The manifest schema version `appPackage/manifest.json` is written for. */
export const MANIFEST_SCHEMA_VERSION = '1.30';

/** A `${{NAME}}` placeholder, as Teams Toolkit / Agents Toolkit writes them. */
const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * Icon sizes Teams requires: a full-colour 192x192 icon and a 32x32 white outline on a
 * transparent background (https://learn.microsoft.com/microsoft-365/extensibility/schema/root-icons,
 * https://learn.microsoft.com/microsoftteams/platform/concepts/design/design-teams-app-icon-store-appbar).
 */
export const COLOR_ICON_SIZE = 192;
export const OUTLINE_ICON_SIZE = 32;

/**
 * Stand-in values for `--env local` only, for variables that local mode must NOT set in
 * env/.env.local (a BOT_ID there would make the server expect a BOT_PASSWORD, and local mode
 * runs without an Entra app or a bot registration). They make the local package complete
 * and schema-valid; to sideload it into a real Teams, set the real ids in
 * env/.env.local.user, which override these.
 */
export const LOCAL_PLACEHOLDERS: Readonly<Record<string, string>> = {
  BOT_ID: '00000000-0000-4000-8000-00000000b075',
  ENTRA_CLIENT_ID: '00000000-0000-4000-8000-0000000e471a',
};

/** Why a package cannot be built; `problems` holds one line per thing to fix. */
export class AppPackageError extends Error {
  constructor(
    summary: string,
    readonly problems: string[],
  ) {
    super(`${summary}\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'AppPackageError';
  }
}

// ---------------------------------------------------------------------------------------
// Variables

/**
 * Read `env/.env.<name>` and, when present, `env/.env.<name>.user` (secrets and personal
 * overrides, git-ignored), the latter winning. The process environment is not consulted:
 * the package is described by the files alone.
 */
export function readEnvironmentFiles(envDir: string, envName: string): Record<string, string> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(envName)) {
    throw new AppPackageError('Invalid environment name.', [`"${envName}" must be lower-case letters, digits and dashes, e.g. local, dev, prod`]);
  }
  const main = join(envDir, `.env.${envName}`);
  if (!existsSync(main)) {
    throw new AppPackageError(`No environment file for "${envName}".`, [`${main} does not exist; create it (see env/.env.example)`]);
  }
  const user = `${main}.user`;
  return {
    ...parseDotenv(readFileSync(main)),
    ...(existsSync(user) ? parseDotenv(readFileSync(user)) : {}),
  };
}

/**
 * The values the manifest is filled with: the environment's own, plus those derived from
 * it. `PUBLIC_DOMAIN` is always derived (the host, with port, of `PUBLIC_URL`); in `local`
 * `PUBLIC_URL` defaults as in src/config (http://HOST:PORT), `ENTRA_APP_ID_URI` to
 * api://<domain>/<client id>, and `LOCAL_PLACEHOLDERS` fill what local mode leaves unset.
 */
export function packageVariables(env: Readonly<Record<string, string>>, envName: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value.trim() !== '') vars[name] = value.trim();
  const local = envName === 'local';
  if (local) {
    for (const [name, value] of Object.entries(LOCAL_PLACEHOLDERS)) vars[name] ??= value;
    vars.PUBLIC_URL ??= `http://${vars.HOST ?? '127.0.0.1'}:${vars.PORT ?? '3978'}`;
  }
  if (vars.PUBLIC_URL !== undefined) {
    let url: URL;
    try {
      url = new URL(vars.PUBLIC_URL);
    } catch {
      throw new AppPackageError('PUBLIC_URL is not usable.', [`PUBLIC_URL is "${vars.PUBLIC_URL}"; it must be an absolute https:// URL`]);
    }
    // Teams loads tabs over https only; plain http is tolerated for a local package that is
    // never sideloaded as is.
    if (url.protocol !== 'https:' && !(local && url.protocol === 'http:')) {
      throw new AppPackageError('PUBLIC_URL is not usable.', [`PUBLIC_URL is "${vars.PUBLIC_URL}"; it must be an https:// URL`]);
    }
    if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
      throw new AppPackageError('PUBLIC_URL is not usable.', [`PUBLIC_URL is "${vars.PUBLIC_URL}"; it must be an origin without path, query or fragment`]);
    }
    vars.PUBLIC_URL = url.origin;
    vars.PUBLIC_DOMAIN = url.host;
    if (local && vars.ENTRA_CLIENT_ID !== undefined) vars.ENTRA_APP_ID_URI ??= `api://${url.host}/${vars.ENTRA_CLIENT_ID}`;
  }
  return vars;
}

/** Every placeholder name used in `value` (any JSON value), sorted, each once. */
export function findPlaceholders(value: unknown): string[] {
  const names = new Set<string>();
  visitStrings(value, (s) => {
    for (const m of s.matchAll(PLACEHOLDER)) names.add(m[1] as string);
  });
  return [...names].sort();
}

/**
 * Replace every `${{NAME}}` in the strings of `template` (a parsed JSON value) with
 * `vars[NAME]`. Throws `AppPackageError` naming each variable without a (non-empty) value.
 * Working on parsed JSON means a value can never break the JSON around it.
 */
export function fillPlaceholders<T>(template: T, vars: Readonly<Record<string, string>>): T {
  const missing = findPlaceholders(template).filter((name) => !vars[name]);
  if (missing.length > 0) {
    throw new AppPackageError(
      'The app package uses variables that have no value.',
      missing.map((name) => `\${{${name}}} is not set`),
    );
  }
  return mapStrings(template, (s) => s.replace(PLACEHOLDER, (_m, name: string) => vars[name] as string)) as T;
}

function visitStrings(value: unknown, visit: (s: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) for (const item of value) visitStrings(item, visit);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) visitStrings(item, visit);
}

function mapStrings(value: unknown, map: (s: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, map)]));
  }
  return value;
}

// ---------------------------------------------------------------------------------------
// Schema validation

export type SchemaKind = 'manifest' | 'localization';

const schemaFiles: Record<SchemaKind, string> = {
  manifest: 'MicrosoftTeams.schema.json',
  localization: 'MicrosoftTeams.Localization.schema.json',
};

const requireFromHere = createRequire(import.meta.url);
const validators = new Map<string, ValidateFunction>();

/** The official schema as shipped in `@microsoft/app-manifest` (no network). */
export function loadOfficialSchema(kind: SchemaKind, version: string = MANIFEST_SCHEMA_VERSION): Record<string, unknown> {
  const root = dirname(requireFromHere.resolve('@microsoft/app-manifest/package.json'));
  const file = join(root, 'build', 'json-schemas', 'teams', `v${version}`, schemaFiles[kind]);
  if (!existsSync(file)) throw new Error(`@microsoft/app-manifest ships no ${schemaFiles[kind]} for version ${version} (looked for ${file})`);
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/**
 * Compile the official schema once. The Teams schemas declare draft-04 but use `const`
 * (draft-06) and none of the constructs whose meaning changed after draft-04 (boolean
 * `exclusiveMinimum`/`exclusiveMaximum`, `id` as a base URI), so Ajv's default dialect
 * (draft-07) validates them exactly as written; `assertDraft07Compatible` keeps that true
 * for future schema versions. Patterns are compiled without the `u` flag because the
 * localization schema contains a pattern (`\b]`) that is only valid without it.
 */
function validatorFor(kind: SchemaKind, version: string): ValidateFunction {
  const key = `${kind}@${version}`;
  let validate = validators.get(key);
  if (!validate) {
    const { $schema: _dialect, ...schema } = loadOfficialSchema(kind, version);
    assertDraft07Compatible(schema, key);
    const ajv = new Ajv({ allErrors: true, strictTypes: false, unicodeRegExp: false });
    (addFormatsPlugin as unknown as (ajv: Ajv, formats: string[]) => Ajv)(ajv, ['uri']);
    validate = ajv.compile(schema);
    validators.set(key, validate);
  }
  return validate;
}

function assertDraft07Compatible(schema: unknown, name: string, path = '#'): void {
  if (Array.isArray(schema)) {
    schema.forEach((item, i) => assertDraft07Compatible(item, name, `${path}/${i}`));
    return;
  }
  if (schema === null || typeof schema !== 'object') return;
  for (const [key, value] of Object.entries(schema)) {
    if ((key === 'exclusiveMinimum' || key === 'exclusiveMaximum') && typeof value === 'boolean') {
      throw new Error(`${name}: draft-04 boolean ${key} at ${path} needs a draft-04 validator (ajv-draft-04)`);
    }
    if (key === 'id' && typeof value === 'string') {
      throw new Error(`${name}: draft-04 "id" at ${path} needs a draft-04 validator (ajv-draft-04)`);
    }
    assertDraft07Compatible(value, name, `${path}/${key}`);
  }
}

/** One schema violation, with the JSON pointer of the offending value. */
export interface SchemaProblem {
  path: string;
  message: string;
}

/** Validate a (filled) manifest or localization file; an empty list means valid. */
export function validateAgainstSchema(document: unknown, kind: SchemaKind = 'manifest', version: string = MANIFEST_SCHEMA_VERSION): SchemaProblem[] {
  const validate = validatorFor(kind, version);
  if (validate(document)) return [];
  return (validate.errors ?? []).map(describeSchemaError);
}

function describeSchemaError(error: ErrorObject): SchemaProblem {
  const path = error.instancePath === '' ? '/' : error.instancePath;
  const params = error.params as Record<string, unknown>;
  let message = error.message ?? error.keyword;
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) message += ` (${params.allowedValues.join(', ')})`;
  if (error.keyword === 'const') message += ` "${String(params.allowedValue)}"`;
  if (error.keyword === 'additionalProperties') message += ` ("${String(params.additionalProperty)}")`;
  return { path, message };
}

// ---------------------------------------------------------------------------------------
// Icons

/** Problems with an icon: its size, and for the outline icon, anything but white and transparent. */
export function checkIcon(png: Buffer, kind: 'color' | 'outline', fileName: string = `${kind}.png`): string[] {
  let image: PNG;
  try {
    image = PNG.sync.read(png);
  } catch (err) {
    return [`${fileName} is not a readable PNG (${(err as Error).message})`];
  }
  const size = kind === 'color' ? COLOR_ICON_SIZE : OUTLINE_ICON_SIZE;
  const problems: string[] = [];
  if (image.width !== size || image.height !== size) {
    problems.push(`${fileName} is ${image.width}x${image.height}; the ${kind} icon must be ${size}x${size}`);
  }
  if (kind === 'outline') {
    // White at any opacity (anti-aliased edges) or fully transparent, nothing else.
    let coloured = 0;
    let visible = 0;
    const d = image.data;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] === 0) continue;
      visible++;
      if (d[i] !== 255 || d[i + 1] !== 255 || d[i + 2] !== 255) coloured++;
    }
    if (coloured > 0) problems.push(`${fileName} has ${coloured} pixel(s) that are neither white nor fully transparent`);
    if (visible === 0) problems.push(`${fileName} is fully transparent; it must show a white outline`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------
// The package

export interface BuiltAppPackage {
  /** The filled manifest, as zipped. */
  manifest: Record<string, unknown>;
  /** The zip file's bytes. */
  zip: Buffer;
  /** File names at the zip root, in the order written. */
  files: string[];
}

export interface BuildAppPackageOptions {
  /** The folder holding manifest.json, the icons and localization files. */
  appPackageDir: string;
  /** Values for the `${{VAR}}` placeholders (see `packageVariables`). */
  variables: Readonly<Record<string, string>>;
  schemaVersion?: string;
}

/** A fixed timestamp for zip entries, so the same inputs give the same bytes. */
const ZIP_DATE = new Date(Date.UTC(2020, 0, 1));

/**
 * Fill, validate and zip. Throws `AppPackageError` listing every problem found (unfilled
 * variables first, then schema violations, icons and localization files together).
 */
export async function buildAppPackage(options: BuildAppPackageOptions): Promise<BuiltAppPackage> {
  const { appPackageDir, variables, schemaVersion = MANIFEST_SCHEMA_VERSION } = options;
  const template = readJson(join(appPackageDir, 'manifest.json'));
  const manifest = fillPlaceholders(template, variables) as Record<string, unknown>;

  const problems = validateAgainstSchema(manifest, 'manifest', schemaVersion).map((p) => `manifest.json ${p.path}: ${p.message}`);
  const files = new Map<string, Buffer>();
  files.set('manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));

  const icons = (manifest.icons ?? {}) as { color?: unknown; outline?: unknown };
  for (const kind of ['color', 'outline'] as const) {
    const name = icons[kind];
    if (typeof name !== 'string') continue; // the schema has already said it is missing
    const bytes = readPackageFile(appPackageDir, name, problems);
    if (bytes) {
      problems.push(...checkIcon(bytes, kind, name));
      files.set(name, bytes);
    }
  }

  for (const name of localizationFiles(manifest)) {
    const bytes = readPackageFile(appPackageDir, name, problems);
    if (!bytes) continue;
    let localized: unknown;
    try {
      localized = fillPlaceholders(JSON.parse(bytes.toString('utf8')), variables);
    } catch (err) {
      problems.push(err instanceof AppPackageError ? `${name}: ${err.problems.join('; ')}` : `${name} is not valid JSON (${(err as Error).message})`);
      continue;
    }
    problems.push(...validateAgainstSchema(localized, 'localization', schemaVersion).map((p) => `${name} ${p.path}: ${p.message}`));
    files.set(name, Buffer.from(`${JSON.stringify(localized, null, 2)}\n`));
  }

  if (problems.length > 0) throw new AppPackageError('The app package is not valid.', problems);

  const zip = new JSZip();
  for (const [name, bytes] of files) zip.file(name, bytes, { date: ZIP_DATE, createFolders: false });
  const zipped = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
  return { manifest, zip: zipped, files: [...files.keys()] };
}

function localizationFiles(manifest: Record<string, unknown>): string[] {
  const info = manifest.localizationInfo as { defaultLanguageFile?: unknown; additionalLanguages?: { file?: unknown }[] } | undefined;
  if (!info) return [];
  const names = [info.defaultLanguageFile, ...(info.additionalLanguages ?? []).map((l) => l.file)];
  return names.filter((n): n is string => typeof n === 'string');
}

/** A file named by the manifest; it must sit at the package root (Teams reads no folders). */
function readPackageFile(dir: string, name: string, problems: string[]): Buffer | undefined {
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) {
    problems.push(`"${name}" must be a plain file name at the root of the package`);
    return undefined;
  }
  const file = join(dir, name);
  if (!existsSync(file)) {
    problems.push(`${name} is named in the manifest but ${file} does not exist`);
    return undefined;
  }
  return readFileSync(file);
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AppPackageError('Cannot read the manifest.', [`${file}: ${(err as Error).message}`]);
  }
}
