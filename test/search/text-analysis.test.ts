import assert from 'node:assert/strict';
import { dutchStem } from '../../src/search-index/dutch-stemmer.js';
import { englishStem } from '../../src/search-index/english-stemmer.js';
import { analyseQuery, foldText, searchKeys } from '../../src/search-index/text-analysis.js';

describe('text analysis for search', () => {
  it('stems Dutch so that inflections meet (Snowball, with undoubling of all consonants)', () => {
    const pairs: Array<[string, string]> = [
      ['bemesting', 'bemesten'],
      ['gemeenten', 'gemeente'],
      ['vergaderingen', 'vergadering'],
      ['waterschappen', 'waterschap'],
      ['ambtenaren', 'ambtenaar'],
      ['duurzaamheid', 'duurzame'],
      ['boeken', 'boek'],
    ];
    for (const [a, b] of pairs) assert.equal(dutchStem(a), dutchStem(b), `${a} / ${b}`);
    assert.equal(dutchStem('bemesting'), 'bemest');
    assert.equal(dutchStem('lichamelijk'), 'licham');
    assert.notEqual(dutchStem('water'), dutchStem('weten'));
  });

  it('stems English with Porter', () => {
    const cases: Array<[string, string]> = [
      ['meetings', 'meet'],
      ['caresses', 'caress'],
      ['ponies', 'poni'],
      ['relational', 'relat'],
      ['generalization', 'gener'],
      ['hopping', 'hop'],
      ['communities', 'commun'],
      ['adjustment', 'adjust'],
    ];
    for (const [word, stem] of cases) assert.equal(englishStem(word), stem, word);
  });

  it('folds case and accents, and drops stop words of both languages', () => {
    assert.equal(foldText('Één Café in Fryslân, naïef, Straße'), 'een cafe in fryslan, naief, strasse');
    assert.deepEqual(analyseQuery('Wie weet iets over de bemesting of the fields?').map((w) => w.word), ['weet', 'iets', 'bemesting', 'fields']);
    assert.deepEqual(analyseQuery('de het een the'), []);
  });

  it('gives a document the keys of both stemmers, so either language finds it', () => {
    const keys = searchKeys('Bemesting van weilanden; flooding meetings');
    for (const k of ['bemest', 'weiland', 'flood', 'meet']) assert.ok(keys.includes(k), k);
    const query = analyseQuery('bemesten');
    assert.ok(query[0]?.keys.some((k) => keys.includes(k)));
  });
});
