/**
 * Where the bot can speak: a conversation reference stored when the app is installed in a
 * personal scope, a team or a group chat (and refreshed on every activity, since the service
 * URL may move), used for proactive messages. `key` names the conversation independent of
 * Teams' ids: `user:<entra object id>` (the personal chat), `channel:<team id>:<channel id>`,
 * `chat:<conversation id>`. `state` records what Teams last said: `blocked` (403, the person
 * blocked the bot) and `gone` (404 or uninstalled) are not sent to until the app is back.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { toJsonPlugin } from '../db/to-json-plugin.js';

export const REFERENCE_STATES = ['active', 'blocked', 'gone'] as const;
export type ReferenceState = (typeof REFERENCE_STATES)[number];

const accountSchema = new Schema({ id: { type: String, required: true, maxlength: 300 }, name: { type: String, maxlength: 300 }, aadObjectId: { type: String, maxlength: 64 } }, { _id: false });

const referenceSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    key: { type: String, required: true, maxlength: 400 },
    scope: { type: String, enum: ['personal', 'channel', 'groupChat'], required: true },
    /** Entra object id of the person, for a personal chat. */
    userId: { type: String, maxlength: 64 },
    teamId: { type: String, maxlength: 300 },
    channelId: { type: String, maxlength: 300 },
    reference: {
      channelId: { type: String, required: true, maxlength: 50 },
      serviceUrl: { type: String, required: true, maxlength: 500 },
      conversation: {
        id: { type: String, required: true, maxlength: 500 },
        conversationType: { type: String, maxlength: 50 },
        isGroup: { type: Boolean },
        tenantId: { type: String, maxlength: 64 },
        name: { type: String, maxlength: 300 },
      },
      bot: { type: accountSchema, required: true },
      user: { type: accountSchema },
    },
    state: { type: String, enum: REFERENCE_STATES, default: 'active' },
    stateReason: { type: String, maxlength: 100 },
    installedAt: { type: Date },
    /** A token written by the call that made the reference active, so that call knows it did. */
    activation: { type: String, maxlength: 64 },
    removedAt: { type: Date },
  },
  {
    timestamps: true,
  },
);
referenceSchema.plugin(toJsonPlugin, { id: false });
referenceSchema.index({ tenantId: 1, key: 1 }, { unique: true });
referenceSchema.index({ tenantId: 1, state: 1, updatedAt: -1 });

interface StoredAccount {
  id: string;
  name?: string | null;
  aadObjectId?: string | null;
}

export type ConversationReferenceRecord = InferSchemaType<typeof referenceSchema> & {
  _id: mongoose.Types.ObjectId;
  state: ReferenceState;
  updatedAt: Date;
  reference: {
    channelId: string;
    serviceUrl: string;
    conversation: { id: string; conversationType?: string | null; isGroup?: boolean | null; tenantId?: string | null; name?: string | null };
    bot: StoredAccount;
    user?: StoredAccount | null;
  };
};

export const ConversationReferenceModel = mongoose.model('ConversationReference', referenceSchema, 'conversation_references');
