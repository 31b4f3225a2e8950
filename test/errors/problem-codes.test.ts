/**
 * Every problem code the API can answer, and every field code, has a text in English and in
 * Dutch in the tab. The codes are found in the source by the compiler (problem-code-scan.ts),
 * so a new throw site with a new code fails here until the tab can say what it means.
 */
import assert from 'node:assert/strict';
import { en } from '../../tab/src/i18n/en.js';
import { nl } from '../../tab/src/i18n/nl.js';
import { fieldText, problemText } from '../../tab/src/i18n/problem-texts.js';
import { scanProblemCodes, type CodeScan } from './problem-code-scan.js';

describe('problem codes in the reader\'s language', function () {
  // The scan type-checks src/ and bot/ with the compiler: slow on a busy machine.
  this.timeout(400_000);
  let scan: CodeScan;
  before(() => {
    scan = scanProblemCodes();
  });

  it('finds the codes of the throw sites, the tables and the direct answers (the scan itself works)', () => {
    for (const code of ['invalid_input', 'consultation_closed', 'invalid_token', 'step_up_required', 'consent_required', 'rate_limited', 'malformed_json', 'request_headers_too_large', 'internal_error', 'already_exists', 'dead_letter_not_found']) {
      assert.ok(scan.problemCodes.has(code), code);
    }
    for (const code of ['too_big', 'invalid_type', 'required', 'unstorable_text', 'not_in_future']) assert.ok(scan.fieldCodes.has(code), code);
    assert.ok(scan.problemCodes.size > 100, `${scan.problemCodes.size} codes`);
  });

  it('can trace every code to string literals', () => {
    assert.deepEqual(scan.unresolved, []);
  });

  it('has an English and a Dutch text for every problem code', () => {
    const missing = [...scan.problemCodes].filter(([code]) => !problemText(code, 'en') || !problemText(code, 'nl')).map(([code, at]) => `${code} (${at[0]})`);
    assert.deepEqual(missing, []);
    // Dutch is Dutch: not the English text copied.
    const untranslated = [...scan.problemCodes.keys()].filter((code) => problemText(code, 'nl') === problemText(code, 'en'));
    assert.deepEqual(untranslated, []);
  });

  it('has an English and a Dutch text for every field code', () => {
    const missing = [...scan.fieldCodes].filter((code) => !fieldText(code, 'en') || !fieldText(code, 'nl'));
    assert.deepEqual(missing, []);
  });

  // A size code's texts by unit (`field.too_big.characters`) belong to their code.
  it('keeps no text for a code the API no longer answers', () => {
    const stale = Object.keys(en)
      .filter((key) => key.startsWith('problem.') || key.startsWith('field.'))
      .filter((key) => (key.startsWith('problem.') ? !scan.problemCodes.has(key.slice(8)) : !scan.fieldCodes.has(key.slice(6).split('.')[0] ?? '')));
    assert.deepEqual(stale, []);
    assert.equal(Object.keys(nl).length, Object.keys(en).length);
  });
});
