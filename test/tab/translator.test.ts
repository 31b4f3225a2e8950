/**
 * The tab's message catalogues and formatting, without a browser: Dutch and English have
 * the same keys and placeholders, the language follows the Teams locale, and dates and
 * times are shown in the user's time zone.
 */
import assert from 'node:assert/strict';
import { en } from '../../tab/src/i18n/en.js';
import { nl } from '../../tab/src/i18n/nl.js';
import { canonicalLocale, createTranslator, languageFor } from '../../tab/src/i18n/translator.js';

const placeholders = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('tab translator', () => {
  it('has the same keys and the same placeholders in Dutch and English, and no empty message', () => {
    assert.deepEqual(Object.keys(nl).sort(), Object.keys(en).sort());
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      assert.deepEqual(placeholders(nl[key]), placeholders(en[key]), `placeholders of ${key}`);
      assert.ok(nl[key].trim().length > 0 && en[key].trim().length > 0, `${key} is not empty`);
    }
  });

  it('translates most messages rather than copying the English', () => {
    const same = (Object.keys(en) as Array<keyof typeof en>).filter((key) => nl[key] === en[key]);
    // Brand names and words that are the same in both languages only.
    assert.deepEqual(
      same.sort(),
      ['app.name', 'community.title', 'config.community.label', 'profile.account', 'sidePanel.title', 'reaction.label', 'event.when.sameDay', 'event.where.online', 'event.facts.online', 'event.facts.community', 'profile.expertise', 'consultation.facts.community', 'consultation.facts.privacy', 'consultation.facts.status', 'consultation.status.open', 'consultations.open', 'files.type.pdf'].sort(),
    );
  });

  it('picks the singular or plural form by the language’s rules, with the count formatted', () => {
    const en = createTranslator('en-us', 'UTC');
    const nl = createTranslator('nl-nl', 'UTC');
    assert.equal(en.tp('event.seatsLeft', 1), '1 seat left');
    assert.equal(en.tp('event.seatsLeft', 0), '0 seats left');
    assert.equal(en.tp('event.seatsLeft', 1200), '1,200 seats left');
    assert.equal(nl.tp('event.seatsLeft', 1), 'Nog 1 plaats vrij');
    assert.equal(nl.tp('event.seatsLeft', 1200), 'Nog 1.200 plaatsen vrij');
    assert.equal(en.tp('search.found', 2, { q: 'drainage' }), '2 results for “drainage”.');
    assert.equal(nl.tp('search.found', 1, { q: 'drainage' }), '1 resultaat voor ‘drainage’.');
  });

  it('has both forms for every plural message', () => {
    for (const [key, message] of Object.entries(en)) {
      if (key.endsWith('.one')) assert.ok(`${key.slice(0, -4)}.other` in en, `${key} has an .other form`);
      // ("report.reason.other" is a choice, not a plural: plurals count.)
      if (key.endsWith('.other') && message.includes('{count}')) assert.ok(`${key.slice(0, -6)}.one` in en, `${key} has a .one form`);
    }
  });

  it('chooses Dutch for any Dutch locale and English for everything else', () => {
    assert.equal(languageFor('nl-nl'), 'nl');
    assert.equal(languageFor('nl-BE'), 'nl');
    assert.equal(languageFor('NL'), 'nl');
    assert.equal(languageFor('en-us'), 'en');
    assert.equal(languageFor('fr-fr'), 'en');
    assert.equal(languageFor(undefined), 'en');
    assert.equal(languageFor(''), 'en');
  });

  it("formats with Teams' lower-case locale in its canonical form", () => {
    assert.equal(canonicalLocale('nl-nl', 'nl'), 'nl-NL');
    assert.equal(canonicalLocale('en-gb', 'en'), 'en-GB');
    assert.equal(canonicalLocale('fr-fr', 'en'), 'en', 'a locale of another language falls back to the language');
    assert.equal(canonicalLocale('not a locale!', 'en'), 'en');
  });

  it('fills placeholders and formats numbers for the locale', () => {
    const dutch = createTranslator('nl-nl', 'Europe/Amsterdam');
    assert.equal(dutch.t('home.welcome', { name: 'Anouk' }), 'Welkom, Anouk');
    assert.equal(dutch.t('error.rateLimited.body', { seconds: 1200 }), 'Wacht 1.200 seconden en probeer het dan opnieuw.');
    assert.equal(createTranslator('en-us', 'UTC').t('error.rateLimited.body', { seconds: 1200 }), 'Wait 1,200 seconds, then try again.');
    assert.equal(dutch.t('nav.home'), 'Start');
  });

  it("shows dates and times in the user's time zone and language", () => {
    const instant = '2025-06-12T13:30:00Z';
    const amsterdam = createTranslator('nl-nl', 'Europe/Amsterdam');
    const newYork = createTranslator('en-us', 'America/New_York');
    assert.equal(amsterdam.formatTime(instant), '15:30');
    assert.equal(amsterdam.formatDate(instant), '12 juni 2025');
    assert.match(amsterdam.formatDateTime(instant), /^donderdag 12 juni 2025.*15:30$/);
    assert.equal(newYork.formatTime(instant), '9:30 AM');
    assert.equal(newYork.formatDate(instant), 'June 12, 2025');
    assert.equal(amsterdam.timeZone, 'Europe/Amsterdam');
  });
});
