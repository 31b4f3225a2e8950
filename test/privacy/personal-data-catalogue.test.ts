/**
 * The personal-data catalogue explains every field of every mongoose model in src/, and
 * nothing that does not exist: /privacy prints it, so it cannot drift from the store.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import mongoose, { Schema } from 'mongoose';
import { catalogueProblems, modelShapes } from '../../src/privacy/catalogue-check.js';
import { PERSONAL_DATA_CATALOGUE } from '../../src/privacy/personal-data-catalogue.js';

const srcDir = join(import.meta.dirname, '..', '..', 'src');

/** Every file in src/ that defines a model: `*.model.ts`, and any other that calls mongoose.model(. */
function modelFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) modelFiles(path, out);
    else if (path.endsWith('.ts') && (path.endsWith('.model.ts') || /mongoose\.model\(/.test(readFileSync(path, 'utf8')))) out.push(path);
  }
  return out;
}

/**
 * The names of the models src/ declares (every one is `mongoose.model('<Name>', ...)`). Other
 * test files of the same run register throwaway models on the same mongoose; those are not
 * Meent's store and are left out.
 */
function declaredModelNames(files: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const file of files) for (const m of readFileSync(file, 'utf8').matchAll(/mongoose\.model(?:<[^>]*>)?\(\s*'([A-Za-z]+)'/g)) names.add(m[1] ?? '');
  return names;
}

describe('personal-data catalogue', () => {
  before(() => {
    // Loaded the way mocha loads the test files (tsx's require), so a model file another test
    // file in the same run imported already is that same module, not a second copy registering
    // its model again (an import() here would go through the ESM loader, a separate cache).
    const load = createRequire(import.meta.url);
    for (const file of modelFiles(srcDir)) load(file);
  });

  it('explains every field of every model in src/, and no field that does not exist', () => {
    const declared = declaredModelNames(modelFiles(srcDir));
    const shapes = modelShapes(mongoose).filter((s) => declared.has(s.model));
    assert.deepEqual([...declared].filter((name) => !shapes.some((s) => s.model === name)), [], 'every declared model was loaded');
    // The walk found the models, those outside *.model.ts files too.
    for (const name of ['User', 'AuditEntry', 'Lease', 'LocalCalendarEvent', 'PrivacySettings', 'Departure']) {
      assert.ok(shapes.some((s) => s.model === name), `${name} was not loaded`);
    }
    assert.deepEqual(catalogueProblems(shapes, PERSONAL_DATA_CATALOGUE), []);
  });

  it('catches a field that a model gains, a model it does not know, and a field that is gone', () => {
    // A separate mongoose instance: the throwaway models never reach the application's registry.
    const throwaway = new mongoose.Mongoose();
    const user = mongoose.model('User').schema.clone();
    user.add({ nickname: { type: String } });
    throwaway.model('User', user, 'users');
    throwaway.model('Scratch', new Schema({ tenantId: String, secret: String }), 'scratch');
    const problems = catalogueProblems(modelShapes(throwaway), PERSONAL_DATA_CATALOGUE.filter((e) => e.model === 'User' || e.model === 'Follow'));
    assert.ok(problems.includes('User.nickname: a field the personal-data catalogue does not explain'), problems.join('\n'));
    assert.ok(problems.includes('Scratch (scratch): a model the personal-data catalogue does not explain'), problems.join('\n'));
    assert.ok(problems.includes('Follow: the catalogue explains a model that does not exist'), problems.join('\n'));
    assert.equal(problems.filter((p) => p.startsWith('User.')).length, 1, 'the rest of User is explained');

    const lessUser = new mongoose.Mongoose();
    const trimmed = mongoose.model('User').schema.clone();
    trimmed.remove('officeLocation');
    lessUser.model('User', trimmed, 'users');
    assert.deepEqual(catalogueProblems(modelShapes(lessUser), PERSONAL_DATA_CATALOGUE.filter((e) => e.model === 'User')), [
      'User.officeLocation: the catalogue explains a field the model does not have',
    ]);
  });

  it('says in both languages what every field is for, and how long every collection is kept', () => {
    for (const entry of PERSONAL_DATA_CATALOGUE) {
      for (const text of [entry.purpose, entry.retention, ...Object.values(entry.fields).map((f) => f.purpose)]) {
        assert.ok(text.nl.trim().length > 0 && text.en.trim().length > 0, `${entry.model}: a text is missing`);
      }
    }
  });
});
