/**
 * A Teams meeting linked to a Meent discussion (and optionally to the Meent event it is a
 * session of), so that the conversation goes on after the call. One per meeting chat: the
 * chat id (`19:meeting_...@thread.v2`) is what the tab's context, the bot's meeting events
 * and Graph all share. `cards` remembers which start and end the bot has posted a card for
 * (Teams may deliver a meeting event twice); `followUp` is the after-meeting job: who was
 * invited and made a follower, who was not allowed in (and why), and the attendance report.
 */
import mongoose, { Schema, type Types } from 'mongoose';
import { toJsonPlugin } from '../db/to-json-plugin.js';

export const LINK_SOURCES = ['manual', 'event'] as const;
export type LinkSource = (typeof LINK_SOURCES)[number];

export const FOLLOW_UP_STATUSES = ['none', 'pending', 'running', 'done'] as const;
export type FollowUpStatus = (typeof FOLLOW_UP_STATUSES)[number];

/** Why someone who was in the meeting was not let into the community. */
export const REFUSAL_REASONS = ['blocked', 'guests_not_allowed', 'guests_disabled', 'approval_required', 'external_account', 'unknown_person'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** What happened to someone who was let in. */
export const ADMISSION_OUTCOMES = ['member', 'invited', 'approved', 'already_invited', 'requested'] as const;
export type AdmissionOutcome = (typeof ADMISSION_OUTCOMES)[number];

export const ATTENDEE_SOURCES = ['registrations', 'attendanceReport', 'invitees', 'none'] as const;
export type AttendeeSource = (typeof ATTENDEE_SOURCES)[number];

/** At most this many people are listed per follow-up (a town-hall meeting is not a community). */
export const MAX_LISTED = 500;

const cardSchema = new Schema(
  {
    /** The event's time (StartTime / EndTime) as Teams sent it: the idempotency key. */
    key: { type: String, default: null, maxlength: 100 },
    /** When this process claimed the post (a claim older than a few minutes may be taken over). */
    claimedAt: { type: Date, default: null },
    postedAt: { type: Date, default: null },
    activityId: { type: String, default: null, maxlength: 300 },
  },
  { _id: false },
);

const personSchema = new Schema(
  {
    userId: { type: String, default: null, maxlength: 64 },
    displayName: { type: String, default: '', maxlength: 256 },
    outcome: { type: String, enum: ADMISSION_OUTCOMES },
    reason: { type: String, enum: REFUSAL_REASONS },
  },
  { _id: false },
);

const meetingLinkSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    /** The meeting chat's thread id. */
    chatId: { type: String, required: true, maxlength: 300 },
    /** Teams' meeting id (the tab context's `meeting.id`, the activity's `channelData.meeting.id`). */
    teamsMeetingId: { type: String, default: null, maxlength: 1000 },
    /** Graph's online meeting id (for the attendance report) and the organiser's mailbox. */
    onlineMeetingId: { type: String, default: null, maxlength: 1000 },
    organizerId: { type: String, default: null, maxlength: 64 },
    joinUrl: { type: String, default: null, maxlength: 2048 },
    subject: { type: String, default: '', maxlength: 300 },
    communityId: { type: Schema.Types.ObjectId, required: true },
    discussionId: { type: Schema.Types.ObjectId, required: true },
    /** Kept for the card: the discussion's title when it was linked. */
    discussionTitle: { type: String, default: '', maxlength: 300 },
    eventId: { type: Schema.Types.ObjectId, default: null },
    source: { type: String, enum: LINK_SOURCES, required: true },
    /** Who linked (for automatic links: the event's organiser); the follow-up acts in their name. */
    linkedBy: { type: String, required: true, maxlength: 64 },
    cards: {
      start: { type: cardSchema, default: () => ({}) },
      end: { type: cardSchema, default: () => ({}) },
    },
    followUp: {
      status: { type: String, enum: FOLLOW_UP_STATUSES, default: 'none' },
      /** The meeting end this follow-up is for. */
      endKey: { type: String, default: null, maxlength: 100 },
      endedAt: { type: Date, default: null },
      dueAt: { type: Date, default: null },
      attempts: { type: Number, default: 0 },
      runningSince: { type: Date, default: null },
      /** Admission is done once per end; the attendance report may come later. */
      admitted: { type: Boolean, default: false },
      attendanceRecorded: { type: Boolean, default: false },
      attendeeSource: { type: String, enum: ATTENDEE_SOURCES, default: 'none' },
      people: { type: [personSchema], default: [] },
      notAdmitted: { type: [personSchema], default: [] },
      lastError: { type: String, default: null, maxlength: 300 },
      doneAt: { type: Date, default: null },
    },
  },
  {
    timestamps: true,
    minimize: false,
  },
);
meetingLinkSchema.plugin(toJsonPlugin);
meetingLinkSchema.index({ tenantId: 1, chatId: 1 }, { unique: true });
meetingLinkSchema.index({ tenantId: 1, eventId: 1 });
meetingLinkSchema.index({ 'followUp.status': 1, 'followUp.dueAt': 1 });

export interface CardState {
  key: string | null;
  claimedAt: Date | null;
  postedAt: Date | null;
  activityId: string | null;
}

export interface ListedPerson {
  userId: string | null;
  displayName: string;
  outcome?: AdmissionOutcome;
  reason?: RefusalReason;
}

export interface MeetingLinkRecord {
  _id: Types.ObjectId;
  tenantId: string;
  chatId: string;
  teamsMeetingId: string | null;
  onlineMeetingId: string | null;
  organizerId: string | null;
  joinUrl: string | null;
  subject: string;
  communityId: Types.ObjectId;
  discussionId: Types.ObjectId;
  discussionTitle: string;
  eventId: Types.ObjectId | null;
  source: LinkSource;
  linkedBy: string;
  cards: { start: CardState; end: CardState };
  followUp: {
    status: FollowUpStatus;
    endKey: string | null;
    endedAt: Date | null;
    dueAt: Date | null;
    attempts: number;
    runningSince: Date | null;
    admitted: boolean;
    attendanceRecorded: boolean;
    attendeeSource: AttendeeSource;
    people: ListedPerson[];
    notAdmitted: ListedPerson[];
    lastError: string | null;
    doneAt: Date | null;
  };
  createdAt: Date;
  updatedAt: Date;
}

export const MeetingLinkModel = mongoose.model('MeetingLink', meetingLinkSchema, 'meeting_links');
