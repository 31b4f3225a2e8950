import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { consultationTextsFor } from '../../bot/consultation-texts.js';
import { answerableInCard, answersFromCard, consultationView } from '../../bot/consultation-views.js';
import type { ConsultationCardView } from '../../bot/consultations-port.js';
import type { CardAttachment } from '../../bot/cards/cards.js';
import { escapeMarkdown } from '../../bot/cards/escape-markdown.js';
import { NotificationCards } from '../../bot/notification-cards.js';
import { tabLinks } from '../../bot/ports.js';
import type { Language } from '../../bot/texts.js';
import type { NotificationKind, NotificationRecord } from '../../src/notifications/notification.model.js';
import { NotificationPreferences } from '../../src/notifications/notification-preferences.js';
import { assertValidCard, cardInputs, formattingIn, markdownTexts } from '../support/adaptive-cards.js';

const links = tabLinks('https://meent.example');
const tricky = 'Bufferstroken **breder** [Klik hier](https://evil.example)';
const CONSULTATION_ID = new mongoose.Types.ObjectId().toHexString();

type Card = { content: { refresh?: { action: { verb: string; data: Record<string, unknown> }; userIds?: string[] }; body: unknown[]; actions: { type: string; verb?: string; title: string; url?: string; data?: Record<string, unknown> }[] } };
const asCard = (card: CardAttachment): Card => card as unknown as Card;
const texts = (card: unknown): string[] => JSON.stringify(card ?? {}).match(/"text":"(?:[^"\\]|\\.)*"/g)?.map((m) => JSON.parse(m.slice(7)) as string) ?? [];
const inputs = (card: unknown) => cardInputs(card);

/** What the core writes for each consultation kind (src/consultations, tellOpened / tellConclusion / the reminders job). */
function notification(kind: NotificationKind, data: Record<string, unknown> = {}): NotificationRecord {
  return {
    _id: new mongoose.Types.ObjectId(),
    tenantId: 't',
    recipientId: kind === 'consultationAnnounced' || kind === 'consultationConcluded' ? 'community:c1' : 'u1',
    kind,
    subject: { type: 'consultation', id: CONSULTATION_ID },
    data: { consultationId: CONSULTATION_ID, communityId: 'c1', communityName: 'Burgerpanel Waterschap', title: tricky, closesAt: '2026-12-09T16:00:00.000Z', quickPoll: true, questionCount: 1, anonymous: true, ...data },
    idempotencyKey: 'k',
    status: 'pending',
    attempts: 0,
    createdAt: new Date('2026-12-01T10:00:00Z'),
    updatedAt: new Date('2026-12-01T10:00:00Z'),
  } as NotificationRecord;
}

function consultationFixture(overrides: Partial<ConsultationCardView> = {}): ConsultationCardView {
  return {
    id: CONSULTATION_ID,
    communityId: 'c1',
    communityName: 'Burgerpanel',
    title: tricky,
    introduction: 'Wat *vindt* u?',
    status: 'open',
    opensAt: null,
    closesAt: '2026-12-09T16:00:00.000Z',
    timeZone: 'Europe/Amsterdam',
    audience: 'members',
    anonymous: false,
    resultsVisibility: 'afterResponse',
    questions: [
      { id: 'q1', kind: 'singleChoice', text: 'Hoe breed?', required: true, options: [{ id: 'o1', label: '[2 meter](https://evil.example)' }, { id: 'o2', label: '5 meter' }] },
      { id: 'q2', kind: 'multipleChoice', text: 'Waar?', required: false, maxChoices: 2, options: [{ id: 'a', label: 'Beken' }, { id: 'b', label: 'Sloten' }, { id: 'c', label: 'Vaarten' }] },
      { id: 'q3', kind: 'shortText', text: 'Waarom?', required: false, maxLength: 20 },
    ],
    quickPoll: false,
    respondents: 0,
    audienceSize: 10,
    myResponse: 'none',
    canRespond: true,
    canSeeResults: false,
    ...overrides,
  };
}

describe('consultation cards', () => {
  for (const language of ['nl', 'en'] as Language[]) {
    describe(`notification cards in ${language === 'nl' ? 'Dutch' : 'English'}`, () => {
      const ct = consultationTextsFor(language);
      const prefs = { ...new NotificationPreferences().defaults(), locale: language };
      const renderer = new NotificationCards(links);
      const personal = { consultationOpened: ct.headingOpened, consultationReminder: ct.headingReminder, consultationConclusion: ct.headingConclusion } as const;
      const channel = { consultationAnnounced: ct.headingAnnounced, consultationConcluded: ct.headingConclusion } as const;
      const conclusionExcerpt = 'We leggen **vijf meter** aan. [Lees](https://evil.example)';

      for (const [kind, heading] of [...Object.entries(personal), ...Object.entries(channel)] as [NotificationKind, string][]) {
        it(`${kind}: heading, community, title (escaped), the link to the consultation, a refresh to the reader's own card`, () => {
          const n = notification(kind, kind.endsWith('Concluded') || kind.endsWith('Conclusion') ? { conclusionExcerpt, locale: language } : { locale: language });
          const message = kind in channel ? renderer.channelPost(n) : renderer.message(n, prefs);
          const card = message.attachments?.[0] as Card;
          assertValidCard(card, kind);
          const shown = texts(card);
          assert.equal(shown[0], heading);
          assert.ok(shown.includes('Burgerpanel Waterschap'));
          assert.ok(shown.includes(escapeMarkdown(tricky)), 'the title, escaped');
          for (const text of markdownTexts(card.content)) assert.deepEqual(formattingIn(text), [], text);
          const open = card.content.actions.find((a) => a.type === 'Action.OpenUrl');
          assert.equal(open?.url, `https://meent.example/tab/#/consultations/${CONSULTATION_ID}`);
          assert.equal(card.content.refresh?.action.verb, 'consultation.refresh');
          assert.deepEqual(card.content.refresh?.action.data, { consultationId: CONSULTATION_ID, view: kind.endsWith('Announced') ? 'announced' : kind.endsWith('Opened') ? 'opened' : kind.endsWith('Reminder') ? 'reminder' : 'conclusion' });
          // No userIds: every client in a chat or channel of at most 60 people refreshes it; beyond that, the button.
          assert.equal(card.content.refresh && 'userIds' in card.content.refresh, false);
          const isConclusion = heading === ct.headingConclusion;
          if (isConclusion) {
            assert.ok(shown.includes(escapeMarkdown(conclusionExcerpt)), 'what we heard, what we will do');
            assert.equal(open?.title, ct.results, 'links to the results');
            assert.ok(!card.content.actions.some((a) => a.verb === 'consultation.refresh'), 'nothing to answer');
          } else {
            assert.ok(shown.some((t) => t.startsWith(language === 'nl' ? 'Sluit ' : 'Closes ')), 'when it closes');
            assert.deepEqual(card.content.actions.find((a) => a.verb === 'consultation.refresh')?.title, ct.load, 'an "answer" button that fetches the own card');
          }
          assert.ok(message.summary && message.summary.length > 0);
        });
      }

      it('the activity feed and the digest word each kind, and link to the consultation', () => {
        for (const kind of [...Object.keys(personal)] as NotificationKind[]) {
          const feed = renderer.feed(notification(kind, { conclusionExcerpt: 'Vijf meter.' }), prefs);
          assert.equal(feed.topic.webUrl, `https://meent.example/tab/#/consultations/${CONSULTATION_ID}`);
          assert.ok(feed.templateParameters[0]?.value.includes(`"${tricky}"`), feed.templateParameters[0]?.value);
        }
        const digest = renderer.digest({ cadence: 'daily', prefs, sections: [{ communityId: 'c1', communityName: 'Burgerpanel', items: [notification('consultationReminder')] }] });
        assertValidCard(digest.attachments?.[0], 'digest');
        assert.ok(JSON.stringify(digest).includes(language === 'nl' ? 'Herinnering' : 'Reminder'));
      });
    });

    describe(`the person's own card in ${language === 'nl' ? 'Dutch' : 'English'}`, () => {
      const ct = consultationTextsFor(language);
      const v = { language, links };

      it('open, not answered: the questions as inputs, required marked, a send button; the named note', () => {
        const card = asCard(consultationView(v, consultationFixture(), { kind: 'plain', refreshUserIds: ['29:me'] }));
        assertValidCard(card, 'form');
        assert.deepEqual(inputs(card).map((i) => [i.id, i.type, i.isRequired, i.isMultiSelect ?? false]), [['q_q1', 'Input.ChoiceSet', true, false], ['q_q2', 'Input.ChoiceSet', false, true], ['q_q3', 'Input.Text', false, false]]);
        assert.equal(inputs(card)[2]?.maxLength, 20);
        assert.ok(card.content.actions.some((a) => a.verb === 'consultation.respond' && a.data?.consultationId === CONSULTATION_ID));
        assert.ok(texts(card).includes(ct.namedNote));
        assert.deepEqual(card.content.refresh?.userIds, ['29:me']);
      });

      it('answered, results allowed: "you answered", counts and percentages of the people who answered, a change button when named', () => {
        const c = consultationFixture({ myResponse: 'submitted', canSeeResults: true, respondents: 4 });
        const results = { consultationId: c.id, respondents: 4, audienceSize: 10, responseRate: 0.4, questions: [{ questionId: 'q1', kind: 'singleChoice' as const, answered: 4, options: [{ optionId: 'o1', label: '[2 meter](https://evil.example)', count: 3, percentage: 75 }, { optionId: 'o2', label: '5 meter', count: 1, percentage: 25 }] }, { questionId: 'q3', kind: 'shortText' as const, answered: 2 }] };
        const card = asCard(consultationView(v, c, { kind: 'plain', results }));
        assertValidCard(card, 'results');
        const shown = texts(card);
        assert.ok(shown.includes(ct.answered));
        assert.ok(shown.includes(ct.respondents(4, 10, 40)));
        assert.ok(JSON.stringify(card).includes(JSON.stringify({ title: escapeMarkdown('[2 meter](https://evil.example)'), value: '3 (75%)' })));
        assert.ok(shown.includes(ct.textAnswers(2)));
        assert.deepEqual(inputs(card), [], 'no questions');
        assert.ok(card.content.actions.some((a) => a.verb === 'consultation.change'));
        for (const text of markdownTexts(card.content)) assert.deepEqual(formattingIn(text), [], text);
      });

      it('anonymous: says an answer cannot be changed here, and never offers it', () => {
        const c = consultationFixture({ anonymous: true });
        const form = asCard(consultationView(v, c, { kind: 'plain' }));
        assert.ok(texts(form).includes(ct.anonymousNote));
        const answered = asCard(consultationView(v, { ...c, myResponse: 'submitted' }, { kind: 'plain', editing: true }));
        assert.deepEqual(inputs(answered), [], 'no questions again, even when asked to edit');
        assert.ok(!answered.content.actions.some((a) => a.verb === 'consultation.change'));
        assert.ok(texts(answered).includes(ct.anonymousNote));
        assert.ok(texts(answered).includes(ct.answered));
      });

      it('results not visible yet: a thank-you that says when they are', () => {
        const card = consultationView(v, consultationFixture({ myResponse: 'submitted', resultsVisibility: 'afterClose' }), { kind: 'plain' });
        assert.ok(texts(card).includes(ct.thanksAfterClose));
        const managers = consultationView(v, consultationFixture({ myResponse: 'submitted', resultsVisibility: 'managers' }), { kind: 'plain' });
        assert.ok(texts(managers).includes(ct.thanksManagers));
      });

      it('closed: says so, no inputs, the conclusion escaped', () => {
        const conclusion = 'We doen **dit**: [lees meer](https://evil.example).\n\n' + 'Lang. '.repeat(500);
        const card = asCard(consultationView(v, consultationFixture({ status: 'closed', conclusion: { text: conclusion, publishedAt: '2026-12-10T10:00:00Z', authorName: 'Ann' } }), { kind: 'conclusion' }));
        assertValidCard(card, 'closed');
        assert.ok(texts(card).includes(ct.closed));
        const shown = texts(card).find((t) => t.startsWith('We doen dit: lees meer.'));
        assert.ok(shown, 'the conclusion as plain text');
        assert.ok(shown.length <= 2_000 && shown.endsWith('…'), 'cut short; the tab shows it whole');
        for (const text of markdownTexts(card.content)) assert.deepEqual(formattingIn(text), [], text);
        assert.deepEqual(inputs(card), []);
        assert.ok(!card.content.actions.some((a) => a.verb === 'consultation.respond'));
      });

      it('a long questionnaire links to the tab instead of asking in the card', () => {
        const long = consultationFixture({ questions: [...consultationFixture().questions, { id: 'q4', kind: 'longText', text: 'Toelichting', required: false }] });
        assert.equal(answerableInCard(long), false);
        const card = asCard(consultationView(v, long, { kind: 'opened' }));
        assert.deepEqual(inputs(card), []);
        assert.ok(texts(card).includes(ct.longForm));
        assert.equal(card.content.actions.find((a) => a.type === 'Action.OpenUrl')?.title, ct.answerInMeent);
      });

      it('field errors: shown under their question, with what was chosen kept', () => {
        const c = consultationFixture();
        const read = answersFromCard(ct, c, { consultationId: c.id, q_q1: '', q_q2: 'a,b,c', q_q3: 'x'.repeat(21) });
        assert.deepEqual(read.errors, { q_q1: ct.required, q_q2: ct.tooMany(2), q_q3: ct.tooLong(20) });
        const card = asCard(consultationView(v, c, { kind: 'plain', editing: true, values: read.values, errors: read.errors, notice: ct.fixErrors }));
        assertValidCard(card, 'errors');
        assert.equal(inputs(card)[1]?.value, 'a,b,c');
        for (const message of [ct.required, ct.tooMany(2), ct.tooLong(20), ct.fixErrors]) assert.ok(texts(card).includes(message), message);
      });
    });
  }

  it('reads a card\'s inputs as the service\'s answers; an option the card did not offer is an error, not an answer', () => {
    const ct = consultationTextsFor('en');
    const c = consultationFixture({ questions: [...consultationFixture().questions, { id: 'q4', kind: 'yesNo', text: 'Ok?', required: true }, { id: 'q5', kind: 'scale', text: 'Hoe?', required: true, scale: { min: 1, max: 5 } }] });
    assert.deepEqual(answersFromCard(ct, c, { q_q1: 'o2', q_q2: 'a,c', q_q3: '  omdat  ', q_q4: 'no', q_q5: '4' }), {
      answers: [{ questionId: 'q1', optionId: 'o2' }, { questionId: 'q2', optionIds: ['a', 'c'] }, { questionId: 'q3', text: 'omdat' }, { questionId: 'q4', yes: false }, { questionId: 'q5', value: 4 }],
      errors: {},
      values: { q_q1: 'o2', q_q2: 'a,c', q_q3: '  omdat  ', q_q4: 'no', q_q5: '4' },
    });
    const bad = answersFromCard(ct, c, { q_q1: 'o9', q_q4: 'maybe', q_q5: '6', q_q3: { nested: true } });
    assert.deepEqual(bad.answers, []);
    assert.deepEqual(Object.keys(bad.errors).sort(), ['q_q1', 'q_q3', 'q_q4', 'q_q5']);
  });
});
