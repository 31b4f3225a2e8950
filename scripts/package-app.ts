/**
 * `npm run package:app [-- --env local|dev|prod]` (default local): fills appPackage/manifest.json
 * from env/.env.<env> (+ env/.env.<env>.user), validates it against the official schema
 * offline, checks the icons and writes appPackage/build/appPackage.<env>.zip.
 * The work is done in src/app-package/app-package.ts; this is the command line around it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  AppPackageError,
  LOCAL_PLACEHOLDERS,
  MANIFEST_SCHEMA_VERSION,
  buildAppPackage,
  packageVariables,
  readEnvironmentFiles,
} from '../src/app-package/app-package.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const appPackageDir = fileURLToPath(new URL('../appPackage/', import.meta.url));
const envDir = fileURLToPath(new URL('../env/', import.meta.url));

let envName = 'local';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { env: { type: 'string', short: 'e', default: 'local' } }, strict: true });
  envName = values.env;
  const env = readEnvironmentFiles(envDir, envName);
  const variables = packageVariables(env, envName);
  const { zip, files, manifest } = await buildAppPackage({ appPackageDir, variables });

  const outDir = fileURLToPath(new URL('../appPackage/build/', import.meta.url));
  mkdirSync(outDir, { recursive: true });
  const outFile = `${outDir}appPackage.${envName}.zip`;
  writeFileSync(outFile, zip);

  console.log(`Wrote ${relative(root, outFile)} (manifest ${MANIFEST_SCHEMA_VERSION}, valid against the official schema): ${files.join(', ')}`);
  console.log(`  app id ${String(manifest.id)}, tab and bot at ${variables.PUBLIC_URL}`);
  const standIns = Object.keys(LOCAL_PLACEHOLDERS).filter((name) => envName === 'local' && !env[name]?.trim());
  if (standIns.length > 0) {
    console.log(`  ${standIns.join(' and ')} are local stand-ins: to sideload into Teams, put the real values in env/.env.local.user.`);
  }
}

main().catch((err: unknown) => {
  if (err instanceof AppPackageError) {
    console.error(err.message);
    if (err.problems.some((p) => p.includes('is not set'))) {
      console.error(`Set them in env/.env.${envName} (secrets in env/.env.${envName}.user); env/.env.example documents each one.`);
    }
  } else {
    console.error(err instanceof Error ? err.message : err);
  }
  process.exitCode = 1;
});
