import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { marked } from 'marked';
import mongoose from 'mongoose';
import { askView, discussionListView, discussionView, errorView, eventListView, eventView, helpView, searchView, settingsView } from '../../bot/card-views.js';
import { shareEventCard } from '../../bot/cards/cards.js';
import { escapeMarkdown } from '../../bot/cards/escape-markdown.js';
import { meetingFollowUpCard, meetingStartCard } from '../../bot/cards/meeting-cards.js';
import { meetingTextsFor } from '../../bot/meeting-texts.js';
import { NotificationCards } from '../../bot/notification-cards.js';
import { tabLinks, type DiscussionSummary, type EventSummary } from '../../bot/ports.js';
import { textsFor, type Language } from '../../bot/texts.js';
import { NOTIFICATION_KINDS, type NotificationRecord } from '../../src/notifications/notification.model.js';
import { NotificationPreferences } from '../../src/notifications/notification-preferences.js';
import { adaptiveCardProblems, assertValidCard, formattingIn, markdownTexts, ownMarkdownRemoved } from '../support/adaptive-cards.js';

const links = tabLinks('https://meent.example');
const tricky = 'Nitraat & fosfaat <b>"meten"</b> ${title} **vet** [Klik hier](https://evil.example) 💧';

function event(overrides: Partial<EventSummary> = {}): EventSummary {
  return {
    id: 'e1',
    title: tricky,
    communityName: 'Waterkwaliteit',
    start: new Date('2025-04-01T12:00:00Z'),
    end: new Date('2025-04-01T14:00:00Z'),
    timeZone: 'Europe/Amsterdam',
    location: '[Doetinchem](https://evil.example)',
    online: true,
    status: 'scheduled',
    capacity: 20,
    registered: 20,
    waitlisted: 3,
    mine: { status: 'waitlisted', position: 2 },
    canSignUp: true,
    ...overrides,
  };
}

const discussion: DiscussionSummary = {
  id: 'd1',
  title: tricky,
  excerpt: 'x'.repeat(300),
  communityId: 'c1',
  communityName: 'Droogte',
  authorName: '**Pieter**',
  replyCount: 4,
  lastActivityAt: new Date(),
  latestReplies: [{ author: '[Anna](https://evil.example)', text: tricky }],
  following: true,
  canReply: true,
};

const files = [
  { name: 'Conceptnotitie gebiedsproces Baakse Beek.docx', size: 48_000, url: 'https://contoso.sharepoint.com/sites/meent/Conceptnotitie.docx' },
  { name: tricky, size: 2_400_000, url: 'https://contoso-my.sharepoint.com/personal/anouk/Documents/x.pdf' },
  { name: 'Oude planning.docx', size: 2_000, url: null },
];

/** The card's file rows: each name, its detail line, and the "Open" action's title and address where it has one. */
function fileRows(card: unknown): { name: string; detail: string; open: { title: string; url: string; tooltip: string } | null }[] {
  const body = (card as { content: { body: { type: string; items?: { type: string; columns?: { items: { type: string; text?: string; actions?: { title: string; url: string; tooltip: string }[] }[] }[] }[] }[] } }).content.body;
  const list = body.find((b) => b.type === 'Container' && b.items?.some((i) => i.type === 'ColumnSet'));
  return (list?.items ?? [])
    .filter((i) => i.type === 'ColumnSet')
    .map((row) => {
      const [text, action] = row.columns ?? [];
      const open = action?.items[0]?.actions?.[0];
      return { name: text?.items[0]?.text ?? '', detail: text?.items[1]?.text ?? '', open: open ? { title: open.title, url: open.url, tooltip: open.tooltip } : null };
    });
}

function notification(kind: (typeof NOTIFICATION_KINDS)[number]): NotificationRecord {
  return {
    _id: new mongoose.Types.ObjectId(),
    tenantId: 't',
    recipientId: 'u',
    kind,
    subject: { type: kind.startsWith('event') || kind === 'reminder' ? 'event' : 'discussion', id: new mongoose.Types.ObjectId().toHexString() },
    data: { eventTitle: tricky, discussionTitle: tricky, communityName: 'Droogte', communityId: new mongoose.Types.ObjectId().toHexString(), actorName: 'Pieter', startsAt: '2025-04-01T12:00:00Z', endsAt: '2025-04-01T14:00:00Z', excerpt: tricky },
    idempotencyKey: 'k',
    status: 'pending',
    attempts: 0,
    createdAt: new Date(),
    updatedAt: new Date(),
  } as NotificationRecord;
}

describe('bot cards (Adaptive Cards 1.5, parsed by the adaptivecards library)', () => {
  it('the check itself finds unknown elements, unknown properties and duplicate ids', () => {
    const problems = adaptiveCardProblems({
      type: 'AdaptiveCard',
      version: '1.5',
      body: [{ type: 'TextBlock', text: 'x', colour: 'Good' }, { type: 'Carrousel' }, { type: 'Input.Text', id: 'a' }, { type: 'Input.Text', id: 'a' }],
    });
    assert.equal(problems.length, 4, problems.join('\n'));
  });

  it('escapeMarkdown: a phishing link and bold text are shown as typed, not rendered', () => {
    for (const text of ['[Click](https://evil.example)', '**x**', '_x_ ~~x~~ `x` <https://evil.example> a\\[b](c) ![i](https://evil.example/i.png)', '- item\n+ item\n1. item\n2) item\n# heading\n> quote\n===']) {
      const escaped = escapeMarkdown(text);
      assert.deepEqual(formattingIn(escaped), [], `${text} -> ${escaped}`);
      assert.ok(!escaped.includes(']('), 'no link even for a client that shows backslashes instead of processing them');
    }
    // What a person reads is what they wrote.
    const shown = (text: string) => marked.parseInline(escapeMarkdown(text), { async: false }).replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
    for (const text of ['[Click](evil) **x**', 'Nitraat & fosfaat <b>"meten"</b> ${title} 💧', 'a\\b_c*d', 'Kennissessie 3.0 - water (Rijn)']) assert.equal(shown(text), text);
  });

  // consultation.json is rendered and checked in consultation-cards.test.ts.
  it('every template in bot/cards has a render function that is tested here', () => {
    const templates = readdirSync(fileURLToPath(new URL('../../bot/cards/', import.meta.url))).filter((f) => f.endsWith('.json')).sort();
    assert.deepEqual(templates, ['ask.json', 'consultation.json', 'digest.json', 'discussion.json', 'error.json', 'event.json', 'help.json', 'list.json', 'meeting-follow-up.json', 'meeting-start.json', 'notification.json', 'settings.json', 'share-event.json']);
  });

  for (const language of ['nl', 'en'] as Language[]) {
    describe(`in ${language === 'nl' ? 'Dutch' : 'English'}`, () => {
      const v = { t: textsFor(language), language, links };
      const prefs = { ...new NotificationPreferences().defaults(), locale: language };
      const cards: Record<string, unknown> = {
        welcome: helpView(v, true),
        help: helpView(v, false),
        'event (waitlisted)': eventView(v, event(), { refreshUserIds: ['29:a'] }),
        'event (open, unlimited)': eventView(v, event({ capacity: null, mine: null, waitlisted: 0, location: null, online: false }), { notice: 'Vol' }),
        'event (cancelled)': eventView(v, event({ status: 'cancelled', mine: null })),
        discussion: discussionView(v, discussion, { notice: 'ok', refreshUserIds: Array.from({ length: 80 }, (_, i) => `29:${i}`) }),
        'discussion (no replies, cannot reply)': discussionView(v, { ...discussion, latestReplies: [], canReply: false, following: false, excerpt: '' }),
        'discussion (files)': discussionView(v, { ...discussion, files: [...files, { name: 'Begroting.xlsx', size: 9_000, url: 'https://contoso.sharepoint.com/b.xlsx' }, { name: 'Kaart.pdf', size: 1, url: null }] }),
        'discussion (one file, gone)': discussionView(v, { ...discussion, files: [{ name: tricky, size: 10, url: null }] }),
        'event list': eventListView(v, 'x', 'none', [event(), event({ id: 'e2' })]),
        'empty event list': eventListView(v, 'x', 'none', []),
        'discussion list': discussionListView(v, [discussion]),
        // As the port gives an erased author: the API's name is in the organisation's language (Dutch here).
        'discussion (erased author)': discussionView(v, { ...discussion, authorName: 'Voormalig lid', authorErased: true, latestReplies: [{ author: 'Voormalig lid', authorErased: true, text: 'Eens' }, { author: 'Anna', text: 'Ik ook' }] }),
        search: searchView(v, tricky, [{ kind: 'person', id: 'p', title: 'Sanne', subtitle: '' }]),
        ask: askView(v, { communities: [{ id: 'c', name: tricky }], question: tricky, source: 'bot' }),
        'ask (message extension, two communities)': askView(v, { communities: [{ id: 'c', name: 'a' }, { id: 'd', name: 'b' }], question: '', source: 'messageExtension', notice: 'x' }),
        settings: settingsView(v, prefs, [{ target: 'community', targetId: 'c', title: tricky, createdAt: new Date() }], 'ok'),
        'settings (no mutes)': settingsView(v, prefs, []),
        error: errorView(v, 'x', 'abc123'),
        'share an event': shareEventCard({ labels: { title: 't', event: 'e', share: 's', missing: 'm' }, events: [{ id: 'e1', title: tricky }], empty: 'none' }),
        'share an event (none)': shareEventCard({ labels: { title: 't', event: 'e', share: 's', missing: 'm' }, events: [], empty: 'none' }),
        'error without reference': errorView(v, 'x'),
      };
      const mt = meetingTextsFor(language);
      cards['meeting start'] = meetingStartCard({ heading: mt.startHeading, intro: mt.startIntro, discussionTitle: tricky, communityName: 'Droogte', discussionUrl: links.discussion('d1'), openLabel: mt.open });
      const followUp = { heading: mt.endHeading, intro: mt.endIntro, discussionTitle: tricky, communityName: 'Droogte', discussionUrl: links.discussion('d1'), continueLabel: mt.continue, nextLabel: mt.next, signUpLabel: mt.signUp };
      cards['meeting follow-up'] = meetingFollowUpCard({ ...followUp, nextEventTitle: 'Kennissessie 2', nextEventWhen: 'dinsdag 1 april 2025 om 14:00', nextEventUrl: links.event('e2') });
      cards['meeting follow-up (no next session)'] = meetingFollowUpCard({ ...followUp, nextEventTitle: '', nextEventWhen: '', nextEventUrl: links.discussion('d1') });
      const renderer = new NotificationCards(links);
      for (const kind of NOTIFICATION_KINDS) cards[`notification ${kind}`] = renderer.message(notification(kind), prefs).attachments?.[0];
      cards['channel post'] = renderer.channelPost(notification('eventAnnounced')).attachments?.[0];
      cards.digest = renderer.digest({ cadence: 'weekly', prefs, sections: [{ communityId: null, communityName: '', items: Array.from({ length: 12 }, () => notification('newDiscussion')) }, { communityId: 'c', communityName: 'Droogte', items: [notification('reply')] }] }).attachments?.[0];

      for (const [name, card] of Object.entries(cards)) {
        it(`${name} parses without warnings`, () => {
          assertValidCard(card, name);
        });
      }

      it('shows text as text: a template expression in data is not evaluated', () => {
        assert.ok(JSON.stringify(cards['event (waitlisted)']).includes(JSON.stringify(escapeMarkdown(tricky))));
      });

      it('lets no title, name, place, excerpt or reply become a link or formatting in any card', () => {
        for (const [name, card] of Object.entries(cards)) {
          const shown = markdownTexts(card);
          for (const text of shown) assert.deepEqual(formattingIn(ownMarkdownRemoved(text)), [], `${name}: ${text}`);
        }
        // A sample of where people's text is, so the check above cannot pass on cards that show none of it.
        for (const name of ['event (waitlisted)', 'discussion', 'discussion list', 'search', 'settings', 'meeting start', 'notification reply', 'digest', 'channel post']) {
          assert.ok(markdownTexts(cards[name]).some((t) => t.includes(escapeMarkdown('[Klik hier](https://evil.example)'))), `${name} shows the escaped title`);
        }
      });

      it('leaves input values as typed: a form sends back what it was given', () => {
        const inputs = JSON.stringify(cards.ask);
        assert.ok(inputs.includes(JSON.stringify(tricky)));
      });

      it('offers "Sign up for the next session" on the follow-up only when there is one', () => {
        assert.ok(JSON.stringify(cards['meeting follow-up']).includes(JSON.stringify(mt.signUp)));
        assert.ok(!JSON.stringify(cards['meeting follow-up (no next session)']).includes(JSON.stringify(mt.signUp)));
      });

      it('links the settings card to the profile page, where the person exports their data or deletes their account', () => {
        const actions = (cards.settings as { content: { actions: { type: string; url?: string; title: string }[] } }).content.actions;
        const open = actions.find((a) => a.type === 'Action.OpenUrl');
        assert.equal(open?.url, v.links.profile());
        assert.match(open.url, /#\/profile$/);
        assert.match(open.title, language === 'nl' ? /account verwijderen/ : /delete account/);
      });

      it('names an erased author "Former member" in the card\'s language, whoever else is named as usual', () => {
        const shown = markdownTexts(cards['discussion (erased author)']).join('\n');
        const former = language === 'nl' ? 'Voormalig lid' : 'Former member';
        const other = language === 'nl' ? 'Former member' : 'Voormalig lid';
        assert.ok(shown.includes(`${former} · `), `the byline: ${shown}`);
        assert.ok(shown.includes(`**${escapeMarkdown(former)}**: Eens`), `the reply: ${shown}`);
        assert.ok(shown.includes(`**${escapeMarkdown('Anna')}**: Ik ook`), `another author: ${shown}`);
        assert.ok(!shown.includes(other), `nothing in the other language: ${shown}`);
      });

      it('lists at most three files, "Open" for each that is still there, and how many more there are', () => {
        const rows = fileRows(cards['discussion (files)']);
        const open = language === 'nl' ? 'Openen' : 'Open';
        assert.deepEqual(
          rows.map((r) => [r.name, r.detail, r.open?.title ?? null, r.open?.url ?? null]),
          [
            ['Conceptnotitie gebiedsproces Baakse Beek.docx', language === 'nl' ? '48 kB' : '48 kB', open, files[0]!.url],
            [escapeMarkdown(tricky), language === 'nl' ? '2,4 MB' : '2.4 MB', open, files[1]!.url],
            ['Oude planning.docx', language === 'nl' ? 'Niet meer beschikbaar' : 'No longer available', null, null],
          ],
        );
        assert.equal(rows[0]?.open?.tooltip, language === 'nl' ? 'Conceptnotitie gebiedsproces Baakse Beek.docx openen' : 'Open Conceptnotitie gebiedsproces Baakse Beek.docx');
        assert.ok(markdownTexts(cards['discussion (files)']).includes(language === 'nl' ? 'en nog 2 bestanden' : 'and 2 more files'));
        assert.ok(markdownTexts(cards['discussion (files)']).includes(language === 'nl' ? 'Bestanden' : 'Files'));
        assert.deepEqual(fileRows(cards['discussion (one file, gone)']).map((r) => r.open), [null], 'no "Open" for a file that is gone');
        assert.ok(!markdownTexts(cards['discussion (one file, gone)']).some((t) => /more|nog/.test(t)), 'no "and N more" when all are shown');
        assert.deepEqual(fileRows(cards.discussion), [], 'no file list without files');
      });

      it('keeps automatic refresh to the 60 people Teams allows', () => {
        const content = (cards.discussion as { content: { refresh: { userIds: string[] } } }).content;
        assert.equal(content.refresh.userIds.length, 60);
      });
    });
  }
});
