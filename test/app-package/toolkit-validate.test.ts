/**
 * The app package checked by the Microsoft 365 Agents Toolkit's own validator (`atk validate
 * --manifest-file`, which offline checks the filled manifest's structure for its manifestVersion),
 * beside the project's own schema validation (app-package.test.ts). The CLI is not a
 * dependency (about 450 MB); `bash scripts/install-agents-toolkit.sh` puts it in the cache, and
 * without it this file is skipped, saying so. `atk validate --package-file` (the Developer
 * Portal's validation rules) needs a Microsoft 365 sign-in and cannot run here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import { buildAppPackage, packageVariables, readEnvironmentFiles } from '../../src/app-package/app-package.js';

const appPackageDir = fileURLToPath(new URL('../../appPackage/', import.meta.url));
const envDir = fileURLToPath(new URL('../../env/', import.meta.url));
const cache = process.env.MEENT_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'meent');
const atk = join(cache, 'atk-1.1.17', 'node_modules', '.bin', 'atk');

describe('the app package, validated by the Agents Toolkit CLI', function () {
  this.timeout(120_000);
  let dir: string;

  before(async function () {
    if (!existsSync(atk)) {
      console.log(`      (skipped: the Agents Toolkit CLI is not installed at ${atk}; run bash scripts/install-agents-toolkit.sh)`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'meent-atk-'));
    const built = await buildAppPackage({ appPackageDir, variables: packageVariables(readEnvironmentFiles(envDir, 'local'), 'local') });
    const zip = await JSZip.loadAsync(built.zip);
    for (const name of built.files) writeFileSync(join(dir, name), await zip.file(name)!.async('nodebuffer'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const validate = (manifestFile: string) =>
    spawnSync(atk, ['validate', '--manifest-file', manifestFile, '--telemetry', 'false', '--interactive', 'false'], { encoding: 'utf8', cwd: dir, timeout: 100_000 });

  it('passes the packaged manifest', () => {
    const result = validate(join(dir, 'manifest.json'));
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /All passed/);
  });

  // Offline it checks the manifest's structure (required members and their types), not every
  // schema rule: a non-GUID id passed where this was written. The project's own validation
  // (app-package.test.ts) is the one that catches those.
  it('fails a manifest without its required name (so the check can fail)', () => {
    const { name: _name, ...withoutName } = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify(withoutName));
    const result = validate(broken);
    assert.notEqual(result.status, 0, 'refused');
    assert.match(result.stdout + result.stderr, /Invalid value for key "name"/);
  });
});
