/**
 * A meeting, end to end: the organiser opens Meent's tab in the Teams meeting (the host page
 * hands it the meeting's chat and meeting id), links the meeting to a new discussion in a
 * community, the meeting ends (Teams posts the meetingEnd event to /api/messages, twice), the
 * bot posts one follow-up card through the Bot Framework connector, and the people who
 * attended (from the local Graph's attendance report) follow the discussion; the guest the
 * community does not admit is listed for the organiser in the tab.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import express from 'express';
import mongoose from 'mongoose';
import request from 'supertest';
import { createBotModule, type BotModule } from '../../bot/bot-module.js';
import { loadConfig } from '../../src/config/config.js';
import { FollowModel } from '../../src/discussions/follow.model.js';
import { createLogger } from '../../src/logging/logger.js';
import { MeetingLinkModel } from '../../src/meetings/meeting-link.model.js';
import { createMeetingsModule, type MeetingsModule } from '../../src/meetings/meetings.module.js';
import { botCredentialsFactory } from '../support/bot-auth.js';
import { startBotConnector, type BotConnector } from '../support/bot-connector.js';
import { entraEnvironment } from '../support/identity-app.js';
import { startGraphServer, type GraphServer, type StandInOnlineMeeting } from '../support/graph-server.js';
import type { TeamsHost } from '../support/teams-host.js';
import { ANOUK, BRAM, CHANTAL, DIRK, GITA, seedCommunity, seedPerson, TENANT, useEntraTabRig, type TestPerson } from './entra-tab-rig.js';
import { axeViolations } from './tab-fixtures.js';

const BOT_ID = '3f2b1a0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9';
const BOT_PASSWORD = 'bot-password-0123456789';
const TEAMS_APP_ID = 'ae907ac5-e30f-4c42-865b-c6779a53898a';
const TEAMS_MEETING_ID = 'MCMxOTptZWV0aW5nX05UTTNaREpqT1RVdEBUaHJlYWQudjIjMA==';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

describe('tab and bot: a meeting linked to a discussion, end to end', function () {
  this.timeout(120_000);
  let graph: GraphServer;
  let connector: BotConnector;
  let meetings: MeetingsModule;
  let bot: BotModule;
  let meeting: StandInOnlineMeeting;
  let communityId: string;
  let host: TeamsHost | undefined;
  // What the bot and the meetings capability log at warn and above, shown when an assertion fails.
  const logged: string[] = [];
  const logSink = { write: (line: string) => void logged.push(line) };

  // The local Graph and connector first: the rig's server is built with them.
  before(async () => {
    graph = await startGraphServer();
    connector = await startBotConnector({ validToken: (token) => rig.idp.issuedAccessTokens.has(token) });
  });

  const rig = useEntraTabRig({
    routers: (m) => {
      meetings = createMeetingsModule({ config: { graphBaseUrl: graph.baseUrl, guestsAllowed: true }, logger: createLogger('warn', logSink), communities: m.communities.services, getAccessToken: async () => 'app-token' });
      const botConfig = loadConfig(entraEnvironment(rig.idp.baseUrl, 'https://graph.invalid', { BOT_ID, BOT_PASSWORD, PUBLIC_URL: m.config.publicUrl, TEAMS_APP_ID }));
      bot = createBotModule({
        config: botConfig,
        logger: createLogger('warn', logSink),
        events: m.events.services,
        meetings: { events: meetings.services.meetings, followUpSoon: meetings.followUpSoon },
        endpoints: { channelOpenIdMetadataUrl: rig.idp.botOpenIdMetadataUrl, emulatorOpenIdMetadataUrl: `${rig.idp.baseUrl}/common/v2.0/.well-known/openid-configuration` },
        credentialsFactory: botCredentialsFactory(rig.idp, { botId: BOT_ID, password: BOT_PASSWORD, tenantId: TENANT }),
      });
      // The bot endpoint, as the app mounts it (POST /api/messages, authenticated by Bot Framework tokens).
      const messages = express.Router().post('/api/messages', bot.botHandler!);
      return [m.analytics, m.events, m.communities, meetings, { publicRouters: [messages] }];
    },
    seed: async (m) => {
      for (const p of [ANOUK, BRAM, CHANTAL, DIRK, GITA]) await seedPerson(p);
      communityId = await seedCommunity(m, {
        name: 'Drainage Achterhoek',
        visibility: 'public',
        members: [
          { person: CHANTAL, role: 'manager' },
          { person: ANOUK, role: 'member' },
          { person: BRAM, role: 'member' },
        ],
      });
      const graphUser = (p: TestPerson) => graph.addUser({ id: p.oid, displayName: p.name, userPrincipalName: p.upn, mail: p.guest ? null : p.upn, userType: p.guest ? 'Guest' : 'Member' });
      for (const p of [ANOUK, BRAM, CHANTAL, DIRK, GITA]) graphUser(p);
      const start = new Date(Date.now() - 55 * 60_000);
      const end = new Date(Date.now() + 5 * 60_000);
      const participant = (p: TestPerson) => ({ userId: p.oid, displayName: p.name, tenantId: TENANT, email: p.guest ? null : p.upn });
      meeting = graph.addOnlineMeeting({ organizerId: ANOUK.oid, tenantId: TENANT, subject: 'Overleg drainage Achterhoek', start, end, attendees: [BRAM, DIRK, GITA].map(participant) });
      const minutes = (n: number) => new Date(start.getTime() + n * 60_000);
      graph.addAttendanceReport(meeting.id, {
        start,
        end: new Date(),
        records: [ANOUK, BRAM, DIRK, GITA].map((p, i) => ({ id: p.oid, displayName: p.name, email: p.guest ? null : p.upn, tenantId: TENANT, intervals: [{ join: minutes(i), leave: minutes(50) }] })),
      });
      connector.addConversation({ id: meeting.chatId, tenantId: TENANT, conversationType: 'groupChat' });
    },
  });

  after(async () => {
    await host?.close();
    await meetings?.whenIdle();
    await connector?.stop();
    await graph?.stop();
  });

  function meetingEnd(endTime: string) {
    return {
      type: 'event',
      name: 'application/vnd.microsoft.meetingEnd',
      id: randomUUID(),
      timestamp: new Date().toISOString(),
      channelId: 'msteams',
      serviceUrl: connector.serviceUrl,
      from: { id: `29:${ANOUK.oid}`, aadObjectId: ANOUK.oid },
      recipient: { id: `28:${BOT_ID}`, name: 'Meent' },
      conversation: { id: meeting.chatId, isGroup: true, tenantId: TENANT, conversationType: 'groupChat' },
      channelData: { tenant: { id: TENANT }, source: null, meeting: { id: TEAMS_MEETING_ID } },
      value: { MeetingType: 'Scheduled', Title: 'Overleg drainage Achterhoek', Id: TEAMS_MEETING_ID, JoinUrl: meeting.joinUrl, EndTime: endTime },
      locale: 'en-US',
    };
  }

  const post = async (body: object) =>
    request(rig.server.origin)
      .post('/api/messages')
      .set('Authorization', `Bearer ${await rig.idp.botToken({ audience: BOT_ID, serviceUrl: connector.serviceUrl })}`)
      .send(body);

  it('links the meeting in the tab, posts one follow-up card when it ends, and makes the attendees followers', async () => {
    const opened = await rig.openTab(ANOUK, { hash: '#/meeting', context: { frameContext: 'content', chatId: meeting.chatId, meetingId: TEAMS_MEETING_ID } });
    host = opened.host;
    const tab = opened.tab;

    // The form, prefilled from the meeting (subject from Graph).
    const title = tab.getByTestId('meeting-discussion-title');
    await title.waitFor();
    assert.match(await title.inputValue(), /^Overleg drainage Achterhoek – /);
    assert.match(await tab.getByTestId('meeting-discussion-body').inputValue(), /Overleg drainage Achterhoek/);
    await tab.getByTestId('meeting-community-select').selectOption({ label: 'Drainage Achterhoek' });
    assert.deepEqual(await axeViolations(tab, axeSource), [], 'the link form is accessible');
    await tab.getByTestId('meeting-link-submit').click();

    const linked = tab.getByTestId('meeting-linked');
    await linked.waitFor();
    assert.ok((await linked.textContent())?.includes('Overleg drainage Achterhoek – '));
    const link = await MeetingLinkModel.findOne({ chatId: meeting.chatId }).lean();
    assert.equal(String(link?.communityId), communityId);
    assert.equal(link?.linkedBy, ANOUK.oid);
    assert.equal(link?.teamsMeetingId, TEAMS_MEETING_ID);
    await host.screenshot('meeting-linked');

    // The meeting ends; Teams delivers the event twice.
    const endTime = new Date().toISOString();
    assert.equal((await post(meetingEnd(endTime))).status, 200);
    assert.equal((await post(meetingEnd(endTime))).status, 200);

    const sent = connector.sentTo(meeting.chatId);
    assert.equal(sent.length, 1, `one follow-up card in the meeting chat; logged:\n${logged.join('')}`);
    const card = JSON.stringify(sent[0]?.activity.attachments);
    assert.ok(card.includes('Continue the discussion'));
    assert.ok(card.includes(link?.discussionTitle ?? '?'));
    assert.ok(card.includes(`https://teams.microsoft.com/l/entity/${TEAMS_APP_ID}/home`), 'a deep link into the tab');

    // The follow-up runs right after the end (the worker would pick it up otherwise).
    await meetings.whenIdle();
    const followers = (await FollowModel.find({ discussionId: link?.discussionId }).lean()).map((f) => f.userId).sort();
    assert.deepEqual(followers, [ANOUK.oid, BRAM.oid, DIRK.oid].sort());
    const dirk = await mongoose.connection.collection('memberships').findOne({ communityId: new mongoose.Types.ObjectId(communityId), userId: DIRK.oid });
    assert.equal(dirk?.status, 'invited');

    // The organiser sees who was not let in, and why.
    await host.close();
    const again = await rig.openTab(ANOUK, { hash: '#/meeting', context: { frameContext: 'content', chatId: meeting.chatId, meetingId: TEAMS_MEETING_ID } });
    host = again.host;
    const notAdmitted = again.tab.getByTestId('meeting-not-admitted');
    await notAdmitted.waitFor();
    const text = (await notAdmitted.textContent()) ?? '';
    assert.ok(text.includes('Gita Ramdin'));
    assert.ok(text.includes('the community admits no guests'));
  });

  it('shows the linked discussion in the meeting side panel, with the community pinned by the meeting tab', async () => {
    const opened = await rig.openTab(ANOUK, {
      hash: `#/meeting?community=${communityId}`,
      context: { frameContext: 'sidePanel', chatId: meeting.chatId, meetingId: TEAMS_MEETING_ID, entityId: `meeting-community-${communityId}` },
      viewport: { width: 320, height: 800 },
    });
    try {
      const panel = opened.tab.getByTestId('side-panel');
      await panel.getByTestId('meeting-linked').waitFor();
      assert.equal(await opened.tab.getByRole('navigation').count(), 0);
      assert.ok((await panel.getByTestId('meeting-discussion-link').textContent())?.startsWith('Overleg drainage Achterhoek'));
      assert.deepEqual(await axeViolations(opened.tab, axeSource), []);
      await opened.host.screenshot('meeting-side-panel');
    } finally {
      await opened.host.close();
    }
  });

  it('shows a participant the link, without the form or the follow-up list', async () => {
    const opened = await rig.openTab(BRAM, { hash: '#/meeting', context: { frameContext: 'content', chatId: meeting.chatId, meetingId: TEAMS_MEETING_ID } });
    const tab = opened.tab;
    try {
      await tab.getByTestId('meeting-linked').waitFor();
      assert.equal(await tab.getByTestId('meeting-link-form').count(), 0);
      assert.equal(await tab.getByTestId('meeting-follow-up').count(), 0);
      assert.equal(await tab.getByTestId('meeting-unlink').count(), 0);
    } finally {
      await opened.host.close();
    }
  });
});
