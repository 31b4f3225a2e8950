/**
 * A consultation answered in the browser, outside Teams (a citizen from the panel, signed in
 * with the session cookie): there the tab is the page itself, so the browser keeps its storage,
 * and a half-filled questionnaire survives a reload, and the anonymous answer's key stays on
 * the device (localStorage `meent.consultationKey.<id>`) so the answer can be changed after a
 * reload. Real consultations and communities services on the run's FerretDB; only the identity
 * is the small stand-in of tab-fixtures.ts (one session cookie, one person).
 */
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import type { Actor } from '../../src/auth/actor.js';
import { createCommunitiesModule } from '../../src/composition.js';
import { createConsultationSchema } from '../../src/consultations/consultation.schemas.js';
import { createConsultationsModule } from '../../src/consultations/consultations.module.js';
import { createLogger } from '../../src/logging/logger.js';
import { UserModel } from '../../src/members/user.model.js';
import { newBrowserContext } from '../support/browser.js';
import { useTestDatabase } from '../support/database.js';
import { civilServant, identityStandIn, SESSION_COOKIE, useTabRig } from './tab-fixtures.js';

const manager: Actor = { ...civilServant, userId: 'a1b2c3d4-0000-4000-8000-000000000003', name: 'Chantal Bakker', userPrincipalName: 'chantal.bakker@waterschap.example' };

describe('tab: a consultation in the browser', function () {
  this.timeout(120_000);
  useTestDatabase('tab');
  const logger = createLogger('silent');
  const consultations = createConsultationsModule({ logger });
  const communities = createCommunitiesModule({ logger });
  const identity = identityStandIn(civilServant);
  const rig = useTabRig(() => ({ authenticate: identity.authenticate, apiRouters: [identity.meRouter, ...(consultations.apiRouters ?? []), ...(communities.apiRouters ?? [])] }));
  let consultationId = '';
  let context: BrowserContext | undefined;

  before(async () => {
    for (const person of [civilServant, manager]) {
      await UserModel.updateOne({ tenantId: person.tenantId, userId: person.userId }, { $set: { displayName: person.name, userPrincipalName: person.userPrincipalName, isGuest: false } }, { upsert: true });
    }
    const community = await communities.services.communities.create(manager, { name: 'Burgerpanel', visibility: 'closed', guestsAllowed: false });
    await communities.services.memberships.add(manager, community.id, { userId: civilServant.userId });
    await communities.services.memberships.add(civilServant, community.id, {});
    const created = await consultations.services.consultations.create(
      manager,
      community.id,
      createConsultationSchema.parse({
        title: 'Bufferstroken',
        anonymous: true,
        status: 'open',
        questions: [
          { id: 'q1', kind: 'singleChoice', text: 'Hoe breed?', required: true, options: [{ id: 'o1', label: '2 meter' }, { id: 'o2', label: '5 meter' }] },
          { id: 'q2', kind: 'longText', text: 'Waarom?', required: false },
        ],
      }),
    );
    consultationId = created.id;
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  async function openPage(): Promise<Page> {
    context = await newBrowserContext(rig.browser, { ignoreHTTPSErrors: true, permissions: ['local-network-access'], locale: 'en-US' });
    await context.addCookies([{ name: SESSION_COOKIE, value: identity.sessionValue, url: rig.server.origin, httpOnly: true, sameSite: 'Lax' }]);
    const page = await context.newPage();
    await page.goto(rig.server.tabUrl(`#/consultations/${consultationId}`));
    await page.getByTestId('questionnaire').waitFor();
    return page;
  }

  it('keeps a half-filled questionnaire through a reload, then the anonymous key to change the answer', async () => {
    const page = await openPage();
    await page.getByRole('radio', { name: '5 meter' }).check();
    await page.getByTestId('question-q2').getByRole('textbox').fill('Voor de waterkwaliteit');
    const draft = await page.evaluate((id) => localStorage.getItem(`meent.consultationDraft.${id}`), consultationId);
    assert.deepEqual(JSON.parse(draft ?? '{}'), { q1: 'o2', q2: 'Voor de waterkwaliteit' });

    await page.reload();
    await page.getByTestId('questionnaire').waitFor();
    assert.equal(await page.getByRole('radio', { name: '5 meter' }).isChecked(), true, 'the choice survived the reload');
    assert.equal(await page.getByTestId('question-q2').getByRole('textbox').inputValue(), 'Voor de waterkwaliteit');

    await page.getByTestId('questionnaire-submit').click();
    await page.getByTestId('answered-status').waitFor();
    const key = await page.evaluate((id) => localStorage.getItem(`meent.consultationKey.${id}`), consultationId);
    assert.ok(key && key.length >= 16, 'the anonymous response key is kept on the device');
    assert.equal(await page.evaluate((id) => localStorage.getItem(`meent.consultationDraft.${id}`), consultationId), null, 'the draft is gone once sent');

    // After a reload, the key still opens the answer for a change, and the change is saved.
    await page.reload();
    await page.getByTestId('change-answers').click();
    await page.getByTestId('questionnaire').waitFor();
    assert.equal(await page.getByRole('radio', { name: '5 meter' }).isChecked(), true, 'my answer, loaded back with the key');
    await page.getByRole('radio', { name: '2 meter' }).check();
    await page.getByTestId('questionnaire-submit').click();
    await page.getByTestId('answered-status').waitFor();
    const results = await consultations.services.consultations.results(manager, consultationId);
    assert.equal(results.respondents, 1, 'one response, changed, not a second one');
    const q1 = results.questions.find((q) => q.questionId === 'q1');
    assert.ok(q1 && 'options' in q1);
    assert.deepEqual(
      q1.options.map((o) => ['count' in o ? o.count : -1, o.optionId]),
      [
        [1, 'o1'],
        [0, 'o2'],
      ],
    );
  });
});
