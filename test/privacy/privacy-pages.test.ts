/**
 * /privacy and /terms through HTTP, served by the whole application without sign-in: Dutch
 * or English by ?lang= and Accept-Language, the organisation, contact and data-protection
 * officer from the configuration, every field of the catalogue listed; and no axe violation
 * in Chromium in either language.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { buildApplication, type Application } from '../../src/composition.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logging/logger.js';
import { PERSONAL_DATA_CATALOGUE } from '../../src/privacy/personal-data-catalogue.js';
import { launchChromium, newBrowserContext } from '../support/browser.js';
import { useTestDatabase } from '../support/database.js';
import { entraEnvironment } from '../support/identity-app.js';
import { axeViolations } from '../tab/tab-fixtures.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const ORGANISATION = { ORGANISATION_NAME: 'Waterschap De Meent & Co', ORGANISATION_CONTACT: 'privacy@meent-waterschap.example', PRIVACY_OFFICER_CONTACT: 'https://meent-waterschap.example/fg' };

describe('/privacy and /terms', () => {
  useTestDatabase('privacypages');
  let application: Application;

  before(async () => {
    // No identity provider or Graph answers here: the pages must not need them.
    const config = loadConfig(entraEnvironment('https://127.0.0.1:9', 'https://127.0.0.1:9', ORGANISATION));
    application = await buildApplication(config, createLogger('silent'), { identity: { graphCredentials: undefined } });
  });
  after(async () => {
    await application.close();
  });

  it('serves the privacy statement in Dutch by default, without sign-in, with the configured organisation', async () => {
    const res = await request(application.app).get('/privacy');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /^text\/html/);
    assert.equal(res.headers['content-language'], 'nl');
    assert.match(res.text, /<html lang="nl">/);
    assert.match(res.text, /<h1>Privacyverklaring<\/h1>/);
    assert.ok(res.text.includes('Waterschap De Meent &amp; Co'), 'the name, escaped');
    assert.ok(res.text.includes('href="mailto:privacy@meent-waterschap.example"'));
    assert.ok(res.text.includes('href="https://meent-waterschap.example/fg"'));
    assert.ok(res.text.includes('Functionaris gegevensbescherming'));
    assert.ok(res.text.includes('Autoriteit Persoonsgegevens'));
  });

  it('answers in English for an English browser, and ?lang= wins over the browser', async () => {
    const en = await request(application.app).get('/privacy').set('Accept-Language', 'en-GB,en;q=0.9');
    assert.match(en.text, /<html lang="en">/);
    assert.match(en.text, /<h1>Privacy statement<\/h1>/);
    assert.ok(en.text.includes('Data-protection officer'));
    assert.equal(en.headers.vary, 'Accept-Language');
    const nl = await request(application.app).get('/privacy?lang=nl').set('Accept-Language', 'en');
    assert.match(nl.text, /<html lang="nl">/);
    const dutchBrowser = await request(application.app).get('/terms').set('Accept-Language', 'de-DE, nl;q=0.8, en;q=0.5');
    assert.match(dutchBrowser.text, /<h1>Gebruiksvoorwaarden<\/h1>/);
  });

  it('lists every field of every collection, with whether it is personal data', async () => {
    for (const lang of ['nl', 'en'] as const) {
      const res = await request(application.app).get(`/privacy?lang=${lang}`);
      for (const entry of PERSONAL_DATA_CATALOGUE) {
        assert.ok(res.text.includes(`<h3 id="c-${entry.collection}">`), `${entry.collection} (${lang})`);
        for (const path of Object.keys(entry.fields)) assert.ok(res.text.includes(`<th scope="row"><code>${path}</code></th>`), `${entry.model}.${path} (${lang})`);
      }
      assert.ok(res.text.includes(lang === 'nl' ? 'Auditlog' : 'Audit log'));
    }
  });

  it('serves the terms of use in both languages with the organisation', async () => {
    for (const [lang, title] of [['nl', 'Gebruiksvoorwaarden'], ['en', 'Terms of use']] as const) {
      const res = await request(application.app).get(`/terms?lang=${lang}`);
      assert.equal(res.status, 200);
      assert.match(res.text, new RegExp(`<html lang="${lang}">`));
      assert.ok(res.text.includes(`<h1>${title}</h1>`));
      assert.ok(res.text.includes('Waterschap De Meent &amp; Co'));
      assert.ok(res.text.includes(`href="/privacy?lang=${lang}"`));
    }
  });

  describe('in Chromium', function () {
    this.timeout(60_000);
    let browser: Browser;
    let server: Server;
    let origin: string;

    before(async () => {
      server = createServer(application.app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    for (const path of ['/privacy?lang=nl', '/privacy?lang=en', '/terms?lang=nl', '/terms?lang=en']) {
      it(`${path} has no axe violations`, async () => {
        const context = await newBrowserContext(browser, {});
        try {
          const page = await context.newPage();
          const res = await page.goto(origin + path);
          assert.equal(res?.status(), 200);
          assert.ok((await page.locator('main h1').count()) === 1);
          const violations = await axeViolations(page.mainFrame(), axeSource);
          assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));
        } finally {
          await context.close();
        }
      });
    }

    it('the axe check finds a violation when there is one', async () => {
      const context = await newBrowserContext(browser, {});
      try {
        const page = await context.newPage();
        await page.goto(`${origin}/privacy?lang=en`);
        await page.evaluate(() => document.documentElement.removeAttribute('lang'));
        const violations = await axeViolations(page.mainFrame(), axeSource);
        assert.ok(violations.some((v) => v.id === 'html-has-lang'), JSON.stringify(violations));
      } finally {
        await context.close();
      }
    });
  });
});
