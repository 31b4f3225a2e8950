/**
 * A consultation's whole life through the whole application (`buildApplication`) with real
 * tokens from the local identity provider: created, opened, answered (named, and anonymously
 * with the answer changed through its response key), results, closed (a late answer is 409
 * and changes nothing), concluded. And a secret community's consultation stays invisible to an
 * outsider: not in search, 404 on the consultation itself, while a member finds it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ConsultationAnswerModel, ConsultationResponderModel, ConsultationTallyModel } from '../../src/consultations/consultation-response.model.js';
import { useTestDatabase } from '../support/database.js';
import { ok, person, usePrivacyRig, type Person } from '../privacy/privacy-fixtures.js';
import { questionnaire } from './consultations-fixtures.js';

describe('consultations: the life cycle through the whole application, real tokens', function () {
  this.timeout(60_000);
  useTestDatabase('consultations_lifecycle');
  // The whole application (buildApplication) behind the local identity provider's tokens.
  const rig = usePrivacyRig();
  const api = (p: Person, method: 'get' | 'post' | 'patch' | 'put', path: string, body?: object) => rig.api(p, method, path, body);
  const manager = person('Marieke Manager');
  const member = person('Mia Member');
  const second = person('Sem Tweede');
  const outsider = person('Otto Buiten');

  before(async () => {
    for (const p of [manager, member, second, outsider]) ok(await api(p, 'get', '/me'));
  });

  /** A community of `manager`, with the others invited by the manager and accepted. */
  async function communityWith(visibility: 'public' | 'secret', members: Person[]): Promise<string> {
    const res = await api(manager, 'post', '/communities', { name: `Burgerpanel ${randomUUID().slice(0, 6)}`, visibility });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const id = res.body.id as string;
    for (const p of members) {
      assert.equal((await api(manager, 'post', `/communities/${id}/members`, { userId: p.oid })).status, 201);
      const accepted = await api(p, 'post', `/communities/${id}/members`, {});
      assert.ok([200, 201].includes(accepted.status), JSON.stringify(accepted.body));
    }
    return id;
  }

  const stored = async (consultationId: string) =>
    JSON.stringify([
      await ConsultationResponderModel.countDocuments({ consultationId }),
      await ConsultationAnswerModel.find({ consultationId }).sort({ _id: 1 }).lean(),
      await ConsultationTallyModel.find({ consultationId }).sort({ _id: 1 }).lean(),
    ]);

  it('goes from draft to conclusion: named and anonymous answers, results, a refused late answer', async () => {
    const communityId = await communityWith('public', [member, second]);

    // A named draft, opened by hand.
    const draft = await api(manager, 'post', `/communities/${communityId}/consultations`, questionnaire({ status: 'draft' }));
    assert.equal(draft.status, 201, JSON.stringify(draft.body));
    const id = draft.body.id as string;
    assert.equal(draft.body.status, 'draft');
    assert.equal((await api(member, 'get', `/consultations/${id}`)).status, 404, 'a draft is not there for members');
    const opened = await api(manager, 'post', `/consultations/${id}/open`);
    assert.equal(opened.status, 200, JSON.stringify(opened.body));
    assert.equal(opened.body.status, 'open');
    assert.equal(opened.body.audienceSize, 3);

    // Named answers: one changed, the last one counts.
    assert.equal((await api(member, 'put', `/consultations/${id}/responses/me`, { answers: [{ questionId: 'q1', value: 2 }] })).status, 200);
    const changed = await api(member, 'put', `/consultations/${id}/responses/me`, { answers: [{ questionId: 'q1', value: 5 }, { questionId: 'q3', text: 'Graag breder.' }] });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(changed.body.responseKey, undefined, 'a named answer needs no key');
    assert.equal((await api(second, 'put', `/consultations/${id}/responses/me`, { answers: [{ questionId: 'q1', value: 3 }] })).status, 200);
    const mine = await api(member, 'get', `/consultations/${id}/responses/me`);
    assert.deepEqual(mine.body, { status: 'submitted', answers: [{ questionId: 'q1', value: 5 }, { questionId: 'q3', text: 'Graag breder.' }] });
    const results = await api(member, 'get', `/consultations/${id}/results`);
    assert.equal(results.status, 200, JSON.stringify(results.body));
    assert.deepEqual([results.body.respondents, results.body.audienceSize, results.body.responseRate], [2, 3, 0.667]);
    const q1 = results.body.questions.find((q: { questionId: string }) => q.questionId === 'q1');
    assert.equal(q1.mean, 4);
    const texts = await api(manager, 'get', `/consultations/${id}/results/texts?questionId=q3`);
    assert.deepEqual(texts.body.items, [{ text: 'Graag breder.', authorName: member.name }]);

    // Closed: a late answer is 409 consultation_closed, and nothing stored changes.
    assert.equal((await api(manager, 'post', `/consultations/${id}/close`)).body.status, 'closed');
    const before = await stored(id);
    assert.ok(before.includes('Graag breder.'));
    const late = await api(member, 'put', `/consultations/${id}/responses/me`, { answers: [{ questionId: 'q1', value: 1 }] });
    assert.equal(late.status, 409);
    assert.equal(late.body.code, 'consultation_closed');
    assert.equal(await stored(id), before);
    assert.equal((await api(member, 'get', `/consultations/${id}/results`)).body.respondents, 2);

    // The conclusion: only once closed, shown on the consultation.
    const concluded = await api(manager, 'post', `/consultations/${id}/conclusion`, { text: 'We hoorden: **breder**. We gaan aan de slag.' });
    assert.equal(concluded.status, 200, JSON.stringify(concluded.body));
    const seen = await api(second, 'get', `/consultations/${id}`);
    assert.equal(seen.body.conclusion.text, 'We hoorden: **breder**. We gaan aan de slag.');
    assert.match(seen.body.conclusion.html, /<strong>breder<\/strong>/);
    assert.equal(seen.body.conclusion.authorName, manager.name);
  });

  it('keeps an anonymous answer changeable only with its response key', async () => {
    const communityId = await communityWith('public', [member]);
    const created = await api(manager, 'post', `/communities/${communityId}/consultations`, questionnaire({ anonymous: true }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;

    const first = await api(member, 'put', `/consultations/${id}/responses/me`, { answers: [{ questionId: 'q1', value: 1 }] });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const key = first.body.responseKey as string;
    assert.ok(key && key.length >= 16, 'the first anonymous answer hands out its key');

    const withoutKey = await api(member, 'put', `/consultations/${id}/responses/me`, { answers: [{ questionId: 'q1', value: 4 }] });
    assert.equal(withoutKey.status, 409);
    assert.equal(withoutKey.body.code, 'already_responded');
    const wrongKey = await api(member, 'put', `/consultations/${id}/responses/me`, { answers: [{ questionId: 'q1', value: 4 }], responseKey: 'not-the-key-0123456789' });
    assert.ok([403, 409].includes(wrongKey.status), `a wrong key is refused (${wrongKey.status})`);
    assert.equal((await api(manager, 'get', `/consultations/${id}/results`)).body.questions[0].mean, 1, 'refused changes leave the answer');

    const replaced = await api(member, 'put', `/consultations/${id}/responses/me`, { answers: [{ questionId: 'q1', value: 4 }], responseKey: key });
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
    const results = await api(manager, 'get', `/consultations/${id}/results`);
    assert.equal(results.body.respondents, 1, 'still one response');
    assert.equal(results.body.questions[0].mean, 4, 'the changed answer counts');

    assert.deepEqual((await api(member, 'get', `/consultations/${id}/responses/me`)).body, { status: 'submitted' }, 'without the key: only that one answered');
    assert.deepEqual((await api(member, 'get', `/consultations/${id}/responses/me?responseKey=${encodeURIComponent(key)}`)).body.answers, [{ questionId: 'q1', value: 4 }]);
  });

  it('keeps a secret community\'s consultation out of an outsider\'s search and answers them 404; a member finds it', async () => {
    const communityId = await communityWith('secret', [member]);
    const word = `Kwelwater${randomUUID().slice(0, 6)}`;
    const created = await api(manager, 'post', `/communities/${communityId}/consultations`, questionnaire({ title: `${word} in de polder` }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;

    const found = await api(member, 'get', `/search?q=${word}`);
    assert.equal(found.status, 200, JSON.stringify(found.body));
    assert.deepEqual(found.body.items.map((h: { type: string; id: string }) => [h.type, h.id]), [['consultation', id]]);
    // Asked for consultations only, too (this once found nothing: the entries were not read for that type).
    const onlyConsultations = await api(member, 'get', `/search?q=${word}&type=consultation`);
    assert.deepEqual(onlyConsultations.body.items.map((h: { type: string; id: string }) => [h.type, h.id]), [['consultation', id]]);

    const hidden = await api(outsider, 'get', `/search?q=${word}`);
    assert.equal(hidden.status, 200);
    assert.deepEqual(hidden.body.items, []);
    const direct = await api(outsider, 'get', `/consultations/${id}`);
    assert.equal(direct.status, 404);
    assert.equal(direct.body.code, 'consultation_not_found');
    assert.equal((await api(outsider, 'get', `/consultations/${id}/results`)).status, 404);
    assert.equal((await api(outsider, 'put', `/consultations/${id}/responses/me`, { answers: [{ questionId: 'q1', value: 3 }] })).status, 404);
  });
});
