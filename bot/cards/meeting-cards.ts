/**
 * The cards the bot posts in a meeting chat: at the start, where the meeting's notes and
 * questions go (the linked discussion); at the end, the follow-up with "Continue the
 * discussion" and, when the community has one, "Sign up for the next session". Templates
 * beside this file, expanded with `adaptivecards-templating`; values are data, never template,
 * and titles and names are Markdown-escaped (escape-markdown.ts).
 */
import { cardRenderer } from './cards.js';
import { escapeMarkdown } from './escape-markdown.js';
import followUpTemplate from './meeting-follow-up.json' with { type: 'json' };
import startTemplate from './meeting-start.json' with { type: 'json' };

export interface MeetingStartCardData {
  heading: string;
  intro: string;
  discussionTitle: string;
  communityName: string;
  discussionUrl: string;
  openLabel: string;
}

export interface MeetingFollowUpCardData {
  heading: string;
  intro: string;
  discussionTitle: string;
  communityName: string;
  discussionUrl: string;
  continueLabel: string;
  /** '' when the community has no next session. */
  nextEventTitle: string;
  nextEventWhen: string;
  nextEventUrl: string;
  nextLabel: string;
  signUpLabel: string;
}

const renderStart = cardRenderer<MeetingStartCardData>(startTemplate);
const renderFollowUp = cardRenderer<MeetingFollowUpCardData>(followUpTemplate);

export const meetingStartCard = (data: MeetingStartCardData) => renderStart({ ...data, discussionTitle: escapeMarkdown(data.discussionTitle), communityName: escapeMarkdown(data.communityName) });
export const meetingFollowUpCard = (data: MeetingFollowUpCardData) =>
  renderFollowUp({ ...data, discussionTitle: escapeMarkdown(data.discussionTitle), communityName: escapeMarkdown(data.communityName), nextEventTitle: escapeMarkdown(data.nextEventTitle) });
